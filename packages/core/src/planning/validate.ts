// Validation at the planner's boundary. Everything past here trusts its input: names are
// well-formed labels, addresses canonical, references resolved.
import { publicAddress, type Address } from '../dns/addresses.js';
import { ValidationError } from '../errors.js';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, MAX_RECORD_NAME_LENGTH } from '../dns/names.js';
import { DEFAULT_TTL, isTtl, MAX_TTL } from '../dns/ttl.js';
import type { TrafficPolicy, ZoneNameFormat } from '../types.js';
import { ALL_POLICY, validateTrafficPolicy } from './traffic-policy.js';

export interface ValidFederation {
  readonly name: string;
  /** Lower-case, with the trailing dot. */
  readonly domain: string;
  readonly ttl: number;
  readonly zoneNameFormat: ZoneNameFormat;
  readonly trafficPolicy: TrafficPolicy;
}

export interface ValidCluster {
  readonly name: string;
  /** Unique, sorted. */
  readonly zones: readonly string[];
  readonly region: string;
  readonly ready: boolean;
}

/** The member clusters, checked against each other: what every service of a federation shares. */
export interface Topology {
  readonly federation: ValidFederation;
  readonly clusters: ReadonlyMap<string, ValidCluster>;
  /** Sorted. */
  readonly regions: readonly string[];
  /** Sorted zones of each region. */
  readonly zonesByRegion: ReadonlyMap<string, readonly string[]>;
  /** Length of the longest zone- or region-level name less its `<service>.<namespace>.` part. */
  readonly longestSuffix: number;
}

export interface ValidService {
  readonly namespace: string;
  readonly name: string;
  readonly ttl: number;
  /** The service's own, or else the federation's. */
  readonly trafficPolicy: TrafficPolicy;
  /** Where `trafficPolicy` came from, for messages: `<service field>.trafficPolicy` or `federation.trafficPolicy`. */
  readonly trafficPolicyField: string;
}

export interface ValidShard {
  readonly cluster: ValidCluster;
  readonly addresses: readonly Address[];
  /** Lower-case FQDNs with the trailing dot. */
  readonly hostnames: readonly string[];
  /** What `hostnames` resolve to, for a routed global name; empty without hostnames. */
  readonly hostnameAddresses: readonly Address[];
  readonly readyEndpoints: number;
  /** Its own record data by type, made on first use in one plan (see shardRdatas in targets.ts). */
  own: ShardRdatas | undefined;
}

/** A shard's own record data of each type a routed set may have; `undefined` until made. */
export interface ShardRdatas {
  A: readonly string[] | undefined;
  AAAA: readonly string[] | undefined;
}

const NO_HOSTNAMES: readonly string[] = Object.freeze([]);
const NO_ADDRESSES: readonly Address[] = Object.freeze([]);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function record(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) {
    throw new ValidationError(field, value, 'must be an object');
  }
  return value as Record<string, unknown>;
}

export function list(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new ValidationError(field, value, 'must be an array');
  return value;
}

export function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ValidationError(field, value, 'must be a string');
  return value;
}

export function label(value: unknown, field: string, kind: 'DNS-1123' | 'DNS-1035'): string {
  const s = text(value, field);
  const ok = kind === 'DNS-1123' ? isDns1123Label(s) : isDns1035Label(s);
  if (!ok) {
    const rule =
      kind === 'DNS-1123'
        ? 'lower-case letters, digits and "-", starting and ending with a letter or digit'
        : 'lower-case letters, digits and "-", starting with a letter and ending with a letter or digit';
    throw new ValidationError(field, value, `must be a ${kind} label of at most 63 characters: ${rule}`);
  }
  return s;
}

function ttl(value: unknown, field: string): number {
  if (!isTtl(value)) {
    throw new ValidationError(field, value, `must be an integer number of seconds from 0 to ${MAX_TTL}`);
  }
  return value;
}

/**
 * Lower case for DNS names, which are ASCII: a name with anything else is left as is, to be
 * refused, since `toLowerCase` turns some non-ASCII letters into ASCII ones (K, U+212A KELVIN
 * SIGN, becomes k) and would move records to another domain.
 */
const asciiLowerCase = (value: string): string => (/[^\x00-\x7f]/.test(value) ? value : value.toLowerCase());

