// Routed record sets ↔ Route 53 routing-policy records. A `nearest` set is one latency record
// per member (SetIdentifier the member's id, digested when too long: memberIdentifier; Region its
// location), a `weighted` set one weighted record per member (SetIdentifier likewise, Weight its
// weight), each with the set's TTL and the member's values. Reading groups a name and type's
// latency or weighted records back into one set; records of kinds fedsvc never writes stay
// ROUTED (records.ts) and are never changed.
import { createHash } from 'node:crypto';
import { type ResourceRecordSet, ResourceRecordSetRegion } from '@aws-sdk/client-route-53';
import { parseAddress, ProviderError, type RecordSet, type RoutedMember, type Routing, type RoutingLimits } from '@fedsvc/core/provider';
import { IDENTIFIER_PREFIX } from './aliases.js';
import { MAX_IDENTIFIER, MAX_WEIGHT, MAX_WEIGHTED, tooManyValues } from './quotas.js';

/**
 * The latency regions Route 53 accepts in a commercial hosted zone: the API model's
 * `ResourceRecordSetRegion` values, without those of the other partitions (GovCloud `us-gov-`,
 * China `cn-`, the European Sovereign Cloud `eusc-`), which it refuses there ("Cannot find region").
 */
export const LATENCY_REGIONS: ReadonlySet<string> = new Set(
  Object.values(ResourceRecordSetRegion).filter((region) => !/^(us-gov-|cn-|eusc-)/.test(region)),
);

/**
 * What Route 53's routed record sets accept. A location is a latency region (`LATENCY_REGIONS`),
 * and an AWS region is its own location. Weights are 0 to 255. At most 100 members: Route 53
 * holds at most 100 weighted records of one name and type, and a latency set has one record per
 * region, fewer than 100 regions in all.
 */
export const ROUTE53_ROUTING: RoutingLimits = Object.freeze({
  locationOf: (region: string) => (LATENCY_REGIONS.has(region) ? region : undefined),
  isLocation: (location: string) => LATENCY_REGIONS.has(location),
  maxWeight: MAX_WEIGHT,
  maxMembers: MAX_WEIGHTED,
});

/** The types whose routed sets the adapter writes and reads as routed: addresses only. */
const ROUTED_TYPES: ReadonlySet<string> = new Set(['A', 'AAAA']);

function invalid(record: RecordSet<string>, why: string): ProviderError {
  return new ProviderError('route53', 'invalid', `${record.name} ${record.type} (${record.routing}): ${why}`, {
    record: { name: record.name, type: record.type },
  });
}

/** Marks an identifier made from a digest; member ids that hold it are written digested too. */
const DIGESTED = '~';
/** What a digested identifier keeps of the id: the rest of its 128 characters are `~` and 32 hex digits. */
const KEPT = MAX_IDENTIFIER - DIGESTED.length - 32;

/**
 * The SetIdentifier of a member: its id when that fits Route 53's 1 to 128 characters and holds
 * no `~`; else the id's first 95 characters, `~` and 128 bits of its SHA-256 digest (a cluster
 * name has up to 253). Distinct ids give distinct identifiers (a kept id has no `~`, a digested
 * one has), the same id the same one at every pass; an identifier is read back as the member's
 * id, which core does not compare.
 */
