// A ResourceRecordSet's `routingPolicy` (Cloud DNS v1): read from a change and checked as the API
// reference's ResourceRecordSet resource describes it. A routed record set holds no rrdatas of its
// own ("A valid ResourceRecordSet contains only rrdata (for static resolution) or a routingPolicy
// (for dynamic resolution)") and exactly one of `geo`, `wrr`, `primaryBackup` (a union field).
// `geo`: items of a location (a Google Cloud region) and rrdatas, no location twice ("If there are
// multiple items with the same location, an error is returned instead"), `enableFencing`
// optional. `wrr`: items of a weight and rrdatas, every weight non-negative ("This weight must be
// non-negative"). `primaryBackup`: primary targets health-checked by the policy's `healthCheck`,
// a `geo` policy of backup targets, and an optional `trickleTraffic` share for the backups; only
// external endpoints (addresses of the set's type) are modelled as primary targets. Internal load
// balancers and a `geo` item's health-checked targets, which need resources the fixture does not
// have, are refused as unsupported here.
import { isIPv4, isIPv6 } from 'node:net';
import { ApiError, type ErrorDetail } from './api-error.js';

/** One location of a `geo` policy and what it answers. */
export interface GeoPolicyItem {
  /** A Google Cloud region (`us-central1`), once per policy. */
  readonly location: string;
  readonly rrdatas: readonly string[];
}

/** One answer of a `wrr` policy and its share. */
export interface WrrPolicyItem {
  /** Any non-negative number; an item's share is its weight over the sum of weights. */
  readonly weight: number;
  readonly rrdatas: readonly string[];
}

/** A geo policy: its items, and whether fencing is on (default false). */
export interface GeoPolicy {
  readonly kind?: string;
  readonly items: readonly GeoPolicyItem[];
  readonly enableFencing?: boolean;
}

/** Failover from health-checked primary targets to geo-routed backups. */
export interface PrimaryBackupPolicy {
  readonly kind?: string;
  /** The addresses answered while any is healthy (by the policy's `healthCheck`). */
  readonly primaryTargets: { readonly kind?: string; readonly externalEndpoints: readonly string[] };
  /** Answered, by the client's location, once no primary target is healthy. */
  readonly backupGeoTargets: GeoPolicy;
  /** The share of answers given to the backups while the primaries are healthy, 0 to 1; default none. */
  readonly trickleTraffic?: number;
}

/** A routing policy as the fixture stores it: exactly one of `geo`, `wrr`, `primaryBackup`; `kind` fields, as the API lists them, are optional. */
export interface RoutingPolicy {
  readonly kind?: string;
  /** Answers by the client's nearest location; `enableFencing` default false. */
  readonly geo?: GeoPolicy;
  /** Answers one item at random, by weight. */
  readonly wrr?: { readonly kind?: string; readonly items: readonly WrrPolicyItem[] };
  /** Failover from health-checked primaries to geo-routed backups. */
  readonly primaryBackup?: PrimaryBackupPolicy;
  /** The health check of `primaryBackup`'s external endpoints (required with them); none by default. */
  readonly healthCheck?: string;
}

/**
 * The locations a `geo` item may name: Google Cloud's regions, as its list of Compute Engine
 * regions gives them.
 */
export const GCP_REGIONS: ReadonlySet<string> = new Set([
  'africa-south1',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'australia-southeast1',
  'australia-southeast2',
  'europe-central2',
  'europe-north1',
  'europe-north2',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  'me-central1',
  'me-central2',
  'me-west1',
  'northamerica-northeast1',
  'northamerica-northeast2',
  'northamerica-south1',
  'southamerica-east1',
  'southamerica-west1',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
]);

const fail = (detail: ErrorDetail) => new ApiError(400, [detail]);
const invalid = (field: string, value: unknown) =>
  fail({
    reason: 'invalid',
    message: `Invalid value for '${field}': '${typeof value === 'object' ? JSON.stringify(value) : String(value)}'`,
  });
const required = (field: string) => fail({ reason: 'required', message: `The '${field}' parameter is required but was missing.` });

/** How one item's rrdatas are checked and stored: the caller's rules for the record set's type. */
export type RrdataReader = (rrdatas: unknown, path: string) => string[];

