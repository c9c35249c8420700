// Routing-policy records (weighted, latency, geolocation, failover, multivalue answer): how the
// fixture reads their elements from a change and the rules Route 53 keeps between the records of
// one name and type. Sources, as the API reference and developer guide describe them: the
// ResourceRecordSet data type (SetIdentifier 1-128 characters; Weight 0-255, at most 100 weighted
// records per name and type; one latency record per Region; no two geolocation records for the
// same location, `*` the default; Failover PRIMARY or SECONDARY; no record of another policy, nor
// a simple one, beside them), the API model's ResourceRecordSetRegion enum, and the error
// messages Route 53 answers as users have quoted them (named beside each message below).
import { ResourceRecordSetRegion } from '@aws-sdk/client-route-53';

/** A geolocation: a continent, or a country (`*`: every location no other record names) and optionally one of its subdivisions. */
export interface GeoLocation {
  /** AF, AN, AS, EU, OC, NA or SA; never beside `countryCode`. */
  readonly continentCode?: string;
  /** Two letters, or `*` for every location no other record of the name and type names. */
  readonly countryCode?: string;
  /** A subdivision of `countryCode` (a US state's two letters); only with a country. */
  readonly subdivisionCode?: string;
}

/** What a routing-policy record carries besides its data; exactly one policy element with `setIdentifier`. */
export interface Routing {
  /** 1-128 characters, unique per name and type; none for a simple record. */
  readonly setIdentifier?: string;
  /** Weighted: 0-255. */
  readonly weight?: number;
  /** Latency: an AWS region (`us-east-1`). */
  readonly region?: string;
  /** Geolocation. */
  readonly geoLocation?: GeoLocation;
  /** Failover: the primary or the secondary record. */
  readonly failover?: 'PRIMARY' | 'SECONDARY';
  /** Multivalue answer (`true`). */
  readonly multiValueAnswer?: boolean;
  /** The health check the record answers by; none by default. Not checked to exist. */
  readonly healthCheckId?: string;
}

export type RoutingPolicy = 'simple' | 'weighted' | 'latency' | 'geolocation' | 'failover' | 'multivalue';

/** The latency regions Route 53 accepts: the API model's enum. */
export const REGIONS: ReadonlySet<string> = new Set(Object.values(ResourceRecordSetRegion));

/** The documented continent codes of a geolocation. */
export const CONTINENTS: ReadonlySet<string> = new Set(['AF', 'AN', 'AS', 'EU', 'OC', 'NA', 'SA']);

/** Regions of other AWS partitions (GovCloud, China, the European Sovereign Cloud): in the enum, but no latency record in a commercial zone names one. */
export const otherPartition = (region: string): boolean => /^(us-gov-|cn-|eusc-)/.test(region);

/** Documented: at most 100 weighted records share a name and type. */
export const WEIGHTED_PER_NAME_AND_TYPE = 100;

export function policyOf(r: Routing): RoutingPolicy {
  if (r.setIdentifier === undefined) return 'simple';
  if (r.weight !== undefined) return 'weighted';
  if (r.region !== undefined) return 'latency';
  if (r.geoLocation !== undefined) return 'geolocation';
  if (r.failover !== undefined) return 'failover';
  return 'multivalue';
}

const sameGeo = (a: GeoLocation | undefined, b: GeoLocation | undefined) =>
  a?.continentCode === b?.continentCode && a?.countryCode === b?.countryCode && a?.subdivisionCode === b?.subdivisionCode;

/** Whether two records carry the same routing, health check included: a DELETE must name it exactly. */
export function sameRouting(a: Routing, b: Routing): boolean {
  return (
    a.setIdentifier === b.setIdentifier &&
    a.weight === b.weight &&
    a.region === b.region &&
    sameGeo(a.geoLocation, b.geoLocation) &&
    a.failover === b.failover &&
    a.multiValueAnswer === b.multiValueAnswer &&
    a.healthCheckId === b.healthCheckId
  );
}

export function describeGeo(g: GeoLocation): string {
  return [
    g.continentCode === undefined ? undefined : `ContinentCode=${g.continentCode}`,
    g.countryCode === undefined ? undefined : `CountryCode=${g.countryCode}`,
    g.subdivisionCode === undefined ? undefined : `SubdivisionCode=${g.subdivisionCode}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
}

/** The routing a record shares with a sibling of its policy that Route 53 allows once per name and type; undefined when none. */
function slot(r: Routing): string | undefined {
  switch (policyOf(r)) {
    case 'latency':
      return `Region Name=${r.region}`;
    case 'geolocation':
      return `GeoLocation ${describeGeo(r.geoLocation ?? {})}`;
    case 'failover':
      return `Failover ${r.failover}`;
    default:
      return undefined;
  }
}

const SLOT_WORDS: Readonly<Record<string, string>> = { latency: 'region', geolocation: 'location', failover: 'failover type' };

interface Sibling extends Routing {
  readonly ttl?: number;
  readonly alias?: unknown;
}

/**
 * Route 53's refusal of routed record `r` beside `siblings`, the other records of its name and
 * type (`name` as Route 53 writes it); undefined when it may be written.
 */
export function routedSharingProblem(r: Sibling, siblings: readonly Sibling[], name: string, type: string): string | undefined {
  const policy = policyOf(r);
  // Quoted: "RRSet with DNS name …, type A, SetIdentifier … cannot be created as a non-weighted set
  // exists with the same name and type." (also when the other set is a latency one).
  if (siblings.some((held) => policyOf(held) !== policy)) {
    return `RRSet with DNS name ${name}, type ${type}, SetIdentifier ${r.setIdentifier} cannot be created as a non-${policy} set exists with the same name and type.`;
  }
  const taken = slot(r);
  // Quoted for latency: "RRSet with DNS name …, type A, SetIdentifier …, and Region Name=eu-west-1
  // cannot be created because a latency RRSet with the same name, type and region already exists."
  if (taken !== undefined && siblings.some((held) => slot(held) === taken)) {
    return `RRSet with DNS name ${name}, type ${type}, SetIdentifier ${r.setIdentifier}, and ${taken} cannot be created because a ${policy} RRSet with the same name, type and ${SLOT_WORDS[policy]} already exists.`;
  }
  // Quoted: "Exceeded limit on number of weighted RRSets for default.sg.msphere.co., type CNAME in this zone."
  if (policy === 'weighted' && siblings.length >= WEIGHTED_PER_NAME_AND_TYPE) {
    return `Exceeded limit on number of weighted RRSets for ${name}, type ${type} in this zone.`;
  }
  // Quoted: "RRSet with DNS name … and type A, SetIdentifier … cannot be created as weighted sets
  // must contain the same TTL." Records of the other policies may differ in TTL.
  if (policy === 'weighted' && r.alias === undefined && siblings.some((held) => held.alias === undefined && held.ttl !== r.ttl)) {
    return `RRSet with DNS name ${name} and type ${type}, SetIdentifier ${r.setIdentifier} cannot be created as weighted sets must contain the same TTL.`;
  }
  return undefined;
}

/** Quoted: "Cannot find region 'us-gov-west-1'. No changes made." for a latency record naming another partition's region. */
export function regionProblem(r: Routing): string | undefined {
  return r.region !== undefined && otherPartition(r.region) ? `Cannot find region '${r.region}'. No changes made.` : undefined;
}
