// Shard writes bounded per member cluster: each write's own outcome, its deadline from its start
// however long it waited its turn; never more than the bound in flight to one cluster, started
// first come first served, and no cluster waiting behind another; queued writes dropped on demand.
import { fc, test } from '@fast-check/vitest';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { DeadlineExceeded } from '../src/controller/deadline.js';
import { ShardWriteDropped, type ShardWork, ShardWrites } from '../src/controller/shard-writes.js';
import type { ShardAction } from '../src/types.js';

const MS = 1_000;
const CLUSTERS = ['c0', 'c1', 'c2'];

/** What one write does once started: fulfil or reject after `after` ms (0: in the same turn), throw at once, or never settle. */
// Never exactly at the deadline: which of two timers due at once fires first is the timers' business.
const after = fc.oneof(fc.nat(MS - 1), fc.integer({ min: MS + 1, max: 2 * MS }));
const behaviour = fc.oneof(
  fc.record({ kind: fc.constant('fulfil' as const), after }),
  fc.record({ kind: fc.constant('reject' as const), after, error: fc.oneof(fc.string(), fc.constant(undefined)) }),
  fc.record({ kind: fc.constant('throw' as const), error: fc.string() }),
  fc.record({ kind: fc.constant('never' as const) }),
);
type Behaviour = typeof behaviour extends fc.Arbitrary<infer B> ? B : never;
const write = fc.record({ cluster: fc.constantFrom(...CLUSTERS), behaviour });

/** Each write as an action; the action's `name` is the write's position, so that a port can find how it behaves. */
const actionOf = (cluster: string, i: number): ShardAction => ({ kind: 'delete', cluster, namespace: 'ns', name: String(i) });

function carryOut(b: Behaviour): Promise<unknown> {
  switch (b.kind) {
    case 'fulfil':
      return new Promise((resolve) => setTimeout(() => resolve('done'), b.after));
    case 'reject':
      return new Promise((_, reject) => setTimeout(() => reject(b.error === undefined ? undefined : new Error(b.error)), b.after));
    case 'throw':
      throw new Error(b.error);
    case 'never':
      return new Promise(() => {});
  }
}

/** The error a write should end with when its deadline runs from its own start: undefined when it fulfilled in time. */
function expectedError(b: Behaviour): { type: 'none' | 'error' | 'deadline'; message?: string } {
  if (b.kind === 'never' || (b.kind !== 'throw' && b.after > MS)) return { type: 'deadline' };
  if (b.kind === 'fulfil') return { type: 'none' };
  return { type: 'error', message: b.error ?? 'undefined' };
}

