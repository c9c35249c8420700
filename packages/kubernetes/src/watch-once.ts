// One watch, from a resourceVersion until it ends: the server ends it (`timeoutSeconds`), answers
// 410 Gone or 504 Too large resource version, fails, or sends nothing for the idle timeout and is
// abandoned by the watchdog.
import { Watch } from '@kubernetes/client-node';
import { abortableConfig } from './abortable-config.js';
import { isGone, isTooLargeResourceVersion } from './api-errors.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchedResource {
  /** `services`, `endpointslices`, `nodes`: used in messages. */
  readonly resource: string;
  /** API path the watch is opened on, e.g. `/api/v1/services`. */
  readonly watchPath: string;
  /** Its KubeConfig is what watches are opened with. */
  readonly watch: Watch;
}

export interface WatchHandlers {
  event(type: WatchEventType, object: unknown): void;
  /** The server sent something unusable (garbage, an error status). Connection failures are not reported here. */
  error(error: Error): void;
}

export type WatchOutcome =
  | { readonly kind: 'closed'; readonly progressed: boolean }
  /** Nothing arrived for the idle timeout: the watch was abandoned. */
  | { readonly kind: 'stalled'; readonly progressed: boolean }
  | { readonly kind: 'gone'; readonly progressed: boolean }
  /** The server has not reached the resourceVersion (504, cause ResourceVersionTooLarge). */
  | { readonly kind: 'too-large'; readonly message: string; readonly progressed: boolean }
  | { readonly kind: 'failed'; readonly error: unknown; readonly progressed: boolean };

export interface WatchSettings {
  readonly source: WatchedResource;
  readonly handlers: WatchHandlers;
  readonly cluster: string;
  /** Ends the watch (outcome `closed`). */
  readonly stopping: AbortSignal;
  readonly minWatchTimeoutSeconds: number;
  readonly watchIdleTimeoutMs: number;
  /** Reports an error a handler threw. */
  readonly report: (error: unknown, what: string) => void;
}

/** Watches from `fromRv`, passing every resourceVersion seen (bookmarks included) to `onRv`. */
export function watchOnce(settings: WatchSettings, fromRv: string, onRv: (rv: string) => void): Promise<WatchOutcome> {
  return new Promise((resolve) => new OneWatch(settings, onRv, resolve).open(fromRv));
}

class OneWatch {
  private progressed = false;
  private gone = false;
  private tooLarge: string | undefined;
  private statusError: Error | undefined;
  private finished = false;
  // Aborts the request whatever state it is in: connecting, waiting for the answer, streaming.
  private readonly abort = new AbortController();
  private readonly onStop = (): void => this.finish({ kind: 'closed', progressed: this.progressed });
  // Re-armed by everything the server sends; fires when it has sent nothing for the idle timeout.
  private readonly watchdog: ReturnType<typeof setTimeout>;

  constructor(
    private readonly settings: WatchSettings,
    private readonly onRv: (rv: string) => void,
    private readonly resolve: (outcome: WatchOutcome) => void,
  ) {
    settings.stopping.addEventListener('abort', this.onStop, { once: true });
    this.watchdog = setTimeout(() => this.finish({ kind: 'stalled', progressed: this.progressed }), settings.watchIdleTimeoutMs);
  }

  open(fromRv: string): void {
    const { source, minWatchTimeoutSeconds } = this.settings;
    const settle = (error: unknown): void => this.settle(error);
    // Between minWatchTimeoutSeconds and twice that, so that many watches do not end together.
    const timeoutSeconds = Math.floor(minWatchTimeoutSeconds * (1 + Math.random()));
    new Watch(abortableConfig(source.watch.config, this.abort.signal))
      .watch(
        source.watchPath,
        { resourceVersion: fromRv, allowWatchBookmarks: true, timeoutSeconds },
        (type, object) => this.onEvent(type, object),
        settle,
      )
      .then((handle) => {
        if (this.finished) handle.abort();
      })
      .catch(settle);
  }

  private finish(outcome: WatchOutcome): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.watchdog);
    this.settings.stopping.removeEventListener('abort', this.onStop);
    this.abort.abort();
    this.resolve(outcome);
  }

  private settle(error: unknown): void {
    const { progressed } = this;
    if (this.gone) this.finish({ kind: 'gone', progressed });
    else if (this.tooLarge !== undefined) this.finish({ kind: 'too-large', message: this.tooLarge, progressed });
    else if (this.statusError) this.finish({ kind: 'failed', error: this.statusError, progressed });
    else if (error && !this.settings.stopping.aborted)
      this.finish(isGone(error) ? { kind: 'gone', progressed } : { kind: 'failed', error, progressed });
    else this.finish({ kind: 'closed', progressed });
  }

  private onEvent(type: string, object: unknown): void {
    if (this.finished) return;
    this.watchdog.refresh();
    if (type === 'ERROR') {
      this.onErrorStatus(object);
      return;
    }
    const { handlers, cluster, source, report } = this.settings;
    const rv = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
    if (typeof rv === 'string' && rv.length > 0) this.onRv(rv);
    this.progressed = true;
    if (type === 'BOOKMARK') return;
    if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
      try {
        handlers.event(type, object);
      } catch (error) {
        report(error, 'handling a watch event of');
      }
      return;
    }
    handlers.error(new Error(`cluster "${cluster}": unknown watch event type ${JSON.stringify(type)} for ${source.resource}`));
  }

  /** An ERROR event: the Status says how the watch ends, once its stream is closed. */
  private onErrorStatus(object: unknown): void {
    const status = object as { code?: unknown; message?: unknown; details?: unknown } | null;
    if (status?.code === 410) this.gone = true;
    else if (isTooLargeResourceVersion(status))
      this.tooLarge = typeof status?.message === 'string' ? status.message : 'Too large resource version';
    else this.statusError = new Error(`watch error: ${typeof status?.message === 'string' ? status.message : JSON.stringify(object)}`);
    this.abort.abort();
  }
}
