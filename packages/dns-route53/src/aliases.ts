// ALIAS record sets ↔ Route 53 weighted records. An ALIAS set `{ name, rrdatas: [targets…] }` is
// written as weighted records at its name, all with a `fedsvc:` set identifier: one alias A per
// load-balancer hostname (plus an alias AAAA for a `dualstack.` one), weight 1, and one A and one
// AAAA holding the address targets, weighted by how many addresses each holds, so every target
// gets about the same share of answers. Reading folds them back into the one ALIAS set, and
// remembers the records as read: Route 53 deletes a record only when the DELETE matches it exactly.
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Change as Route53Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { canonicalRdata, changeCost, ProviderError, type Change, type RecordSet, type RequestCost } from '@fedsvc/core/provider';
import { loadBalancerTarget } from './load-balancers.js';
import { normalizeZoneName } from './names.js';
import { MAX_IDENTIFIER, MAX_WEIGHT, MAX_WEIGHTED, tooManyValues } from './quotas.js';

export const IDENTIFIER_PREFIX = 'fedsvc:';
const ADDRESSES = `${IDENTIFIER_PREFIX}addresses`;
/**
 * An extra target of an ALIAS set read from records that are not what this adapter writes for
 * it (someone changed a weight, a TTL, removed an alias AAAA…): no desired set holds it, so the
 * next pass rewrites the set, deleting the records as read.
 */
export const DRIFTED = 'fedsvc:drifted';

/** Per ALIAS set read, the records it was read from: deleting the set sends exactly these. */
export type RecordsAsRead = WeakMap<RecordSet<string>, readonly ResourceRecordSet[]>;

/** `fedsvc:<hostname without the dot>`; a long one keeps 100 characters and a digest of the whole. */
export function hostnameIdentifier(hostname: string): string {
  const identifier = `${IDENTIFIER_PREFIX}${hostname.replace(/\.$/, '')}`;
  if (identifier.length <= MAX_IDENTIFIER) return identifier;
  return `${identifier.slice(0, 100)}~${createHash('sha256').update(identifier).digest('hex').slice(0, 16)}`;
}

/** A weighted A/AAAA record with a `fedsvc:` identifier: part of an ALIAS set this adapter wrote. */
export function isAliasPart(rrs: ResourceRecordSet): boolean {
  return rrs.SetIdentifier?.startsWith(IDENTIFIER_PREFIX) === true && rrs.Weight !== undefined && (rrs.Type === 'A' || rrs.Type === 'AAAA');
}

function invalid(record: RecordSet<string>, why: string): ProviderError {
  return new ProviderError('route53', 'invalid', `${record.name} ALIAS: ${why}`, { record: { name: record.name, type: record.type } });
}

/** The weighted records an ALIAS set is written as. Throws `invalid` for a target Route 53 cannot alias. */
export function toWeightedSets(record: RecordSet<string>): ResourceRecordSet[] {
  if (record.rrdatas.length === 0) throw invalid(record, 'an alias record set needs at least one target');
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  const aliases = new Map<string, ResourceRecordSet[]>();
  for (const target of record.rrdatas) {
    if (isIPv4(target)) v4.add(target);
    else if (isIPv6(target)) v6.add(target);
    else {
      const hostname = normalizeZoneName(target);
      const lb = loadBalancerTarget(hostname);
      if (lb === undefined) throw invalid(record, `target ${target} is not an AWS load balancer Route 53 can alias`);
      const base = { Name: record.name, SetIdentifier: hostnameIdentifier(hostname), Weight: 1 };
      const AliasTarget = { HostedZoneId: lb.hostedZoneId, DNSName: hostname, EvaluateTargetHealth: true };
      aliases.set(hostname, [
        { ...base, Type: 'A', AliasTarget },
        ...(lb.dualstack ? [{ ...base, Type: 'AAAA' as const, AliasTarget }] : []),
      ]);
    }
  }
  const addresses = (type: 'A' | 'AAAA', values: Set<string>): ResourceRecordSet[] => {
    const many = tooManyValues(values.size);
    if (many) throw invalid(record, `${values.size} ${type} addresses: ${many}`);
    return values.size === 0
      ? []
      : [
          {
            Name: record.name,
            Type: type,
            SetIdentifier: ADDRESSES,
            Weight: Math.min(values.size, MAX_WEIGHT),
            TTL: record.ttl,
            ResourceRecords: [...values].map((Value) => ({ Value })),
          },
        ];
  };
  const sets = [...[...aliases.values()].flat(), ...addresses('A', v4), ...addresses('AAAA', v6)];
  for (const type of ['A', 'AAAA']) {
    const count = sets.filter((rrs) => rrs.Type === type).length;
    if (count > MAX_WEIGHTED) {
      throw invalid(
        record,
        `needs ${count} weighted ${type} records; Route 53 allows ${MAX_WEIGHTED} of one name and type (at most 99 load balancers beside addresses)`,
      );
    }
  }
  return sets;
}

/**
 * The parts of one name's ALIAS set, as listed, folded back into it: hostnames (once each, A or
 * AAAA), then addresses. Its ttl is the address records' (what a rebuild must write), else 0.
 * Parts that are not what the folded set is written as add the target DRIFTED.
 */
