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