/** A ShardWork recording each action's outcome. */
function work(actions: ShardAction[]): ShardWork & { outcomes: (Error | undefined | 'pending')[] } {
  const outcomes: (Error | undefined | 'pending')[] = actions.map(() => 'pending');
  return {
    actions,
    outcomes,
    settled(index, error) {
      expect(outcomes[index]).toBe('pending');
      outcomes[index] = error;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

test.prop([fc.array(write, { maxLength: 16 }), fc.integer({ min: 1, max: 3 })])(
  'each write ends with its own outcome, its deadline counted from its start however long it waited; no timer is left',
  async (writes, limit) => {
    const port = (action: ShardAction & { kind: 'delete' }) => carryOut(writes[Number(action.name)]!.behaviour);
    const shardWrites = new ShardWrites((action) => port(action as ShardAction & { kind: 'delete' }), limit, MS);
    const done = work(writes.map((w, i) => actionOf(w.cluster, i)));
    shardWrites.carryOut(done);
    // Every write of one cluster one after another, each at most twice the deadline.
    await vi.advanceTimersByTimeAsync(writes.length * 2 * MS + 1);
    for (const [i, { behaviour: b }] of writes.entries()) {
      const want = expectedError(b);
      const got = done.outcomes[i];
      expect(got).not.toBe('pending');
      if (want.type === 'none') expect(got).toBeUndefined();
      else if (want.type === 'deadline') {
        expect(got).toBeInstanceOf(DeadlineExceeded);
        expect((got as Error).message).toBe(`clusters.applyShard did not settle within ${MS} ms`);
      } else {
        expect(got).toBeInstanceOf(Error);
        expect(got).not.toBeInstanceOf(DeadlineExceeded);
        expect((got as Error).message).toBe(want.message);
      }
    }
    // Late settlements change nothing, and fail nothing unhandled.
    const told = [...done.outcomes];
    await vi.advanceTimersByTimeAsync(2 * MS);
    expect(done.outcomes).toEqual(told);
    expect(vi.getTimerCount()).toBe(0);
  },
);

/** A write arriving at `at` ms (in a work of its own) to `cluster`, taking `takes` ms once started (within the deadline). */
const arrival = fc.record({ at: fc.nat(50), cluster: fc.constantFrom(...CLUSTERS), takes: fc.nat(MS - 1) });

test.prop([fc.array(arrival, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 4 })])(
  'never more than the bound in flight to a cluster; writes start in the order they came, and none waits while its cluster has room',
  async (arrivals, limit) => {
    const order = arrivals.map((a, i) => ({ ...a, i })).sort((a, b) => a.at - b.at || a.i - b.i);
    const inFlight = new Map<string, number>(CLUSTERS.map((c) => [c, 0]));
    const waiting = new Map<string, number>(CLUSTERS.map((c) => [c, 0]));
    const started: Record<string, number[]> = Object.fromEntries(CLUSTERS.map((c) => [c, []]));
    const shardWrites = new ShardWrites(
      (action) => {
        const { i, cluster, takes } = order[Number((action as { name: string }).name)]!;
        inFlight.set(cluster, inFlight.get(cluster)! + 1);
        waiting.set(cluster, waiting.get(cluster)! - 1);
        expect(inFlight.get(cluster)).toBeLessThanOrEqual(limit);
        started[cluster]!.push(i);
        return new Promise((resolve) =>
          setTimeout(() => {
            inFlight.set(cluster, inFlight.get(cluster)! - 1);
            resolve(undefined);
          }, takes),
        );
      },
      limit,
      MS,
    );
    const works: ReturnType<typeof work>[] = [];
    // Whenever nothing is left to start, a cluster with writes waiting has the bound in flight.
    const full = () => {
      for (const c of CLUSTERS) if (waiting.get(c)! > 0) expect(inFlight.get(c)).toBe(limit);
    };
    for (const [at, w] of order.entries()) {
      await vi.advanceTimersByTimeAsync(w.at - (at === 0 ? 0 : order[at - 1]!.at));
      full();
      waiting.set(w.cluster, waiting.get(w.cluster)! + 1);
      const one = work([actionOf(w.cluster, at)]);
      works.push(one);
      shardWrites.carryOut(one);
      full();
    }
    await vi.advanceTimersByTimeAsync(arrivals.length * MS);
    for (const one of works) expect(one.outcomes).toEqual([undefined]);
    for (const c of CLUSTERS) expect(started[c]).toEqual(order.filter((w) => w.cluster === c).map((w) => w.i));
    expect(vi.getTimerCount()).toBe(0);
  },
);

test('a cluster that never answers holds back none of another cluster’s writes', async () => {
  const slow = new Set<string>();
  const shardWrites = new ShardWrites(
    (action) => (action.cluster === 'stuck' ? new Promise(() => {}) : Promise.resolve(slow.add((action as { name: string }).name))),
    2,
    MS,
  );
  const stuck = work(Array.from({ length: 10 }, (_, i) => actionOf('stuck', i)));
  const quick = work(Array.from({ length: 10 }, (_, i) => actionOf('quick', i)));
  shardWrites.carryOut(stuck);
  shardWrites.carryOut(quick);
  await vi.advanceTimersByTimeAsync(0);
  expect(quick.outcomes).toEqual(Array(10).fill(undefined));
  expect(stuck.outcomes.filter((o) => o === 'pending')).toHaveLength(10);
  // Each stuck write gets its own deadline from its start: two at a time, five rounds.
  await vi.advanceTimersByTimeAsync(5 * MS);
  expect(stuck.outcomes.every((o) => o instanceof DeadlineExceeded)).toBe(true);
  expect(vi.getTimerCount()).toBe(0);
});

test('drop fails the queued writes at once and lets those in flight finish; after stop nothing starts', async () => {
  const calls: string[] = [];
  const shardWrites = new ShardWrites(
    (action) => {
      calls.push((action as { name: string }).name);
      return new Promise((resolve) => setTimeout(resolve, 10));
    },
    2,
    MS,
  );
  const first = work(Array.from({ length: 5 }, (_, i) => actionOf('c0', i)));
  shardWrites.carryOut(first);
  shardWrites.drop(new ShardWriteDropped('this replica no longer leads'));
  expect(first.outcomes.slice(2).map((o) => (o as Error).message)).toEqual(Array(3).fill('this replica no longer leads'));
  await vi.advanceTimersByTimeAsync(10);
  expect(first.outcomes.slice(0, 2)).toEqual([undefined, undefined]);
  expect(calls).toEqual(['0', '1']);
  shardWrites.stop();
  const later = work([actionOf('c0', 9)]);
  shardWrites.carryOut(later);
  expect(later.outcomes[0]).toBeInstanceOf(ShardWriteDropped);
  expect(calls).toEqual(['0', '1']);
  expect(vi.getTimerCount()).toBe(0);
});
