// A ResourceRecordSet's `routingPolicy` (Cloud DNS v1): read from a change and checked as the API
// reference's ResourceRecordSet resource describes it. A routed record set holds no rrdatas of its
// own ("A valid ResourceRecordSet contains only rrdata (for static resolution) or a routingPolicy
// (for dynamic resolution)") and exactly one of `geo`, `wrr`, `primaryBackup` (a union field).
// `geo`: items of a location (a Google Cloud region) and rrdatas, no location twice ("If there are
// multiple items with the same location, an error is returned instead"), `enableFencing`
// optional. `wrr`: items of a weight and rrdatas, every weight non-negative ("This weight must be
// non-negative"). `primaryBackup` and health-checked targets (which need load balancers or health
// checks the fixture does not have) are refused as unsupported here.
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

/** A routing policy as the fixture stores it: exactly one of `geo`, `wrr`, `primaryBackup`; `kind` fields, as the API lists them, are optional. */
export interface RoutingPolicy {
  readonly kind?: string;
  /** Answers by the client's nearest location; `enableFencing` default false. */
  readonly geo?: { readonly kind?: string; readonly items: readonly GeoPolicyItem[]; readonly enableFencing?: boolean };
  /** Answers one item at random, by weight. */
  readonly wrr?: { readonly kind?: string; readonly items: readonly WrrPolicyItem[] };
  /** Written only through the backdoor (unchecked): changes carrying one are refused. */
  readonly primaryBackup?: unknown;
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

function geoPolicy(raw: Raw, path: string, rrdatas: RrdataReader): NonNullable<RoutingPolicy['geo']> {
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

/** The routing policy at `path` (`entity.change.additions[0].routingPolicy`), checked; 400 invalid or required otherwise. */
export function parseRoutingPolicy(raw: unknown, path: string, rrdatas: RrdataReader): RoutingPolicy {
  if (!isObject(raw)) throw invalid(path, raw);
  const kinds = (['geo', 'wrr', 'primaryBackup'] as const).filter((kind) => raw[kind] !== undefined);
  if (kinds.length !== 1) throw invalid(path, kinds.length === 0 ? 'no routing data' : kinds.join(' and '));
  const kind = kinds[0];
  const policy = raw[kind as string];
  if (!isObject(policy)) throw invalid(`${path}.${kind}`, policy);
  if (kind === 'geo') return { geo: geoPolicy(policy, `${path}.geo`, rrdatas) };
  if (kind === 'wrr') return { wrr: wrrPolicy(policy, `${path}.wrr`, rrdatas) };
  throw invalid(`${path}.primaryBackup`, 'primaryBackup is not supported by this fixture');
}

/** Every rrdata a policy answers with, item by item. */
export function policyRrdatas(policy: RoutingPolicy | undefined): string[][] {
  return [...(policy?.geo?.items ?? []), ...(policy?.wrr?.items ?? [])].map((item) => [...item.rrdatas]);
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
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The policy as the API lists it, with its `kind` fields. */
export function policyJson(policy: RoutingPolicy): RoutingPolicy {
  const geo = policy.geo && {
    kind: 'dns#rRSetRoutingPolicyGeoPolicy',
    ...policy.geo,
    items: policy.geo.items.map((item) => ({ kind: 'dns#rRSetRoutingPolicyGeoPolicyGeoPolicyItem', ...item })),
  };
  const wrr = policy.wrr && {
    kind: 'dns#rRSetRoutingPolicyWrrPolicy',
    ...policy.wrr,
    items: policy.wrr.items.map((item) => ({ kind: 'dns#rRSetRoutingPolicyWrrPolicyWrrPolicyItem', ...item })),
  };
  return { kind: 'dns#rRSetRoutingPolicy', ...policy, ...(geo ? { geo } : {}), ...(wrr ? { wrr } : {}) };
}
