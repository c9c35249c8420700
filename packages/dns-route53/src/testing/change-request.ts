// The body of a ChangeResourceRecordSets request, read into requested changes with Route 53's
// input validation and its wording: what is malformed is refused before any change is applied.
import { ApiError, invalidInput } from './responses.js';
import { child, childText, children, parseXml, type XmlElement } from './xml.js';
import {
  type Action,
  type AliasTarget,
  canonicalName,
  escapeName,
  type RequestedChange,
  type StoredRecordSet,
  SUPPORTED_TYPES,
} from './zones.js';
import { isTtl } from '@fedsvc/core/provider';
import { CONTINENTS, type GeoLocation, REGIONS, type Routing } from './routing.js';

/** Route 53's input validation wording (`1 validation error detected: …`) for a field of change `index`. */
const constraint = (index: number, field: string, value: string, rule: string) =>
  invalidInput(
    `1 validation error detected: Value '${value}' at 'changeBatch.changes.${index}.member.resourceRecordSet.${field}' failed to satisfy constraint: ${rule}`,
  );

function parseNameAndType(x: XmlElement): { name: string; type: string } {
  const rawName = childText(x, 'Name');
  const type = childText(x, 'Type');
  if (!rawName || !type) throw invalidInput('Invalid request: Expected Name and Type in ResourceRecordSet');
  if (!SUPPORTED_TYPES.has(type)) throw invalidInput(`Invalid request: Invalid type ${type}`);
  for (const policy of ['CidrRoutingConfig', 'GeoProximityLocation']) {
    if (child(x, policy)) throw invalidInput(`Invalid request: routing policy element ${policy} is not supported by this fixture`);
  }
  return { name: canonicalName(rawName), type };
}

/** The policy elements of which a record with a SetIdentifier carries exactly one (Route 53's own list, in its order). */
const POLICY_ELEMENTS = ['Weight', 'Region', 'Failover', 'GeoLocation', 'MultiValueAnswer'] as const;
const EXACTLY_ONE = 'Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, or CidrRoutingConfig]';

function parseWeight(text: string, index: number): number {
  const weight = Number(text);
  if (Number.isInteger(weight) && weight >= 0 && weight <= 255) return weight;
  const rule = weight < 0 ? 'Member must have value greater than or equal to 0' : 'Member must have value less than or equal to 255';
  throw constraint(index, 'weight', text, rule);
}

function parseRegion(text: string, index: number): string {
  if (REGIONS.has(text)) return text;
  throw constraint(index, 'region', text, `Member must satisfy enum value set: [${[...REGIONS].join(', ')}]`);
}

function parseFailover(text: string, index: number): 'PRIMARY' | 'SECONDARY' {
  if (text === 'PRIMARY' || text === 'SECONDARY') return text;
  throw constraint(index, 'failover', text, 'Member must satisfy enum value set: [PRIMARY, SECONDARY]');
}

/** The XML schema's refusal of a code of the wrong length (quoted for ContinentCode: "Invalid XML ; cvc-length-valid: …"). */
function checkLength(value: string, type: string, max: number, exact: boolean): void {
  if (exact ? value.length === max : value.length >= 1 && value.length <= max) return;
  const facet = exact ? `length '${max}'` : `maxLength '${max}'`;
  throw invalidInput(
    `Invalid XML ; cvc-${exact ? 'length' : 'maxLength'}-valid: Value '${value}' with length = '${value.length}' is not facet-valid with respect to ${facet} for type '${type}'.`,
  );
}

/** A continent, or a country (`*`: the default) with optionally one of its subdivisions; never both. */
function parseGeoLocation(g: XmlElement, described: string): GeoLocation {
  const continentCode = childText(g, 'ContinentCode');
  const countryCode = childText(g, 'CountryCode');
  const subdivisionCode = childText(g, 'SubdivisionCode');
  if (continentCode !== undefined) checkLength(continentCode, 'ContinentCode', 2, true);
  if (countryCode !== undefined) checkLength(countryCode, 'CountryCode', 2, false);
  if (subdivisionCode !== undefined) checkLength(subdivisionCode, 'SubdivisionCode', 3, false);
  const codes = [continentCode, countryCode].filter((code) => code !== undefined).length;
  if (codes !== 1)
    throw invalidInput(
      `Invalid request: Expected exactly one of [ContinentCode, or CountryCode], but found ${codes === 0 ? 'none' : 'more than one'} in Change with ${described}`,
    );
  if (continentCode !== undefined && !CONTINENTS.has(continentCode))
    throw invalidInput(`Invalid request: Invalid ContinentCode ${continentCode}`);
  if (countryCode !== undefined && countryCode !== '*' && !/^[A-Z]{2}$/.test(countryCode))
    throw invalidInput(`Invalid request: Invalid CountryCode ${countryCode}`);
  if (subdivisionCode !== undefined && (countryCode === undefined || countryCode === '*'))
    throw invalidInput(
      `Invalid request: SubdivisionCode ${subdivisionCode} requires the CountryCode of its country in Change with ${described}`,
    );
  const geoLocation = { continentCode, countryCode, subdivisionCode };
  return Object.fromEntries(Object.entries(geoLocation).filter(([, code]) => code !== undefined)) as GeoLocation;
}

/** The one policy element of a record with a SetIdentifier, parsed and checked against the API's constraints. */
function parsePolicy(x: XmlElement, element: (typeof POLICY_ELEMENTS)[number], index: number, described: string): Routing {
  const text = childText(x, element) ?? '';
  switch (element) {
    case 'Weight':
      return { weight: parseWeight(text, index) };
    case 'Region':
      return { region: parseRegion(text, index) };
    case 'Failover':
      return { failover: parseFailover(text, index) };
    case 'GeoLocation':
      return { geoLocation: parseGeoLocation(child(x, 'GeoLocation') as XmlElement, described) };
    case 'MultiValueAnswer':
      return { multiValueAnswer: text === 'true' };
  }
}