export function memberIdentifier(id: string): string {
  if (id.length <= MAX_IDENTIFIER && !id.includes(DIGESTED)) return id;
  return `${id.slice(0, KEPT)}${DIGESTED}${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
}

/** Why `member` cannot be a record of `record`, or undefined. */
function memberProblem(record: RecordSet<string>, member: RoutedMember): string | undefined {
  const { id } = member;
  if (id.length === 0) return 'a member id must not be empty';
  // Weighted A/AAAA records with such an identifier are read back as part of an ALIAS set.
  if (id.startsWith(IDENTIFIER_PREFIX)) return `member id "${id}" begins ${IDENTIFIER_PREFIX}, which the adapter keeps for ALIAS sets`;
  if (member.rrdatas.length === 0) return `member ${id} has no values`;
  const many = tooManyValues(member.rrdatas.length);
  if (many) return `member ${id} has ${member.rrdatas.length} values: ${many}`;
  if (record.routing === 'nearest' && (member.location === undefined || !LATENCY_REGIONS.has(member.location)))
    return `member ${id}: location ${String(member.location)} is not a latency region of Route 53`;
  if (
    record.routing === 'weighted' &&
    !(Number.isInteger(member.weight) && (member.weight ?? -1) >= 0 && (member.weight ?? 0) <= MAX_WEIGHT)
  )
    return `member ${id}: weight ${String(member.weight)} is not an integer from 0 to ${MAX_WEIGHT}`;
  return undefined;
}

/** Why the set as a whole cannot be written, or undefined. */
function setProblem(record: RecordSet<string>, members: readonly RoutedMember[]): string | undefined {
  if (!ROUTED_TYPES.has(record.type))
    return 'Route 53 routed record sets are written for A and AAAA only (an ALIAS member may hold several targets, which one latency record cannot)';
  if (record.routing !== 'nearest' && record.routing !== 'weighted') return `unknown routing ${String(record.routing)}`;
  if (members.length === 0) return 'a routed record set needs at least one member';
  if (members.length > MAX_WEIGHTED) return `${members.length} members; Route 53 allows ${MAX_WEIGHTED}`;
  const ids = new Set(members.map((m) => memberIdentifier(m.id)));
  if (ids.size !== members.length) return 'member ids repeat';
  if (record.routing === 'nearest' && new Set(members.map((m) => m.location)).size !== members.length)
    return 'two members share a location; Route 53 holds one latency record per region';
  return undefined;
}

/**
 * The records a routed set is written as, one per member. Throws ProviderError `invalid`,
 * naming the set, for what Route 53 would refuse or the adapter could not read back as written.
 */
export function toRoutedRecords(record: RecordSet<string>): ResourceRecordSet[] {
  const members = record.members ?? [];
  const problem = setProblem(record, members) ?? members.map((m) => memberProblem(record, m)).find((p) => p !== undefined);
  if (problem !== undefined) throw invalid(record, problem);
  return members.map(
    (member): ResourceRecordSet => ({
      Name: record.name,
      Type: record.type as ResourceRecordSet['Type'],
      SetIdentifier: memberIdentifier(member.id),
      ...(record.routing === 'nearest' ? { Region: member.location as ResourceRecordSet['Region'] } : { Weight: member.weight }),
      TTL: record.ttl,
      ResourceRecords: member.rrdatas.map((Value) => ({ Value })),
    }),
  );
}

/**
 * How a listed record with a SetIdentifier would be a member of a routed set fedsvc writes: a
 * latency (`nearest`) or weighted A/AAAA record with values, a TTL, no alias target and no health
 * check. Undefined for every other kind (geolocation, failover, multivalue, aliases, health checks).
 */
export function memberRouting(rrs: ResourceRecordSet): Routing | undefined {
  const plain = ROUTED_TYPES.has(rrs.Type ?? '') && rrs.AliasTarget === undefined && rrs.HealthCheckId === undefined;
  if (!plain || rrs.TTL === undefined || (rrs.ResourceRecords ?? []).length === 0) return undefined;
  const others = rrs.Failover !== undefined || rrs.GeoLocation !== undefined || rrs.MultiValueAnswer !== undefined;
  if (others || rrs.CidrRoutingConfig !== undefined || rrs.GeoProximityLocation !== undefined) return undefined;
  if (rrs.Region !== undefined && rrs.Weight === undefined) return 'nearest';
  if (rrs.Weight !== undefined && rrs.Region === undefined) return 'weighted';
  return undefined;
}

/** Addresses in numeric order, as a plain set holds them; anything else after them, as text. */
function addressOrder(a: string, b: string): number {
  const ka = parseAddress(a)?.key;
  const kb = parseAddress(b)?.key;
  if (ka !== undefined && kb !== undefined) return ka < kb ? -1 : ka > kb ? 1 : 0;
  if (ka !== undefined || kb !== undefined) return ka !== undefined ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The records of one name and type, all of `routing` (memberRouting), as one routed set: members
 * in id order with their values as listed, the set's rrdatas their union in a plain set's order.
 * Its ttl is the records' (Route 53 keeps one among weighted records; latency records may differ,
 * and the lowest is taken).
 */
export function fromRoutedRecords(name: string, type: string, routing: Routing, parts: readonly ResourceRecordSet[]): RecordSet<string> {
  const members = parts
    .map(
      (rrs): RoutedMember => ({
        id: rrs.SetIdentifier ?? '',
        ...(routing === 'nearest' ? { location: rrs.Region as string } : { weight: rrs.Weight as number }),
        rrdatas: (rrs.ResourceRecords ?? []).map((r) => r.Value ?? ''),
      }),
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const union = [...new Set(members.flatMap((m) => m.rrdatas))].sort(addressOrder);
  const ttl = Math.min(...parts.map((rrs) => rrs.TTL ?? 0));
  return { name, type, ttl, rrdatas: union, routing, members };
}
