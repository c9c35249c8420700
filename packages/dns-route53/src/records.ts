// Translation between the port's record sets and Route 53's ResourceRecordSet shape.
import type { Change as Route53Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { ProviderError, type Change, type RecordSet } from '@fedsvc/core';

/**
 * Alias record sets have no values and no TTL. They are reported as their type with one rrdata
 * `ALIAS <hosted zone id> <dns name> <evaluate target health>` so that a name held by an alias
 * still counts as occupied (never overwritten), and a deletion read from the zone round-trips.
 */
const ALIAS = /^ALIAS (\S+) (\S+) (true|false)$/;

/** Route 53 writes every byte outside a-z 0-9 - _ . as a `\ooo` octal escape (`\052` for `*`). */
export function unescapeName(name: string): string {
  return name.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

export function normalizeZoneName(name: string): string {
  const lower = unescapeName(name).toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

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

/** A listing's record sets, in order; the routing-policy sets of a name and type folded into one. */
export function fromResourceRecordSets(sets: readonly ResourceRecordSet[]): RecordSet<string>[] {
  const records: RecordSet<string>[] = [];
  const routed = new Map<string, string[]>();
  for (const rrs of sets) {
    if (rrs.SetIdentifier === undefined) {
      records.push(fromResourceRecordSet(rrs));
      continue;
    }
    const name = normalizeZoneName(rrs.Name ?? '');
    const type = rrs.Type ?? '';
    let identifiers = routed.get(`${name} ${type}`);
    if (!identifiers) {
      identifiers = [];
      routed.set(`${name} ${type}`, identifiers);
      records.push({ name, type, ttl: 0, rrdatas: identifiers });
    }
    identifiers.push(`${ROUTED}${rrs.SetIdentifier}`);
  }
  return records;
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
  return {
    Name: record.name,
    Type: record.type as ResourceRecordSet['Type'],
    TTL: record.ttl,
    ResourceRecords: record.rrdatas.map((value) => ({ Value: value })),
  };
}

/**
 * An update becomes DELETE(before) + CREATE(after) in the same atomic request, not UPSERT: if the
 * zone changed since it was read, the DELETE no longer matches and Route 53 rejects the whole
 * batch, which core treats as a conflict (re-read, re-plan) instead of overwriting someone's change.
 */
export function toRoute53Changes(changes: readonly Change[]): Route53Change[] {
  return changes.flatMap((change): Route53Change[] => {
    for (const record of change.kind === 'update' ? [change.before, change.record] : [change.record]) {
      if (isRouted(record)) {
        throw new ProviderError('route53', 'invalid', `${record.name} ${record.type} is held by routing-policy record sets (${record.rrdatas.join(', ')}), which fedsvc never writes`, {
          record: { name: record.name, type: record.type },
        });
      }
    }
    switch (change.kind) {
      case 'create':
        return [{ Action: 'CREATE', ResourceRecordSet: toResourceRecordSet(change.record) }];
      case 'delete':
        return [{ Action: 'DELETE', ResourceRecordSet: toResourceRecordSet(change.record) }];
      case 'update':
        return [
          { Action: 'DELETE', ResourceRecordSet: toResourceRecordSet(change.before) },
          { Action: 'CREATE', ResourceRecordSet: toResourceRecordSet(change.record) },
        ];
    }
  });
}
