// The DNS contract (docs/design.md, The DNS contract): zone → region → global, A/AAAA where healthy addresses exist,
// CNAME one level up where none do, nothing at all where none exist anywhere.
import type { Address } from '../dns/addresses.js';
import { ValidationError } from '../errors.js';
import { MAX_RECORD_NAME_LENGTH, normalizeName, serviceNames, type ServiceNames } from '../dns/names.js';
import { DEFAULT_MARKER_PREFIX, ownershipSubject } from '../dns/ownership.js';
import type {
  Cluster,
  Federation,
  FederationPlanInput,
  RecordSet,
  RoutingLimits,
  ServicePlanInput,
  ServiceRef,
  TrafficPolicy,
} from '../types.js';
import { clusterRanks, nearestCandidates, nearestMembers, routedSets, weightedMembers } from './routed.js';
import { addTargets, aliasRdatas, noTargets, routableTargets, uniqueAddresses, type Targets } from './targets.js';
import { checkPolicyTopology, routedPolicy, validateRoutingLimits, type RoutedPolicy } from './traffic-policy.js';
import {
  label,
  list,
  record,
  validateFederation,
  validateService,
  validateShards,
  validateTopology,
  type Topology,
  type ShardRdatas,
  type ValidService,
  type ValidShard,
} from './validate.js';

/**
 * Whether a shard serves: its cluster is ready, its Service has at least one ready endpoint,
 * and its load balancer has at least one address (or a hostname published as an ALIAS target).
 * Only healthy shards put addresses in DNS; see docs/design.md, The DNS contract.
 *
 * @param cluster - The shard's cluster; `undefined` (not a member) is never healthy.
 * @param shard - Its addresses, hostnames and ready endpoints, as in a {@link Shard}.
 * @example
 * ```ts
 * isShardHealthy({ ready: true }, { addresses: ['104.197.247.191'], readyEndpoints: 3 }); // true
 * isShardHealthy({ ready: true }, { addresses: ['104.197.247.191'], readyEndpoints: 0 }); // false
 * ```
 */
export function isShardHealthy(
  cluster: Pick<Cluster, 'ready'> | undefined,
  shard: { readonly addresses: readonly unknown[]; readonly hostnames?: readonly unknown[] | undefined; readonly readyEndpoints: number },
): boolean {
  return cluster?.ready === true && shard.readyEndpoints > 0 && (shard.addresses.length > 0 || (shard.hostnames?.length ?? 0) > 0);
}

/**
 * Plans the DNS record sets of one federated service: for the global name, every region and
 * every zone in which the federation has a cluster, an A and/or AAAA set holding exactly the
 * healthy shards' addresses there (once each, in numeric order), or, where there are none, a
 * CNAME one level up (zone → region → global). No healthy shard anywhere: no records at all.
 * Pure; the result is in a stable order (global, then each region followed by its zones).
 * Ownership markers are not included: {@link diffRecords} adds them.
 *
 * A shard with load-balancer `hostnames` makes each name it counts in one `ALIAS` set of
 * hostnames and addresses instead (for a provider with `canAlias`).
 *
 * With the `nearest` or `weighted` traffic policy (given `input.routing`, the provider's routing
 * limits), the global name is a routed record set per type instead: one member per location with
 * healthy shards (its id the first region mapping there), or one per healthy shard (its id the
 * cluster, its weight its `weights` entry or ready endpoints, scaled into the provider's range),
 * members in id order; its own `rrdatas` are the union, what `all` answers. A member is one
 * record at the provider, which can hold one alias target at most, so a shard's `hostnames` count
 * there by their `hostnameAddresses`; while none of the healthy shards' has any, the global name
 * is planned as with `all`.
 *
 * @returns Record sets with lower-case, fully qualified names and the service's TTL
 *   (the federation's, default {@link DEFAULT_TTL} = 180 s), read only: a `weighted` member
 *   and the zone or region set whose one healthy shard it is share their `rrdatas` array.
 * @throws {@link ValidationError} when any input is malformed, naming the field
 *   (`shards[1].addresses[0]`) and the value: a duplicate cluster, a shard in a cluster that
 *   is not a member, a zone in two regions, a name longer than DNS allows, a routed policy
 *   without `input.routing`, a region `nearest` maps to no location (naming the region), a
 *   `locations` value the provider does not accept, more members than its `maxMembers`, …
 * @example
 * ```ts
 * const records = planServiceRecords({
 *   federation: { name: 'myfederation', domain: 'example.com' },
 *   service: { namespace: 'mynamespace', name: 'nginx' },
 *   clusters: [{ name: 'gce-us-central1-a', zones: ['us-central1-a'], region: 'us-central1', ready: true }],
 *   shards: [{ cluster: 'gce-us-central1-a', addresses: ['104.197.247.191'], readyEndpoints: 3 }],
 * });
 * // nginx.mynamespace.myfederation.svc.example.com.               A 104.197.247.191
 * // nginx.mynamespace.myfederation.svc.us-central1.example.com.   A 104.197.247.191
 * // nginx.mynamespace.myfederation.svc.us-central1-a.example.com. A 104.197.247.191
 * ```
 * @see {@link planFederation} for many services at once, {@link recordNames} for the names alone.
 */
