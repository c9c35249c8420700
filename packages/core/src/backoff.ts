// Waiting between attempts: the exponential step, its jitter, and the wait itself. One module
// so that every retry loop in the federation (DNS requests, whole controller passes, watches,
// lists) backs off by the same rule and differs only in the jitter it names.

/**
 * How much of a step is random. `full`: uniform in [0, step), which spreads retries the most,
 * for requests many callers make to one rate-limited API. `equal`: uniform in [step/2, step),
 * which still spreads retries but never retries almost at once, for reconnections and passes
 * whose failure is likely to last a while.
 */
export type Jitter = 'full' | 'equal';

export interface Backoff {
  /** The step after the first failure, milliseconds; each later step doubles. */
  readonly baseMs: number;
  /** No step is longer, milliseconds. */
  readonly maxMs: number;
  readonly jitter: Jitter;
}

/**
 * Past 2^52 the doubling says nothing more (every realistic `maxMs` was reached long before),
 * and a bounded exponent keeps the step finite, so a `baseMs` of 0 gives 0, never NaN.
 */
const MAX_EXPONENT = 52;

/** The step after failure `attempt` (1-based): `min(maxMs, baseMs·2^(attempt-1))`. */
export function backoffStep(attempt: number, backoff: Pick<Backoff, 'baseMs' | 'maxMs'>): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(Math.max(0, attempt - 1), MAX_EXPONENT));
}

/** The wait after failure `attempt` (1-based): the step with its jitter; `random` gives a number in [0, 1). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const step = backoffStep(attempt, backoff);
  return backoff.jitter === 'full' ? step * random() : step / 2 + (step / 2) * random();
}

/** Resolves after `ms`, or at once when `signal` aborts (a stopping loop does not wait its wait out). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
