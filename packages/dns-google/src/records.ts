// Translation between the port's record sets and Cloud DNS's ResourceRecordSet JSON.
import { ProviderError, type Change, type RecordSet } from '@fedsvc/core/provider';
import { policyOf, routedOf, type WrittenPolicy } from './routing.js';

/** A ResourceRecordSet as the Cloud DNS v1 API lists it. */
export interface CloudDnsRrset {
  readonly name?: string;
  readonly type?: string;
  readonly ttl?: number;
  readonly rrdatas?: readonly string[];
  /** Geo, weighted round robin or failover: the record set answers from this and lists no rrdatas. */
  readonly routingPolicy?: Readonly<Record<string, unknown>>;
}

/**
 * Record sets with a routing policy fedsvc does not write (`primaryBackup`, health-checked items,
 * fencing, fractional weights, see routing.ts) are another tool's: a change to one must carry the
 * whole policy. They are reported with the single rrdata `ROUTED <policy>` (`ROUTED wrr`), so the
 * name counts as occupied, and a change built from such a record set is refused before it is sent.
 */
const ROUTED = 'ROUTED ';

function isRouted(record: RecordSet<string>): boolean {
  return record.rrdatas.some((rrdata) => rrdata.startsWith(ROUTED));
}

export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/**
 * Cloud DNS lists TXT rrdatas as quoted character-strings (`"hello world"`), the same
 * presentation form core writes, so every rrdata is taken as listed. A `geo` or `wrr` policy
 * fedsvc writes is read as a routed set (`nearest`, `weighted`), see routing.ts.
 */
export function fromRrset(rrset: CloudDnsRrset): RecordSet<string> {
  const name = normalizeName(rrset.name ?? '');
  const type = rrset.type ?? '';
  const ttl = rrset.ttl ?? 0;
  if (rrset.routingPolicy !== undefined) {
    const routed = routedOf(type, rrset.routingPolicy);
    if (routed !== undefined) return { name, type, ttl, ...routed };
    const policy = Object.keys(rrset.routingPolicy)
      .filter((key) => key !== 'kind' && key !== 'healthCheck')
      .sort()
      .join('+');
    return { name, type, ttl, rrdatas: [`${ROUTED}${policy || 'policy'}`] };
  }
  return { name, type, ttl, rrdatas: [...(rrset.rrdatas ?? [])] };
}

/** A record set as a change's ResourceRecordSet carries it, in the SDK's form (`data` for rrdatas). */
export interface SdkRrset {
  readonly name: string;
  readonly ttl: number;
  readonly data?: string[];
  readonly routingPolicy?: WrittenPolicy;
}

/** A plain set with its rrdatas; a routed set with its routing policy and no rrdatas of its own. */
export function toSdkRrset(record: RecordSet<string>): SdkRrset {
  const routingPolicy = policyOf(record);
  if (routingPolicy !== undefined) return { name: record.name, ttl: record.ttl, routingPolicy };
  return { name: record.name, ttl: record.ttl, data: [...record.rrdatas] };
}

/** The additions and deletions of one Cloud DNS change, in the order the API will index them. */
export interface ChangeBody {
  readonly additions: readonly RecordSet<string>[];
  readonly deletions: readonly RecordSet<string>[];
}

/**
 * An update is a deletion of the record set exactly as read plus an addition of the new one,
 * in one change: if someone changed it meanwhile, the deletion no longer matches and Cloud DNS
 * refuses the whole change (412), which core treats as a conflict (re-read, re-plan).
 * Both lists are grouped by type (stable), the order the SDK sends them in, so that an index
 * in an error message (`entity.change.deletions[3]`) points into these lists.
 */
export function toChangeBody(changes: readonly Change[]): ChangeBody {
  const additions: RecordSet[] = [];
  const deletions: RecordSet[] = [];
  for (const change of changes) {
    for (const record of change.kind === 'update' ? [change.before, change.record] : [change.record]) {
      if (isRouted(record)) {
        throw new ProviderError(
          'google',
          'invalid',
          `${record.name} ${record.type} is a routing-policy record set (${record.rrdatas.join(', ')}), which fedsvc never writes`,
          {
            record: { name: record.name, type: record.type },
          },
        );
      }
    }
    if (change.kind === 'create') additions.push(change.record);
    else if (change.kind === 'delete') deletions.push(change.record);
    else {
      deletions.push(change.before);
      additions.push(change.record);
    }
  }
  return { additions: groupByType(additions), deletions: groupByType(deletions) };
}

function groupByType<T extends RecordSet<string>>(records: readonly T[]): T[] {
  const types = [...new Set(records.map((record) => record.type))];
  return types.flatMap((type) => records.filter((record) => record.type === type));
}