export function planServiceRecords(input: ServicePlanInput): RecordSet[] {
  const root = record(input, 'input');
  const topology = validateTopology(validateFederation(root['federation']), root['clusters']);
  const routing = root['routing'] === undefined ? undefined : validateRoutingLimits(root['routing'], 'routing');
  const service = plannedService(root['service'], 'service', topology, routing);
  return plan(topology, service, validateShards(root['shards'], 'shards', topology));
}

/**
 * Plans many services over one set of clusters, as {@link planServiceRecords} plans each; the
 * topology is validated once, so this is the call for a whole federation (the desired records
 * of a zone, handed to {@link diffRecords} or {@link reconcileZone}).
 *
 * @returns Every service's record sets, service after service in the input's order.
 * @throws {@link ValidationError} naming the field, as planServiceRecords does
 *   (`services[2].shards[0].cluster`), and when a service appears twice.
 * @example
 * ```ts
 * const desired = planFederation({
 *   federation: { name: 'myfederation', domain: 'example.com' },
 *   clusters,
 *   services: [
 *     { service: { namespace: 'mynamespace', name: 'nginx' }, shards: nginxShards },
 *     { service: { namespace: 'mynamespace', name: 'api', ttl: 60 }, shards: apiShards },
 *   ],
 * });
 * ```
 */
export function planFederation(input: FederationPlanInput): RecordSet[] {
  const root = record(input, 'input');
  const topology = validateTopology(validateFederation(root['federation']), root['clusters']);
  const routing = root['routing'] === undefined ? undefined : validateRoutingLimits(root['routing'], 'routing');
  // Services without a policy of their own share the federation's: its regions are mapped once.
  const routed = new Map<TrafficPolicy, RoutedPolicy | undefined>();
  const seen = new Set<string>();
  const out: RecordSet[] = [];
  list(root['services'], 'services').forEach((item, i) => {
    const entry = record(item, `services[${i}]`);
    const service = plannedService(entry['service'], `services[${i}].service`, topology, routing, routed);
    const key = `${service.namespace}/${service.name}`;
    if (seen.has(key)) throw new ValidationError(`services[${i}].service`, key, 'duplicate service');
    seen.add(key);
    for (const set of plan(topology, service, validateShards(entry['shards'], `services[${i}].shards`, topology))) out.push(set);
  });
  return out;
}

/** A service as the planner makes it: with `nearest` or `weighted`, its policy made against the provider's routing limits. */
interface PlannedService extends ValidService {
  readonly routed: RoutedPolicy | undefined;
}

/** The service, its traffic policy checked against the clusters and, when routed, the provider's routing limits. */
function plannedService(
  value: unknown,
  field: string,
  topology: Topology,
  routing: RoutingLimits | undefined,
  memo?: Map<TrafficPolicy, RoutedPolicy | undefined>,
): PlannedService {
  const service = validateService(value, field, topology);
  const { trafficPolicy, trafficPolicyField } = service;
  if (trafficPolicy.type === 'all') return { ...service, routed: undefined };
  checkPolicyTopology(trafficPolicy, trafficPolicyField, topology);
  if (memo?.has(trafficPolicy)) return { ...service, routed: memo.get(trafficPolicy) };
  const routed = routedPolicy(trafficPolicy, trafficPolicyField, topology.regions, routing);
  memo?.set(trafficPolicy, routed);
  return { ...service, routed };
}

