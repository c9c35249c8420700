// The federation of the Federated Services guide: nginx in 13 GCE clusters, one per zone,
// with the load-balancer addresses and health of its `gcloud dns record-sets list` listing.
import type { FederatedService } from '../placement/placement.js';
import type { Cluster, Federation, ServiceRef, Shard } from '../types.js';

export const guideFederation: Federation = { name: 'myfederation', domain: 'example.com' };
export const guideService: ServiceRef = { namespace: 'mynamespace', name: 'nginx' };

export const guideZones = [
  'asia-east1-a',
  'asia-east1-b',
  'asia-east1-c',
  'europe-west1-b',
  'europe-west1-c',
  'europe-west1-d',
  'us-central1-a',
  'us-central1-b',
  'us-central1-c',
  'us-central1-f',
  'us-east1-b',
  'us-east1-c',
  'us-east1-d',
] as const;

/** The shards the guide shows healthy, by zone. Every other zone has none. */
export const guideHealthyAddresses: Readonly<Record<string, string>> = {
  'us-central1-a': '104.197.247.191',
  'us-central1-b': '104.197.244.180',
  'us-central1-c': '104.197.245.170',
  'asia-east1-a': '130.211.57.243',
  'asia-east1-c': '130.211.56.221',
  'us-east1-b': '104.197.246.190',
  'us-east1-c': '104.196.14.231',
  'us-east1-d': '104.199.136.89',
};

export const regionOfZone = (zone: string): string => zone.slice(0, zone.lastIndexOf('-'));
export const guideClusterName = (zone: string): string => `gce-${zone}`;

export const guideClusters: readonly Cluster[] = guideZones.map((zone) => ({
  name: guideClusterName(zone),
  zones: [zone],
  region: regionOfZone(zone),
  ready: true,
}));

/** Each zone's load-balancer address: the guide's where it shows one, a documentation address elsewhere. */
export const guideLoadBalancerAddresses: Readonly<Record<string, string>> = Object.fromEntries(
  guideZones.map((zone, i) => [zone, guideHealthyAddresses[zone] ?? `203.0.113.${i + 1}`]),
);

/**
 * Every cluster holds a shard; those in zones without a healthy one have a load-balancer
 * address but no ready endpoint, as in the guide before pods started there.
 */
export const guideShards: readonly Shard[] = guideZones.map((zone) => ({
  cluster: guideClusterName(zone),
  addresses: [guideLoadBalancerAddresses[zone]!],
  readyEndpoints: zone in guideHealthyAddresses ? 1 : 0,
}));

/** The guide's `services/nginx.yaml`. */
export const guideNginx: FederatedService = {
  manifest: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'nginx', namespace: 'mynamespace', labels: { run: 'nginx' } },
    spec: { type: 'LoadBalancer', selector: { run: 'nginx' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  },
};
