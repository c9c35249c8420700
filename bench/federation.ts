// The synthetic federations the benchmarks plan: 100 clusters in 20 regions × 5 zones (or the
// guide's 13), services with one shard per cluster, health and addresses derived from the
// indices so that every run plans the same thing.
import type { Cluster, FederationPlanInput, Shard } from '@fedsvc/core';
import { guideClusters } from '@fedsvc/core/testing';

/** `count` clusters, one per zone, five zones per region. */
export function clustersOf(count: number): Cluster[] {
  return Array.from({ length: count }, (_, i) => {
    const region = `region${Math.floor(i / 5)}`;
    const zone = `${region}-${'abcde'[i % 5]}`;
    return { name: `${zone}-cluster`, zones: [zone], region, ready: true };
  });
}

export const hundredClusters: Cluster[] = clustersOf(100);

export function shardsOf(service: number, clusters: readonly Cluster[], unhealthy: ReadonlySet<string> = new Set()): Shard[] {
  return clusters.map((cluster, c) => {
    const n = ((service * 131 + c) * 2654435761) % 2 ** 32;
    const down = (n % 10 === 0) !== unhealthy.has(`${service}/${c}`);
    return {
      cluster: cluster.name,
      addresses: [address(service * 512 + c)],
      // A small integer, as the Kubernetes adapter counts it: `n` is a double, and a weighted
      // member holding a double weight boxes it (16 bytes more per member).
      readyEndpoints: down ? 0 : 1 + ((n % 3) | 0),
    };
  });
}

/** A distinct address in 10.0.0.0/8 for each index below 2^24. */
export function address(index: number): string {
  return `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
}

/** `flipped` holds `service/clusterIndex` pairs whose shard health is the opposite of the default. */
export function federation(
  services: number,
  clusters: readonly Cluster[] = hundredClusters,
  flipped: ReadonlySet<string> = new Set(),
): FederationPlanInput {
  return {
    federation: { name: 'fed', domain: 'example.com' },
    clusters,
    services: Array.from({ length: services }, (_, s) => ({
      service: { namespace: `ns${s % 50}`, name: `svc${s}` },
      shards: shardsOf(s, clusters, flipped),
    })),
  };
}

/** 1% of shards, spread over services and clusters. */
export function onePercent(services: number, clusters: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < (services * clusters) / 100; i++) out.add(`${(i * 7919) % services}/${(i * 31) % clusters}`);
  return out;
}

export { guideClusters };
