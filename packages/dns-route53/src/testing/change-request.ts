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
  // Weighted sets are modelled; other routing policies are not.
  for (const policy of ['Region', 'GeoLocation', 'Failover', 'MultiValueAnswer', 'CidrRoutingConfig']) {
    if (child(x, policy)) throw invalidInput(`Invalid request: routing policy element ${policy} is not supported by this fixture`);
  }
  return { name: canonicalName(rawName), type };
}

/** SetIdentifier and Weight, both or neither; `described` names the change in Route 53's messages. */
function parseRouting(x: XmlElement, index: number, described: string): { setIdentifier?: string; weight?: number } {
  const setIdentifier = childText(x, 'SetIdentifier');
  const weightText = childText(x, 'Weight');
  if (setIdentifier !== undefined && (setIdentifier.length < 1 || setIdentifier.length > 128)) {
    throw constraint(index, 'setIdentifier', setIdentifier, 'Member must have length less than or equal to 128');
  }
  if (setIdentifier !== undefined && weightText === undefined) {
    throw invalidInput(
      `Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, or CidrRoutingConfig], but found none in Change with ${described}`,
    );
  }
  if (setIdentifier === undefined && weightText !== undefined) {
    throw invalidInput(`Invalid request: Missing field 'SetIdentifier' in Change with ${described}`);
  }
  const weight = weightText === undefined ? undefined : Number(weightText);
  if (weight !== undefined && (!Number.isInteger(weight) || weight < 0 || weight > 255)) {
    throw constraint(
      index,
      'weight',
      weightText ?? '',
      weight !== undefined && weight < 0
        ? 'Member must have value greater than or equal to 0'
        : 'Member must have value less than or equal to 255',
    );
  }
  return setIdentifier === undefined ? {} : { setIdentifier, weight: weight ?? 0 };
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
  return { name, type, ...parseRecordData(x, described), ...routing };
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
