// Kubernetes Events on FederatedServices for what a person troubleshooting wants to read in
// `kubectl describe`: shards created, adopted, deleted per cluster, DNS updated, conflicts, fail
// static engaged and released. Aggregated per object as client-go's correlator does (a repeat
// patches the count of the event written before), written through a rate limit of their own with
// at most one waiting write per event (a repeat while it waits updates it), and bounded: past
// `MAX_PENDING` events waiting, new ones are dropped (logged), as client-go drops what its spam
// filter refuses.
import type { Logger } from '@fedsvc/core/provider';
import { type EventHistory, type EventWrite, type InvolvedObject, recordEvent } from '../federation/event-history.js';
import type { FederationOccurrence } from '../federation/occurrences.js';
import { API_VERSION, type HostApi } from './host-api.js';
import type { TokenBucket } from './token-bucket.js';

const MAX_PENDING = 1_000;

export class EventRecorder {
  readonly #histories = new Map<string, EventHistory>();
  /** Writes waiting for their turn, by event (namespace/name): each holds the event's latest state. */
  readonly #queued = new Map<string, EventWrite>();
  #line: Promise<void> = Promise.resolve();
  /** Events dropped since the queue was last full; logged once there is room again. */
  #dropped = 0;
  readonly #stopping = new AbortController();

  constructor(
    private readonly api: HostApi,
    private readonly writes: TokenBucket,
    private readonly logger: Logger,
  ) {}

  /** Records `occurrence` on the FederatedService `object` (as the host holds it). */
  record(object: Record<string, unknown>, occurrence: FederationOccurrence): void {
    const involved = involvedObject(object);
    if (involved === undefined || this.#stopping.signal.aborted) return;
    const key = involved.uid ?? `${involved.namespace}/${involved.name}`;
    const { history, write } = recordEvent(this.#histories.get(key), involved, occurrence, new Date());
    const name = `${write.event.metadata.namespace}/${write.event.metadata.name}`;
    const queued = this.#queued.get(name);
    if (queued !== undefined) {
      // A write of this event still waits for its turn: it carries the latest count instead, so
      // that repeats cost one write per turn of the rate limit, not one each.
      this.#queued.set(name, queued.action === 'create' ? { action: 'create', event: write.event } : write);
      this.#histories.set(key, history);
      return;
    }
    if (this.#queued.size >= MAX_PENDING) {
      // One line when dropping starts and one when it ends: a first sync of a large federation
      // can drop thousands, and a line each would flood the log.
      if (this.#dropped++ === 0)
        this.logger.warn(
          { service: `${involved.namespace}/${involved.name}`, occurrence: occurrence.kind, waiting: MAX_PENDING },
          'too many Events waiting: new ones are dropped until there is room',
        );
      return;
    }
    if (this.#dropped > 0) {
      this.logger.warn({ dropped: this.#dropped }, 'Events dropped while too many waited');
      this.#dropped = 0;
    }
    this.#histories.set(key, history);
    this.#queued.set(name, write);
    this.#line = this.#line.then(() => this.#send(name));
  }

  async #send(name: string): Promise<void> {
    try {
      await this.writes.take(this.#stopping.signal);
    } catch {
      // Stopping: what waits is not written.
      this.#queued.delete(name);
      return;
    }
    // Taken off the queue before it is sent: a repeat from now on waits as a write of its own.
    const write = this.#queued.get(name);
    this.#queued.delete(name);
    if (write === undefined) return;
    try {
      const namespace = write.event.metadata.namespace;
      if (write.action === 'create') await this.api.createEvent(namespace, write.event);
      else await this.api.patchEvent(namespace, write.event.metadata.name, write.patch);
    } catch (error) {
      if (!this.#stopping.signal.aborted)
        this.logger.warn({ event: write.event.reason, err: error instanceof Error ? error.message : String(error) }, 'Event not written');
    }
  }

  /** The object is gone: its history is forgotten. */
  forget(object: Record<string, unknown>): void {
    const involved = involvedObject(object);
    if (involved !== undefined) this.#histories.delete(involved.uid ?? `${involved.namespace}/${involved.name}`);
  }

  /** Resolves once every event recorded so far is written (or dropped). */
  flushed(): Promise<void> {
    return this.#line;
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#line;
  }
}

function involvedObject(object: Record<string, unknown>): InvolvedObject | undefined {
  const meta = (object['metadata'] ?? {}) as Record<string, unknown>;
  const { name, namespace, uid } = meta;
  if (typeof name !== 'string' || typeof namespace !== 'string') return undefined;
  return {
    apiVersion: API_VERSION,
    kind: 'FederatedService',
    namespace,
    name,
    ...(typeof uid === 'string' ? { uid } : {}),
  };
}
