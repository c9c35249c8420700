// Bounded exponential backoff with jitter, for reconnecting watches and retrying lists.

export interface BackoffOptions {
  /** Delay after the first failure, milliseconds. */
  readonly initialMs: number;
  /** Upper bound of any delay, milliseconds. */
  readonly maxMs: number;
}

/**
 * Delay before attempt `failures + 1`. Half of the step is random so that many watchers
 * reconnecting to one API server after an outage do not arrive together.
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