export function fromWeightedSets(name: string, parts: readonly ResourceRecordSet[]): RecordSet<string> {
  const hostnames = new Set<string>();
  const addresses: string[] = [];
  let ttl: number | undefined;
  for (const type of ['A', 'AAAA']) {
    for (const rrs of parts.filter((p) => p.Type === type)) {
      if (rrs.AliasTarget) hostnames.add(normalizeZoneName(rrs.AliasTarget.DNSName ?? ''));
      else {
        addresses.push(...(rrs.ResourceRecords ?? []).map((r) => r.Value ?? ''));
        ttl ??= rrs.TTL;
      }
    }
  }
  const folded: RecordSet<string> = { name, type: 'ALIAS', ttl: ttl ?? 0, rrdatas: [...hostnames, ...addresses] };
  return writtenAs(folded, parts) ? folded : { ...folded, rrdatas: [...folded.rrdatas, DRIFTED] };
}

function writtenAs(record: RecordSet<string>, parts: readonly ResourceRecordSet[]): boolean {
  let expected: ResourceRecordSet[];
  try {
    expected = toWeightedSets(record);
  } catch {
    return false;
  }
  const keys = new Set(parts.map(partKey));
  return expected.length === parts.length && expected.every((rrs) => keys.has(partKey(rrs)));
}

/** Everything Route 53 compares when it matches a DELETE, in one string; values as a set. */
function partKey(rrs: ResourceRecordSet): string {
  const type = rrs.Type ?? '';
  const alias = rrs.AliasTarget;
  const data = alias
    ? `alias ${alias.HostedZoneId} ${normalizeZoneName(alias.DNSName ?? '')} ${alias.EvaluateTargetHealth}`
    : `${rrs.TTL} ${(rrs.ResourceRecords ?? [])
        .map((r) => canonicalRdata(type, r.Value ?? ''))
        .sort()
        .join(' ')}`;
  return `${type} ${rrs.SetIdentifier} ${rrs.Weight} ${rrs.Region} ${rrs.HealthCheckId ?? '-'} ${data}`;
}

/** The records an ALIAS set is in the zone: as read, or else as this adapter writes it. */
export function weightedSetsOf(record: RecordSet<string>, asRead: RecordsAsRead): readonly ResourceRecordSet[] {
  return asRead.get(record) ?? toWeightedSets(record);
}

/**
 * An update as the difference between the records held (`old`, exactly as held) and those wanted
 * (`next`): DELETE every record that goes or changes, then CREATE every record that comes or
 * changed; records that stay are not touched.
 */
export function recordsUpdate(old: readonly ResourceRecordSet[], next: readonly ResourceRecordSet[]): Route53Change[] {
  const oldKeys = new Set(old.map(partKey));
  const nextKeys = new Set(next.map(partKey));
  return [
    ...old.filter((rrs) => !nextKeys.has(partKey(rrs))).map((rrs): Route53Change => ({ Action: 'DELETE', ResourceRecordSet: rrs })),
    ...next.filter((rrs) => !oldKeys.has(partKey(rrs))).map((rrs): Route53Change => ({ Action: 'CREATE', ResourceRecordSet: rrs })),
  ];
}

/** An ALIAS update as the difference of its weighted records (recordsUpdate); untouched targets stay. */
export function aliasUpdate(before: RecordSet<string>, after: RecordSet<string>, asRead: RecordsAsRead): Route53Change[] {
  return recordsUpdate(weightedSetsOf(before, asRead), toWeightedSets(after));
}

/**
 * An ALIAS update whose weighted records are the ones held (it differs only in what Route 53
 * does not store: the ttl of a set without addresses, a target given twice) is no change. One
 * that cannot be translated is left to applyChanges to refuse.
 */
function isNoChange(change: Change, asRead: RecordsAsRead): boolean {
  if (change.kind !== 'update' || change.before.type !== 'ALIAS' || change.record.type !== 'ALIAS') return false;
  try {
    return aliasUpdate(change.before, change.record, asRead).length === 0;
  } catch {
    return false;
  }
}

/**
 * What Route 53 counts for a change when ALIAS sets are written. An alias record has no
 * ResourceRecord element, but Route 53 has refused batches as over its "Number of records limit
 * of 1000" whose elements alone were under it: an alias record is taken to count as one record,
 * its DNS name as its characters, and a dual-stack load balancer is two alias records (A and
 * AAAA). An update counts both sides, as for every record set. An update that is no change to
 * Route 53 costs nothing, and core does not send it.
 */
export function aliasRequestCost(change: Change, asRead: RecordsAsRead = new WeakMap()): RequestCost {
  if (isNoChange(change, asRead)) return { changes: 0, rrdatas: 0, chars: 0 };
  const cost = changeCost(change);
  let { rrdatas, chars } = cost;
  // What core's count leaves out: the second alias record of each dual-stack target.
  for (const side of change.kind === 'update' ? [change.before, change.record] : [change.record]) {
    if (side.type !== 'ALIAS') continue;
    for (const rrdata of side.rrdatas) {
      if (loadBalancerTarget(normalizeZoneName(rrdata))?.dualstack !== true) continue;
      rrdatas += 1;
      chars += rrdata.length;
    }
  }
  return { ...cost, rrdatas, chars };
}
