// List, then watch from the list's resourceVersion; resume from the last seen resourceVersion
// (bookmarks included) when a watch ends, relist when the server answers 410 Gone or 504 "Too
// large resource version" (a resourceVersion the server has not reached: an API server whose
// watch cache lags, or an etcd restored from a backup), and back off
// exponentially (bounded) while the server fails. Nothing waits unboundedly on the server: every
// list page has a deadline, every watch asks the server to end it (`timeoutSeconds`), and a
// watchdog abandons a watch that receives nothing, not even a bookmark, for `watchIdleTimeoutMs`
// (a half-open connection, a proxy that stopped forwarding) and resumes it from the last
// resourceVersion.
import { ApiException, type KubeConfig, Watch } from '@kubernetes/client-node';
import { TRANSIENT_NETWORK_CODES, isTransientNetworkError, type Logger, sleep } from '@fedsvc/core/provider';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import { DEFAULT_MIN_WATCH_TIMEOUT_SECONDS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_WATCH_IDLE_TIMEOUT_MS, withDeadline } from './deadline.js';
import { decodeList } from './decode.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ListPage {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
  readonly continue?: string;
}

export interface ListWatchSource {
  /** `services`, `endpointslices`, `nodes`: used in messages. */
  readonly resource: string;
  /**
   * One page of the list; `continueToken` follows the previous page. The request should be
   * aborted with `signal` (pass `abortedBy(signal)` as the client's request options): it aborts at
   * the page's deadline, which holds either way, but only an aborted request frees its connection.
   */
  list(continueToken: string | undefined, signal: AbortSignal): Promise<unknown>;
  /** API path the watch is opened on, e.g. `/api/v1/services`. */
  readonly watchPath: string;
  /** Its KubeConfig is what watches are opened with. */
  readonly watch: Watch;
}

export interface ListWatchHandlers {
  /** The complete state after a (re)list. */
  replace(items: readonly unknown[]): void;
  event(type: WatchEventType, object: unknown): void;
  /** The server sent something unusable (garbage, an error status). Connection failures are not reported here. */
  error(error: Error): void;
}

export interface ListWatchOptions {
  readonly backoff: BackoffOptions;
  readonly logger: Logger;
  readonly cluster: string;
  /** Deadline of each list page, milliseconds. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Each watch asks the server to end it after between this and twice this many seconds. Default 300. */
  readonly minWatchTimeoutSeconds?: number;
  /** A watch that receives nothing for this long is abandoned and resumed, milliseconds. Default 120 000. */
  readonly watchIdleTimeoutMs?: number;
}

type WatchOutcome =
  | { readonly kind: 'closed'; readonly progressed: boolean }
  /** Nothing arrived for the idle timeout: the watch was abandoned. */
  | { readonly kind: 'stalled'; readonly progressed: boolean }
  | { readonly kind: 'gone'; readonly progressed: boolean }
  /** The server has not reached the resourceVersion (504, cause ResourceVersionTooLarge). */
  | { readonly kind: 'too-large'; readonly message: string; readonly progressed: boolean }
  | { readonly kind: 'failed'; readonly error: unknown; readonly progressed: boolean };

/** Aborts when either aborts (AbortSignal.any, which Node 20.0 to 20.2 lack). */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const both = new AbortController();
  const onAbort = (): void => {
    a.removeEventListener('abort', onAbort);
    b.removeEventListener('abort', onAbort);
    both.abort();
  };
  if (a.aborted || b.aborted) both.abort();
  else {
    a.addEventListener('abort', onAbort, { once: true });
    b.addEventListener('abort', onAbort, { once: true });
  }
  return both.signal;
}

/**
 * A view of `kc` for the client's Watch whose requests are aborted with `signal`, from the start
 * (before the server has answered, when the Watch has not handed out its abort handle yet) to
 * the end of the stream. The Watch sets its own signal on the request options it gets from
 * `applyToFetchOptions`; the one set here is combined with it instead of being replaced.
 */
function abortableConfig(kc: KubeConfig, signal: AbortSignal): KubeConfig {
  const view = Object.create(kc) as KubeConfig;
  view.applyToFetchOptions = async (opts) => {
    const init = await kc.applyToFetchOptions(opts);
    let current: AbortSignal = signal;
    Object.defineProperty(init, 'signal', {
      configurable: true,
      enumerable: true,
      get: () => current,
      set: (theirs: AbortSignal | null | undefined) => {
        current = theirs ? eitherSignal(theirs, signal) : signal;
      },
    });
    return init;
  };
  return view;
}

