// What the member clusters have said: their status and every shard, each judged healthy or
// not. A pure reducer over ClusterEvents: it returns what changed and what to tell, and the
// controller emits and schedules. It returns the services whose shards changed rather than a
// whole new state, since a start-up lists services × clusters shards, and copying every
// service's entry for each would be quadratic.
import type { ClusterEvent, ClusterStatus, ShardStatus } from '../types.js';
import type { ServiceKey } from './types.js';

export const keyOf = (namespace: string, name: string): ServiceKey => `${namespace}/${name}`;

/**
 * A service's shards by cluster, split by health as last judged: shard-health-changed is told
 * exactly when a shard moves from one to the other. No object per shard: a controller holds
 * services × clusters of them. A cluster is in one of the two at most.
 */
export interface ServiceShards {
  readonly healthy: ReadonlyMap<string, ShardStatus>;
  readonly unhealthy: ReadonlyMap<string, ShardStatus>;
}

/** No shards: shared, so that a service whose shards are all healthy (or none) holds no empty map of its own. */
const NONE: ReadonlyMap<string, ShardStatus> = new Map();

/** The service's shard in `cluster`, healthy or not. */
export const shardIn = (shards: ServiceShards | undefined, cluster: string): ShardStatus | undefined =>
  shards?.healthy.get(cluster) ?? shards?.unhealthy.get(cluster);

/** Whether the service's shard in `cluster` was last judged healthy (false: none there). */
export const isHealthyIn = (shards: ServiceShards | undefined, cluster: string): boolean => shards?.healthy.has(cluster) === true;

/** Every shard of the service, the healthy first. */
export const allShards = (shards: ServiceShards | undefined): ShardStatus[] =>
  shards ? [...shards.healthy.values(), ...shards.unhealthy.values()] : [];

/** How many shards the service has. */
export const shardCount = (shards: ServiceShards | undefined): number => (shards ? shards.healthy.size + shards.unhealthy.size : 0);

export interface ClusterState {
  readonly clusters: ReadonlyMap<string, ClusterStatus>;
  /** Per service. A service has no entry without shards. */
  readonly shards: ReadonlyMap<ServiceKey, ServiceShards>;
}

export type Notification =
  | { readonly type: 'cluster-ready'; readonly cluster: string }
  | { readonly type: 'cluster-offline'; readonly cluster: string; readonly reason?: string }
  | { readonly type: 'shard-health-changed'; readonly service: ServiceKey; readonly cluster: string; readonly healthy: boolean }
  /** The services to plan again: one, or every one the controller knows. */
  | { readonly type: 'dirty'; readonly service: ServiceKey | 'all' };

export interface ClusterStep {
  /** The clusters after the event (the same map when they did not change). */
  readonly clusters: ReadonlyMap<string, ClusterStatus>;
  /** The services whose shards changed, each with all its shards after the event (empty: none left). */
  readonly shards: ReadonlyMap<ServiceKey, ServiceShards>;
  readonly notifications: readonly Notification[];
}

/** Whether a shard serves, its cluster's status as known (undefined: the cluster is not). */
export type JudgeHealth = (cluster: ClusterStatus | undefined, shard: ShardStatus) => boolean;

export type StateEvent = Extract<ClusterEvent, { type: 'cluster' | 'cluster-removed' | 'shard' | 'shard-removed' }>;

export function reduceClusterEvent(state: ClusterState, event: StateEvent, judge: JudgeHealth): ClusterStep {
  switch (event.type) {
    case 'cluster': {
      const { cluster } = event;
      const before = state.clusters.get(cluster.name)?.health;
      const clusters = new Map(state.clusters).set(cluster.name, cluster);
      const notifications: Notification[] = [];
      if (cluster.health === 'Ready' && before !== 'Ready') notifications.push({ type: 'cluster-ready', cluster: cluster.name });
      if (cluster.health === 'Offline' && before !== 'Offline')
        notifications.push({ type: 'cluster-offline', cluster: cluster.name, reason: cluster.reason });
      const step = judgeAll({ clusters, shards: state.shards }, judge, { cluster: cluster.name });
      return { clusters, shards: step.shards, notifications: [...notifications, ...step.notifications, { type: 'dirty', service: 'all' }] };
    }
    case 'cluster-removed': {
      const clusters = new Map(state.clusters);
      clusters.delete(event.name);
      const shards = new Map<ServiceKey, ServiceShards>();
      const notifications: Notification[] = [];
      for (const [service, split] of state.shards) {
        const wasHealthy = split.healthy.has(event.name);
        if (!wasHealthy && !split.unhealthy.has(event.name)) continue;
        shards.set(service, { healthy: without(split.healthy, event.name), unhealthy: without(split.unhealthy, event.name) });
        if (wasHealthy) notifications.push({ type: 'shard-health-changed', service, cluster: event.name, healthy: false });
      }
      return { clusters, shards, notifications: [...notifications, { type: 'dirty', service: 'all' }] };
    }
    case 'shard':
    case 'shard-removed': {
      const ref = event.type === 'shard' ? event.shard : event;
      const service = keyOf(ref.namespace, ref.name);
      const split = state.shards.get(service) ?? { healthy: NONE, unhealthy: NONE };
      const wasHealthy = split.healthy.has(ref.cluster);
      let healthy = false;
      let after: ServiceShards;
      if (event.type === 'shard') {
        healthy = judge(state.clusters.get(ref.cluster), event.shard);
        after = healthy
          ? { healthy: new Map(split.healthy).set(ref.cluster, event.shard), unhealthy: without(split.unhealthy, ref.cluster) }
          : { healthy: without(split.healthy, ref.cluster), unhealthy: new Map(split.unhealthy).set(ref.cluster, event.shard) };
      } else {
        after = { healthy: without(split.healthy, ref.cluster), unhealthy: without(split.unhealthy, ref.cluster) };
      }
      const notifications: Notification[] = [];
      if (healthy !== wasHealthy) notifications.push({ type: 'shard-health-changed', service, cluster: ref.cluster, healthy });
      notifications.push({ type: 'dirty', service });
      return { clusters: state.clusters, shards: new Map([[service, after]]), notifications };
    }
  }
}

