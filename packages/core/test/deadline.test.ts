// Calls carried out together under one deadline: each call's own outcome, in order, whatever
// the others do; a call pending at the deadline fails with DeadlineExceeded, and no timer is left.
import { fc, test } from '@fast-check/vitest';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { DeadlineExceeded, settleWithin } from '../src/controller/deadline.js';

const MS = 1_000;

/** What one call does: fulfil or reject after `after` ms (0: in the same turn), throw at once, or never settle. */
// Never exactly at the deadline: which of two timers due at once fires first is the timers' business.
const after = fc.oneof(fc.nat(MS - 1), fc.integer({ min: MS + 1, max: 2 * MS }));
const behaviour = fc.oneof(
  fc.record({ kind: fc.constant('fulfil' as const), after }),
  fc.record({ kind: fc.constant('reject' as const), after, error: fc.oneof(fc.string(), fc.constant(undefined)) }),
  fc.record({ kind: fc.constant('throw' as const), error: fc.string() }),
  fc.record({ kind: fc.constant('never' as const) }),
);
type Behaviour = typeof behaviour extends fc.Arbitrary<infer B> ? B : never;

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

/** The error a call should end with, as settleWithin tells it: undefined when it fulfilled in time. */
function expectedError(b: Behaviour): { type: 'none' | 'error' | 'deadline'; message?: string } {
  if (b.kind === 'never' || (b.kind !== 'throw' && b.after > MS)) return { type: 'deadline' };
  if (b.kind === 'fulfil') return { type: 'none' };
  return { type: 'error', message: b.error ?? 'undefined' };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

test.prop([fc.array(behaviour, { maxLength: 12 })])('each call ends with its own outcome, in order; no timer is left', async (calls) => {
  let result: (Error | undefined)[] | undefined;
  void settleWithin(calls, carryOut, MS, 'clusters.applyShard').then((errors) => {
    result = errors;
  });
  await vi.advanceTimersByTimeAsync(MS);
  expect(result).toBeDefined();
  expect(result).toHaveLength(calls.length);
  for (const [i, call] of calls.entries()) {
    const want = expectedError(call);
    const got = result![i];
    if (want.type === 'none') expect(got).toBeUndefined();
    else if (want.type === 'deadline') {
      expect(got).toBeInstanceOf(DeadlineExceeded);
      expect(got!.message).toBe(`clusters.applyShard did not settle within ${MS} ms`);
    } else {
      expect(got).toBeInstanceOf(Error);
      expect(got).not.toBeInstanceOf(DeadlineExceeded);
      expect(got!.message).toBe(want.message);
    }
  }
  // Late settlements change nothing, and fail nothing unhandled.
  const told = [...result!];
  await vi.advanceTimersByTimeAsync(2 * MS);
  expect(result).toEqual(told);
  expect(vi.getTimerCount()).toBe(0);
});

test.prop([fc.array(behaviour, { maxLength: 12 })])(
  'calls that all settle before the deadline are told at once, the timer dropped',
  async (calls) => {
    const settling = calls.filter((call) => expectedError(call).type !== 'deadline');
    let result: (Error | undefined)[] | undefined;
    void settleWithin(settling, carryOut, MS, 'clusters.applyShard').then((errors) => {
      result = errors;
    });
    const last = Math.max(0, ...settling.map((call) => (call.kind === 'throw' || call.kind === 'never' ? 0 : call.after)));
    await vi.advanceTimersByTimeAsync(last);
    expect(result).toHaveLength(settling.length);
    expect(vi.getTimerCount()).toBe(0);
  },
);
