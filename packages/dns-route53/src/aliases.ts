// ALIAS record sets ↔ Route 53 weighted records. An ALIAS set `{ name, rrdatas: [targets…] }` is
// written as weighted records at its name, all with a `fedsvc:` set identifier: one alias A per
// load-balancer hostname (plus an alias AAAA for a `dualstack.` one), weight 1, and one A and one
// AAAA holding the address targets, weighted by how many addresses each holds, so every target
// gets about the same share of answers. Reading folds them back into the one ALIAS set.
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Change as Route53Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { ProviderError, type RecordSet } from '@fedsvc/core';
import { loadBalancerTarget } from './load-balancers.js';
import { normalizeZoneName } from './names.js';

export const IDENTIFIER_PREFIX = 'fedsvc:';
const ADDRESSES = `${IDENTIFIER_PREFIX}addresses`;
/** Route 53's limits: a set identifier has 1…128 characters, a weight is 0…255. */
const MAX_IDENTIFIER = 128;
const MAX_WEIGHT = 255;

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
  const addresses = (type: 'A' | 'AAAA', values: Set<string>): ResourceRecordSet[] =>
    values.size === 0
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
  return [...[...aliases.values()].flat(), ...addresses('A', v4), ...addresses('AAAA', v6)];
}

/**
 * The parts of one name's ALIAS set, as listed, folded back into it: hostnames (once each, A or
 * AAAA), then addresses. Its ttl is the address records' (what a rebuild must write), else 0.
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
  return { name, type: 'ALIAS', ttl: ttl ?? 0, rrdatas: [...hostnames, ...addresses] };
}

const key = (rrs: ResourceRecordSet) => `${rrs.Type} ${rrs.SetIdentifier}`;
const same = (a: ResourceRecordSet, b: ResourceRecordSet) => {
  const canonical = (rrs: ResourceRecordSet) => JSON.stringify({ ...rrs, ResourceRecords: rrs.ResourceRecords?.map((r) => r.Value).sort() });
  return canonical(a) === canonical(b);
};

/**
 * An ALIAS update as the difference: DELETE (exactly as `before` was written) every record that
 * goes or changes, then CREATE every record that comes or changed; untouched targets stay.
 */
export function aliasUpdate(before: RecordSet<string>, after: RecordSet<string>): Route53Change[] {
  const old = toWeightedSets(before);
  const next = toWeightedSets(after);
  const oldByKey = new Map(old.map((rrs) => [key(rrs), rrs]));
  const nextByKey = new Map(next.map((rrs) => [key(rrs), rrs]));
  const kept = (rrs: ResourceRecordSet, other: Map<string, ResourceRecordSet>) => {
    const counterpart = other.get(key(rrs));
    return counterpart !== undefined && same(rrs, counterpart);
  };
  return [
    ...old.filter((rrs) => !kept(rrs, nextByKey)).map((rrs): Route53Change => ({ Action: 'DELETE', ResourceRecordSet: rrs })),
    ...next.filter((rrs) => !kept(rrs, oldByKey)).map((rrs): Route53Change => ({ Action: 'CREATE', ResourceRecordSet: rrs })),
  ];
}
