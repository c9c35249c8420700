// A federated service's status as the controller sees it, for `status()`.
import { aggregateServiceStatus } from '../planning/status.js';
import type { ClusterState } from './cluster-state.js';
import type { ServiceKey, ServiceStatusView } from './types.js';

export function serviceStatus(
  world: ClusterState,
  key: ServiceKey,
  ref: { namespace: string; name: string },
  held: readonly string[],
): ServiceStatusView {
  const shards = world.shards.get(key) ?? new Map();
  const clusters = [...world.clusters.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((cluster) => {
      const shard = shards.get(cluster.name);
      return {
        cluster: cluster.name,
        health: cluster.health,
        reason: cluster.reason,
        shard: shard !== undefined,
        readyEndpoints: shard?.status.readyEndpoints ?? 0,
        ingress: shard?.status.ingress ?? [],
        healthy: shard?.healthy === true,
      };
    });
  const present = [...shards.values()].map((shard) => shard.status).filter((shard) => world.clusters.has(shard.cluster));
  return {
    namespace: ref.namespace,
    name: ref.name,
    loadBalancer: aggregateServiceStatus(present).loadBalancer,
    clusters,
    failStatic: held,
  };
}