export function validateFederation(value: unknown, field = 'federation'): ValidFederation {
  const input = record(value, field);
  const name = label(input['name'], `${field}.name`, 'DNS-1123');
  const rawDomain = text(input['domain'], `${field}.domain`);
  const bare = asciiLowerCase(rawDomain.endsWith('.') ? rawDomain.slice(0, -1) : rawDomain);
  if (!isDns1123Subdomain(bare)) {
    throw new ValidationError(
      `${field}.domain`,
      rawDomain,
      'must be a DNS-1123 subdomain (dot-separated DNS-1123 labels, at most 253 characters)',
    );
  }
  const format = input['zoneNameFormat'] ?? 'zone';
  if (format !== 'zone' && format !== 'zone.region') {
    throw new ValidationError(`${field}.zoneNameFormat`, format, 'must be "zone" or "zone.region"');
  }
  return {
    name,
    domain: `${bare}.`,
    ttl: input['ttl'] === undefined ? DEFAULT_TTL : ttl(input['ttl'], `${field}.ttl`),
    zoneNameFormat: format,
    trafficPolicy:
      input['trafficPolicy'] === undefined ? ALL_POLICY : validateTrafficPolicy(input['trafficPolicy'], `${field}.trafficPolicy`),
  };
}

export function validateCluster(value: unknown, field: string): ValidCluster {
  const input = record(value, field);
  const name = text(input['name'], `${field}.name`);
  // Cluster names never reach DNS; they are kubeconfig context names (`gke_project_zone_name`).
  if (name.length === 0 || name.length > 253 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new ValidationError(`${field}.name`, name, 'must be 1 to 253 printable characters');
  }
  const zones = list(input['zones'], `${field}.zones`);
  if (zones.length === 0) throw new ValidationError(`${field}.zones`, zones, 'must name at least one zone');
  const unique = new Set(zones.map((zone, i) => label(zone, `${field}.zones[${i}]`, 'DNS-1123')));
  const region = label(input['region'], `${field}.region`, 'DNS-1123');
  const ready = input['ready'];
  if (typeof ready !== 'boolean') throw new ValidationError(`${field}.ready`, ready, 'must be a boolean');
  return { name, zones: [...unique].sort(), region, ready };
}

export function validateTopology(federation: ValidFederation, value: unknown, field = 'clusters'): Topology {
  const clusters = new Map<string, ValidCluster>();
  const regionOfZone = new Map<string, { region: string; field: string }>();
  list(value, field).forEach((item, i) => {
    const cluster = validateCluster(item, `${field}[${i}]`);
    if (clusters.has(cluster.name)) {
      throw new ValidationError(`${field}[${i}].name`, cluster.name, 'duplicate cluster name');
    }
    clusters.set(cluster.name, cluster);
    for (const zone of cluster.zones) {
      const claimed = regionOfZone.get(zone);
      if (claimed && claimed.region !== cluster.region) {
        throw new ValidationError(
          `${field}[${i}].zones`,
          zone,
          `zone is in region "${claimed.region}" at ${claimed.field} but in region "${cluster.region}" here`,
        );
      }
      regionOfZone.set(zone, { region: cluster.region, field: `${field}[${i}]` });
    }
  });
  const zonesByRegion = new Map<string, string[]>();
  for (const [zone, { region }] of regionOfZone) {
    const zones = zonesByRegion.get(region) ?? [];
    zones.push(zone);
    zonesByRegion.set(region, zones);
  }
  const regions = [...zonesByRegion.keys()].sort();
  if (federation.zoneNameFormat === 'zone') {
    // Zone and region names sit at the same place in the name, so one must not be the other.
    for (const [zone, claimed] of regionOfZone) {
      if (zonesByRegion.has(zone)) {
        throw new ValidationError(
          `${claimed.field}.zones`,
          zone,
          'a zone may not have the name of a region: both would own the same DNS name',
        );
      }
    }
  }
  // `<fed>.svc.<domain>` without the trailing dot, then the longest place in front of the domain:
  // with the `zone` format a region label may be longer than every zone label.
  const base = federation.name.length + '.svc.'.length + federation.domain.length - 1;
  let longestPlace = 0;
  for (const [zone, { region }] of regionOfZone) {
    const zonePart = federation.zoneNameFormat === 'zone' ? zone.length + 1 : zone.length + region.length + 2;
    longestPlace = Math.max(longestPlace, zonePart, region.length + 1);
  }
  const longestSuffix = base + longestPlace;
  for (const zones of zonesByRegion.values()) zones.sort();
  return { federation, clusters, regions, zonesByRegion, longestSuffix };
}

