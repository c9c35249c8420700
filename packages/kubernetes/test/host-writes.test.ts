import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { Coalescer } from '../src/host/coalescer.js';
import { type BucketState, type RateLimit, TokenBucket, refill, waitForToken } from '../src/host/token-bucket.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const limit = fc.record({ perSecond: fc.double({ min: 0.1, max: 1000, noNaN: true }), burst: fc.integer({ min: 1, max: 100 }) });

describe('token bucket', () => {
  test.prop([limit, fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 50 })])(
    'takes no more than the burst plus the rate over the time elapsed',
    (rate: RateLimit, gaps) => {
      let state: BucketState = { tokens: rate.burst, at: 0 };
      let now = 0;
      let taken = 0;
      for (const gap of gaps) {
        now += gap;
        // Take every whole token the bucket holds at this moment.
        while (waitForToken(state, now, rate) === 0) {
          const filled = refill(state, now, rate);
          state = { tokens: filled.tokens - 1, at: filled.at };
          taken += 1;
        }
        expect(taken).toBeLessThanOrEqual(rate.burst + (now * rate.perSecond) / 1000 + 1e-6);
        expect(refill(state, now, rate).tokens).toBeLessThanOrEqual(rate.burst);
      }
    },
  );

  test.prop([limit, fc.double({ min: 0, max: 0.999, noNaN: true }), fc.integer({ min: 0, max: 1e6 })], {
    examples: [[{ perSecond: 0.1, burst: 1 }, 0.999, 0]],
  })('the wait it names is enough for a whole token, and not a millisecond too long', (rate, tokens, at) => {
    const state = { tokens, at };
    const wait = waitForToken(state, at, rate);
    expect(refill(state, at + wait, rate).tokens).toBeGreaterThanOrEqual(1 - 1e-9);
    if (wait > 1) expect(refill(state, at + wait - 1, rate).tokens).toBeLessThan(1);
  });

  test('takers wait their turn: burst at once, then at the rate', async () => {
    let now = 0;
    const bucket = new TokenBucket({ perSecond: 1000, burst: 2 }, () => now);
    const order: number[] = [];
    const takes = [0, 1, 2].map((i) => bucket.take().then(() => order.push(i)));
    await Promise.all(takes.slice(0, 2));
    expect(order).toEqual([0, 1]);
    now += 1;
    await takes[2];
    expect(order).toEqual([0, 1, 2]);
  });
});

describe('coalescer', () => {
  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test('marks within a window make one write; a mark during a write makes one more after it', async () => {
    const writes: string[] = [];
    let release: () => void = () => {};
    const coalescer = new Coalescer<string>({
      windowMs: 20,
      backoff: { initialMs: 5, maxMs: 10 },
      logger: silent,
      write: async (key) => {
        writes.push(key);
        if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    for (let i = 0; i < 10; i++) coalescer.mark('a');
    coalescer.mark('b');
    await settle(60);
    expect(writes.sort()).toEqual(['a', 'b']);
    for (let i = 0; i < 5; i++) coalescer.mark(writes[0]!);
    release();
    await settle(60);
    expect(writes).toHaveLength(3);
    expect(coalescer.idle).toBe(true);
    await coalescer.stop();
  });

  test('a failed write is tried again until it succeeds', async () => {
    let attempts = 0;
    const coalescer = new Coalescer<string>({
      windowMs: 1,
      backoff: { initialMs: 5, maxMs: 10 },
      logger: silent,
      write: async () => {
        attempts += 1;
        if (attempts < 3) throw new Error('HTTP 500');
      },
    });
    coalescer.mark('a');
    for (let i = 0; i < 100 && !(attempts === 3 && coalescer.idle); i++) await settle(5);
    expect(attempts).toBe(3);
    await coalescer.stop();
  });
});