/**
 * A network failure named only in an error's message, for a library that rewraps the socket's
 * error as text: one of the shared codes, or Node's wording for a reset ("socket hang up") and for
 * a response that ended early ("Premature close").
 */
const NETWORK_WORDING = new RegExp(`\\b(?:${TRANSIENT_NETWORK_CODES.join('|')})\\b|socket hang up|Premature close`);

/** True when the error says the server could not be reached, rather than that it answered badly. */
export function isConnectionError(error: unknown): boolean {
  if (isTransientNetworkError(error)) return true;
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError' || (error as { type?: unknown }).type === 'system') return true;
  return NETWORK_WORDING.test(error.message) || (error.cause !== undefined && isConnectionError(error.cause));
}

/**
 * A Status saying the requested resourceVersion is newer than the server's: 504 Timeout with cause
 * ResourceVersionTooLarge (kube-apiserver's watch cache, after waiting for it briefly).
 */
function isTooLargeResourceVersion(status: { code?: unknown; message?: unknown; details?: unknown } | null): boolean {
  if (status?.code !== 504) return false;
  const causes = (status.details as { causes?: unknown } | undefined)?.causes;
  if (Array.isArray(causes) && causes.some((c) => (c as { reason?: unknown } | null)?.reason === 'ResourceVersionTooLarge')) return true;
  return typeof status.message === 'string' && status.message.includes('Too large resource version');
}

