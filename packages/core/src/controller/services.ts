// The federated services the controller serves or is deleting: one record each, holding what
// the controller decided about it between passes.
import { isTtl, MAX_TTL } from '../dns/ttl.js';
import { ValidationError } from '../errors.js';
import { validateClusterList, validateOverrides } from '../placement/overrides.js';
import { sameJson } from '../placement/json.js';
import type { FederatedService } from '../placement/placement.js';
import { validateSelector } from '../placement/selector.js';
import { normalizeName } from '../dns/names.js';
import { ownershipSubject } from '../dns/ownership.js';
import { recordNames } from '../planning/plan.js';
import { validateTrafficPolicy } from '../planning/traffic-policy.js';
import { validateFederation } from '../planning/validate.js';
import type { Federation, ServiceManifest, Shard, TrafficPolicy } from '../types.js';
import { allShards, keyOf, type ClusterState } from './cluster-state.js';
import { checkWritable, type WritablePolicies } from './traffic-policies.js';
import type { ServiceDnsView, ServiceKey } from './types.js';

export interface ServiceRecord {
  /** As applied; once deleted, as it was (or a bare Service of its name, when it never was applied). */
  service: FederatedService;
  /** Set once deleted: its shards and records are being removed. */
  deleting: { readonly deleteAdopted: boolean } | undefined;
  /** Fail static's memory: per cluster, the shard last seen healthy while the cluster could be seen. */
  lastGood: ReadonlyMap<string, Shard>;
  /** Clusters seen (Ready or NotReady) when the service was planned. */
  seen: ReadonlySet<string>;
  /** Offline clusters whose last good shard is kept in DNS; empty when fail static is not engaged. */
  held: readonly string[];
  /** What placement last read when it found nothing to do (see placeService); undefined otherwise. */
  placed?: Placed;
  /** What the last pass made of the service's records; pending (undefined before any) until one has since it changed. */
  dns: ServiceDnsView | undefined;
  /** The record conflicts last told (`records-conflict`), as one string; empty when none. */
  toldConflicts: string;
  /** Whether it was warned that its routed global name cannot resolve load-balancer hostnames. */
  toldUnresolvedRouting: boolean;
}

/** What placement read: the service as applied, the clusters' view, and the manifests of its shards. */
export interface Placed {
  readonly service: FederatedService;
  readonly view: string;
  readonly manifests: readonly ServiceManifest[];
}

/**
 * Creates or replaces a service's record; throws ValidationError naming `field` when the service
 * is unusable, its traffic policy included (malformed, or one the DNS provider does not write).
 */
export function registerService(
  records: Map<ServiceKey, ServiceRecord>,
  federation: Federation,
  service: FederatedService,
  field: string,
  writable: WritablePolicies,
): ServiceKey {
  const manifest = service?.manifest;
  const metadata = manifest?.metadata;
  if (
    manifest?.apiVersion !== 'v1' ||
    manifest.kind !== 'Service' ||
    typeof metadata !== 'object' ||
    metadata === null ||
    typeof manifest.spec !== 'object' ||
    manifest.spec === null ||
    Array.isArray(manifest.spec)
  ) {
    throw new ValidationError(`${field}.manifest`, manifest, 'must be a v1 Service with metadata and spec');
  }
  // The manifest is kept as a copy of plain JSON data: what a pass writes to the clusters, and
  // what the host may change afterwards without changing what was applied.
  const copied = jsonData(manifest, `${field}.manifest`, []) as typeof manifest;
  validateSelector(service.clusterSelector, `${field}.clusterSelector`);
  validatePlacement(service, field);
  const copy: FederatedService = {
    ...service,
    manifest: copied,
    ...(service.clusters === undefined ? {} : { clusters: [...service.clusters] }),
    ...(service.overrides === undefined
      ? {}
      : { overrides: jsonData(service.overrides, `${field}.overrides`, []) as typeof service.overrides }),
    ...(service.trafficPolicy === undefined
      ? {}
      : { trafficPolicy: writablePolicy(service.trafficPolicy, `${field}.trafficPolicy`, writable) }),
  };
  if (service.ttl !== undefined && !isTtl(service.ttl))
    throw new ValidationError(`${field}.ttl`, service.ttl, `must be an integer number of seconds from 0 to ${MAX_TTL}`);
  try {
    recordNames(federation, { namespace: metadata.namespace, name: metadata.name });
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(`${field}.manifest.metadata.${error.field.replace(/^service\./, '')}`, error.value, error.reason);
    throw error;
  }
  const key = keyOf(metadata.namespace, metadata.name);
  const record = records.get(key);
  if (record) {
    // Applied again unchanged (a host relisting its services), the records are as they were.
    if (record.dns && (record.deleting !== undefined || !sameJson(record.service, copy)))
      record.dns = { state: 'pending', names: record.dns.names };
    record.service = copy;
    record.deleting = undefined;
    // The host may have changed the manifest it gave before in place.
    record.placed = undefined;
  } else {
    records.set(key, freshRecord(copy, undefined));
  }
  return key;
}

/** The policy checked as data, then against what the provider writes. */
function writablePolicy(value: unknown, field: string, writable: WritablePolicies): TrafficPolicy {
  const policy = validateTrafficPolicy(value, field);
  checkWritable(policy, field, writable);
  return policy;
}

