// The member clusters of a bench federation, outside the bench's event loop: their API servers
// (the Kubernetes API wire fixture, one per member) run in worker threads, a share each, so that
// what the bench's own thread times is the client under test and not the fixtures serving it. A
// small message protocol starts and seeds them, plays each member's cloud controller and
// kubelets, turns a member NotReady, reads back what they hold, and stops them.
import { Worker } from 'node:worker_threads';

/** A shard Service the member's cloud controller and kubelets answer: its load-balancer addresses and ready endpoints. */
export interface AnsweredShard {
  /** `namespace/name` of the Service. */
  readonly service: string;
  readonly addresses: readonly string[];
  readonly readyEndpoints: number;
}

/** One member cluster: an API server taking `token`, with a Ready node labelled with `zone` and `region`. */
export interface MemberSpec {
  readonly name: string;
  readonly token: string;
  readonly zone: string;
  readonly region: string;
  /** The shards whose Services get an address and an EndpointSlice once created; none when absent. */
  readonly shards?: readonly AnsweredShard[];
}

/** What the members of one worker hold and how late its event loop ran. */
export interface Census {
  /** Services stored, summed over the members. */
  readonly services: number;
  /** The worst event-loop delay since its members started, ms. */
  readonly eventLoopDelayMaxMs: number;
  /** CPU time its thread has used since its members started, seconds. */
  readonly cpuSeconds: number;
}

/** The messages a worker answers, each with the value it answers with. */
export type MemberRequest =
  | { readonly type: 'start'; readonly members: readonly MemberSpec[] }
  | { readonly type: 'setReady'; readonly member: string; readonly state: true | string }
  | { readonly type: 'census' }
  | { readonly type: 'stop' };

/** Each request's answer: `start`, the members' URLs in the order given. */
export interface MemberReplies {
  readonly start: string[];
  readonly setReady: null;
  readonly census: Census;
  readonly stop: null;
}

export interface MemberEnvelope {
  readonly id: number;
  readonly request: MemberRequest;
}

export type MemberAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/**
 * Worker threads serving the members unless `MEMBER_WORKERS` says otherwise: on two cores, two
 * workers beside the bench's thread stalled less than four (BENCHMARKS.md).
 */
const WORKERS = Number(process.env.MEMBER_WORKERS ?? 2);
/** The longest any request may take; `start` includes loading the worker's modules, seconds on a loaded machine. */
const REQUEST_TIMEOUT_MS = 120_000;

export interface MemberFixtures {
  /** Each member's API server URL, in the order the members were given. */
  readonly urls: readonly string[];
  /** How many worker threads serve the members. */
  readonly workers: number;
  /** `true`: the member's /readyz answers ok; a string: that check fails, as a NotReady API server's does. */
  setReady(member: string, state: true | string): Promise<void>;
  /** Services and CPU time summed over every member and worker, and the worst event-loop delay of any worker. */
  census(): Promise<Census>;
  /** Stops every server and terminates every worker, each within the request timeout. */
  stop(): Promise<void>;
}

/**
 * A worker thread does not inherit the bench's TypeScript loader (tsx's hooks, registered by
 * `--import tsx` on the main thread): it registers them itself, then imports the worker module.
 * The `@fedsvc/source` condition comes with the inherited command-line options.
 */
const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.resolve('./members-worker.ts'))}); })`;

/** One worker thread and the requests it has not answered yet. */
class MemberWorker {
  // 50 members holding 1,000 shards each stay well below this; the default would depend on the machine.
  private readonly worker = new Worker(bootstrap, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 4_096 } });
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private next = 0;
  /** Why the thread ended, once it has: later requests fail at once. */
  private ended: Error | undefined;

  constructor() {
    this.worker.on('message', (answer: MemberAnswer) => {
      const waiting = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (answer.ok) waiting?.resolve(answer.value);
      else waiting?.reject(new Error(answer.error));
    });
    const fail = (error: Error) => {
      this.ended ??= error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`member worker exited (${code})`)));
  }

  ask<R extends MemberRequest>(request: R): Promise<MemberReplies[R['type']]> {
    const id = this.next++;
    return new Promise<MemberReplies[R['type']]>((resolve, reject) => {
      if (this.ended !== undefined) {
        reject(this.ended);
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`member worker: ${request.type} not answered within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as MemberReplies[R['type']]);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.worker.postMessage({ id, request } satisfies MemberEnvelope);
    });
  }

  /** Stops its servers (bounded by the request timeout), then ends the thread whatever the answer. */
  async stop(): Promise<void> {
    try {
      await this.ask({ type: 'stop' });
    } finally {
      await this.worker.terminate();
    }
  }
}

/** Starts `members` spread over `workers` threads, dealt in turn (member i to thread i mod workers). */
export async function startMembers(members: readonly MemberSpec[], workers = WORKERS): Promise<MemberFixtures> {
  const count = Math.max(1, Math.min(workers, members.length));
  const shares = Array.from({ length: count }, (_, w) => members.filter((_, i) => i % count === w));
  const threads = shares.map(() => new MemberWorker());
  const home = new Map<string, MemberWorker>();
  shares.forEach((share, w) => {
    for (const member of share) home.set(member.name, threads[w]!);
  });
  const stop = async () => {
    await Promise.allSettled(threads.map((thread) => thread.stop()));
  };
  let started: string[][];
  try {
    started = await Promise.all(threads.map((thread, w) => thread.ask({ type: 'start', members: shares[w]! })));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    urls: members.map((_, i) => started[i % count]![Math.floor(i / count)]!),
    workers: count,
    async setReady(member, state) {
      const thread = home.get(member);
      if (thread === undefined) throw new Error(`no member ${member}`);
      await thread.ask({ type: 'setReady', member, state });
    },
    async census() {
      const each = await Promise.all(threads.map((thread) => thread.ask({ type: 'census' })));
      return {
        services: each.reduce((sum, c) => sum + c.services, 0),
        eventLoopDelayMaxMs: Math.max(...each.map((c) => c.eventLoopDelayMaxMs)),
        cpuSeconds: each.reduce((sum, c) => sum + c.cpuSeconds, 0),
      };
    },
    stop,
  };
}
