// Where the asking pod runs. The pod's zone is its node's; the responder learns the node from the
// client subnet a forwarder passes on (EDNS Client Subnet), else from the source address when it
// is a pod's (a query sent straight here), matched against the nodes' pod CIDRs. Pure.
import type { Place } from './answer.js';
import { type Network, overlaps } from './addresses.js';
import type { ClientSubnet } from './query.js';

/** A node as placing a client needs it: its zone and region labels, its pod CIDRs. */
export interface NodePlacement {
  readonly name: string;
  readonly zone?: string;
  readonly region?: string;
  readonly podCIDRs: readonly Network[];
}

/** The cluster's nodes and what they span. */
export interface ClusterTopology {
  readonly nodes: readonly NodePlacement[];
  /** Every zone the nodes name, sorted. */
  readonly zones: readonly string[];
  /** The nodes' region, when they name exactly one. */
  readonly region?: string;
}

/** The client, as a query shows it: the subnet it carries, and the address it came from (read only when needed). */
export interface Client {
  readonly subnet?: ClientSubnet;
  readonly source?: () => Network | undefined;
}

/** The nodes' topology. */
export function clusterTopology(nodes: readonly NodePlacement[]): ClusterTopology {
  const zones = new Set<string>();
  const regions = new Set<string>();
  for (const node of nodes) {
    if (node.zone !== undefined) zones.add(node.zone);
    if (node.region !== undefined) regions.add(node.region);
  }
  return { nodes, zones: [...zones].sort(), ...(regions.size === 1 ? { region: [...regions][0]! } : {}) };
}

/**
 * The client's place and how much of its subnet that depended on (the ECS scope prefix). A
 * cluster in one zone: that zone, whoever asks. Otherwise the zone of the nodes whose pod CIDRs
 * hold the client subnet, when it is present, else the source address; when those nodes are in
 * several zones, or none is found, the zone is unknown and only the region is given: never a
 * guessed zone.
 */
export function clientPlace(client: Client, topology: ClusterTopology): { readonly place: Place; readonly scopePrefix: number } {
  const region = topology.region === undefined ? {} : { region: topology.region };
  if (topology.zones.length === 1) return { place: { zone: topology.zones[0]!, ...region }, scopePrefix: 0 };
  const subnet = client.subnet;
  const scopePrefix = subnet?.sourcePrefix ?? 0;
  if (topology.zones.length === 0) return { place: region, scopePrefix };
  const network: Network | undefined = subnet
    ? { family: subnet.family === 1 ? 4 : 6, bytes: subnet.address, prefix: subnet.sourcePrefix }
    : client.source?.();
  if (!network) return { place: region, scopePrefix };
  let zone: string | undefined;
  for (const node of topology.nodes) {
    if (!node.podCIDRs.some((cidr) => overlaps(cidr, network))) continue;
    // A node without a zone label, or a subnet spanning nodes of two zones: no one zone to give.
    if (node.zone === undefined || (zone !== undefined && zone !== node.zone)) return { place: region, scopePrefix };
    zone = node.zone;
  }
  return { place: zone === undefined ? region : { zone, ...region }, scopePrefix };
}
