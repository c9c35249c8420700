// Deadlines for API requests. The generated client takes an abort signal through its middleware;
// `withDeadline` aborts the request at the deadline and gives up waiting for it then even if the
// request ignored the abort, so an API server that accepts a connection and never answers can
// hold up nothing for longer than the deadline.
import { type ConfigurationOptions, Observable, type ObservableMiddleware } from '@kubernetes/client-node';

/** Default deadline of a request other than a watch: applies, deletes, list pages. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Default lower bound of a watch's `timeoutSeconds`; each watch asks for between this and twice this. */
export const DEFAULT_MIN_WATCH_TIMEOUT_SECONDS = 300;
/** Default time a watch may receive nothing (no event, no bookmark) before it is abandoned and resumed. */
export const DEFAULT_WATCH_IDLE_TIMEOUT_MS = 120_000;

/** Request options for the generated API clients that abort the request with `signal`. */
export function abortedBy(signal: AbortSignal): ConfigurationOptions<ObservableMiddleware> {
  const pass = <T>(context: T) => new Observable(Promise.resolve(context));
  return {
    middleware: [
      {
        pre: (request) => {
          request.setSignal(signal);
          return pass(request);
        },
        post: pass,
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/** A request got no answer within its deadline. Counts as a connection failure (`code` ETIMEDOUT). */
export class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/**
 * Runs `request` with a signal that aborts after `timeoutMs`, or when `cancel` aborts. Rejects with
 * a RequestTimeoutError at the deadline, and with `cancel`'s reason when cancelled, whether or not
 * the request honoured the abort.
 */
export function withDeadline<T>(timeoutMs: number, request: (signal: AbortSignal) => Promise<T>, cancel?: AbortSignal): Promise<T> {
  const abort = new AbortController();
  if (cancel?.aborted) return Promise.reject(cancel.reason);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (done: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
      done();
    };
    const timer = setTimeout(() => {
      settle(() => reject(new RequestTimeoutError(timeoutMs)));
      abort.abort();
    }, timeoutMs);
    const onCancel = (): void => {
      settle(() => reject(cancel?.reason));
      abort.abort();
    };
    cancel?.addEventListener('abort', onCancel, { once: true });
    let pending: Promise<T>;
    try {
      pending = request(abort.signal);
    } catch (error) {
      settle(() => reject(error));
      return;
    }
    pending.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
