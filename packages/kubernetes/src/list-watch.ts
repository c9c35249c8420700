// List, then watch from the list's resourceVersion; resume from the last seen resourceVersion
// (bookmarks included) when a watch ends, relist when the server answers 410 Gone or 504 "Too
// large resource version" (a resourceVersion the server has not reached: an API server whose
// watch cache lags, or an etcd restored from a backup), and back off
// exponentially (bounded) while the server fails. Nothing waits unboundedly on the server: every
// list page has a deadline, every watch asks the server to end it (`timeoutSeconds`), and a
// watchdog abandons a watch that receives nothing, not even a bookmark, for `watchIdleTimeoutMs`
// (a half-open connection, a proxy that stopped forwarding) and resumes it from the last
// resourceVersion.
import { type Logger, sleep } from '@fedsvc/core/provider';
import { describeError, isConnectionError, isGone } from './api-errors.js';
import { type BackoffOptions, reconnectDelay } from './backoff.js';
import { DEFAULT_MIN_WATCH_TIMEOUT_SECONDS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_WATCH_IDLE_TIMEOUT_MS, withDeadline } from './deadline.js';
import { decodeList } from './decode.js';
import { type WatchHandlers, type WatchOutcome, type WatchSettings, type WatchedResource, watchOnce } from './watch-once.js';

export type { WatchEventType } from './watch-once.js';

export interface ListPage {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
  readonly continue?: string;
}

export interface ListWatchSource extends WatchedResource {
  /**
   * One page of the list; `continueToken` follows the previous page. The request should be
   * aborted with `signal` (pass `abortedBy(signal)` as the client's request options): it aborts at
   * the page's deadline, which holds either way, but only an aborted request frees its connection.
   */
  list(continueToken: string | undefined, signal: AbortSignal): Promise<unknown>;
}

export interface ListWatchHandlers extends WatchHandlers {
  /** The complete state after a (re)list. */
  replace(items: readonly unknown[]): void;
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
  /** Called when a list or watch fails for want of a connection (reset, refused, unreachable). Default: nothing. */
  readonly connectionLost?: () => void;
}

export function startListWatch(source: ListWatchSource, handlers: ListWatchHandlers, options: ListWatchOptions): { stop(): Promise<void> } {
  const loop = new ListWatchLoop(source, handlers, options);
  const done = loop
    .run()
    .catch((error: unknown) => options.logger.error({ ...loop.log, err: describeError(error) }, 'list-watch loop failed'));
  return {
    async stop() {
      loop.stop();
      await done;
    },
  };
}

/** Every page of a list, and the resourceVersion it was served at. */
async function listAll(
  source: ListWatchSource,
  requestTimeoutMs: number,
  stopping: AbortSignal,
): Promise<{ items: unknown[]; resourceVersion: string }> {
  const items: unknown[] = [];
  let token: string | undefined;
  let resourceVersion = '';
  // A list has finitely many pages; the bound guards against a server that keeps handing out tokens.
  for (let page = 0; page < 100_000; page++) {
    // Stopping cancels the page (rejects); the caller sees that it is stopping.
    const answer = await withDeadline(requestTimeoutMs, (signal) => source.list(token, signal), stopping);
    const decoded = decodeList(answer, source.resource);
    items.push(...decoded.items);
    resourceVersion = decoded.resourceVersion;
    token = decoded.continue;
    if (token === undefined) return { items, resourceVersion };
  }
  throw new Error(`list of ${source.resource} did not end after 100000 pages`);
}

class ListWatchLoop {
  readonly log: { readonly cluster: string; readonly resource: string };
  private readonly stopping = new AbortController();
  private readonly requestTimeoutMs: number;
  private readonly watching: WatchSettings;
  /** Where the next watch resumes from; undefined: list afresh first. */
  private rv: string | undefined;
  /** Failures in a row, for the backoff. */
  private failures = 0;

  constructor(
    private readonly source: ListWatchSource,
    private readonly handlers: ListWatchHandlers,
    private readonly options: ListWatchOptions,
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.log = { cluster: options.cluster, resource: source.resource };
    this.watching = {
      source,
      handlers,
      cluster: options.cluster,
      stopping: this.stopping.signal,
      minWatchTimeoutSeconds: options.minWatchTimeoutSeconds ?? DEFAULT_MIN_WATCH_TIMEOUT_SECONDS,
      watchIdleTimeoutMs: options.watchIdleTimeoutMs ?? DEFAULT_WATCH_IDLE_TIMEOUT_MS,
      report: this.report,
    };
  }

  stop(): void {
    this.stopping.abort();
  }

  async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const from = this.rv ?? (await this.relist());
      // A stop that came while the list was being handed over opens no watch: none would see it.
      if (from === undefined || this.stopping.signal.aborted) continue;
      const outcome = await watchOnce(this.watching, from, (next) => (this.rv = next));
      if (this.stopping.signal.aborted) return;
      await this.resume(outcome);
    }
  }

  private readonly report = (error: unknown, what: string): void => {
    if (isConnectionError(error)) {
      this.options.logger.warn({ ...this.log, err: describeError(error) }, `${what}: cluster unreachable`);
      this.options.connectionLost?.();
      return;
    }
    this.handlers.error(
      new Error(`cluster "${this.options.cluster}": ${what} ${this.source.resource}: ${describeError(error)}`, { cause: error }),
    );
  };

  /** Lists afresh: the resourceVersion to watch from, or undefined when the list failed (after backing off) or the loop stops. */
  private async relist(): Promise<string | undefined> {
    try {
      const listed = await listAll(this.source, this.requestTimeoutMs, this.stopping.signal);
      if (this.stopping.signal.aborted) return undefined;
      this.rv = listed.resourceVersion;
      this.handlers.replace(listed.items);
      return this.rv;
    } catch (error) {
      if (this.stopping.signal.aborted) return undefined;
      // An expired continue token means the pages no longer fit together: start the list again.
      if (!isGone(error)) this.report(error, 'listing');
      await this.pause();
      return undefined;
    }
  }

  /** After a watch ended: relist, or resume from the last resourceVersion, backing off while the server fails. */
  private async resume(outcome: WatchOutcome): Promise<void> {
    const { logger } = this.options;
    const log = { ...this.log, resourceVersion: this.rv };
    if (outcome.kind === 'gone') {
      logger.info(log, 'resourceVersion too old (410 Gone): relisting');
      this.rv = undefined;
      // A server that answers every fresh list with a watch it calls too old must not be hammered.
      if (outcome.progressed) this.failures = 0;
      else await this.pause();
      return;
    }
    if (outcome.kind === 'too-large') {
      // Resuming from the same resourceVersion would be refused again and again: list afresh
      // (a list without resourceVersion is served at the server's own), after a backoff.
      logger.warn(
        { ...log, err: outcome.message },
        'resourceVersion newer than the server has (504 Too large resource version): relisting',
      );
      this.rv = undefined;
      if (outcome.progressed) this.failures = 0;
      await this.pause();
      return;
    }
    if (outcome.progressed) this.failures = 0;
    if (outcome.kind === 'stalled') logger.warn(log, `watch received nothing for ${this.watching.watchIdleTimeoutMs} ms: resuming it`);
    if (outcome.kind === 'failed') {
      this.report(outcome.error, 'watching');
      await this.pause();
    } else if (!outcome.progressed) {
      // A watch that ends without a single event would otherwise be reopened in a tight loop.
      await this.pause();
    }
  }

  private async pause(): Promise<void> {
    this.failures += 1;
    await sleep(reconnectDelay(this.failures, this.options.backoff), this.stopping.signal);
  }
}
