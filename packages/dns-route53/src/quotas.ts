// Route 53's quotas on records (Developer Guide, "Quotas"), checked before a request is sent so
// that a record Route 53 would refuse is named, and nothing else in its request is held back.

/** A set identifier has 1 to 128 characters. */
export const MAX_IDENTIFIER = 128;
/** A weight is 0 to 255. */
export const MAX_WEIGHT = 255;
/** Weighted records of one name and type. */
export const MAX_WEIGHTED = 100;
/** Values in one record. */
export const MAX_VALUES = 400;

/** Why `count` values are too many for one record, or undefined. */
export function tooManyValues(count: number): string | undefined {
  return count > MAX_VALUES ? `Route 53 allows ${MAX_VALUES} values in a record` : undefined;
}
