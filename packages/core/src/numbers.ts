// Numeric option checks at the library's boundaries: each throws a ValidationError naming the
// field and the value, and gives `fallback` for an option left out.
import { ValidationError } from './errors.js';

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function checked(test: (value: unknown) => value is number, reason: string) {
  return (field: string, value: unknown, fallback?: number): number => {
    const given = value === undefined ? fallback : value;
    if (!test(given)) throw new ValidationError(field, given, reason);
    return given;
  };
}

/** A count or a whole number of milliseconds: 1, 2, 3… */
export const positiveInteger = checked(
  (value): value is number => Number.isInteger(value) && (value as number) >= 1,
  'must be an integer of at least 1',
);

/** A period that must pass: above 0. */
export const positiveNumber = checked((value): value is number => isNumber(value) && value > 0, 'must be a finite number above 0');

/** A wait that may be none: 0 or more. */
export const nonNegativeNumber = checked((value): value is number => isNumber(value) && value >= 0, 'must be a finite number, 0 or more');

/** A share: from 0 to 1. */
export const fraction = checked((value): value is number => isNumber(value) && value >= 0 && value <= 1, 'must be a number from 0 to 1');

/** The longest wait Node's timers keep: a longer one fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A period a timer waits: from 1 ms to {@link MAX_TIMER_MS}; a shorter one would run almost without pause. */
export const timerMs = checked(
  (value): value is number => isNumber(value) && value >= 1 && value <= MAX_TIMER_MS,
  `must be a number of milliseconds from 1 to ${MAX_TIMER_MS} (what a timer can wait)`,
);

/** A wait that may be none: from 0 to {@link MAX_TIMER_MS}. */
export const delayMs = checked(
  (value): value is number => isNumber(value) && value >= 0 && value <= MAX_TIMER_MS,
  `must be a number of milliseconds from 0 to ${MAX_TIMER_MS} (what a timer can wait)`,
);
