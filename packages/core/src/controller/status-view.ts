// A federated service's status as the controller sees it, for `status()`.
import { aggregateServiceStatus } from '../planning/status.js';
import { allShards, isHealthyIn, shardIn, type ClusterState } from './cluster-state.js';
import type { ServiceKey, ServiceStatusView } from './types.js';

export function serviceStatus(
  world: ClusterState,
  key: ServiceKey,
  ref: { namespace: string; name: string },
  held: readonly string[],
  excluded: ReadonlyMap<string, Error>,
): ServiceStatusView {
  const shards = world.shards.get(key);
  const clusters = [...world.clusters.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((cluster) => {
      const shard = shardIn(shards, cluster.name);
      return {
        cluster: cluster.name,
        health: cluster.health,
        reason: cluster.reason,
        shard: shard !== undefined,
        readyEndpoints: shard?.readyEndpoints ?? 0,
        ingress: shard?.ingress ?? [],
        healthy: isHealthyIn(shards, cluster.name),
        ...(excluded.has(cluster.name) ? { excluded: excluded.get(cluster.name)?.message } : {}),
      };
    });
  const present = allShards(shards).filter((shard) => world.clusters.has(shard.cluster));
  return {
    namespace: ref.namespace,
    name: ref.name,
    loadBalancer: aggregateServiceStatus(present).loadBalancer,
    clusters,
    failStatic: held,
  };
}