type Raw = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function items(raw: unknown, path: string): Raw[] {
  if (!Array.isArray(raw) || raw.length === 0) throw required(`${path}.items`);
  return raw.map((item, i) => {
    if (!isObject(item)) throw invalid(`${path}.items[${i}]`, item);
    if (item.healthCheckedTargets !== undefined)
      throw invalid(`${path}.items[${i}].healthCheckedTargets`, 'health-checked targets are not supported by this fixture');
    return item;
  });
}

function geoPolicy(raw: Raw, path: string, rrdatas: RrdataReader): GeoPolicy {
  const seen = new Set<string>();
  const parsed = items(raw.items, path).map((item, i) => {
    const location = item.location;
    if (typeof location !== 'string' || location === '') throw required(`${path}.items[${i}].location`);
    if (!GCP_REGIONS.has(location) || seen.has(location)) throw invalid(`${path}.items[${i}].location`, location);
    seen.add(location);
    return { location, rrdatas: rrdatas(item.rrdatas, `${path}.items[${i}]`) };
  });
  if (raw.enableFencing !== undefined && typeof raw.enableFencing !== 'boolean') throw invalid(`${path}.enableFencing`, raw.enableFencing);
  return raw.enableFencing === undefined ? { items: parsed } : { items: parsed, enableFencing: raw.enableFencing };
}

function wrrPolicy(raw: Raw, path: string, rrdatas: RrdataReader): NonNullable<RoutingPolicy['wrr']> {
  const parsed = items(raw.items, path).map((item, i) => {
    const weight = item.weight;
    if (weight === undefined) throw required(`${path}.items[${i}].weight`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) throw invalid(`${path}.items[${i}].weight`, weight);
    return { weight, rrdatas: rrdatas(item.rrdatas, `${path}.items[${i}]`) };
  });
  return { items: parsed };
}

/** The addresses of `type` a primary target may be: IPv4 for A, IPv6 for AAAA, none for other types. */
const isEndpoint = (type: string, value: unknown) =>
  typeof value === 'string' && ((type === 'A' && isIPv4(value)) || (type === 'AAAA' && isIPv6(value)));

function primaryBackupPolicy(raw: Raw, healthCheck: unknown, path: string, type: string, rrdatas: RrdataReader): RoutingPolicy {
  const targets = raw.primaryTargets;
  if (!isObject(targets)) throw required(`${path}.primaryTargets`);
  if (targets.internalLoadBalancers !== undefined)
    throw invalid(`${path}.primaryTargets.internalLoadBalancers`, 'internal load balancers are not supported by this fixture');
  const endpoints = targets.externalEndpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) throw required(`${path}.primaryTargets.externalEndpoints`);
  endpoints.forEach((endpoint, i) => {
    if (!isEndpoint(type, endpoint)) throw invalid(`${path}.primaryTargets.externalEndpoints[${i}]`, endpoint);
  });
  const policyPath = path.slice(0, -'.primaryBackup'.length);
  if (typeof healthCheck !== 'string' || healthCheck === '') throw required(`${policyPath}.healthCheck`);
  if (!isObject(raw.backupGeoTargets)) throw required(`${path}.backupGeoTargets`);
  const backupGeoTargets = geoPolicy(raw.backupGeoTargets, `${path}.backupGeoTargets`, rrdatas);
  const trickle = raw.trickleTraffic;
  if (trickle !== undefined && (typeof trickle !== 'number' || !(trickle >= 0 && trickle <= 1)))
    throw invalid(`${path}.trickleTraffic`, trickle);
  const primaryTargets = { externalEndpoints: endpoints as string[] };
  return {
    primaryBackup:
      trickle === undefined ? { primaryTargets, backupGeoTargets } : { primaryTargets, backupGeoTargets, trickleTraffic: trickle },
    healthCheck,
  };
}

/**
 * The routing policy at `path` (`entity.change.additions[0].routingPolicy`) of a record set of
 * `type`, checked; 400 invalid or required otherwise.
 */
