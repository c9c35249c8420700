// The DNS contract (DESIGN.md): zone → region → global, A/AAAA where healthy addresses exist,
// CNAME one level up where none do, nothing at all where none exist anywhere.
import type { Address } from './addresses.js';
import { ValidationError } from './errors.js';
import { MAX_RECORD_NAME_LENGTH, serviceNames, type ServiceNames } from './names.js';
import type { Cluster, Federation, FederationPlanInput, RecordSet, ServicePlanInput, ServiceRef } from './types.js';
import {
  label, list, record, validateFederation, validateService, validateShards, validateTopology,
  type Topology, type ValidService, type ValidShard,
} from './validate.js';

/** Ready cluster, at least one ready endpoint, at least one load-balancer address. */
export function isShardHealthy(
  cluster: Pick<Cluster, 'ready'> | undefined,
  shard: { readonly addresses: readonly unknown[]; readonly readyEndpoints: number },
): boolean {
  return cluster?.ready === true && shard.readyEndpoints > 0 && shard.addresses.length > 0;
}

export function planServiceRecords(input: ServicePlanInput): RecordSet[] {
  const root = record(input, 'input');
  const topology = validateTopology(validateFederation(root['federation']), root['clusters']);
  const service = validateService(root['service'], 'service', topology);
  return plan(topology, service, validateShards(root['shards'], 'shards', topology));
}

/** Plans many services over one set of clusters; the topology is validated once. */
export function planFederation(input: FederationPlanInput): RecordSet[] {
  const root = record(input, 'input');
  const topology = validateTopology(validateFederation(root['federation']), root['clusters']);
  const seen = new Set<string>();
  const out: RecordSet[] = [];
  list(root['services'], 'services').forEach((item, i) => {
    const entry = record(item, `services[${i}]`);
    const service = validateService(entry['service'], `services[${i}].service`, topology);
    const key = `${service.namespace}/${service.name}`;
    if (seen.has(key)) throw new ValidationError(`services[${i}].service`, key, 'duplicate service');
    seen.add(key);
    for (const set of plan(topology, service, validateShards(entry['shards'], `services[${i}].shards`, topology))) out.push(set);
  });
  return out;
}

function plan(topology: Topology, service: ValidService, shards: readonly ValidShard[]): RecordSet[] {
  const global: Address[] = [];
  const byRegion = new Map<string, Address[]>();
  const byZone = new Map<string, Address[]>();
  for (const shard of shards) {
    if (!isShardHealthy(shard.cluster, shard)) continue;
    const { region, zones } = shard.cluster;
    for (const address of shard.addresses) {
      global.push(address);
      append(byRegion, region, address);
      // Defect 5 of the original: a multi-zone cluster counts in every zone it spans.
      for (const zone of zones) append(byZone, zone, address);
    }
  }
  // Defect: a chain of CNAMEs with no address at its end. No healthy shard, no records.
  if (global.length === 0) return [];

  const names = serviceNames(topology.federation, service);
  const { ttl } = service;
  const out: RecordSet[] = [];
  addressSets(out, names.global, ttl, global);
  for (const region of topology.regions) {
    const regionName = names.region(region);
    const regionAddresses = byRegion.get(region);
    if (regionAddresses) addressSets(out, regionName, ttl, regionAddresses);
    else out.push({ name: regionName, type: 'CNAME', ttl, rrdatas: [names.global] });
    for (const zone of topology.zonesByRegion.get(region) ?? []) {
      const zoneName = names.zone(zone, region);
      const zoneAddresses = byZone.get(zone);
      if (zoneAddresses) addressSets(out, zoneName, ttl, zoneAddresses);
      else out.push({ name: zoneName, type: 'CNAME', ttl, rrdatas: [regionName] });
    }
  }
  return out;
}

function append(map: Map<string, Address[]>, key: string, address: Address): void {
  const found = map.get(key);
  if (found) found.push(address);
  else map.set(key, [address]);
}

/** A and/or AAAA sets holding the addresses once each (defect 4: Route 53 rejects duplicates), in numeric order. */
function addressSets(out: RecordSet[], name: string, ttl: number, addresses: readonly Address[]): void {
  if (addresses.length === 1) {
    // Most zones have one shard; skip the copy and sort.
    const [only] = addresses as [Address];
    out.push({ name, type: only.family === 4 ? 'A' : 'AAAA', ttl, rrdatas: [only.text] });
    return;
  }
  const sorted = [...addresses].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const v4: string[] = [];
  const v6: string[] = [];
  let previous: Address | undefined;
  for (const address of sorted) {
    if (previous?.key === address.key) continue;
    previous = address;
    (address.family === 4 ? v4 : v6).push(address.text);
  }
  if (v4.length > 0) out.push({ name, type: 'A', ttl, rrdatas: v4 });
  if (v6.length > 0) out.push({ name, type: 'AAAA', ttl, rrdatas: v6 });
}

/** The record names of one service, for callers that build or look up names themselves. */
export function recordNames(federation: Federation, service: ServiceRef): ServiceNames {
  const valid = validateFederation(federation);
  const names = serviceNames(valid, validateService(service, 'service', validateTopology(valid, [])));
  const checked = (name: string, field: string, value: string): string => {
    if (name.length - 1 > MAX_RECORD_NAME_LENGTH) {
      throw new ValidationError(field, value, `makes a record name of ${name.length - 1} characters; the limit is ${MAX_RECORD_NAME_LENGTH}`);
    }
    return name;
  };
  return {
    global: names.global,
    region: (region) => checked(names.region(label(region, 'region', 'DNS-1123')), 'region', region),
    zone: (zone, region) => checked(
      names.zone(label(zone, 'zone', 'DNS-1123'), label(region, 'region', 'DNS-1123')), 'zone', zone),
  };
}