/** The list of clusters (never with a selector) and the overrides, as placement takes them. */
function validatePlacement(service: FederatedService, field: string): void {
  if (validateClusterList(service.clusters, `${field}.clusters`) !== undefined && service.clusterSelector !== undefined)
    throw new ValidationError(
      `${field}.clusters`,
      service.clusters,
      'must not be given with clusterSelector: a service is placed by one or the other',
    );
  validateOverrides(service.overrides, `${field}.overrides`);
}

/** Deeper than any Service; a deeper value would only exhaust the stack of whoever walks it. */
const MAX_DEPTH = 64;

/**
 * A copy of `value` as JSON data (null, booleans, finite numbers, strings, arrays and plain
 * objects; keys holding undefined left out); throws ValidationError naming the path of what is
 * not (a BigInt, a function, a cycle, a getter that throws, a number JSON cannot carry).
 */
function jsonData(value: unknown, field: string, ancestors: readonly object[]): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(field, value, 'must be JSON data: a finite number');
    return value;
  }
  if (typeof value !== 'object') throw new ValidationError(field, value, `must be JSON data, not a ${typeof value}`);
  if (ancestors.includes(value)) throw new ValidationError(field, '[cycle]', 'must be JSON data: it contains itself');
  if (ancestors.length >= MAX_DEPTH) throw new ValidationError(field, '[nested]', `must be JSON data nested at most ${MAX_DEPTH} deep`);
  const inside = [...ancestors, value];
  if (Array.isArray(value)) return value.map((item, i) => jsonData(item, `${field}[${i}]`, inside));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    let item: unknown;
    try {
      item = (value as Record<string, unknown>)[key];
    } catch (error) {
      throw new ValidationError(
        `${field}.${key}`,
        '[unreadable]',
        `must be JSON data: reading it threw ${(error as Error)?.message ?? error}`,
      );
    }
    if (item !== undefined) copy[key] = jsonData(item, `${field}.${key}`, inside);
  }
  return copy;
}

/** Marks a service deleted; one never applied gets a bare Service of its name, so that its shards and records go too. */
export function markDeleted(records: Map<ServiceKey, ServiceRecord>, namespace: string, name: string, deleteAdopted: boolean): ServiceKey {
  const key = keyOf(namespace, name);
  const record = records.get(key);
  const deleting = { deleteAdopted };
  if (record) record.deleting = deleting;
  else
    records.set(key, freshRecord({ manifest: { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: {} } }, deleting));
  return key;
}

/** A service the controller has decided nothing about yet. */
const freshRecord = (service: FederatedService, deleting: ServiceRecord['deleting']): ServiceRecord => ({
  service,
  deleting,
  lastGood: new Map(),
  seen: new Set(),
  held: [],
  dns: undefined,
  toldConflicts: '',
  toldUnresolvedRouting: false,
});

/** The services served (not being deleted). */
export const served = (record: ServiceRecord | undefined): record is ServiceRecord => record !== undefined && record.deleting === undefined;

/** Forgets a cluster that left the federation: fail static's memory of it must not come back with it. */
export function forgetCluster(records: Iterable<ServiceRecord>, cluster: string): void {
  for (const record of records) {
    record.lastGood = new Map([...record.lastGood].filter(([name]) => name !== cluster));
    record.seen = new Set([...record.seen].filter((name) => name !== cluster));
  }
}

/** The served services whose shards name `hostname`: those to plan again when its addresses change. */
export function servicesUsing(records: ReadonlyMap<ServiceKey, ServiceRecord>, world: ClusterState, hostname: string): ServiceKey[] {
  const keys: ServiceKey[] = [];
  for (const [key, shards] of world.shards) {
    if (!served(records.get(key))) continue;
    for (const shard of allShards(shards)) if (shard.ingress.some((entry) => entry.hostname === hostname)) keys.push(key);
  }
  return keys;
}

/** `<federation>.svc` and `.<domain>.`, per federation. */
const tails = new WeakMap<Federation, { readonly federationSvc: string; readonly domain: string }>();

/**
 * The service a record name (or its ownership marker, under `markerPrefix`) belongs to, if any:
 * the service `parseRecordName` finds. A pass asks it of every name it writes and the zone
 * cache of every name it holds, so the name is read in place rather than split into labels.
 */
export function serviceOfName(federation: Federation, name: string, markerPrefix: string): ServiceKey | undefined {
  let tail = tails.get(federation);
  if (!tail) {
    const valid = validateFederation(federation);
    tails.set(federation, (tail = { federationSvc: `${valid.name}.svc`, domain: `.${valid.domain}` }));
  }
  const subject = ownershipSubject(normalizeName(name), markerPrefix);
  if (!subject.endsWith(tail.domain)) return undefined;
  // `<name>.<namespace>.<federation>.svc[.<place>]`, which ends where the domain starts.
  const end = subject.length - tail.domain.length;
  const afterName = subject.indexOf('.');
  if (afterName <= 0 || afterName >= end) return undefined;
  const afterNamespace = subject.indexOf('.', afterName + 1);
  if (afterNamespace <= afterName + 1 || afterNamespace >= end) return undefined;
  const afterSvc = afterNamespace + 1 + tail.federationSvc.length;
  if (afterSvc > end || !subject.startsWith(tail.federationSvc, afterNamespace + 1)) return undefined;
  if (afterSvc < end && subject[afterSvc] !== '.') return undefined;
  return keyOf(subject.slice(afterName + 1, afterNamespace), subject.slice(0, afterName));
}
