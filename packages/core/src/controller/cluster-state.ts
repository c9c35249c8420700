// What the member clusters have said: their status and every shard, each judged healthy or
// not. A pure reducer over ClusterEvents: it returns what changed and what to tell, and the
// controller emits and schedules. It returns the services whose shards changed rather than a
// whole new state, since a start-up lists services × clusters shards, and copying every
// service's entry for each would be quadratic.
import type { ClusterEvent, ClusterStatus, ShardStatus } from '../types.js';
import type { ServiceKey } from './types.js';

export const keyOf = (namespace: string, name: string): ServiceKey => `${namespace}/${name}`;

export interface JudgedShard {
  readonly status: ShardStatus;
  /** As last judged: shard-health-changed is told exactly when this flips. */
  readonly healthy: boolean;
}

export interface ClusterState {
  readonly clusters: ReadonlyMap<string, ClusterStatus>;
  /** Per service, per cluster. A service has no entry without shards. */
  readonly shards: ReadonlyMap<ServiceKey, ReadonlyMap<string, JudgedShard>>;
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
  readonly shards: ReadonlyMap<ServiceKey, ReadonlyMap<string, JudgedShard>>;
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
      const step = judgeAll({ clusters, shards: state.shards }, judge, cluster.name);
      return { clusters, shards: step.shards, notifications: [...notifications, ...step.notifications, { type: 'dirty', service: 'all' }] };
    }
    case 'cluster-removed': {
      const clusters = new Map(state.clusters);
      clusters.delete(event.name);
      const shards = new Map<ServiceKey, ReadonlyMap<string, JudgedShard>>();
      const notifications: Notification[] = [];
      for (const [service, byCluster] of state.shards) {
        const shard = byCluster.get(event.name);
        if (!shard) continue;
        const rest = new Map(byCluster);
        rest.delete(event.name);
        shards.set(service, rest);
        if (shard.healthy) notifications.push({ type: 'shard-health-changed', service, cluster: event.name, healthy: false });
      }
      return { clusters, shards, notifications: [...notifications, { type: 'dirty', service: 'all' }] };
    }
    case 'shard':
    case 'shard-removed': {
      const ref = event.type === 'shard' ? event.shard : event;
      const service = keyOf(ref.namespace, ref.name);
      const byCluster = new Map(state.shards.get(service));
      const wasHealthy = byCluster.get(ref.cluster)?.healthy === true;
      let healthy = false;
      if (event.type === 'shard') {
        healthy = judge(state.clusters.get(ref.cluster), event.shard);
        byCluster.set(ref.cluster, { status: event.shard, healthy });
      } else {
        byCluster.delete(ref.cluster);
      }
      const notifications: Notification[] = [];
      if (healthy !== wasHealthy) notifications.push({ type: 'shard-health-changed', service, cluster: ref.cluster, healthy });
      notifications.push({ type: 'dirty', service });
      return { clusters: state.clusters, shards: new Map([[service, byCluster]]), notifications };
    }
  }
}

/**
 * Judges the shards again (of one cluster, or all), for when what health depends on changed
 * outside the events: a cluster's status, or a load-balancer hostname's resolved addresses.
 */
export function judgeAll(state: ClusterState, judge: JudgeHealth, only?: string): ClusterStep {
  const shards = new Map<ServiceKey, ReadonlyMap<string, JudgedShard>>();
  const notifications: Notification[] = [];
  for (const [service, byCluster] of state.shards) {
    let changed: Map<string, JudgedShard> | undefined;
    for (const [cluster, shard] of byCluster) {
      if (only !== undefined && cluster !== only) continue;
      const healthy = judge(state.clusters.get(cluster), shard.status);
      if (healthy === shard.healthy) continue;
      (changed ??= new Map(byCluster)).set(cluster, { status: shard.status, healthy });
      notifications.push({ type: 'shard-health-changed', service, cluster, healthy });
    }
    if (changed) shards.set(service, changed);
  }
  return { clusters: state.clusters, shards, notifications };
}

/** The clusters' state as the controller holds it: brought up to date step by step (commitClusterStep). */
export interface HeldClusterState extends ClusterState {
  clusters: ReadonlyMap<string, ClusterStatus>;
  readonly shards: Map<ServiceKey, ReadonlyMap<string, JudgedShard>>;
}

/** Nothing heard from the clusters yet. */
export const emptyClusterState = (): HeldClusterState => ({ clusters: new Map(), shards: new Map() });

/** Makes `state` the state after `step`. */
export function commitClusterStep(state: HeldClusterState, step: ClusterStep): void {
  state.clusters = step.clusters;
  for (const [service, byCluster] of step.shards) {
    if (byCluster.size === 0) state.shards.delete(service);
    else state.shards.set(service, byCluster);
  }
}
