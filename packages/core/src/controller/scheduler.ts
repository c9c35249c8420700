// When passes run: events within the coalescing window after a pass wait for its end and go in
// one batch; passes run on a bounded queue, their DNS work one at a time under the per-zone rate
// limit; a service that failed for a reason retrying may fix is retried with backoff (one that
// cannot waits for a change: see failures.ts); idle() waits until nothing is left to do.
import PQueue from 'p-queue';
import { backoffDelay, type Backoff } from '../backoff.js';
import type { ServiceKey } from './types.js';

/** What the controller is doing, read at every decision. */
export interface Gate {
  readonly running: boolean;
  readonly leading: boolean;
  /** The member clusters have all been heard from: nothing is planned before. */
  readonly synced: boolean;
  /** Goes up at every change of leader; a pass carries the term it was started in. */
  readonly term: number;
}

/**
 * A pass over `batch` (each service with when it was first asked for): resolves with the
 * services to retry, or undefined when it ended undecided (its replica stopped leading).
 */
export type Pass = (batch: ReadonlyMap<ServiceKey, number>, sweep: boolean, term: number) => Promise<ReadonlySet<ServiceKey> | undefined>;

export interface SchedulerSettings {
  readonly coalesceMs: number;
  readonly concurrency: number;
  readonly zoneRateLimit: number;
  readonly backoff: Backoff;
  readonly random: () => number;
}

/** One service's place in the schedule. */
interface Entry {
  /** Waiting for a pass since then. */
  dirtySince?: number;
  running: boolean;
  /** Failed passes in a row, and the timer of the next try while it waits. */
  retry?: { attempt: number; timer?: ReturnType<typeof setTimeout> };
}

export class Scheduler {
  readonly #entries = new Map<ServiceKey, Entry>();
  readonly #work: PQueue;
  readonly #zone: PQueue;
  #sweep = false;
  /** Entries with `dirtySince`: counted, since every event asks whether there are any. */
  #dirty = 0;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #lastFlush = -Infinity;
  #idleWaiters: (() => void)[] = [];

  constructor(
    private readonly settings: SchedulerSettings,
    private readonly gate: () => Gate,
    private readonly pass: Pass,
  ) {
    this.#work = new PQueue({ concurrency: settings.concurrency });
    // One pass at a time writes to the zone, so that the controller's picture of it stays exact.
    this.#zone = new PQueue({ concurrency: 1, intervalCap: settings.zoneRateLimit, interval: 1000 });
  }

  /** Asks for a pass over `keys`. */
  mark(keys: Iterable<ServiceKey>): void {
    const now = performance.now();
    for (const key of keys) {
      const entry = this.#entry(key);
      if (entry.dirtySince !== undefined) continue;
      entry.dirtySince = now;
      this.#dirty++;
    }
    this.wake();
  }

  /** Asks for a pass over `keys` that reads the zone anew and may remove orphans. */
  sweep(keys: Iterable<ServiceKey>): void {
    this.#sweep = true;
    this.mark(keys);
  }

  /** Whether a pass over `key` is under way. */
  running(key: ServiceKey): boolean {
    return this.#entries.get(key)?.running === true;
  }

  /** Runs a pass's DNS work in turn, under the per-zone rate limit. */
  zone<T>(task: () => Promise<T>): Promise<T> {
    return this.#zone.add(task) as Promise<T>;
  }

  /** A lone event is planned on the next turn; events within the window after a pass wait for its end. */
  wake(): void {
    const gate = this.gate();
    if (this.#flushTimer !== undefined || !gate.running || !gate.leading || !gate.synced) return;
    if (!this.#sweep && this.#dirty === 0) return;
    const delay = Math.max(0, this.#lastFlush + this.settings.coalesceMs - performance.now());
    this.#flushTimer = setTimeout(() => this.#flush(), delay);
  }

  /** Resolves when nothing is waiting, running or scheduled for retry. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  checkIdle(): void {
    const gate = this.gate();
    const busy =
      gate.running &&
      gate.leading &&
      (this.#sweep ||
        this.#dirty > 0 ||
        this.#flushTimer !== undefined ||
        [...this.#entries.values()].some((entry) => entry.running || entry.retry?.timer !== undefined));
    if (busy) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Drops the passes not started and every timer; those under way go on (see `drained`). */
  halt(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    for (const entry of this.#entries.values()) {
      clearTimeout(entry.retry?.timer);
      entry.retry = undefined;
    }
    this.#work.clear();
  }

  /** Resolves once the passes under way have ended. */
  drained(): Promise<void> {
    return this.#work.onIdle();
  }

  #entry(key: ServiceKey): Entry {
    let entry = this.#entries.get(key);
    if (!entry) this.#entries.set(key, (entry = { running: false }));
    return entry;
  }

  #flush(): void {
    this.#flushTimer = undefined;
    const gate = this.gate();
    if (!gate.running || !gate.leading) return;
    this.#lastFlush = performance.now();
    const batch = new Map<ServiceKey, number>();
    for (const [key, entry] of this.#entries) {
      if (entry.running || entry.dirtySince === undefined) continue;
      batch.set(key, entry.dirtySince);
      entry.dirtySince = undefined;
      this.#dirty--;
      entry.running = true;
    }
    const sweep = this.#sweep;
    this.#sweep = false;
    if (batch.size === 0 && !sweep) return;
    void this.#work
      .add(async () => {
        const failed = await this.pass(batch, sweep, gate.term);
        if (failed) this.#settle(batch.keys(), failed);
      })
      .finally(() => {
        for (const key of batch.keys()) this.#done(key);
        this.wake();
        this.checkIdle();
      });
  }

  /** After a pass: the services to retry are tried again later, the others start afresh. */
  #settle(keys: Iterable<ServiceKey>, failed: ReadonlySet<ServiceKey>): void {
    for (const key of keys) {
      const entry = this.#entry(key);
      if (failed.has(key)) this.#retry(key, entry);
      else {
        clearTimeout(entry.retry?.timer);
        entry.retry = undefined;
      }
    }
  }

  #retry(key: ServiceKey, entry: Entry): void {
    if (!this.gate().running) return;
    const retry = entry.retry ?? { attempt: 0 };
    retry.attempt++;
    clearTimeout(retry.timer);
    retry.timer = setTimeout(
      () => {
        retry.timer = undefined;
        this.mark([key]);
      },
      backoffDelay(retry.attempt, this.settings.backoff, this.settings.random),
    );
    entry.retry = retry;
  }

  /** A service forgets its place once nothing of it is left to schedule. */
  #done(key: ServiceKey): void {
    const entry = this.#entry(key);
    entry.running = false;
    if (entry.dirtySince === undefined && entry.retry === undefined) this.#entries.delete(key);
  }
}
