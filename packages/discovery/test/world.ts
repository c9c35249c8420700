// A responder on loopback answering from a cluster given as wire objects, without an API server.
import { type JsonObject, endpointSlice, service } from '@fedsvc/kubernetes/testing';
import { type DiscoveryConfig, makeCatalog } from '../src/catalog.js';
import { ClusterState } from '../src/cluster.js';
import { cachedResponder, type Outcome } from '../src/responder.js';
import { type DnsServer, startDnsServer } from '../src/server.js';

export const FEDERATION = { name: 'myfederation', domain: 'example.com' };
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const REGION_LABEL = 'topology.kubernetes.io/region';

export interface Objects {
  readonly services?: readonly JsonObject[];
  readonly endpointSlices?: readonly JsonObject[];
  readonly nodes?: readonly JsonObject[];
}

export const node = (name: string, zone: string, podCIDRs: string[], region = 'us-central1'): JsonObject => ({
  metadata: { name, labels: { [ZONE_LABEL]: zone, [REGION_LABEL]: region } },
  spec: { podCIDRs },
});

/** A ClusterIP Service with the given cluster IPs. */
export const clusterIPService = (namespace: string, name: string, clusterIPs: string[]): JsonObject =>
  service(namespace, name, { type: 'ClusterIP', clusterIP: clusterIPs[0]!, clusterIPs });

/** A headless Service. */
export const headlessService = (namespace: string, name: string): JsonObject =>
  service(namespace, name, { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] });

/** An EndpointSlice with these ready addresses (and `notReady` more that are not). */
export function slice(namespace: string, serviceName: string, name: string, ready: string[], notReady: string[] = []): JsonObject {
  const base = endpointSlice(namespace, serviceName, name, 0);
  const family = [...ready, ...notReady].some((a) => a.includes(':')) ? 'IPv6' : 'IPv4';
  return {
    ...base,
    addressType: family,
    endpoints: [
      ...ready.map((a) => ({ addresses: [a], conditions: { ready: true } })),
      ...notReady.map((a) => ({ addresses: [a], conditions: { ready: false } })),
    ],
  };
}

export function clusterOf(config: DiscoveryConfig, objects: Objects) {
  const catalog = makeCatalog(config);
  const reported: Error[] = [];
  const cluster = new ClusterState(catalog, (error) => reported.push(error));
  cluster.services.replace(objects.services ?? []);
  cluster.endpointSlices.replace(objects.endpointSlices ?? []);
  cluster.nodes.replace(objects.nodes ?? []);
  return { catalog, cluster, reported };
}

/** The responder's DNS server on 127.0.0.1, any free port; `outcomes` collects every query's outcome. */
export async function startWorld(
  config: DiscoveryConfig,
  objects: Objects,
): Promise<{ server: DnsServer; outcomes: Outcome['kind'][]; dropped: string[] } & ReturnType<typeof clusterOf>> {
  const world = clusterOf(config, objects);
  const outcomes: Outcome['kind'][] = [];
  const dropped: string[] = [];
  const respond = cachedResponder(world.catalog, world.cluster);
  const server = await startDnsServer(
    '127.0.0.1',
    0,
    (wire, udp, address) => {
      const outcome = respond(wire, udp, address);
      outcomes.push(outcome.kind);
      if (outcome.kind === 'dropped') {
        dropped.push(outcome.reason);
        return undefined;
      }
      return outcome.reply;
    },
    () => {},
  );
  return { ...world, server, outcomes, dropped };
}
