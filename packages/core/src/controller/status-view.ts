// A federated service's status as the controller sees it, for `status()`.
import { aggregateServiceStatus } from '../planning/status.js';
import { allShards, isHealthyIn, shardIn, type ClusterState } from './cluster-state.js';
import { publicAddress } from '../dns/addresses.js';
import { isDns1123Subdomain, normalizeName } from '../dns/names.js';
import { createdBy } from '../placement/manifest.js';
import type { LoadBalancerIngress, ShardStatus } from '../types.js';
import type { ServiceRecord } from './services.js';
import type { RefusedAddress, ServiceKey, ServiceStatusView } from './types.js';

export function serviceStatus(
  world: ClusterState,
  key: ServiceKey,
  ref: { namespace: string; name: string },
  record: ServiceRecord | undefined,
  ownerId: string,
  excluded: ReadonlyMap<string, Error>,
  refused: (shard: ShardStatus) => readonly RefusedAddress[],
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
        ...(shard ? { origin: createdBy(shard.manifest, ownerId) ? ('created' as const) : ('adopted' as const) } : {}),
        readyEndpoints: shard?.readyEndpoints ?? 0,
        ingress: shard?.ingress ?? [],
        healthy: isHealthyIn(shards, cluster.name),
        refusedAddresses: shard ? refused(shard) : [],
        ...(excluded.has(cluster.name) ? { excluded: excluded.get(cluster.name)?.message } : {}),
      };
    });
  // The union holds what DNS may carry: an unusable address is shown in its cluster's view only.
  const present = allShards(shards)
    .filter((shard) => world.clusters.has(shard.cluster))
    .map((shard) => ({ ...shard, ingress: shard.ingress.filter(usable) }));
  return {
    namespace: ref.namespace,
    name: ref.name,
    loadBalancer: aggregateServiceStatus(present).loadBalancer,
    clusters,
    failStatic: record?.held ?? [],
    dns: record?.dns ?? { state: 'pending', names: [] },
    ...(record?.deleting
      ? { deleting: { waitingFor: clusters.filter((cluster) => cluster.health === 'Offline').map((cluster) => cluster.cluster) } }
      : {}),
  };
}

const usable = (entry: LoadBalancerIngress): boolean =>
  (entry.ip === undefined || typeof publicAddress(entry.ip) !== 'string') &&
  (entry.hostname === undefined || (typeof entry.hostname === 'string' && isDns1123Subdomain(normalizeName(entry.hostname).slice(0, -1))));
