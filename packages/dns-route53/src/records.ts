// Translation between the port's record sets and Route 53's ResourceRecordSet shape.
import type { Change as Route53Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { ProviderError, type Change, type RecordSet } from '@fedsvc/core/provider';
import { aliasUpdate, fromWeightedSets, isAliasPart, weightedSetsOf, type RecordsAsRead } from './aliases.js';
import { normalizeZoneName } from './names.js';
import { tooManyValues } from './quotas.js';

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
 * Routing-policy sets (weighted, latency, failover, geolocation…) carry a SetIdentifier; several
 * share one name and type, and only a change naming the identifier and the whole policy can
 * touch one. They are another tool's, so they are reported as one record set per name and type
 * with an rrdata `ROUTED <set identifier>` per set: the name counts as occupied, and a change
 * built from such a record set is refused before anything is sent.
 */
const ROUTED = 'ROUTED ';

function isRouted(record: RecordSet<string>): boolean {
  return record.rrdatas.some((rrdata) => rrdata.startsWith(ROUTED));
}

/**
 * A listing's record sets, in order: the weighted `fedsvc:` records of a name folded into its one
 * ALIAS set, other routing-policy sets of a name and type into one ROUTED record set.
 */
export function fromResourceRecordSets(sets: readonly ResourceRecordSet[], asRead: RecordsAsRead): RecordSet<string>[] {
  const records: (RecordSet<string> | { alias: string })[] = [];
  const routed = new Map<string, string[]>();
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
    let identifiers = routed.get(`${name} ${type}`);
    if (!identifiers) {
      identifiers = [];
      routed.set(`${name} ${type}`, identifiers);
      records.push({ name, type, ttl: 0, rrdatas: identifiers });
    }
    identifiers.push(`${ROUTED}${rrs.SetIdentifier}`);
  }
  return records.map((r) => {
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

/** The Route 53 records a record set is in the zone: an ALIAS set as weighted records (as read, if it was), others as one. */
function resourceRecordSets(record: RecordSet<string>, asRead: RecordsAsRead): readonly ResourceRecordSet[] {
  return record.type === 'ALIAS' ? weightedSetsOf(record, asRead) : [toResourceRecordSet(record)];
}

/**
 * An update becomes DELETE(before) + CREATE(after) in the same atomic request, not UPSERT: if the
 * zone changed since it was read, the DELETE no longer matches and Route 53 rejects the whole
 * batch, which core treats as a conflict (re-read, re-plan) instead of overwriting someone's change.
 * An ALIAS update deletes and creates only the weighted records that differ, deleting them as
 * they were read. Every record set is translated (and a bad one refused) before anything is sent.
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
        if (change.before.type === 'ALIAS' && change.record.type === 'ALIAS') return aliasUpdate(change.before, change.record, asRead);
        return [...as('DELETE', change.before), ...as('CREATE', change.record)];
    }
  });
}
