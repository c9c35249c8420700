// The global name as a routed record set (`nearest`, `weighted`): members the provider picks
// from by the client's location or by weight. See docs/design.md, Routed record sets.
import { ValidationError } from '../errors.js';
import type { RecordSet, RecordType, RoutedMember, Routing } from '../types.js';
import { familyRdatas, routableTargets, uniqueAddresses, type TargetsView } from './targets.js';
import type { RoutedPolicy } from './traffic-policy.js';
import type { ValidShard } from './validate.js';

/** A member before it is split by record type. */
export interface Candidate {
  readonly id: string;
  readonly location?: string;
  readonly weight?: number;
  readonly targets: TargetsView;
}

/** Where a routed set is planned, for the error when it has more members than the provider takes. */
export interface RoutedSetPlace {
  readonly name: string;
  readonly ttl: number;
  /** The traffic policy's field (`service.trafficPolicy`). */
  readonly field: string;
}

/**
 * `nearest`: a candidate per region that has healthy shards, in region order. Regions mapping to
 * one location become one member (see routedSets): the providers refuse a location twice.
 */
export function nearestCandidates(
  regions: readonly string[],
  byRegion: ReadonlyMap<string, TargetsView>,
  locations: ReadonlyMap<string, string>,
): Candidate[] {
  const out: Candidate[] = [];
  for (const region of regions) {
    const targets = byRegion.get(region);
    const location = locations.get(region);
    if (targets !== undefined && location !== undefined) out.push({ id: region, location, targets: routableTargets(targets) });
  }
  return out;
}

/**
 * `weighted`: one member per healthy shard, in cluster name order, weighing its `weights`
 * entry or else its ready endpoints (both at least 1), scaled into 1..maxWeight when the largest
 * is above maxWeight: no healthy shard gets weight 0, and weights that fit are kept as they are,
 * so that one shard's endpoints changing changes only its own member.
 */
export function weightedCandidates(
  healthy: readonly ValidShard[],
  weights: Readonly<Record<string, number>> | undefined,
  maxWeight: number,
): Candidate[] {
  const shards = inNameOrder(healthy);
  const raw = shards.map((shard) =>
    weights !== undefined && Object.hasOwn(weights, shard.cluster.name) ? weights[shard.cluster.name]! : shard.readyEndpoints,
  );
  const scaled = scaleWeights(raw, maxWeight);
  return shards.map((shard, i) => ({ id: shard.cluster.name, weight: scaled[i]!, targets: routableTargets(shard) }));
}

/** The shards by cluster name; shards listed in that order already (as the clusters often are) are not copied. */
function inNameOrder(shards: readonly ValidShard[]): readonly ValidShard[] {
  for (let i = 1; i < shards.length; i++) {
    if (shards[i - 1]!.cluster.name >= shards[i]!.cluster.name)
      return [...shards].sort((a, b) => (a.cluster.name < b.cluster.name ? -1 : a.cluster.name > b.cluster.name ? 1 : 0));
  }
  return shards;
}

/**
 * Weights as they are when the largest fits in 0..max; else each in proportion to the largest
 * (which gets `max`), rounded, and at least 1 where it was above 0, so that a healthy shard is
 * never silenced by rounding. `max` is at least 1.
 */
export function scaleWeights(raw: readonly number[], max: number): readonly number[] {
  let top = 0;
  for (const weight of raw) if (weight > top) top = weight;
  if (top <= max) return raw;
  return raw.map((weight) => (weight <= 0 ? 0 : Math.max(1, Math.round((weight / top) * max))));
}

/**
 * The routed record sets of the global name: an A and/or an AAAA set, each with the members that
 * have data of its type and the union of their data as its own `rrdatas` (what `all` would
 * answer, load-balancer hostnames by what they resolve to: `global`, routable). Candidates with
 * one location are one member, its id the first of theirs with data of the type.
 *
 * @throws {@link ValidationError} naming the policy when a set would have more members than the
 *   provider's `maxMembers`.
 */
export function routedSets(
  out: RecordSet[],
  place: RoutedSetPlace,
  routing: Routing,
  policy: RoutedPolicy,
  global: TargetsView,
  candidates: readonly Candidate[],
): void {
  const add = (type: RecordType, rrdatas: string[], data: (targets: TargetsView) => string[]): void => {
    const members = membersOf(candidates, data);
    if (members.length > policy.routing.maxMembers)
      throw new ValidationError(
        `${place.field}.type`,
        routing,
        `makes ${members.length} members of the routed record set ${place.name} ${type}; the DNS provider takes at most ${policy.routing.maxMembers}`,
      );
    out.push({ name: place.name, type, ttl: place.ttl, rrdatas, routing, members });
  };
  const { v4, v6 } = uniqueAddresses(global.addresses);
  if (v4.length > 0) add('A', v4, (targets) => familyRdatas(targets, 4));
  if (v6.length > 0) add('AAAA', v6, (targets) => familyRdatas(targets, 6));
}

/** The members of one type: candidates with data of it, those sharing a location merged into the first. */
function membersOf(candidates: readonly Candidate[], data: (targets: TargetsView) => string[]): RoutedMember[] {
  const out: RoutedMember[] = [];
  if (candidates[0]?.location === undefined) {
    // `weighted`: one member per candidate with data of the type.
    for (const { id, weight, targets } of candidates) {
      const rrdatas = data(targets);
      if (rrdatas.length > 0) out.push({ id, weight: weight ?? 0, rrdatas });
    }
    return out;
  }
  // `nearest`: candidates sharing a location are one member.
  const byLocation = new Map<string, { at: number; candidate: Candidate; targets: TargetsView }>();
  for (const candidate of candidates) {
    const rrdatas = data(candidate.targets);
    if (rrdatas.length === 0) continue;
    const { location } = candidate;
    const held = location === undefined ? undefined : byLocation.get(location);
    if (held !== undefined) {
      held.targets = merged(held.targets, candidate.targets);
      out[held.at] = member(held.candidate, data(held.targets));
      continue;
    }
    if (location !== undefined) byLocation.set(location, { at: out.length, candidate, targets: candidate.targets });
    out.push(member(candidate, rrdatas));
  }
  return out;
}

/** A new view holding both (routable: addresses alone): a region's own are planned at its name too. */
function merged(a: TargetsView, b: TargetsView): TargetsView {
  return { addresses: [...a.addresses, ...b.addresses] };
}

function member(candidate: Candidate, rrdatas: string[]): RoutedMember {
  const { id, location, weight } = candidate;
  return location !== undefined ? { id, location, rrdatas } : weight !== undefined ? { id, weight, rrdatas } : { id, rrdatas };
}
