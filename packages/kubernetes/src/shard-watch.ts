// A member cluster's shards: its Services joined with their EndpointSlices as they are listed and
// watched, reported once both lists are in.
import type { ClusterEvent } from '@fedsvc/core/provider';
import type { BadInput } from './bad-input.js';
import type { ClusterStatusReporter, ShardList } from './cluster-status-reporter.js';
import { type DecodedEndpointSlice, type DecodedService, decodeEndpointSlice, decodeService, objectRef } from './decode.js';
import type { ListWatchHandlers } from './list-watch.js';
import { ShardIndex } from './shard-index.js';

export interface ShardHandlers {
  readonly services: ListWatchHandlers;
  readonly slices: ListWatchHandlers;
}

/**
 * List-watch handlers of the Services and EndpointSlices of cluster `name`. `carriedShards`
 * (`namespace/name`) were reported by an earlier watch: those missing from the first full list are
 * reported removed with it.
 */
export function shardHandlers(
  name: string,
  bad: BadInput,
  status: ClusterStatusReporter,
  emit: (event: ClusterEvent) => void,
  carriedShards: readonly string[] = [],
): ShardHandlers {
  const index = new ShardIndex(name);
  const publish = (events: readonly ClusterEvent[]): void => {
    if (status.shardsSynced) for (const event of events) emit(event);
  };
  // The first time both lists are in, every shard is reported; before that nothing, so a shard is never reported with its endpoints missing.
  const sync = (which: ShardList, events: readonly ClusterEvent[]): void => {
    const completed = status.listed(which);
    publish(completed ? withCarriedRemoved(name, index.start(), carriedShards) : events);
    if (completed) status.publish();
  };
  const deleted = (object: unknown, remove: (namespace: string, name: string) => readonly ClusterEvent[]): void => {
    const ref = deletedRef(name, bad, object);
    if (ref) publish(remove(ref.namespace, ref.name));
  };
  return {
    services: {
      replace: (items) =>
        sync('services', index.replaceServices(decodeAll<DecodedService>(bad, decodeService, items, (ns, n) => index.service(ns, n)))),
      event(type, object) {
        if (type === 'DELETED') {
          deleted(object, (ns, n) => index.removeService(ns, n));
          return;
        }
        // A bad update keeps the last good version of the Service: the plan is never fed garbage.
        const service = bad.decode(decodeService, object);
        if (service) publish(index.upsertService(service));
      },
      error: bad.report,
    },
    slices: {
      replace: (items) =>
        sync(
          'slices',
          index.replaceSlices(decodeAll<DecodedEndpointSlice>(bad, decodeEndpointSlice, items, (ns, n) => index.slice(ns, n))),
        ),
      event(type, object) {
        if (type === 'DELETED') {
          deleted(object, (ns, n) => index.removeSlice(ns, n));
          return;
        }
        const slice = bad.decode(decodeEndpointSlice, object);
        if (slice) publish(index.upsertSlice(slice));
      },
      error: bad.report,
    },
  };
}

// On a relist, an object that no longer decodes keeps its last good version, as on a watch
// event: dropping it would report its shard gone (and placement would create it again).
function decodeAll<T>(
  bad: BadInput,
  decode: (value: unknown) => T,
  items: readonly unknown[],
  lastGood: (namespace: string, name: string) => T | undefined,
): T[] {
  return items.flatMap((item) => {
    const decoded = bad.decode(decode, item);
    if (decoded !== undefined) return [decoded];
    const ref = objectRef(item);
    const kept = ref.namespace !== undefined && ref.name !== undefined ? lastGood(ref.namespace, ref.name) : undefined;
    return kept === undefined ? [] : [kept];
  });
}

function deletedRef(cluster: string, bad: BadInput, object: unknown): { namespace: string; name: string } | undefined {
  const ref = objectRef(object);
  if (ref.namespace !== undefined && ref.name !== undefined) return { namespace: ref.namespace, name: ref.name };
  bad.report(new Error(`cluster "${cluster}": a DELETED event names no object: ${JSON.stringify(object)?.slice(0, 200)}`));
  return undefined;
}

function withCarriedRemoved(cluster: string, listed: readonly ClusterEvent[], carried: readonly string[]): readonly ClusterEvent[] {
  const present = new Set(listed.flatMap((e) => (e.type === 'shard' ? [`${e.shard.namespace}/${e.shard.name}`] : [])));
  const removed = carried
    .filter((key) => !present.has(key))
    .map((key): ClusterEvent => {
      const slash = key.indexOf('/');
      return { type: 'shard-removed', cluster, namespace: key.slice(0, slash), name: key.slice(slash + 1) };
    });
  return [...listed, ...removed];
}