export function parseRoutingPolicy(raw: unknown, path: string, type: string, rrdatas: RrdataReader): RoutingPolicy {
  if (!isObject(raw)) throw invalid(path, raw);
  const kinds = (['geo', 'wrr', 'primaryBackup'] as const).filter((kind) => raw[kind] !== undefined);
  if (kinds.length !== 1) throw invalid(path, kinds.length === 0 ? 'no routing data' : kinds.join(' and '));
  const kind = kinds[0];
  const policy = raw[kind as string];
  if (!isObject(policy)) throw invalid(`${path}.${kind}`, policy);
  if (kind === 'geo') return { geo: geoPolicy(policy, `${path}.geo`, rrdatas) };
  if (kind === 'wrr') return { wrr: wrrPolicy(policy, `${path}.wrr`, rrdatas) };
  return primaryBackupPolicy(policy, raw.healthCheck, `${path}.primaryBackup`, type, rrdatas);
}

/** Every rrdata a policy answers with, item by item. */
export function policyRrdatas(policy: RoutingPolicy | undefined): string[][] {
  const items = [...(policy?.geo?.items ?? []), ...(policy?.wrr?.items ?? []), ...(policy?.primaryBackup?.backupGeoTargets.items ?? [])];
  return items.map((item) => [...item.rrdatas]);
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * Whether a deletion's policy is the one held: the same kind, fencing (absent is false), and the
 * same items in the same order, each with the same location or weight and the same rrdatas in
 * any order (as top-level rrdatas match in any order). `kind` fields play no part.
 */
export function samePolicy(a: RoutingPolicy | undefined, b: RoutingPolicy | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if ((a.geo === undefined) !== (b.geo === undefined) || (a.wrr === undefined) !== (b.wrr === undefined)) return false;
  if (a.geo && b.geo) {
    if ((a.geo.enableFencing ?? false) !== (b.geo.enableFencing ?? false) || a.geo.items.length !== b.geo.items.length) return false;
    const others = b.geo.items;
    return a.geo.items.every((item, i) => item.location === others[i]?.location && sameSet(item.rrdatas, others[i]?.rrdatas ?? []));
  }
  if (a.wrr && b.wrr) {
    const others = b.wrr.items;
    return (
      a.wrr.items.length === others.length &&
      a.wrr.items.every((item, i) => item.weight === others[i]?.weight && sameSet(item.rrdatas, others[i]?.rrdatas ?? []))
    );
  }
  return JSON.stringify(withoutKinds(a)) === JSON.stringify(withoutKinds(b));
}

/** A primaryBackup policy compared field by field, in the order the fixture stores them. */
const withoutKinds = (policy: RoutingPolicy): unknown => {
  const pb = policy.primaryBackup;
  return (
    pb && {
      healthCheck: policy.healthCheck,
      endpoints: [...pb.primaryTargets.externalEndpoints].sort(),
      backups: pb.backupGeoTargets.items.map((item) => [item.location, [...item.rrdatas].sort()]),
      fencing: pb.backupGeoTargets.enableFencing ?? false,
      trickle: pb.trickleTraffic,
    }
  );
};

const geoJson = (geo: GeoPolicy): GeoPolicy => ({
  kind: 'dns#rRSetRoutingPolicyGeoPolicy',
  ...geo,
  items: geo.items.map((item) => ({ kind: 'dns#rRSetRoutingPolicyGeoPolicyGeoPolicyItem', ...item })),
});

/** The policy as the API lists it, with its `kind` fields. */
export function policyJson(policy: RoutingPolicy): RoutingPolicy {
  const wrr = policy.wrr && {
    kind: 'dns#rRSetRoutingPolicyWrrPolicy',
    ...policy.wrr,
    items: policy.wrr.items.map((item) => ({ kind: 'dns#rRSetRoutingPolicyWrrPolicyWrrPolicyItem', ...item })),
  };
  const pb = policy.primaryBackup;
  const primaryBackup = pb && {
    kind: 'dns#rRSetRoutingPolicyPrimaryBackupPolicy',
    ...pb,
    primaryTargets: { kind: 'dns#rRSetRoutingPolicyHealthCheckTargets', ...pb.primaryTargets },
    backupGeoTargets: geoJson(pb.backupGeoTargets),
  };
  return {
    kind: 'dns#rRSetRoutingPolicy',
    ...policy,
    ...(policy.geo ? { geo: geoJson(policy.geo) } : {}),
    ...(wrr ? { wrr } : {}),
    ...(primaryBackup ? { primaryBackup } : {}),
  };
}
