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
 * A request to the DNS provider `name`, bounded by `ms`: one past it is a `transient`
 * ProviderError, retried as any other within the retry policy (a write that did land shows as a
 * conflict then, and the zone is read again).
 */
export function providerRequest<T>(name: string, ms: number, what: string, call: () => Promise<T>): Promise<T> {
  return withDeadline(call, ms, `${name} ${what}`).catch((error: unknown) => {
    throw error instanceof DeadlineExceeded ? new ProviderError(name, 'transient', error.message, { cause: error }) : error;
  });
}
