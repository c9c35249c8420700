// Traffic policies as data: checked where they enter, then against the federation's regions.
import { ValidationError } from '../errors.js';
import { isDns1123Label } from '../dns/names.js';
import type { RoutingLimits, TrafficPolicy, TrafficPolicyType } from '../types.js';

/** The regions of the federation's clusters, as validate.ts's Topology holds them. */
interface Regions {
  /** Sorted. */
  readonly regions: readonly string[];
  readonly zonesByRegion: ReadonlyMap<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function record(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ValidationError(field, value, 'must be an object');
  return value;
}

function region(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isDns1123Label(value))
    throw new ValidationError(field, value, 'must be a region: a DNS-1123 label of at most 63 characters');
  return value;
}

/** Every traffic policy, in the order messages list them. */
export const TRAFFIC_POLICY_TYPES: readonly TrafficPolicyType[] = Object.freeze(['all', 'failover', 'nearest', 'weighted']);

/** The policies a provider writes when it does not say: plain record sets only. */
export const PLAIN_TRAFFIC_POLICIES: readonly TrafficPolicyType[] = Object.freeze(['all', 'failover']);

/** The policies that plan the global name as a routed record set, written as the provider's own routing records. */
export const ROUTED_TRAFFIC_POLICIES: readonly TrafficPolicyType[] = Object.freeze(['nearest', 'weighted']);

/** Whether `policy` plans the global name as a routed record set (see ROUTED_TRAFFIC_POLICIES). */
export function isRouted(policy: TrafficPolicy | undefined): policy is Extract<TrafficPolicy, { type: 'nearest' | 'weighted' }> {
  return policy !== undefined && ROUTED_TRAFFIC_POLICIES.includes(policy.type);
}

export const ALL_POLICY: TrafficPolicy = Object.freeze({ type: 'all' });

const FIELDS: Readonly<Record<TrafficPolicyType, readonly string[]>> = {
  all: ['type'],
  failover: ['type', 'regions'],
  nearest: ['type', 'locations'],
  weighted: ['type', 'weights'],
};

/**
 * Checks a traffic policy as data (not against any clusters or provider) and returns a frozen
 * copy of it.
 *
 * @param field - Where the value came from, for messages (`spec.dns.trafficPolicy`).
 * @throws {@link ValidationError} naming the field and the value: an unknown `type` or field, a
 *   `failover` list empty, repeating a region or naming one that is not a DNS-1123 label, a
 *   `nearest` location that is not a non-empty string, a `weighted` weight that is not a
 *   positive integer.
 * @example
 * ```ts
 * validateTrafficPolicy({ type: 'failover', regions: ['us-central1', 'us-east1'] }, 'trafficPolicy');
 * validateTrafficPolicy({ type: 'failover', regions: [] }, 'trafficPolicy'); // throws: trafficPolicy.regions
 * ```
 */
export function validateTrafficPolicy(value: unknown, field: string): TrafficPolicy {
  const input = record(value, field);
  const type = input['type'];
  if (typeof type !== 'string' || !TRAFFIC_POLICY_TYPES.includes(type as TrafficPolicyType))
    throw new ValidationError(`${field}.type`, type, `must be one of ${TRAFFIC_POLICY_TYPES.join(', ')}`);
  const known = FIELDS[type as TrafficPolicyType];
  for (const key of Object.keys(input))
    if (!known.includes(key)) throw new ValidationError(`${field}.${key}`, input[key], `is no field of the ${type} policy`);
  switch (type as TrafficPolicyType) {
    case 'all':
      return ALL_POLICY;
    case 'failover':
      return Object.freeze({ type: 'failover', regions: failoverRegions(input['regions'], `${field}.regions`) });
    case 'nearest':
      return input['locations'] === undefined
        ? Object.freeze({ type: 'nearest' })
        : Object.freeze({ type: 'nearest', locations: locations(input['locations'], `${field}.locations`) });
    case 'weighted':
      return input['weights'] === undefined
        ? Object.freeze({ type: 'weighted' })
        : Object.freeze({ type: 'weighted', weights: weights(input['weights'], `${field}.weights`) });
  }
}

function failoverRegions(value: unknown, field: string): readonly string[] {
  if (!Array.isArray(value)) throw new ValidationError(field, value, 'must be an array of regions');
  const items: readonly unknown[] = value;
  if (items.length === 0) throw new ValidationError(field, value, 'must name at least one region');
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const name = region(item, `${field}[${i}]`);
    if (seen.has(name)) throw new ValidationError(`${field}[${i}]`, name, 'names a region already listed');
    seen.add(name);
  });
  return Object.freeze([...seen]);
}