/** Which shards {@link judgeAll} judges again: those of one cluster, or of some services; all by default. */
export interface JudgeScope {
  readonly cluster?: string;
  readonly services?: Iterable<ServiceKey>;
}

/**
 * Judges the shards again, for when what health depends on changed outside the events: a
 * cluster's status (its shards), or load-balancer hostnames resolved for a pass (its services').
 */
export function judgeAll(state: ClusterState, judge: JudgeHealth, scope: JudgeScope = {}): ClusterStep {
  const shards = new Map<ServiceKey, ServiceShards>();
  const notifications: Notification[] = [];
  const only = scope.cluster;
  for (const service of scope.services ?? state.shards.keys()) {
    const split = state.shards.get(service);
    if (split === undefined) continue;
    // Copied on the first flip; each loop reads the maps as given, so a shard moved is not judged twice.
    let healthy: Map<string, ShardStatus> | undefined;
    let unhealthy: Map<string, ShardStatus> | undefined;
    for (const [cluster, status] of entriesOf(split.healthy, only)) {
      if (judge(state.clusters.get(cluster), status)) continue;
      (healthy ??= new Map(split.healthy)).delete(cluster);
      (unhealthy ??= new Map(split.unhealthy)).set(cluster, status);
      notifications.push({ type: 'shard-health-changed', service, cluster, healthy: false });
    }
    for (const [cluster, status] of entriesOf(split.unhealthy, only)) {
      if (!judge(state.clusters.get(cluster), status)) continue;
      (unhealthy ??= new Map(split.unhealthy)).delete(cluster);
      (healthy ??= new Map(split.healthy)).set(cluster, status);
      notifications.push({ type: 'shard-health-changed', service, cluster, healthy: true });
    }
    if (healthy || unhealthy)
      shards.set(service, { healthy: shared(healthy ?? split.healthy), unhealthy: shared(unhealthy ?? split.unhealthy) });
  }
  return { clusters: state.clusters, shards, notifications };
}

/** The entries of `map`, or only that of `cluster` when given. */
const entriesOf = (map: ReadonlyMap<string, ShardStatus>, cluster: string | undefined): Iterable<readonly [string, ShardStatus]> => {
  if (cluster === undefined) return map;
  const status = map.get(cluster);
  return status ? [[cluster, status]] : [];
};

/** `map` without `cluster`: the same map when it has none there. */
function without(map: ReadonlyMap<string, ShardStatus>, cluster: string): ReadonlyMap<string, ShardStatus> {
  if (!map.has(cluster)) return map;
  const rest = new Map(map);
  rest.delete(cluster);
  return shared(rest);
}

/** An empty map as the shared one. */
export const shared = (map: ReadonlyMap<string, ShardStatus>): ReadonlyMap<string, ShardStatus> => (map.size === 0 ? NONE : map);

/** The clusters' state as the controller holds it: brought up to date step by step (commitClusterStep). */
export interface HeldClusterState extends ClusterState {
  clusters: ReadonlyMap<string, ClusterStatus>;
  readonly shards: Map<ServiceKey, ServiceShards>;
}

/** Nothing heard from the clusters yet. */
export const emptyClusterState = (): HeldClusterState => ({ clusters: new Map(), shards: new Map() });

/** Makes `state` the state after `step`. */
export function commitClusterStep(state: HeldClusterState, step: ClusterStep): void {
  state.clusters = step.clusters;
  for (const [service, split] of step.shards) {
    if (shardCount(split) === 0) state.shards.delete(service);
    else state.shards.set(service, split);
  }
}
