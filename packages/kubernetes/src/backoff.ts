// Backoff of reconnecting watches and retried lists, in this package's option names.
import { backoffDelay as jittered } from '@fedsvc/core/provider';

export interface BackoffOptions {
  /** Delay after the first failure, milliseconds. */
  readonly initialMs: number;
  /** Upper bound of any delay, milliseconds. */
  readonly maxMs: number;
}

/**
 * Delay before attempt `failures + 1`, whole milliseconds. Equal jitter: half of the step is
 * random so that many watchers reconnecting to one API server after an outage do not arrive
 * together, and none reconnects almost at once into an outage that is still going on.
 */
export function reconnectDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  return Math.round(jittered(failures, { baseMs: options.initialMs, maxMs: options.maxMs, jitter: 'equal' }, random));
}