function locations(value: unknown, field: string): Readonly<Record<string, string>> {
  const entries = Object.entries(record(value, field));
  for (const [name, location] of entries) {
    region(name, field);
    if (typeof location !== 'string' || location.length === 0)
      throw new ValidationError(`${field}.${name}`, location, "must be the provider's name of a location");
  }
  return Object.freeze(Object.fromEntries(entries) as Record<string, string>);
}

function weights(value: unknown, field: string): Readonly<Record<string, number>> {
  const entries = Object.entries(record(value, field));
  for (const [cluster, weight] of entries) {
    if (typeof weight !== 'number' || !Number.isSafeInteger(weight) || weight < 1)
      throw new ValidationError(`${field}.${cluster}`, weight, 'must be a positive integer');
  }
  return Object.freeze(Object.fromEntries(entries) as Record<string, number>);
}

/**
 * What can be checked only against the clusters: a failover region must be a region of one of
 * them. The routed policies are checked by {@link routedPolicy}.
 */
export function checkPolicyTopology(policy: TrafficPolicy, field: string, topology: Regions): void {
  if (policy.type !== 'failover') return;
  policy.regions.forEach((name, i) => {
    if (!topology.zonesByRegion.has(name))
      throw new ValidationError(
        `${field}.regions[${i}]`,
        name,
        `is no region of the federation's clusters (${topology.regions.join(', ')})`,
      );
  });
}

/** A routed policy (`nearest`, `weighted`) made against the DNS provider's routing limits. */
export interface RoutedPolicy {
  readonly routing: RoutingLimits;
  /** `nearest`: the provider's location of every region of the federation's clusters. */
  readonly locations: ReadonlyMap<string, string> | undefined;
}

/**
 * Checks a routed policy against what the provider's routed record sets accept, and maps each of
 * `regions` to its location (`nearest`): the policy's `locations` entry, else the provider's
 * own name for the region. Undefined for a policy that plans plain record sets.
 *
 * @param regions - The regions of the federation's clusters; none when they are not known yet
 *   (a controller being created), so that only the policy itself is checked.
 * @throws {@link ValidationError} when `routing` is absent (the provider writes no routed record
 *   sets), a `locations` value is not one of the provider's locations (naming the region's
 *   entry and the value), or a region maps to no location (naming the region).
 */
export function routedPolicy(
  policy: TrafficPolicy,
  field: string,
  regions: readonly string[],
  routing: RoutingLimits | undefined,
): RoutedPolicy | undefined {
  if (!isRouted(policy)) return undefined;
  if (routing === undefined)
    throw new ValidationError(
      `${field}.type`,
      policy.type,
      'needs routed record sets: plan it with the routing limits of a DNS provider that writes them (its routing)',
    );
  if (policy.type === 'weighted') return { routing, locations: undefined };
  const given = policy.locations ?? {};
  for (const [region, location] of Object.entries(given))
    if (routing.isLocation(location) !== true)
      throw new ValidationError(`${field}.locations.${region}`, location, 'is no location of the DNS provider');
  const locations = new Map<string, string>();
  for (const region of regions) {
    const location = Object.hasOwn(given, region) ? given[region] : routing.locationOf(region);
    if (typeof location !== 'string' || location === '')
      throw new ValidationError(
        `${field}.locations`,
        region,
        `region "${region}" maps to no location of the DNS provider: name its location in ${field}.locations`,
      );
    locations.set(region, location);
  }
  return { routing, locations };
}

/**
 * Checks a provider's routing limits where they enter (planning's input, the controller's
 * provider) and returns them.
 *
 * @throws {@link ValidationError} naming the member: `locationOf` or `isLocation` not a
 *   function, `maxWeight` or `maxMembers` not a positive integer.
 */
export function validateRoutingLimits(value: unknown, field: string): RoutingLimits {
  const input = record(value, field);
  for (const key of ['locationOf', 'isLocation'])
    if (typeof input[key] !== 'function') throw new ValidationError(`${field}.${key}`, input[key], 'must be a function');
  for (const key of ['maxWeight', 'maxMembers'])
    if (!Number.isSafeInteger(input[key]) || (input[key] as number) < 1)
      throw new ValidationError(`${field}.${key}`, input[key], 'must be a positive integer');
  return value as RoutingLimits;
}
