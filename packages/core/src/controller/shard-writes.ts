// Shard writes to the member clusters, shared by every pass: at most `limit` in flight to one
// cluster, the others waiting their turn, first come first served; each write's deadline runs
// from when it starts, not from when it was queued. A first sync places every shard of every
// service at once: unbounded, that is thousands of requests (and sockets) together against one
// API server; bounded under one deadline for the lot, the writes waiting their turn would miss it
// however quick each is. Each cluster has its own line, so none waits behind a slow one.
import type { ShardAction } from '../types.js';
import { DeadlineExceeded } from './deadline.js';

/** One service's shard actions in a pass, and what becomes of each. */
export interface ShardWork {
  readonly actions: readonly ShardAction[];
  /** Called once for each action: `error` undefined when it was carried out. */
  settled(index: number, error: Error | undefined): void;
}

/** A queued shard write that was never started: the controller stopped, or this replica stopped leading. */
export class ShardWriteDropped extends Error {
  override readonly name = 'ShardWriteDropped';
}

/** One write in flight. Kept and reused while its cluster is busy, so that a write costs no object of its own. */
class Slot {
  work: ShardWork | undefined = undefined;
  index = 0;
  startedAt = 0;
  readonly fulfilled = (): void => this.end(this, undefined);
  readonly rejected = (error: unknown): void => this.end(this, asError(error));

  constructor(
    readonly lane: Lane,
    readonly end: (slot: Slot, error: Error | undefined) => void,
  ) {}
}

/** One member cluster's line: the writes in flight, and those waiting as (work, index) pairs from `head`. */
interface Lane {
  readonly cluster: string;
  readonly busy: Slot[];
  readonly free: Slot[];
  waiting: (ShardWork | number)[];
  head: number;
  pumping: boolean;
}

export class ShardWrites {
  readonly #lanes = new Map<string, Lane>();
  #inFlight = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** While the sweep fails expired writes, the writes it lets start wait for its own timer. */
  #sweeping = false;

  /**
   * @param apply carries out one action (the clusters port's `applyShard`).
   * @param limit writes in flight to one cluster at most.
   * @param deadlineMs how long one write may take from its start; past it, it fails with
   *   DeadlineExceeded and no longer counts against the limit (its late outcome is dropped).
   */
  constructor(
    private readonly apply: (action: ShardAction) => Promise<unknown>,
    private readonly limit: number,
    private readonly deadlineMs: number,
  ) {}

  /** Starts each of the work's actions, or queues it behind its cluster's writes. */
  carryOut(work: ShardWork): void {
    for (let index = 0; index < work.actions.length; index++) {
      if (this.#stopped) {
        work.settled(index, new ShardWriteDropped('shard write not started: the controller stopped'));
        continue;
      }
      const cluster = work.actions[index]!.cluster;
      let lane = this.#lanes.get(cluster);
      if (!lane) this.#lanes.set(cluster, (lane = { cluster, busy: [], free: [], waiting: [], head: 0, pumping: false }));
      if (lane.busy.length < this.limit && lane.head === lane.waiting.length) this.#start(lane, work, index);
      else lane.waiting.push(work, index);
    }
  }

  /** Fails every queued write with `error`; those in flight go on within their deadlines. */
  drop(error: Error): void {
    for (const lane of [...this.#lanes.values()]) {
      const { waiting, head } = lane;
      lane.waiting = [];
      lane.head = 0;
      for (let i = head; i < waiting.length; i += 2) (waiting[i] as ShardWork).settled(waiting[i + 1] as number, error);
      this.#forgetIdle(lane);
    }
  }

  /** Drops what is queued and refuses what comes after: a stopped controller starts no write. */
  stop(): void {
    this.#stopped = true;
    this.drop(new ShardWriteDropped('shard write not started: the controller stopped'));
  }

  /** A write settled: its slot goes back to its cluster, and the next in line starts. */
  readonly #end = (slot: Slot, error: Error | undefined): void => this.#finish(slot, error, false);

  /**
   * Tells a write's outcome and starts the next in line. A write past its deadline (`abandoned`)
   * keeps its slot, which may still settle and is then ignored; its cluster makes a new one.
   */
  #finish(slot: Slot, error: Error | undefined, abandoned: boolean): void {
    const work = slot.work;
    // Settled after its deadline: already told.
    if (work === undefined) return;
    const { lane, index } = slot;
    slot.work = undefined;
    removeFrom(lane.busy, slot);
    if (!abandoned) lane.free.push(slot);
    this.#inFlight--;
    if (this.#inFlight === 0) this.#disarm();
    work.settled(index, error);
    this.#pump(lane);
  }

  #start(lane: Lane, work: ShardWork, index: number): void {
    const slot = lane.free.pop() ?? new Slot(lane, this.#end);
    slot.work = work;
    slot.index = index;
    slot.startedAt = performance.now();
    lane.busy.push(slot);
    this.#inFlight++;
    if (this.#timer === undefined && !this.#sweeping) this.#arm(this.deadlineMs);
    let written: Promise<unknown>;
    try {
      written = Promise.resolve(this.apply(work.actions[index]!));
    } catch (error) {
      this.#finish(slot, asError(error), false);
      return;
    }
    written.then(slot.fulfilled, slot.rejected);
  }

  /** Starts the writes waiting on `lane` while it has room; a write that fails at once lets the next start in the same loop. */
  #pump(lane: Lane): void {
    if (lane.pumping) return;
    lane.pumping = true;
    while (lane.busy.length < this.limit && lane.head < lane.waiting.length) {
      const work = lane.waiting[lane.head] as ShardWork;
      const index = lane.waiting[lane.head + 1] as number;
      lane.waiting[lane.head] = 0;
      lane.head += 2;
      this.#start(lane, work, index);
    }
    lane.pumping = false;
    if (lane.head === lane.waiting.length) {
      lane.waiting = [];
      lane.head = 0;
    } else if (lane.head > 1024 && lane.head * 2 > lane.waiting.length) {
      lane.waiting = lane.waiting.slice(lane.head);
      lane.head = 0;
    }
    this.#forgetIdle(lane);
  }

  /** A cluster with nothing in flight or waiting is forgotten: clusters come and go. */
  #forgetIdle(lane: Lane): void {
    if (lane.busy.length === 0 && lane.head === lane.waiting.length && !lane.pumping && this.#lanes.get(lane.cluster) === lane)
      this.#lanes.delete(lane.cluster);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#sweep(), ms);
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One timer for every write in flight: fails those past their deadline, and waits for the next deadline. */
  #sweep(): void {
    this.#timer = undefined;
    this.#sweeping = true;
    const now = performance.now();
    const expired: Slot[] = [];
    for (const lane of this.#lanes.values()) for (const slot of lane.busy) if (now - slot.startedAt >= this.deadlineMs) expired.push(slot);
    for (const slot of expired) this.#finish(slot, new DeadlineExceeded('clusters.applyShard', this.deadlineMs), true);
    this.#sweeping = false;
    if (this.#inFlight === 0) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const lane of this.#lanes.values()) for (const slot of lane.busy) earliest = Math.min(earliest, slot.startedAt);
    this.#arm(Math.max(1, Math.ceil(earliest + this.deadlineMs - performance.now())));
  }
}

function removeFrom(slots: Slot[], slot: Slot): void {
  const at = slots.indexOf(slot);
  const last = slots.pop()!;
  if (last !== slot) slots[at] = last;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