function plan(topology: Topology, service: PlannedService, shards: readonly ValidShard[]): RecordSet[] {
  const global = noTargets();
  const byRegion = new Map<string, Targets>();
  const byZone = new Map<string, Targets>();
  const policy = service.trafficPolicy;
  // `weighted` only: its members are the healthy shards, put at their cluster's rank in name order.
  const ranks = policy.type === 'weighted' ? clusterRanks(topology) : undefined;
  const byRank = ranks === undefined ? undefined : new Array<ValidShard | undefined>(ranks.size);
  for (const shard of shards) {
    if (!isShardHealthy(shard.cluster, shard)) continue;
    const { region, zones } = shard.cluster;
    if (byRank !== undefined) byRank[ranks!.get(shard.cluster)!] = shard;
    addTargets(global, shard);
    addTargets(at(byRegion, region), shard);
    // A multi-zone cluster counts in every zone it spans (docs/design.md, Decisions).
    for (const zone of zones) addTargets(at(byZone, zone), shard);
  }
  // No healthy shard, no records: never a chain of CNAMEs with no address at its end.
  if (global.addresses.length === 0 && global.hostnames === undefined) return [];

  const names = serviceNames(topology.federation, service);
  const { ttl, routed } = service;
  const out: RecordSet[] = [];
  const routable = routed === undefined ? undefined : routableTargets(global);
  // Hostnames alone, none resolved yet: the global name answers as with `all` rather than not at
  // all, since the regions' CNAMEs lead to it.
  if (routed === undefined || routable?.addresses.length === 0) targetSets(out, names.global, ttl, globalTargets(policy, global, byRegion));
  else {
    const members =
      policy.type === 'weighted'
        ? weightedMembers(byRank ?? [], policy.weights, routed.routing.maxWeight)
        : nearestMembers(nearestCandidates(topology.regions, byRegion, routed.locations ?? new Map()));
    const place = { name: names.global, ttl, field: service.trafficPolicyField };
    routedSets(out, place, policy.type === 'weighted' ? 'weighted' : 'nearest', routed, routable!, members);
  }
  for (const region of topology.regions) {
    const regionName = names.region(region);
    const regionTargets = byRegion.get(region);
    if (regionTargets) targetSets(out, regionName, ttl, regionTargets);
    else out.push({ name: regionName, type: 'CNAME', ttl, rrdatas: [names.global] });
    for (const zone of topology.zonesByRegion.get(region) ?? []) {
      const zoneName = names.zone(zone, region);
      const zoneTargets = byZone.get(zone);
      if (zoneTargets) targetSets(out, zoneName, ttl, zoneTargets);
      else out.push({ name: zoneName, type: 'CNAME', ttl, rrdatas: [regionName] });
    }
  }
  return out;
}

/**
 * What the global name answers as a plain set: with `failover`, the first listed region with a
 * healthy shard, or (none has one) every healthy shard, so that the CNAMEs of regions without
 * one still lead to addresses.
 */
function globalTargets(policy: TrafficPolicy, global: Targets, byRegion: ReadonlyMap<string, Targets>): Targets {
  if (policy.type !== 'failover') return global;
  for (const region of policy.regions) {
    const targets = byRegion.get(region);
    if (targets) return targets;
  }
  return global;
}

function at(map: Map<string, Targets>, key: string): Targets {
  let found = map.get(key);
  if (!found) map.set(key, (found = noTargets()));
  return found;
}

/**
 * A/AAAA sets, or one ALIAS set when a load-balancer hostname is among the targets. A place
 * whose one healthy shard has its own data made (its `weighted` member's) plans the same arrays.
 */
function targetSets(out: RecordSet[], name: string, ttl: number, targets: Targets): void {
  const own = targets.only?.own ?? targets.made;
  if (targets.hostnames === undefined) {
    addressSets(out, name, ttl, targets.addresses, own);
    return;
  }
  out.push({ name, type: 'ALIAS', ttl, rrdatas: aliasRdatas(targets) });
}

/** A and/or AAAA sets holding the addresses once each (Route 53 rejects a batch holding duplicates), in numeric order. */
function addressSets(out: RecordSet[], name: string, ttl: number, addresses: readonly Address[], own: ShardRdatas | undefined): void {
  if (addresses.length === 1) {
    // Most zones have one shard; skip the copy and sort.
    const [only] = addresses as [Address];
    const type = only.family === 4 ? 'A' : 'AAAA';
    out.push({ name, type, ttl, rrdatas: own?.[type] ?? [only.text] });
    return;
  }
  // Data already made for the place (its routed member's) is not made again.
  const { v4, v6 } = own?.A !== undefined && own.AAAA !== undefined ? { v4: own.A, v6: own.AAAA } : uniqueAddresses(addresses);
  if (v4.length > 0) out.push({ name, type: 'A', ttl, rrdatas: own?.A ?? v4 });
  if (v6.length > 0) out.push({ name, type: 'AAAA', ttl, rrdatas: own?.AAAA ?? v6 });
}

