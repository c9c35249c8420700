// The shared backoff (step and jitter), the abortable sleep, and the numeric option checks.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { backoffDelay, backoffStep, sleep } from '../src/backoff.js';
import { ValidationError } from '../src/errors.js';
import { fraction, nonNegativeNumber, positiveInteger, positiveNumber } from '../src/numbers.js';

const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoff', () => {
  test.prop([fc.integer({ min: 1, max: 2000 }), fc.nat(10_000), fc.nat(100_000), random])(
    'full jitter is within [0, step), equal jitter within [step/2, step); the step doubles up to maxMs',
    (attempt, baseMs, extra, r) => {
      const maxMs = baseMs + extra;
      const step = backoffStep(attempt, { baseMs, maxMs });
      expect(step).toBe(Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 52)));
      expect(backoffStep(attempt + 1, { baseMs, maxMs })).toBe(Math.min(maxMs, step * 2));
      const full = backoffDelay(attempt, { baseMs, maxMs, jitter: 'full' }, () => r);
      const equal = backoffDelay(attempt, { baseMs, maxMs, jitter: 'equal' }, () => r);
      expect(full).toBeGreaterThanOrEqual(0);
      expect(full).toBeLessThanOrEqual(step);
      expect(equal).toBeGreaterThanOrEqual(step / 2);
      expect(equal).toBeLessThanOrEqual(step);
      expect(Number.isFinite(full) && Number.isFinite(equal)).toBe(true);
    },
  );

  it('sleeps, and stops sleeping when its signal aborts', async () => {
    const started = performance.now();
    await sleep(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    const controller = new AbortController();
    const long = sleep(60_000, controller.signal);
    controller.abort();
    await long;
    const aborted = new AbortController();
    aborted.abort();
    await sleep(60_000, aborted.signal);
  });
});

describe('numeric option checks', () => {
  const checks = [
    { check: positiveInteger, accepts: (v: number) => Number.isInteger(v) && v >= 1 },
    { check: positiveNumber, accepts: (v: number) => Number.isFinite(v) && v > 0 },
    { check: nonNegativeNumber, accepts: (v: number) => Number.isFinite(v) && v >= 0 },
    { check: fraction, accepts: (v: number) => Number.isFinite(v) && v >= 0 && v <= 1 },
  ];
  const value = fc.oneof(fc.double(), fc.integer({ min: -5, max: 5 }), fc.constantFrom(0, 1, 0.5, Number.NaN, Infinity, -Infinity));

  test.prop([value, fc.constantFrom(...checks.keys())])(
    'accept exactly their values, and name the field and the value when they refuse',
    (v, i) => {
      const { check, accepts } = checks[i]!;
      if (accepts(v)) {
        expect(check('some.field', v)).toBe(v);
      } else {
        const error = (() => {
          try {
            check('some.field', v);
          } catch (e) {
            return e;
          }
        })();
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe('some.field');
        expect((error as ValidationError).value).toBe(v);
        expect((error as ValidationError).message).toMatch(/^some\.field: /);
      }
    },
  );

  it('give the fallback for a value left out, and refuse other types', () => {
    expect(positiveInteger('n', undefined, 3)).toBe(3);
    expect(() => positiveInteger('n', undefined)).toThrow(ValidationError);
    expect(() => positiveInteger('n', '3')).toThrow(/^n: must be an integer of at least 1/);
    expect(() => nonNegativeNumber('n', null, 1)).toThrow(ValidationError);
  });
});
