// Translation between the port's record sets and Route 53's ResourceRecordSet shape.
import type { Change as Route53Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { Change, RecordSet } from '@fedsvc/core';

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
