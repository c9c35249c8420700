// Translation between the port's record sets and Route 53's ResourceRecordSet shape.
import type { Change as Route53Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { ProviderError, type Change, type RecordSet } from '@fedsvc/core/provider';
import { aliasUpdate, fromWeightedSets, isAliasPart, recordsUpdate, weightedSetsOf, type RecordsAsRead } from './aliases.js';
import { normalizeZoneName } from './names.js';
import { tooManyValues } from './quotas.js';
import { fromRoutedRecords, memberRouting, toRoutedRecords } from './routed.js';

/**
 * Someone's own (simple) alias records have no values and no TTL. They are reported as their type
 * with one rrdata `ALIAS <hosted zone id> <dns name> <evaluate target health>` so that a name held
 * by one still counts as occupied (never overwritten), and a deletion read from the zone round-trips.
 */
const ALIAS = /^ALIAS (\S+) (\S+) (true|false)$/;

export function stripIdPrefix(id: string): string {
  return id.replace(/^\/(hostedzone|change)\//, '');
}

export function fromResourceRecordSet(rrs: ResourceRecordSet): RecordSet<string> {
  const name = normalizeZoneName(rrs.Name ?? '');
  const type = rrs.Type ?? '';
  if (rrs.AliasTarget) {
    const { HostedZoneId = '', DNSName = '', EvaluateTargetHealth = false } = rrs.AliasTarget;
    return { name, type, ttl: 0, rrdatas: [`ALIAS ${HostedZoneId} ${normalizeZoneName(DNSName)} ${EvaluateTargetHealth}`] };
  }
  return { name, type, ttl: rrs.TTL ?? 0, rrdatas: (rrs.ResourceRecords ?? []).map((r) => r.Value ?? '') };
}

/**
 * Routing-policy sets of kinds fedsvc never writes (geolocation, failover, multivalue answer,
 * aliases or health checks among latency or weighted records, records of another type) carry a
 * SetIdentifier; several share one name and type, and only a change naming the identifier and the
 * whole policy can touch one. They are another tool's, so they are reported as one record set per
 * name and type with an rrdata `ROUTED <set identifier>` per set: the name counts as occupied, no
 * desired set ever equals it, and a change built from such a record set is refused before
 * anything is sent.
 */
const ROUTED = 'ROUTED ';

function isRouted(record: RecordSet<string>): boolean {
  return record.routing === undefined && record.rrdatas.some((rrdata) => rrdata.startsWith(ROUTED));
}

/**
 * The records of one name and type that carry a SetIdentifier (and are no ALIAS part): a routed
 * set when every one is a member of the same routing (routed.ts), else a ROUTED record set.
 */
function fromRoutingPolicySets(name: string, type: string, parts: readonly ResourceRecordSet[], asRead: RecordsAsRead): RecordSet<string> {
  // Never empty: a group starts with the record that made it.
  const routing = memberRouting(parts[0] as ResourceRecordSet);
  if (routing !== undefined && parts.every((rrs) => memberRouting(rrs) === routing)) {
    const routed = fromRoutedRecords(name, type, routing, parts);
    asRead.set(routed, parts);
    return routed;
  }
  return { name, type, ttl: 0, rrdatas: parts.map((rrs) => `${ROUTED}${rrs.SetIdentifier}`) };
}

/**
 * A listing's record sets, in order: the weighted `fedsvc:` records of a name folded into its one
 * ALIAS set, other routing-policy records of a name and type into one routed or ROUTED record set.
 * `asRead` receives the records each folded set was read from.
 */
export function fromResourceRecordSets(sets: readonly ResourceRecordSet[], asRead: RecordsAsRead): RecordSet<string>[] {
  const records: (RecordSet<string> | { alias: string } | { routed: string })[] = [];
  const routed = new Map<string, { name: string; type: string; parts: ResourceRecordSet[] }>();
  const aliasParts = new Map<string, ResourceRecordSet[]>();
  for (const rrs of sets) {
    if (rrs.SetIdentifier === undefined) {
      records.push(fromResourceRecordSet(rrs));
      continue;
    }
    const name = normalizeZoneName(rrs.Name ?? '');
    if (isAliasPart(rrs)) {
      const parts = aliasParts.get(name);
      if (parts) parts.push(rrs);
      else {
        aliasParts.set(name, [rrs]);
        records.push({ alias: name });
      }
      continue;
    }
    const type = rrs.Type ?? '';
    const key = `${name} ${type}`;
    const group = routed.get(key);
    if (group) group.parts.push(rrs);
    else {
      routed.set(key, { name, type, parts: [rrs] });
      records.push({ routed: key });
    }
  }
  return records.map((r) => {
    if ('routed' in r) {
      const { name, type, parts } = routed.get(r.routed) as { name: string; type: string; parts: ResourceRecordSet[] };
      return fromRoutingPolicySets(name, type, parts, asRead);
    }
    if (!('alias' in r)) return r;
    const parts = aliasParts.get(r.alias) ?? [];
    const folded = fromWeightedSets(r.alias, parts);
    asRead.set(folded, parts);
    return folded;
  });
}

export function toResourceRecordSet(record: RecordSet<string>): ResourceRecordSet {
  const alias = record.rrdatas.length === 1 ? ALIAS.exec(record.rrdatas[0] ?? '') : null;
  if (alias) {
    const [, hostedZoneId = '', dnsName = '', evaluate] = alias;
    return {
      Name: record.name,
      Type: record.type as ResourceRecordSet['Type'],
      AliasTarget: { HostedZoneId: hostedZoneId, DNSName: dnsName, EvaluateTargetHealth: evaluate === 'true' },
    };
  }
  const many = tooManyValues(record.rrdatas.length);
  if (many) {
    throw new ProviderError('route53', 'invalid', `${record.name} ${record.type}: ${record.rrdatas.length} values: ${many}`, {
      record: { name: record.name, type: record.type },
    });
  }
  return {
    Name: record.name,
    Type: record.type as ResourceRecordSet['Type'],
    TTL: record.ttl,
    ResourceRecords: record.rrdatas.map((value) => ({ Value: value })),
  };
}

/**
 * The Route 53 records a record set is in the zone: an ALIAS set as weighted records, a routed
 * set as one record per member (as read, if it was), others as one.
 */
export function resourceRecordSets(record: RecordSet<string>, asRead: RecordsAsRead): readonly ResourceRecordSet[] {
  if (record.routing !== undefined) return asRead.get(record) ?? toRoutedRecords(record);
  return record.type === 'ALIAS' ? weightedSetsOf(record, asRead) : [toResourceRecordSet(record)];
}

/**
 * An update becomes DELETE(before) + CREATE(after) in the same atomic request, not UPSERT: if the
 * zone changed since it was read, the DELETE no longer matches and Route 53 rejects the whole
 * batch, which core treats as a conflict (re-read, re-plan) instead of overwriting someone's change.
 * An ALIAS update, and an update to or from a routed set (a plain↔routed switch included),
 * deletes and creates only the records that differ, deleting them as they were read, all
 * deletions first: the name is never without an answer, since the batch is applied whole. Every
 * record set is translated (and a bad one refused) before anything is sent.
 */
export function toRoute53Changes(changes: readonly Change[], asRead: RecordsAsRead): Route53Change[] {
  return changes.flatMap((change): Route53Change[] => {
    for (const record of change.kind === 'update' ? [change.before, change.record] : [change.record]) {
      if (isRouted(record)) {
        throw new ProviderError(
          'route53',
          'invalid',
          `${record.name} ${record.type} is held by routing-policy record sets (${record.rrdatas.join(', ')}), which fedsvc never writes`,
          {
            record: { name: record.name, type: record.type },
          },
        );
      }
    }
    const as = (Action: 'CREATE' | 'DELETE', record: RecordSet<string>) =>
      resourceRecordSets(record, asRead).map((ResourceRecordSet): Route53Change => ({ Action, ResourceRecordSet }));
    switch (change.kind) {
      case 'create':
        return as('CREATE', change.record);
      case 'delete':
        return as('DELETE', change.record);
      case 'update':
        if (change.before.routing !== undefined || change.record.routing !== undefined)
          return recordsUpdate(resourceRecordSets(change.before, asRead), resourceRecordSets(change.record, asRead));
        if (change.before.type === 'ALIAS' && change.record.type === 'ALIAS') return aliasUpdate(change.before, change.record, asRead);
        return [...as('DELETE', change.before), ...as('CREATE', change.record)];
    }
  });
}
