// A burst of the clusters' events reduced in one step: a watch's listing at start-up, or the
// shards a pass creates, is services × clusters shard events. Reduced one at a time, each copies
// its service's maps of shards (up to one entry per cluster); in one step, each service's maps
// are copied once, then changed in place, since nothing outside the step holds them yet.
import type { ShardStatus } from '../types.js';
import {
  type ClusterState,
  type ClusterStep,
  type JudgeHealth,
  keyOf,
  type Notification,
  reduceClusterEvent,
  type ServiceShards,
  shardCount,
  shared,
  type StateEvent,
} from './cluster-state.js';
import { isEcho, NONE_WRITTEN, type Written } from './echoes.js';
import type { ServiceKey } from './types.js';

/** A service's maps made within the burst. */
interface OwnShards {
  readonly healthy: Map<string, ShardStatus>;
  readonly unhealthy: Map<string, ShardStatus>;
}

/** The burst so far: what reducing its events one at a time would have committed. */
interface Burst {
  clusters: ClusterState['clusters'];
  /** Every service whose shards changed, with its shards now (empty: none left). */
  readonly changed: Map<ServiceKey, ServiceShards>;
  readonly own: Map<ServiceKey, OwnShards>;
  /**
   * The services that went from no shards to some, in the order they last did: committing
   * steps one at a time would have put them last in the state's map, in that order.
   */
  readonly appended: Set<ServiceKey>;
  readonly notifications: Notification[];
  readonly dirty: Set<ServiceKey>;
  all: boolean;
}

/**
 * Reduces `events` in one step: the state after them all, and the notifications of reducing
 * them one at a time (each shard-health-changed, in order), with the dirty marks coalesced and
 * told last: each service once, or 'all' once when a cluster event is among them. A shard event
 * that echoes a write of a pass still placing its service (`written`, see echoes.ts; default
 * none) marks nothing, and is told to `written` as heard.
 */
export function reduceClusterEvents(
  state: ClusterState,
  events: readonly StateEvent[],
  judge: JudgeHealth,
  written: Written = NONE_WRITTEN,
): ClusterStep {
  const burst: Burst = {
    clusters: state.clusters,
    changed: new Map(),
    own: new Map(),
    appended: new Set(),
    notifications: [],
    dirty: new Set(),
    all: false,
  };
  for (const event of events) {
    if (event.type === 'shard' || event.type === 'shard-removed') reduceShardEvent(state, burst, event, judge, written);
    else reduceClusterWide(state, burst, event, judge);
  }
  const shards = new Map<ServiceKey, ServiceShards>();
  for (const [service, split] of burst.changed) shards.set(service, { healthy: shared(split.healthy), unhealthy: shared(split.unhealthy) });
  const marks: Notification[] = burst.all
    ? [{ type: 'dirty', service: 'all' }]
    : [...burst.dirty].map((service) => ({ type: 'dirty', service }));
  return { clusters: burst.clusters, shards, notifications: [...burst.notifications, ...marks] };
}

function reduceShardEvent(
  state: ClusterState,
  burst: Burst,
  event: Extract<StateEvent, { type: 'shard' | 'shard-removed' }>,
  judge: JudgeHealth,
  written: Written,
): void {
  const ref = event.type === 'shard' ? event.shard : event;
  const service = keyOf(ref.namespace, ref.name);
  const split = burst.own.get(service) ?? ownCopy(burst.changed.get(service) ?? state.shards.get(service));
  burst.own.set(service, split);
  burst.changed.set(service, split);
  const had = shardCount(split) > 0;
  const healthy = event.type === 'shard' && judge(burst.clusters.get(ref.cluster), event.shard);
  if (healthy !== split.healthy.has(ref.cluster))
    burst.notifications.push({ type: 'shard-health-changed', service, cluster: ref.cluster, healthy });
  (healthy ? split.unhealthy : split.healthy).delete(ref.cluster);
  if (event.type === 'shard') (healthy ? split.healthy : split.unhealthy).set(ref.cluster, event.shard);
  else split.unhealthy.delete(ref.cluster);
  moved(burst, service, had, shardCount(split) > 0);
  if (event.type === 'shard-removed' || !isEcho(written, service, event.shard)) burst.dirty.add(service);
  else written.heard(service, event.shard);
}

/** A cluster event: few, so reduced alone over the burst's state so far. */
function reduceClusterWide(
  state: ClusterState,
  burst: Burst,
  event: Extract<StateEvent, { type: 'cluster' | 'cluster-removed' }>,
  judge: JudgeHealth,
): void {
  const step = reduceClusterEvent({ clusters: burst.clusters, shards: stateSoFar(state, burst) }, event, judge);
  burst.clusters = step.clusters;
  for (const [service, split] of step.shards) {
    moved(burst, service, shardCount(burst.changed.get(service) ?? state.shards.get(service)) > 0, shardCount(split) > 0);
    burst.changed.set(service, split);
    // Maps the step made may be shared ones: the next shard event copies them.
    burst.own.delete(service);
  }
  for (const notification of step.notifications) if (notification.type !== 'dirty') burst.notifications.push(notification);
  burst.all = true;
}

/** Keeps `appended` in step with the services' entries coming and going. */
function moved(burst: Burst, service: ServiceKey, had: boolean, has: boolean): void {
  if (had === has) return;
  burst.appended.delete(service);
  if (has) burst.appended.add(service);
}

/** The services' shards as committing the burst's events one at a time would hold them, in the same order. */
function stateSoFar(state: ClusterState, burst: Burst): Map<ServiceKey, ServiceShards> {
  const shards = new Map(state.shards);
  for (const [service, split] of burst.changed) {
    if (shardCount(split) === 0 || burst.appended.has(service)) shards.delete(service);
    else shards.set(service, split);
  }
  for (const service of burst.appended) shards.set(service, burst.changed.get(service)!);
  return shards;
}

/** New maps holding `split`'s shards, for the burst to change. */
const ownCopy = (split: ServiceShards | undefined): OwnShards => ({
  healthy: new Map(split?.healthy),
  unhealthy: new Map(split?.unhealthy),
});
