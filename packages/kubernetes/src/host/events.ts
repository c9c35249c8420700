// Kubernetes Events on FederatedServices for what a person troubleshooting wants to read in
// `kubectl describe`: shards created, adopted, deleted per cluster, DNS updated, conflicts, fail
// static engaged and released. Aggregated per object as client-go's correlator does (a repeat
// patches the count of the event written before), written through the host's rate limit, and
// bounded: past `MAX_PENDING` waiting writes, new ones are dropped (logged), as client-go drops
// what its spam filter refuses.
import type { Logger } from '@fedsvc/core/provider';
import { type EventHistory, type InvolvedObject, recordEvent } from '../federation/event-history.js';
import type { FederationOccurrence } from '../federation/occurrences.js';
import { API_VERSION, type HostApi } from './host-api.js';
import type { TokenBucket } from './token-bucket.js';

const MAX_PENDING = 1_000;

export class EventRecorder {
  readonly #histories = new Map<string, EventHistory>();
  #pending = 0;
  #line: Promise<void> = Promise.resolve();
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
    if (this.#pending >= MAX_PENDING) {
      this.logger.warn(
        { service: `${involved.namespace}/${involved.name}`, occurrence: occurrence.kind },
        'too many Events waiting: dropped',
      );
      return;
    }
    const key = involved.uid ?? `${involved.namespace}/${involved.name}`;
    const { history, write } = recordEvent(this.#histories.get(key), involved, occurrence, new Date());
    this.#histories.set(key, history);
    this.#pending += 1;
    this.#line = this.#line.then(async () => {
      try {
        await this.writes.take(this.#stopping.signal);
        const namespace = write.event.metadata.namespace;
        if (write.action === 'create') await this.api.createEvent(namespace, write.event);
        else await this.api.patchEvent(namespace, write.event.metadata.name, write.patch);
      } catch (error) {
        if (!this.#stopping.signal.aborted)
          this.logger.warn({ event: write.event.reason, err: error instanceof Error ? error.message : String(error) }, 'Event not written');
      } finally {
        this.#pending -= 1;
      }
    });
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
