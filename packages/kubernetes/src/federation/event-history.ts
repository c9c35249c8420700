// Kubernetes Events for one federation object, aggregated as client-go's event correlator does:
// a repeat of the same reason and message patches the first event's count instead of creating
// another; once one reason has carried many different messages within ten minutes, the next
// ones go into a single "(combined from similar events)" event that is counted the same way.
// Pure: the caller keeps each object's history and carries the write out.
import { wireTime } from './conditions.js';
import { type EventGist, type FederationOccurrence, eventGist } from './occurrences.js';

/** The object an event is about (core v1 ObjectReference). */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  /** Absent for a cluster-scoped object (a FederatedCluster); its events go to `default`. */
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
}

/** A core v1 Event as written to the host cluster. */
export interface KubernetesEvent extends EventGist {
  readonly apiVersion: 'v1';
  readonly kind: 'Event';
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly involvedObject: InvolvedObject;
  readonly count: number;
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
  readonly source: { readonly component: 'fedsvc' };
}

/** What to write: a new event, or a patch of the count (and message) of one written before. */
export type EventWrite =
  | { readonly action: 'create'; readonly event: KubernetesEvent }
  | {
      readonly action: 'patch';
      readonly event: KubernetesEvent;
      readonly patch: Pick<KubernetesEvent, 'count' | 'lastTimestamp' | 'message'>;
    };

/** One object's events so far. Start from `undefined`; forget it when the object is deleted. */
export interface EventHistory {
  /** Events written, by reason, type and message (or by reason and type for a combined one), least recently used first. */
  readonly written: ReadonlyMap<string, KubernetesEvent>;
  /** Per reason and type: the different messages seen, and when the last was. */
  readonly similar: ReadonlyMap<string, { readonly messages: readonly string[]; readonly last: number }>;
  /** Events created so far: makes names unique within one millisecond. */
  readonly created: number;
}

/** client-go's defaults: 10 different messages of one reason within 10 minutes are combined. */
const SIMILAR_LIMIT = 10;
const SIMILAR_WINDOW_MS = 10 * 60_000;
/** Events remembered per object; the least recently used is forgotten first (client-go keeps 4,096 for a whole process). */
const HISTORY_LIMIT = 64;

/**
 * The event write for `occurrence` on `involved` at `now`, and the object's history after it.
 * Pure: nothing is written; the caller creates or patches the event and keeps `history`.
 *
 * @param history - What {@link recordEvent} returned last for this object; `undefined` at first.
 * @example
 * ```ts
 * const { history, write } = recordEvent(histories.get(uid), nginxRef, { kind: 'shard', action: 'created', cluster: 'gce-us-central1-a' }, new Date());
 * histories.set(uid, history);
 * // write.action 'create': create write.event; 'patch': patch the event write.event.metadata names with write.patch
 * ```
 */
export function recordEvent(
  history: EventHistory | undefined,
  involved: InvolvedObject,
  occurrence: FederationOccurrence,
  now: Date,
): { history: EventHistory; write: EventWrite } {
  const gist = eventGist(occurrence);
  const { similar, gist: told, key } = aggregate(history?.similar ?? new Map(), gist, now.getTime());
  const written = new Map(history?.written);
  const before = written.get(key);
  written.delete(key);
  const created = (history?.created ?? 0) + (before ? 0 : 1);
  const event: KubernetesEvent = before
    ? { ...before, message: told.message, count: before.count + 1, lastTimestamp: wireTime(now) }
    : newEvent(involved, told, now, created);
  written.set(key, event);
  for (const oldest of written.keys()) {
    if (written.size <= HISTORY_LIMIT) break;
    written.delete(oldest);
  }
  const write: EventWrite = before
    ? { action: 'patch', event, patch: { count: event.count, lastTimestamp: event.lastTimestamp, message: event.message } }
    : { action: 'create', event };
  return { history: { written, similar, created }, write };
}

/** client-go's EventAggregate: the gist to tell, and the key its count is kept under. */
function aggregate(
  before: EventHistory['similar'],
  gist: EventGist,
  now: number,
): { similar: EventHistory['similar']; gist: EventGist; key: string } {
  const group = JSON.stringify([gist.reason, gist.type]);
  const seen = before.get(group);
  const fresh = !seen || now - seen.last > SIMILAR_WINDOW_MS;
  const messages = new Set(fresh ? [] : seen.messages);
  messages.add(gist.message);
  const combined = messages.size >= SIMILAR_LIMIT;
  // Combined, the set stops growing, as client-go's does.
  if (combined) messages.delete(messages.values().next().value as string);
  const similar = new Map(before);
  similar.delete(group);
  similar.set(group, { messages: [...messages], last: now });
  for (const oldest of similar.keys()) {
    if (similar.size <= HISTORY_LIMIT) break;
    similar.delete(oldest);
  }
  if (!combined) return { similar, gist, key: JSON.stringify([gist.reason, gist.type, gist.message]) };
  return { similar, gist: { ...gist, message: `(combined from similar events): ${gist.message}` }, key: group };
}

function newEvent(involved: InvolvedObject, gist: EventGist, now: Date, sequence: number): KubernetesEvent {
  // client-go names an event after its object and the time in nanoseconds; the sequence stands in for the nanoseconds a Date lacks.
  const nanoseconds = BigInt(now.getTime()) * 1_000_000n + BigInt(sequence % 1_000_000);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${involved.name}.${nanoseconds.toString(16)}`, namespace: involved.namespace ?? 'default' },
    involvedObject: { ...involved },
    type: gist.type,
    reason: gist.reason,
    message: gist.message,
    count: 1,
    firstTimestamp: wireTime(now),
    lastTimestamp: wireTime(now),
    source: { component: 'fedsvc' },
  };
}
