// Deadlines on the calls the controller makes into what the host injected (ports, resolver):
// a call that never settles must not hang a pass, the passes queued behind it, or stop().
import { ProviderError } from '../errors.js';

/** A call into a port or an injected function did not settle within its deadline. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  constructor(
    readonly call: string,
    readonly ms: number,
  ) {
    super(`${call} did not settle within ${ms} ms`);
  }
}

/**
 * `call()`'s result, or a rejection with DeadlineExceeded after `ms`. The call is not stopped
 * (a promise cannot be), only no longer waited for; its late failure is dropped, so that it is
 * never an unhandled rejection.
 */
export function withDeadline<T>(call: () => Promise<T>, ms: number, what: string): Promise<T> {
  let settled: Promise<T>;
  try {
    settled = Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(what, ms)), ms);
  });
  settled.catch(() => {});
  return Promise.race([settled, expired]).finally(() => clearTimeout(timer));
}

/**
 * Calls `call` on every item at once and resolves, once each call has settled or `ms` have
 * passed, with each call's error in the items' order: undefined for a call that fulfilled,
 * DeadlineExceeded for one still pending at the deadline (its late failure is dropped). One
 * timer for them all, and one reaction per call: a pass places a service's shards in every
 * cluster at once, and a timer or a race per call costs more than the call to an in-memory port.
 */
export function settleWithin<I>(
  items: readonly I[],
  call: (item: I) => Promise<unknown>,
  ms: number,
  what: string,
): Promise<(Error | undefined)[]> {
  return new Promise((resolve) => {
    const errors: (Error | undefined)[] = new Array(items.length).fill(undefined);
    const settled: boolean[] = new Array(items.length).fill(false);
    let pending = items.length;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (i: number, error: unknown): void => {
      if (settled[i] || pending === 0) return;
      settled[i] = true;
      if (error !== undefined) errors[i] = error instanceof Error ? error : new Error(String(error));
      if (--pending > 0) return;
      clearTimeout(timer);
      resolve(errors);
    };
    for (const [i, item] of items.entries()) {
      try {
        Promise.resolve(call(item)).then(
          () => settle(i, undefined),
          (error: unknown) => settle(i, error ?? new Error(String(error))),
        );
      } catch (error) {
        settle(i, error ?? new Error(String(error)));
      }
    }
    if (pending === 0) {
      resolve(errors);
      return;
    }
    timer = setTimeout(() => {
      for (const [i, done] of settled.entries()) if (!done) errors[i] = new DeadlineExceeded(what, ms);
      pending = 0;
      resolve(errors);
    }, ms);
  });
}

/**
 * A request to the DNS provider `name`, bounded by `ms`: one past it is a `transient`
 * ProviderError, retried as any other within the retry policy (a write that did land shows as a
 * conflict then, and the zone is read again).
 */
export function providerRequest<T>(name: string, ms: number, what: string, call: () => Promise<T>): Promise<T> {
  return withDeadline(call, ms, `${name} ${what}`).catch((error: unknown) => {
    throw error instanceof DeadlineExceeded ? new ProviderError(name, 'transient', error.message, { cause: error }) : error;
  });
}
