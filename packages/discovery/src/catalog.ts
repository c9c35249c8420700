// The names the responder answers for, made once from its configuration: the federation's
// subdomain of the cluster domain, the federated services under it, and their federated names.
import {
  type Federation,
  isTtl,
  MAX_TTL,
  normalizeName,
  recordNames,
  type ServiceNames,
  type ServiceRef,
  ValidationError,
} from '@fedsvc/core';
import { encodeName } from '@fedsvc/dns-rfc2136/wire';

/** What the responder is told: the federation, the cluster's DNS domain, the federated services, the TTL. */
export interface DiscoveryConfig {
  /** The federation: its name, DNS domain and zone name format, as the controller has them. */
  readonly federation: Federation;
  /** The member cluster's DNS domain. Default `cluster.local`. */
  readonly clusterDomain?: string;
  /** The federated services; a name under the subdomain that is none of them answers NXDOMAIN. */
  readonly services: readonly ServiceRef[];
  /** TTL of every record the responder answers, and of negative answers (the SOA's minimum), seconds. Default 30. */
  readonly ttl?: number;
}

/** A name in presentation form (lower-case, fully qualified) and in wire form. */
export interface WireName {
  readonly text: string;
  readonly wire: Uint8Array;
}

/** One federated service: its cluster-local name and its federated names, made as asked. */
export interface FederatedEntry {
  readonly namespace: string;
  readonly name: string;
  /** `<name>.<namespace>.svc.<cluster domain>.`: the local shard's name. */
  readonly local: WireName;
  readonly global: WireName;
  /** The region's federated name. */
  region(region: string): WireName;
  /** The zone's federated name. */
  zone(zone: string, region: string): WireName;
}

/** The configuration, checked and turned into lookups. */
export interface Catalog {
  /** Labels of `<federation>.svc.<cluster domain>`, lower-case. */
  readonly apexLabels: readonly string[];
  readonly apex: WireName;
  /** The SOA's data for negative answers (RFC 2308), its minimum the TTL. */
  readonly soa: Uint8Array;
  readonly ttl: number;
  /** By `<name>.<namespace>`. */
  readonly services: ReadonlyMap<string, FederatedEntry>;
  /** Namespaces holding a federated service: names with children (RFC 8020), answered NODATA. */
  readonly namespaces: ReadonlySet<string>;
}

const DEFAULT_TTL_SECONDS = 30;

export const wireName = (text: string): WireName => ({ text, wire: encodeName(text) });

/** Checks `config` and makes its lookups; a bad field is a `ValidationError` naming it. */
export function makeCatalog(config: DiscoveryConfig): Catalog {
  const ttl = config.ttl ?? DEFAULT_TTL_SECONDS;
  if (!isTtl(ttl)) throw new ValidationError('ttl', ttl, `must be a whole number of seconds from 0 to ${MAX_TTL}`);
  const rawDomain = config.clusterDomain ?? 'cluster.local';
  const clusterDomain = normalizeName(rawDomain);
  if (!/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+$/.test(clusterDomain)) {
    throw new ValidationError('clusterDomain', rawDomain, 'must be a DNS-1123 subdomain');
  }
  if (!Array.isArray(config.services)) throw new ValidationError('services', config.services, 'must be an array');
  const services = new Map<string, FederatedEntry>();
  config.services.forEach((service, i) => {
    // recordNames checks the federation and the service, naming the field.
    const names = federatedNames(config.federation, service, `services[${i}]`);
    services.set(`${service.name}.${service.namespace}`, entry(service, names, clusterDomain));
  });
  const apexText = `${normalizeName(config.federation.name).slice(0, -1)}.svc.${clusterDomain}`;
  const apex = wireName(apexText);
  return {
    apexLabels: apexText.slice(0, -1).split('.'),
    apex,
    soa: soaData(clusterDomain, apexText, ttl),
    ttl,
    services,
    namespaces: new Set([...services.values()].map((s) => s.namespace)),
  };
}

function federatedNames(federation: Federation, service: ServiceRef, field: string): ServiceNames {
  try {
    return recordNames(federation, service);
  } catch (error) {
    if (error instanceof ValidationError && error.field.startsWith('service')) {
      throw new ValidationError(`${field}${error.field.slice('service'.length)}`, error.value, error.reason);
    }
    throw error;
  }
}

function entry(service: ServiceRef, names: ServiceNames, clusterDomain: string): FederatedEntry {
  const regions = new Map<string, WireName>();
  const zones = new Map<string, WireName>();
  // Made the first time a client of that place asks; a cluster has a handful of zones.
  const cached = (cache: Map<string, WireName>, key: string, make: () => string): WireName => {
    let name = cache.get(key);
    if (!name) cache.set(key, (name = wireName(make())));
    return name;
  };
  return {
    namespace: service.namespace,
    name: service.name,
    local: wireName(`${service.name}.${service.namespace}.svc.${clusterDomain}`),
    global: wireName(names.global),
    region: (region) => cached(regions, region, () => names.region(region)),
    zone: (zone, region) => cached(zones, `${zone}/${region}`, () => names.zone(zone, region)),
  };
}

/** kube-dns's made-up SOA for the cluster domain, here for the subdomain we answer. */
function soaData(clusterDomain: string, apex: string, ttl: number): Uint8Array {
  const mname = encodeName(`ns.dns.${clusterDomain}`);
  const rname = encodeName(`hostmaster.${apex}`);
  const numbers = Buffer.alloc(20);
  [1, 28_800, 7_200, 604_800, ttl].forEach((value, i) => numbers.writeUInt32BE(value, i * 4));
  return Buffer.concat([mname, rname, numbers]);
}
