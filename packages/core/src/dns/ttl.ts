// Time to live: the federation's default, and the range DNS allows.

/** The TTL of the federation's records unless the federation or a service says otherwise, seconds. */
export const DEFAULT_TTL = 180;

/** RFC 2181 §8: a TTL is an unsigned 31-bit number of seconds. */
export const MAX_TTL = 2 ** 31 - 1;

/** Whether `value` is a TTL DNS can carry: a whole number of seconds from 0 to {@link MAX_TTL}. */
export const isTtl = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TTL;
