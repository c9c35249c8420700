// Where a federated service goes, beyond a label selector: a list of member clusters, and what
// differs in the Service one cluster gets (a cloud's load-balancer annotations, the source
// ranges, the traffic policy). Checked when the service is given; applied purely by placement.
import { parseIPv4, parseIPv6 } from '../dns/addresses.js';
import { ValidationError } from '../errors.js';
import type { ServiceManifest } from '../types.js';
import { isObject } from './json.js';

/** What one member cluster's Service changes from the federated template. */
export interface ShardOverride {
  /** Merged over the template's annotations (an override's value wins). Default: none. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Replaces the template's `spec.loadBalancerSourceRanges` (CIDRs, IPv4 or IPv6). Default: the template's. */
  readonly loadBalancerSourceRanges?: readonly string[];
  /** Replaces the template's `spec.externalTrafficPolicy`. Default: the template's. */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
}

const OVERRIDE_FIELDS: ReadonlySet<string> = new Set(['annotations', 'loadBalancerSourceRanges', 'externalTrafficPolicy']);

/** A list of member cluster names, as given; ValidationError naming `field` when not strings or when one repeats. */
export function validateClusterList(clusters: unknown, field: string): readonly string[] | undefined {
  if (clusters === undefined) return undefined;
  if (!Array.isArray(clusters)) throw new ValidationError(field, clusters, 'must be a list of member cluster names');
  const seen = new Set<string>();
  clusters.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || name === '') throw new ValidationError(`${field}[${i}]`, name, 'must be a member cluster name');
    if (seen.has(name)) throw new ValidationError(`${field}[${i}]`, name, 'names a cluster listed before');
    seen.add(name);
  });
  return clusters as readonly string[];
}

/** Per-cluster overrides, as given; ValidationError naming the first field that is not of its type. */
export function validateOverrides(overrides: unknown, field: string): Readonly<Record<string, ShardOverride>> | undefined {
  if (overrides === undefined) return undefined;
  if (!isObject(overrides)) throw new ValidationError(field, overrides, 'must be an object of cluster names to overrides');
  for (const [cluster, override] of Object.entries(overrides)) validateOverride(override, `${field}.${cluster}`);
  return overrides as Readonly<Record<string, ShardOverride>>;
}

function validateOverride(override: unknown, field: string): void {
  if (!isObject(override)) throw new ValidationError(field, override, 'must be an object');
  for (const key of Object.keys(override))
    if (!OVERRIDE_FIELDS.has(key))
      throw new ValidationError(`${field}.${key}`, override[key], `is not a field an override has (${[...OVERRIDE_FIELDS].join(', ')})`);
  const { annotations, loadBalancerSourceRanges: ranges, externalTrafficPolicy: policy } = override;
  if (annotations !== undefined) {
    if (!isObject(annotations)) throw new ValidationError(`${field}.annotations`, annotations, 'must be an object of strings');
    for (const [key, value] of Object.entries(annotations))
      if (typeof value !== 'string') throw new ValidationError(`${field}.annotations.${key}`, value, 'must be a string');
  }
  if (ranges !== undefined) {
    if (!Array.isArray(ranges)) throw new ValidationError(`${field}.loadBalancerSourceRanges`, ranges, 'must be a list of CIDRs');
    ranges.forEach((range: unknown, i) => {
      if (!isCidr(range))
        throw new ValidationError(`${field}.loadBalancerSourceRanges[${i}]`, range, 'must be a CIDR (an address, "/" and a prefix length)');
    });
  }
  if (policy !== undefined && policy !== 'Cluster' && policy !== 'Local')
    throw new ValidationError(`${field}.externalTrafficPolicy`, policy, 'must be "Cluster" or "Local"');
}

/** An IPv4 or IPv6 network in CIDR notation; host bits may be set, as the API server allows in source ranges. */
function isCidr(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const slash = value.indexOf('/');
  const length = value.slice(slash + 1);
  if (slash < 0 || !/^(0|[1-9][0-9]{0,2})$/.test(length)) return false;
  const address = value.includes(':') ? parseIPv6(value.slice(0, slash)) : parseIPv4(value.slice(0, slash));
  return address !== null && Number(length) <= (address.family === 4 ? 32 : 128);
}

/**
 * The federated manifest with one cluster's override applied: its annotations merged over the
 * template's, its source ranges and traffic policy replacing the template's. Pure.
 */
export function overriddenManifest(manifest: ServiceManifest, override: ShardOverride): ServiceManifest {
  const { annotations, loadBalancerSourceRanges, externalTrafficPolicy } = override;
  const spec: Record<string, unknown> = { ...manifest.spec };
  if (loadBalancerSourceRanges !== undefined) spec['loadBalancerSourceRanges'] = [...loadBalancerSourceRanges];
  if (externalTrafficPolicy !== undefined) spec['externalTrafficPolicy'] = externalTrafficPolicy;
  const metadata =
    annotations === undefined
      ? manifest.metadata
      : { ...manifest.metadata, annotations: { ...manifest.metadata.annotations, ...annotations } };
  return { ...manifest, metadata, spec };
}