export function validateService(value: unknown, field: string, topology: Topology): ValidService {
  const input = record(value, field);
  const namespace = label(input['namespace'], `${field}.namespace`, 'DNS-1123');
  const name = label(input['name'], `${field}.name`, 'DNS-1035');
  const length = name.length + namespace.length + 2 + topology.longestSuffix;
  if (length > MAX_RECORD_NAME_LENGTH) {
    throw new ValidationError(
      `${field}.name`,
      name,
      `makes a record name of ${length} characters; the limit is ${MAX_RECORD_NAME_LENGTH} (253 less the ownership record's prefix)`,
    );
  }
  const serviceTtl = input['ttl'] === undefined ? topology.federation.ttl : ttl(input['ttl'], `${field}.ttl`);
  const own = input['trafficPolicy'];
  if (own === undefined)
    return {
      namespace,
      name,
      ttl: serviceTtl,
      trafficPolicy: topology.federation.trafficPolicy,
      trafficPolicyField: 'federation.trafficPolicy',
    };
  const trafficPolicyField = `${field}.trafficPolicy`;
  return { namespace, name, ttl: serviceTtl, trafficPolicy: validateTrafficPolicy(own, trafficPolicyField), trafficPolicyField };
}

/** Load-balancer hostnames, with or without the trailing dot, as lower-case FQDNs. */
function validateHostnames(value: unknown, field: string): string[] {
  return list(value, field).map((raw, j) => {
    const bare = typeof raw === 'string' ? asciiLowerCase(raw).replace(/\.$/, '') : '';
    if (!isDns1123Subdomain(bare) || !bare.includes('.')) {
      throw new ValidationError(`${field}[${j}]`, raw, 'must be a load-balancer hostname: a DNS-1123 subdomain of two labels or more');
    }
    return `${bare}.`;
  });
}

/** A shard's addresses, each one a public record may carry; field names are built only for errors. */
function validateAddresses(raw: readonly unknown[], field: string, i: number, key: string): Address[] {
  const addresses: Address[] = [];
  for (let j = 0; j < raw.length; j++) {
    const address = publicAddress(raw[j]);
    if (typeof address === 'string') throw new ValidationError(`${field}[${i}].${key}[${j}]`, raw[j], address);
    addresses.push(address);
  }
  return addresses;
}

/** The planner's hot path (100,000 shards for 1,000 services): field names are built only for errors. */
export function validateShards(value: unknown, field: string, topology: Topology): ValidShard[] {
  const items = list(value, field);
  const seen = new Set<string>();
  const shards: ValidShard[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const input = isRecord(item) ? item : record(item, `${field}[${i}]`);
    const clusterName = input['cluster'];
    const cluster = typeof clusterName === 'string' ? topology.clusters.get(clusterName) : undefined;
    if (!cluster) throw new ValidationError(`${field}[${i}].cluster`, clusterName, 'is not a member cluster');
    if (seen.has(cluster.name))
      throw new ValidationError(`${field}[${i}].cluster`, clusterName, 'has a shard already; a cluster holds one shard of a service');
    seen.add(cluster.name);
    const rawAddresses = input['addresses'];
    if (!Array.isArray(rawAddresses)) throw new ValidationError(`${field}[${i}].addresses`, rawAddresses, 'must be an array');
    const addresses = validateAddresses(rawAddresses, field, i, 'addresses');
    const rawHostnames = input['hostnames'];
    const hostnames = rawHostnames === undefined ? NO_HOSTNAMES : validateHostnames(rawHostnames, `${field}[${i}].hostnames`);
    const rawResolved = input['hostnameAddresses'];
    const hostnameAddresses =
      rawResolved === undefined
        ? NO_ADDRESSES
        : validateAddresses(list(rawResolved, `${field}[${i}].hostnameAddresses`), field, i, 'hostnameAddresses');
    const ready = input['readyEndpoints'];
    if (typeof ready !== 'number' || !Number.isSafeInteger(ready) || ready < 0) {
      throw new ValidationError(`${field}[${i}].readyEndpoints`, ready, 'must be a non-negative integer');
    }
    shards.push({ cluster, addresses, hostnames, hostnameAddresses, readyEndpoints: ready, own: undefined });
  }
  return shards;
}
