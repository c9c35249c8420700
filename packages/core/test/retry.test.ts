import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ProviderError, ValidationError } from '../src/errors.js';
import { DEFAULT_RETRY_POLICY, retryDelay, retryPolicy, withRetry, type RetryPolicy } from '../src/zone/retry.js';
import type { ProviderErrorKind } from '../src/types.js';

const policyArb: fc.Arbitrary<RetryPolicy> = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 10 }),
  baseDelayMs: fc.integer({ min: 0, max: 1_000 }),
  maxDelayMs: fc.integer({ min: 0, max: 20_000 }),
  budgetMs: fc.integer({ min: 0, max: 60_000 }),
});
const kindArb = fc.constantFrom<ProviderErrorKind>('throttled', 'transient', 'conflict', 'invalid', 'denied', 'not-found');
// What the provider answers on each attempt: an error (with an optional Retry-After) or success.
const answerArb = fc.oneof(
  fc.record({ kind: kindArb, retryAfterMs: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: undefined }) }),
  fc.constant('ok' as const),
);

function scripted(answers: readonly ('ok' | { kind: ProviderErrorKind; retryAfterMs: number | undefined })[]) {
  let calls = 0;
  const operation = async (): Promise<string> => {
    const answer = answers[calls++] ?? 'ok';
    if (answer === 'ok') return 'done';
    throw new ProviderError('test', answer.kind, `attempt ${calls} failed`, { retryAfterMs: answer.retryAfterMs });
  };
  return { operation, calls: () => calls };
}

describe('withRetry', () => {
  test.prop([policyArb, fc.array(answerArb, { maxLength: 12 }), fc.double({ min: 0, max: 0.999999, noNaN: true })], { numRuns: 300 })(
    'stays within attempts and budget, retries only throttled/transient, honours Retry-After, surfaces attempts',
    async (policy, answers, r) => {
      const sleeps: number[] = [];
      const { operation, calls } = scripted(answers);
      const outcome = await withRetry(operation, {
        policy,
        random: () => r,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      }).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      expect(calls()).toBeLessThanOrEqual(policy.maxAttempts);
      expect(sleeps.length).toBe(calls() - 1);
      expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(policy.budgetMs);
      sleeps.forEach((ms, i) => {
        const answer = answers[i];
        if (answer === undefined || answer === 'ok') throw new Error('slept after a success');
        expect(['throttled', 'transient']).toContain(answer.kind);
        const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** i);
        expect(ms).toBeGreaterThanOrEqual(answer.retryAfterMs ?? 0);
        expect(ms).toBeLessThanOrEqual(Math.max(cap, answer.retryAfterMs ?? 0));
      });
      const last = answers[calls() - 1] ?? 'ok';
      if ('value' in outcome) {
        expect(last).toBe('ok');
      } else {
        expect(outcome.error).toBeInstanceOf(ProviderError);
        const error = outcome.error as ProviderError;
        expect(last).not.toBe('ok');
        if (last !== 'ok') expect(error.kind).toBe(last.kind);
        expect(error.attempts).toBe(calls());
        expect(error.message).toBe(`test: attempt ${calls()} failed`);
      }
    },
  );

  it('retries throttling until success when within bounds', async () => {
    const { operation, calls } = scripted([{ kind: 'throttled', retryAfterMs: undefined }, { kind: 'transient', retryAfterMs: 50 }, 'ok']);
    const retries: number[] = [];
    const value = await withRetry(operation, { random: () => 0.5, sleep: async () => {}, onRetry: (retry) => retries.push(retry.delayMs) });
    expect(value).toBe('done');
    expect(calls()).toBe(3);
    expect(retries).toEqual([100, 200]);
  });

  it('gives up when the next wait would overrun the budget', async () => {
    const { operation, calls } = scripted(Array.from({ length: 10 }, () => ({ kind: 'throttled' as const, retryAfterMs: 400 })));
    const error = await withRetry(operation, {
      policy: { budgetMs: 1_000, maxAttempts: 10 },
      random: () => 0,
      sleep: async () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).attempts).toBe(3);
    expect(calls()).toBe(3);
  });

  it('throws errors other than ProviderError at once', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new TypeError('boom');
        },
        { sleep: async () => {} },
      ),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });

  it('keeps the record the provider blamed', async () => {
    const error = await withRetry(async () => {
      throw new ProviderError('p', 'invalid', 'bad', { record: { name: 'a.example.com.', type: 'A' } });
    }).catch((e: unknown) => e as ProviderError);
    expect(error.record).toEqual({ name: 'a.example.com.', type: 'A' });
    expect(error.attempts).toBe(1);
  });
});

describe('retryDelay', () => {
  test.prop([policyArb, fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 0.999999, noNaN: true })])(
    'is full jitter under a doubling cap',
    (policy, attempt, r) => {
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 52));
      const delay = retryDelay(attempt, policy, () => r);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(cap);
      expect(retryDelay(attempt, policy, () => 0)).toBe(0);
    },
  );
});

describe('retryPolicy', () => {
  it('rejects bad fields by name', () => {
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(ValidationError);
    expect(() => retryPolicy({ budgetMs: -1 })).toThrow(/retry\.budgetMs/);
    expect(() => retryPolicy({ baseDelayMs: Number.NaN })).toThrow(/retry\.baseDelayMs/);
    expect(retryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
  });
});
