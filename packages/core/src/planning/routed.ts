// The global name as a routed record set (`nearest`, `weighted`): members the provider picks
// from by the client's location or by weight. See docs/design.md, Routed record sets.
import { ValidationError } from '../errors.js';
import type { RecordSet, RoutedMember, Routing } from '../types.js';
import { placeRdatas, routableTargets, shardRdatas, uniqueAddresses, type TargetsView } from './targets.js';
import type { RoutedPolicy } from './traffic-policy.js';
import type { ShardRdatas, Topology, ValidCluster, ValidShard } from './validate.js';

/** A `nearest` member before it is split by record type. */
export interface Candidate {
  readonly id: string;
  readonly location: string;
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
 * one location become one member (see nearestMembers): the providers refuse a location twice.
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

/** Each member cluster's place in name order, made once per topology. */
const ranksOf = new WeakMap<Topology, ReadonlyMap<ValidCluster, number>>();

/**
 * Each member cluster's place in name order (as `Array.prototype.sort` orders strings): `weighted`
 * members are listed in it, and a shard put at its cluster's place needs no sorting per service.
 */
export function clusterRanks(topology: Topology): ReadonlyMap<ValidCluster, number> {
  let ranks = ranksOf.get(topology);
  if (ranks === undefined) {
    const byName = [...topology.clusters.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    ranksOf.set(topology, (ranks = new Map(byName.map((cluster, rank) => [cluster, rank]))));
  }
  return ranks;
}

/**
 * A weight as it is when the largest (`top`) fits in 0..max; else in proportion to the largest
 * (which gets `max`), rounded, and at least 1 where it was above 0, so that a healthy shard is
 * never silenced by rounding. `max` is at least 1.
 */
export function scaleWeight(weight: number, top: number, max: number): number {
  if (top <= max) return weight;
  return weight <= 0 ? 0 : Math.max(1, Math.round((weight / top) * max));
}

/** The types a routed set may have. */
export type RoutedType = keyof ShardRdatas;

/** The members of a routed set of one type, each with data of it. */
export type MembersOf = (type: RoutedType) => RoutedMember[];

/**
 * The routed record sets of the global name: an A and/or an AAAA set, each with its members of
 * that type and the union of their data as its own `rrdatas` (what `all` would answer,
 * load-balancer hostnames by what they resolve to: `global`, routable).
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
  membersOf: MembersOf,
): void {
  const add = (type: RoutedType, rrdatas: string[]): void => {
    const members = membersOf(type);
    if (members.length > policy.routing.maxMembers)
      throw new ValidationError(
        `${place.field}.type`,
        routing,
        `makes ${members.length} members of the routed record set ${place.name} ${type}; the DNS provider takes at most ${policy.routing.maxMembers}`,
      );
    out.push({ name: place.name, type, ttl: place.ttl, rrdatas, routing, members });
  };
  const { v4, v6 } = uniqueAddresses(global.addresses);
  if (v4.length > 0) add('A', v4);
  if (v6.length > 0) add('AAAA', v6);
}

/**
 * `weighted`: one member per healthy shard with data of the type, in cluster name order (`byRank`,
 * see clusterRanks; a hole where a cluster has none), its id the cluster, its data the shard's own
 * (see shardRdatas), weighing its `weights` entry or else its ready endpoints (both at least 1),
 * scaled into 1..maxWeight when the largest is above maxWeight: no healthy shard gets weight 0, and
 * weights that fit are kept as they are, so that one shard's endpoints changing changes only its
 * own member. Per shard only the member and its data, which its zone's set shares, are made.
 */
export function weightedMembers(
  byRank: readonly (ValidShard | undefined)[],
  weights: Readonly<Record<string, number>> | undefined,
  maxWeight: number,
): MembersOf {
  const weightOf = (shard: ValidShard): number => {
    const { name } = shard.cluster;
    return weights !== undefined && Object.hasOwn(weights, name) ? weights[name]! : shard.readyEndpoints;
  };
  let count = 0;
  let top = 0;
  for (const shard of byRank) {
    if (shard === undefined) continue;
    count += 1;
    top = Math.max(top, weightOf(shard));
  }
  return (type) => {
    // Sized for every shard: most have data of every type the global name has.
    const out = new Array<RoutedMember>(count);
    let k = 0;
    for (const shard of byRank) {
      if (shard === undefined) continue;
      const rrdatas = shardRdatas(shard, type);
      if (rrdatas.length > 0) out[k++] = { id: shard.cluster.name, weight: scaleWeight(weightOf(shard), top, maxWeight), rrdatas };
    }
    out.length = k;
    return out;
  };
}

/**
 * `nearest`: one member per candidate with data of the type, candidates sharing a location
 * merged into the first, whose id the member keeps.
 */
export function nearestMembers(candidates: readonly Candidate[]): MembersOf {
  return (type) => {
    const out: RoutedMember[] = [];
    const byLocation = new Map<string, { at: number; candidate: Candidate; targets: TargetsView }>();
    for (const candidate of candidates) {
      const rrdatas = placeRdatas(candidate.targets, type);
      if (rrdatas.length === 0) continue;
      const { id, location } = candidate;
      const held = byLocation.get(location);
      if (held !== undefined) {
        held.targets = merged(held.targets, candidate.targets);
        out[held.at] = { id: held.candidate.id, location, rrdatas: placeRdatas(held.targets, type) };
        continue;
      }
      byLocation.set(location, { at: out.length, candidate, targets: candidate.targets });
      out.push({ id, location, rrdatas });
    }
    return out;
  };
}

/** A new view holding both (routable: addresses alone): a region's own are planned at its name too. */
function merged(a: TargetsView, b: TargetsView): TargetsView {
  return { addresses: [...a.addresses, ...b.addresses] };
}