/**
 * The record names of one service, for callers that build or look up names themselves (a DNS
 * responder, a dashboard). Names are lower-case and fully qualified, in the federation's
 * `zoneNameFormat`.
 *
 * @returns `global`, and functions giving a region's and a zone's name.
 * @throws {@link ValidationError} for a malformed federation or service, and (from `region` and
 *   `zone`) for a label that is not DNS-1123 or a name longer than a record name may be.
 * @example
 * ```ts
 * const names = recordNames({ name: 'myfederation', domain: 'example.com' }, { namespace: 'mynamespace', name: 'nginx' });
 * names.global;                                // 'nginx.mynamespace.myfederation.svc.example.com.'
 * names.region('us-central1');                 // 'nginx.mynamespace.myfederation.svc.us-central1.example.com.'
 * names.zone('us-central1-a', 'us-central1');  // 'nginx.mynamespace.myfederation.svc.us-central1-a.example.com.'
 * // with zoneNameFormat 'zone.region':          'nginx.mynamespace.myfederation.svc.us-central1-a.us-central1.example.com.'
 * ```
 */
export function recordNames(federation: Federation, service: ServiceRef): ServiceNames {
  const valid = validateFederation(federation);
  const names = serviceNames(valid, validateService(service, 'service', validateTopology(valid, [])));
  const checked = (name: string, field: string, value: string): string => {
    if (name.length - 1 > MAX_RECORD_NAME_LENGTH) {
      throw new ValidationError(
        field,
        value,
        `makes a record name of ${name.length - 1} characters; the limit is ${MAX_RECORD_NAME_LENGTH}`,
      );
    }
    return name;
  };
  return {
    global: names.global,
    region: (region) => checked(names.region(label(region, 'region', 'DNS-1123')), 'region', region),
    zone: (zone, region) => checked(names.zone(label(zone, 'zone', 'DNS-1123'), label(region, 'region', 'DNS-1123')), 'zone', zone),
  };
}

/** A record name taken apart: the service it belongs to, and where it answers. */
export interface RecordNameParts {
  readonly namespace: string;
  readonly name: string;
  /**
   * What stands between `svc.` and the domain: the zone (`us-east1-b`, or `us-east1-b.us-east1`
   * with the `zone.region` format) or the region; absent for the global name.
   */
  readonly place?: string;
}

/** `.<federation>.svc` and the domain, per federation: a zone's listing parses thousands of names. */
const tails = new WeakMap<Federation, { readonly federation: string; readonly domain: string }>();

/**
 * The inverse of `recordNames`: `<name>.<namespace>.<federation>.svc[.<place>].<domain>` → its
 * service and place; undefined for any other name. Names may come in a provider's spelling
 * (any case, trailing dot or not). The ownership marker of a name (`markerPrefix` in front,
 * `_fedsvc.` by default) belongs to the same service, so that a caller grouping a zone's records by service keeps
 * each name with its marker. The place may have any number of labels: a name written under
 * an earlier domain or zone name format is still the service's, to be cleaned up with it.
 */
export function parseRecordName(
  federation: Federation,
  name: string,
  markerPrefix: string = DEFAULT_MARKER_PREFIX,
): RecordNameParts | undefined {
  let tail = tails.get(federation);
  if (!tail) {
    const valid = validateFederation(federation);
    tails.set(federation, (tail = { federation: valid.name, domain: valid.domain }));
  }
  const subject = ownershipSubject(normalizeName(name), markerPrefix);
  if (!subject.endsWith(`.${tail.domain}`)) return undefined;
  const labels = subject.slice(0, subject.length - tail.domain.length - 1).split('.');
  const [service, namespace, federationName, svc, ...place] = labels;
  if (!service || !namespace || federationName !== tail.federation || svc !== 'svc') return undefined;
  return { namespace, name: service, place: place.length > 0 ? place.join('.') : undefined };
}