function isGone(error: unknown): boolean {
  return (error instanceof ApiException && error.code === 410) || (error as { statusCode?: unknown } | null)?.statusCode === 410;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as { message?: unknown; reason?: unknown } | string | undefined;
    const message =
      typeof body === 'object' && body !== null && typeof body.message === 'string'
        ? body.message
        : typeof body === 'string'
          ? body.slice(0, 200)
          : '';
    return `HTTP ${error.code}${message ? `: ${message}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function startListWatch(source: ListWatchSource, handlers: ListWatchHandlers, options: ListWatchOptions): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const minWatchTimeoutSeconds = options.minWatchTimeoutSeconds ?? DEFAULT_MIN_WATCH_TIMEOUT_SECONDS;
  const watchIdleTimeoutMs = options.watchIdleTimeoutMs ?? DEFAULT_WATCH_IDLE_TIMEOUT_MS;
  const log = { cluster: options.cluster, resource: source.resource };

  const report = (error: unknown, what: string): void => {
    if (isConnectionError(error)) {
      options.logger.warn({ ...log, err: describeError(error) }, `${what}: cluster unreachable`);
      return;
    }
    handlers.error(new Error(`cluster "${options.cluster}": ${what} ${source.resource}: ${describeError(error)}`, { cause: error }));
  };

  const listAll = async (): Promise<{ items: unknown[]; resourceVersion: string }> => {
    const items: unknown[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    // A list has finitely many pages; the bound guards against a server that keeps handing out tokens.
    for (let page = 0; page < 100_000; page++) {
      // Stopping cancels the page (rejects); the caller sees that it is stopping.
      const answer = await withDeadline(requestTimeoutMs, (signal) => source.list(token, signal), stopping.signal);
      const decoded = decodeList(answer, source.resource);
      items.push(...decoded.items);
      resourceVersion = decoded.resourceVersion;
      token = decoded.continue;
      if (token === undefined) return { items, resourceVersion };
    }
    throw new Error(`list of ${source.resource} did not end after 100000 pages`);
  };

  const watchOnce = (fromRv: string, onRv: (rv: string) => void): Promise<WatchOutcome> =>
    new Promise((resolve) => {
      let progressed = false;
      let gone = false;
      let tooLarge: string | undefined;
      let statusError: Error | undefined;
      let finished = false;
      // Aborts the request whatever state it is in: connecting, waiting for the answer, streaming.
      const abort = new AbortController();
      const finish = (outcome: WatchOutcome): void => {
        if (finished) return;
        finished = true;
        clearTimeout(watchdog);
        stopping.signal.removeEventListener('abort', onStop);
        abort.abort();
        resolve(outcome);
      };
      const onStop = (): void => finish({ kind: 'closed', progressed });
      stopping.signal.addEventListener('abort', onStop, { once: true });
      // Re-armed by everything the server sends; fires when it has sent nothing for the idle timeout.
      const watchdog = setTimeout(() => finish({ kind: 'stalled', progressed }), watchIdleTimeoutMs);
      const settle = (error: unknown): void => {
        if (gone) finish({ kind: 'gone', progressed });
        else if (tooLarge !== undefined) finish({ kind: 'too-large', message: tooLarge, progressed });
        else if (statusError) finish({ kind: 'failed', error: statusError, progressed });
        else if (error && !stopping.signal.aborted)
          finish(isGone(error) ? { kind: 'gone', progressed } : { kind: 'failed', error, progressed });
        else finish({ kind: 'closed', progressed });
      };
      const onEvent = (type: string, object: unknown): void => {
        if (finished) return;
        watchdog.refresh();
        if (type === 'ERROR') {
          const status = object as { code?: unknown; message?: unknown; details?: unknown } | null;
          if (status?.code === 410) gone = true;
          else if (isTooLargeResourceVersion(status))
            tooLarge = typeof status?.message === 'string' ? status.message : 'Too large resource version';
          else statusError = new Error(`watch error: ${typeof status?.message === 'string' ? status.message : JSON.stringify(object)}`);
          abort.abort();
          return;
        }
        const rv = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
        if (typeof rv === 'string' && rv.length > 0) onRv(rv);
        progressed = true;
        if (type === 'BOOKMARK') return;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          try {
            handlers.event(type, object);
          } catch (error) {
            report(error, 'handling a watch event of');
          }
          return;
        }
        handlers.error(new Error(`cluster "${options.cluster}": unknown watch event type ${JSON.stringify(type)} for ${source.resource}`));
      };
      // Between minWatchTimeoutSeconds and twice that, so that many watches do not end together.
      const timeoutSeconds = Math.floor(minWatchTimeoutSeconds * (1 + Math.random()));
      new Watch(abortableConfig(source.watch.config, abort.signal))
        .watch(source.watchPath, { resourceVersion: fromRv, allowWatchBookmarks: true, timeoutSeconds }, onEvent, settle)
        .then((handle) => {
          if (finished) handle.abort();
        })
        .catch(settle);
    });

  const run = async (): Promise<void> => {
    let rv: string | undefined;
    let failures = 0;
    const pause = async (): Promise<void> => {
      failures += 1;
      await sleep(backoffDelay(failures, options.backoff), stopping.signal);
    };
    while (!stopping.signal.aborted) {
      if (rv === undefined) {
        try {
          const listed = await listAll();
          if (stopping.signal.aborted) return;
          rv = listed.resourceVersion;
          handlers.replace(listed.items);
        } catch (error) {
          if (stopping.signal.aborted) return;
          // An expired continue token means the pages no longer fit together: start the list again.
          if (!isGone(error)) report(error, 'listing');
          await pause();
          continue;
        }
      }
      const outcome = await watchOnce(rv, (next) => (rv = next));
      if (stopping.signal.aborted) return;
      if (outcome.kind === 'gone') {
        options.logger.info({ ...log, resourceVersion: rv }, 'resourceVersion too old (410 Gone): relisting');
        rv = undefined;
        // A server that answers every fresh list with a watch it calls too old must not be hammered.
        if (outcome.progressed) failures = 0;
        else await pause();
        continue;
      }
      if (outcome.kind === 'too-large') {
        // Resuming from the same resourceVersion would be refused again and again: list afresh
        // (a list without resourceVersion is served at the server's own), after a backoff.
        options.logger.warn(
          { ...log, resourceVersion: rv, err: outcome.message },
          'resourceVersion newer than the server has (504 Too large resource version): relisting',
        );
        rv = undefined;
        if (outcome.progressed) failures = 0;
        await pause();
        continue;
      }
      if (outcome.progressed) failures = 0;
      if (outcome.kind === 'stalled') {
        options.logger.warn({ ...log, resourceVersion: rv }, `watch received nothing for ${watchIdleTimeoutMs} ms: resuming it`);
      }
      if (outcome.kind === 'failed') {
        report(outcome.error, 'watching');
        await pause();
      } else if (!outcome.progressed) {
        // A watch that ends without a single event would otherwise be reopened in a tight loop.
        await pause();
      }
    }
  };

  const done = run().catch((error: unknown) => options.logger.error({ ...log, err: describeError(error) }, 'list-watch loop failed'));
  return {
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
