// List, then watch from the list's resourceVersion; resume from the last seen resourceVersion
// (bookmarks included) when a watch ends, relist when the server answers 410 Gone, and back off
// exponentially (bounded) while the server fails.
import { ApiException, type Watch } from '@kubernetes/client-node';
import type { Logger } from '@fedsvc/core';
import { type BackoffOptions, backoffDelay, sleep } from './backoff.js';
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
  /** One page of the list; `continueToken` follows the previous page. */
  list(continueToken: string | undefined): Promise<unknown>;
  /** API path the watch is opened on, e.g. `/api/v1/services`. */
  readonly watchPath: string;
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
}

type WatchOutcome =
  | { readonly kind: 'closed'; readonly progressed: boolean }
  | { readonly kind: 'gone'; readonly progressed: boolean }
  | { readonly kind: 'failed'; readonly error: unknown; readonly progressed: boolean };

const STOPPED = Symbol('stopped');

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/** True when the error says the server could not be reached, rather than that it answered badly. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (error.name === 'AbortError' || (error as { type?: unknown }).type === 'system') return true;
  return /socket hang up|ECONNREFUSED|ECONNRESET|Premature close/.test(error.message) || (error.cause !== undefined && isConnectionError(error.cause));
}

function isGone(error: unknown): boolean {
  return (error instanceof ApiException && error.code === 410) || (error as { statusCode?: unknown } | null)?.statusCode === 410;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as { message?: unknown; reason?: unknown } | string | undefined;
    const message = typeof body === 'object' && body !== null && typeof body.message === 'string' ? body.message : typeof body === 'string' ? body.slice(0, 200) : '';
    return `HTTP ${error.code}${message ? `: ${message}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function startListWatch(source: ListWatchSource, handlers: ListWatchHandlers, options: ListWatchOptions): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const stopped = new Promise<typeof STOPPED>((resolve) => stopping.signal.addEventListener('abort', () => resolve(STOPPED), { once: true }));
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
      const answer = await Promise.race([source.list(token), stopped]);
      if (answer === STOPPED) return { items, resourceVersion };
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
      let statusError: Error | undefined;
      let controller: AbortController | undefined;
      const finish = (outcome: WatchOutcome): void => {
        stopping.signal.removeEventListener('abort', onStop);
        controller?.abort();
        resolve(outcome);
      };
      // The client hands out the watch's abort handle only once the server answers; until then, stopping must not wait.
      const onStop = (): void => finish({ kind: 'closed', progressed });
      stopping.signal.addEventListener('abort', onStop, { once: true });
      const settle = (error: unknown): void => {
        if (gone) finish({ kind: 'gone', progressed });
        else if (statusError) finish({ kind: 'failed', error: statusError, progressed });
        else if (error && !stopping.signal.aborted) finish(isGone(error) ? { kind: 'gone', progressed } : { kind: 'failed', error, progressed });
        else finish({ kind: 'closed', progressed });
      };
      const onEvent = (type: string, object: unknown): void => {
        if (type === 'ERROR') {
          const status = object as { code?: unknown; message?: unknown } | null;
          if (status?.code === 410) gone = true;
          else statusError = new Error(`watch error: ${typeof status?.message === 'string' ? status.message : JSON.stringify(object)}`);
          controller?.abort();
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
      source.watch
        .watch(source.watchPath, { resourceVersion: fromRv, allowWatchBookmarks: true }, onEvent, settle)
        .then((handle) => {
          controller = handle;
          if (stopping.signal.aborted) handle.abort();
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
      if (outcome.progressed) failures = 0;
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
