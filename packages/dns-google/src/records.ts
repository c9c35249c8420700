// Translation between the port's record sets and Cloud DNS's ResourceRecordSet JSON.
import type { Change, RecordSet } from '@fedsvc/core';

/** A ResourceRecordSet as the Cloud DNS v1 API lists it. */
export interface CloudDnsRrset {
  readonly name?: string;
  readonly type?: string;
  readonly ttl?: number;
  readonly rrdatas?: readonly string[];
}

export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/**
 * Cloud DNS lists TXT rrdatas as quoted character-strings (`"hello world"`), the same
 * presentation form core writes, so every rrdata is taken as listed.
 */
export function fromRrset(rrset: CloudDnsRrset): RecordSet<string> {
  return { name: normalizeName(rrset.name ?? ''), type: rrset.type ?? '', ttl: rrset.ttl ?? 0, rrdatas: [...(rrset.rrdatas ?? [])] };
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
