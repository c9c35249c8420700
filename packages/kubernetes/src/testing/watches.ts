// Watches: newline-delimited JSON events from a resourceVersion on, bookmarks, 410 Gone for a
// compacted resourceVersion and 504 "Too large resource version" for one the server has not
// reached. Test hooks silence, end or write into the watches open now.
import type { ServerResponse } from 'node:http';
import { status } from './answers.js';
import type { JsonObject } from './fields.js';
import { type Resource, type StoredEvent, type Store, metaOf } from './store.js';

interface Watcher {
  readonly resource: Resource;
  readonly namespace: string | undefined;
  readonly bookmarks: boolean;
  readonly res: ServerResponse;
  /** Kept open, sent nothing more. */
  silent: boolean;
}

export class Watches {
  private readonly open = new Set<Watcher>();
  /**
   * How long a watch from a resourceVersion newer than the server's waits for it before the
   * 504 "Too large resource version" error; kube-apiserver's watch cache waits 3 s (the default).
   */
  tooLargeWaitMs = 3000;

  constructor(private readonly store: Store) {}

  get size(): number {
    return this.open.size;
  }

  serve(res: ServerResponse, resource: Resource, namespace: string | undefined, query: URLSearchParams): void {
    const rvParam = query.get('resourceVersion');
    const watcher: Watcher = { resource, namespace, bookmarks: query.get('allowWatchBookmarks') === 'true', res, silent: false };
    const answer = (): void => {
      // The API server answers a watch at once; events follow as they happen.
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
    };
    let backlog: StoredEvent[] | 'gone';
    if (rvParam === null || rvParam === '' || rvParam === '0') {
      backlog = this.store.list(resource, namespace).map((object) => ({ rv: 0, resource, type: 'ADDED' as const, object }));
      answer();
    } else {
      const rv = Number(rvParam);
      if (Number.isInteger(rv) && rv > this.store.resourceVersion) {
        this.waitForResourceVersion(res, rv, () => this.serve(res, resource, namespace, query));
        return;
      }
      backlog = Number.isInteger(rv) ? this.store.since(resource, rv) : 'gone';
      answer();
      if (backlog === 'gone') {
        const message = `too old resource version: ${rvParam} (${this.store.compacted})`;
        res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', message) })}\n`);
        return;
      }
    }
    for (const event of backlog) this.writeStored(watcher, event);
    const unsubscribe = this.store.subscribe((event) => this.writeStored(watcher, event));
    this.open.add(watcher);
    const timeout = Number(query.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      unsubscribe();
      this.open.delete(watcher);
      if (timer) clearTimeout(timer);
    });
  }

  /** The watches open now (of `resource`, or all) go silent. */
  silence(resource?: Resource): void {
    for (const watcher of this.open) if (resource === undefined || watcher.resource === resource) watcher.silent = true;
  }

  endAll(): void {
    for (const watcher of this.open) watcher.res.end();
  }

  bookmark(): void {
    for (const watcher of this.open) {
      if (!watcher.bookmarks) continue;
      const { kind, apiVersion } = this.store.kindOf(watcher.resource);
      this.writeEvent(watcher, {
        type: 'BOOKMARK',
        object: { kind, apiVersion, metadata: { resourceVersion: String(this.store.resourceVersion) } },
      });
    }
  }

  injectLine(resource: Resource, line: string): void {
    for (const watcher of this.open) if (watcher.resource === resource && !watcher.silent) watcher.res.write(`${line}\n`);
  }

  /**
   * A watch from a resourceVersion the server has not reached, as the watch cache serves it
   * (`waitUntilFreshAndBlock`): it waits up to `tooLargeWaitMs` (3 s in kube-apiserver) for the
   * store to get there, then `proceed`s; otherwise the watch is answered (HTTP 200) with one ERROR
   * event, a 504 Timeout Status with cause ResourceVersionTooLarge, and ends.
   */
  private waitForResourceVersion(res: ServerResponse, rv: number, proceed: () => void): void {
    let done = false;
    const finish = (): void => {
      done = true;
      clearTimeout(timer);
      unsubscribe();
    };
    const unsubscribe = this.store.subscribe(() => {
      if (done || this.store.resourceVersion < rv) return;
      finish();
      // Not from inside the store's notification: the watch it opens subscribes to the store.
      setImmediate(() => {
        if (!res.destroyed) proceed();
      });
    });
    const timer = setTimeout(() => {
      if (done) return;
      finish();
      const current = this.store.resourceVersion;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      const error = status(504, 'Timeout', `Timeout: Too large resource version: ${rv}, current: ${current}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
      res.end(`${JSON.stringify({ type: 'ERROR', object: error })}\n`);
    }, this.tooLargeWaitMs);
    res.on('close', () => {
      if (!done) finish();
    });
  }

  private writeStored(watcher: Watcher, event: StoredEvent): void {
    if (event.resource !== watcher.resource) return;
    if (watcher.namespace !== undefined && metaOf(event.object)['namespace'] !== watcher.namespace) return;
    this.writeEvent(watcher, { type: event.type, object: event.object });
  }

  private writeEvent(watcher: Watcher, event: JsonObject): void {
    if (!watcher.res.writableEnded && !watcher.silent) watcher.res.write(`${JSON.stringify(event)}\n`);
  }
}