/**
 * SetIdentifier and exactly one policy element, or neither (a simple record); HealthCheckId with
 * either. `described` names the change in Route 53's messages (quoted: "Invalid request: Expected
 * exactly one of [Weight, Region, Failover, GeoLocation, or MultiValueAnswer], but found none in
 * Change with [Action=DELETE, Name=…, Type=A, SetIdentifier=…]").
 */
function parseRouting(x: XmlElement, index: number, described: string): Routing {
  const setIdentifier = childText(x, 'SetIdentifier');
  const healthCheckId = childText(x, 'HealthCheckId');
  if (setIdentifier !== undefined && (setIdentifier.length < 1 || setIdentifier.length > 128)) {
    throw constraint(index, 'setIdentifier', setIdentifier, 'Member must have length less than or equal to 128');
  }
  if (healthCheckId !== undefined && healthCheckId.length > 64) {
    throw constraint(index, 'healthCheckId', healthCheckId, 'Member must have length less than or equal to 64');
  }
  const present = POLICY_ELEMENTS.filter((element) => child(x, element) !== undefined);
  if (setIdentifier === undefined && present.length > 0) {
    throw invalidInput(`Invalid request: Missing field 'SetIdentifier' in Change with ${described}`);
  }
  if (setIdentifier !== undefined && present.length !== 1) {
    throw invalidInput(
      `Invalid request: ${EXACTLY_ONE}, but found ${present.length === 0 ? 'none' : 'more than one'} in Change with ${described}`,
    );
  }
  const health = healthCheckId === undefined ? {} : { healthCheckId };
  const element = present[0];
  if (setIdentifier === undefined || element === undefined) return health;
  return { setIdentifier, ...parsePolicy(x, element, index, described), ...health };
}

function parseAliasTarget(x: XmlElement): AliasTarget {
  const hostedZoneId = childText(x, 'HostedZoneId');
  const dnsName = childText(x, 'DNSName');
  const evaluate = childText(x, 'EvaluateTargetHealth');
  if (!hostedZoneId || !dnsName || evaluate === undefined)
    throw invalidInput('Invalid request: Expected HostedZoneId, DNSName and EvaluateTargetHealth in AliasTarget');
  return { hostedZoneId, dnsName: canonicalName(dnsName), evaluateTargetHealth: evaluate === 'true' };
}

/** What the set holds: an AliasTarget, or a TTL and ResourceRecords, never both. */
function parseRecordData(x: XmlElement, described: string): Pick<StoredRecordSet, 'ttl' | 'values' | 'alias'> {
  const aliasX = child(x, 'AliasTarget');
  const ttlText = childText(x, 'TTL');
  const values = children(child(x, 'ResourceRecords'), 'ResourceRecord').map((rr) => {
    const v = child(rr, 'Value');
    if (!v) throw invalidInput('Invalid request: Expected Value in ResourceRecord');
    return v.text;
  });
  if (aliasX) {
    if (ttlText !== undefined || values.length > 0) {
      throw invalidInput(
        `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with ${described}`,
      );
    }
    return { values: [], alias: parseAliasTarget(aliasX) };
  }
  if (ttlText === undefined || values.length === 0) {
    throw invalidInput(
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with ${described}`,
    );
  }
  const ttl = Number(ttlText);
  if (!isTtl(ttl)) throw invalidInput(`Invalid request: Invalid TTL ${ttlText}`);
  return { ttl, values };
}

/** `index`: the change's position in the batch, from 1, as Route 53's validation messages count. */
function parseRecordSet(x: XmlElement, action: Action, index: number): StoredRecordSet {
  const { name, type } = parseNameAndType(x);
  const described = `[Action=${action}, Name=${escapeName(name)}, Type=${type}, SetIdentifier=${childText(x, 'SetIdentifier') ?? 'null'}]`;
  const routing = parseRouting(x, index, described);
  const data = parseRecordData(x, described);
  // Documented: multivalue answer records cannot be alias records (the fixture's wording).
  if (routing.multiValueAnswer !== undefined && data.alias !== undefined) {
    throw invalidInput(`Invalid request: MultiValueAnswer cannot be used with AliasTarget in Change with ${described}`);
  }
  return { name, type, ...data, ...routing };
}

function parseChange(c: XmlElement, index: number): RequestedChange {
  const action = childText(c, 'Action');
  if (action !== 'CREATE' && action !== 'DELETE' && action !== 'UPSERT')
    throw invalidInput(`Invalid request: Invalid action ${String(action)}`);
  const rrs = child(c, 'ResourceRecordSet');
  if (!rrs) throw invalidInput('Invalid request: Expected ResourceRecordSet in Change');
  return { action, recordSet: parseRecordSet(rrs, action, index) };
}

export function parseChangeBatch(body: string): { changes: RequestedChange[]; comment?: string } {
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch (e) {
    throw new ApiError(400, 'MalformedInput', `Unexpected XML: ${(e as Error).message}`);
  }
  if (root.name !== 'ChangeResourceRecordSetsRequest') {
    throw new ApiError(400, 'MalformedInput', `ChangeBatch is not valid, expected ChangeResourceRecordSetsRequest`);
  }
  const batch = child(root, 'ChangeBatch');
  const changeXs = children(batch && child(batch, 'Changes'), 'Change');
  if (!batch || changeXs.length === 0) {
    throw invalidInput(
      "1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  const changes = changeXs.map((c, i) => parseChange(c, i + 1));
  const comment = childText(batch, 'Comment');
  return { changes, comment };
}
