// Applying a change set to a list of record sets, the way an atomic DNS provider does: in
// order, deletes and updates matching exactly what they replace, all or nothing. The
// in-memory provider is built on it, and tests use it to state what a change set does.
import { normalizeName } from '../dns/names.js';
import { recordKey, sameRecordSet } from '../dns/rdata.js';
import type { Change, RecordSet } from '../types.js';

export type ApplyResult =
  | { readonly ok: true; readonly records: RecordSet<string>[] }
  /** `index` is the change that could not be applied; nothing was applied. */
  | { readonly ok: false; readonly index: number; readonly reason: string };

export function applyChangeSet(records: readonly RecordSet<string>[], changes: readonly Change[]): ApplyResult {
  const byKey = new Map<string, RecordSet<string>>();
  const typesAt = new Map<string, Set<string>>();
  for (const record of records) {
    byKey.set(recordKey(record.name, record.type), record);
    types(typesAt, record.name).add(record.type);
  }
  for (const [index, change] of changes.entries()) {
    const { record } = change;
    const key = recordKey(record.name, record.type);
    const held = byKey.get(key);
    const describe = `${normalizeName(record.name)} ${record.type}`;
    const at = types(typesAt, record.name);
    if (change.kind === 'create') {
      if (held) return { ok: false, index, reason: `${describe} already exists` };
      if (record.type === 'CNAME' ? at.size > 0 : at.has('CNAME')) {
        return { ok: false, index, reason: `${describe} cannot share its name with ${[...at].join(', ')} (RFC 1034 §3.6.2)` };
      }
      byKey.set(key, record);
      at.add(record.type);
      continue;
    }
    const before = change.kind === 'update' ? change.before : record;
    if (change.kind === 'update' && recordKey(before.name, before.type) !== key) {
      return {
        ok: false,
        index,
        reason: `an update may not change the name or type (${recordKey(before.name, before.type)} → ${describe})`,
      };
    }
    if (!held) return { ok: false, index, reason: `${describe} does not exist` };
    if (!sameRecordSet(held, before))
      return { ok: false, index, reason: `${describe} does not match the zone (it holds TTL ${held.ttl}: ${held.rrdatas.join(', ')})` };
    if (change.kind === 'update') {
      byKey.set(key, record);
    } else {
      byKey.delete(key);
      at.delete(record.type);
    }
  }
  return { ok: true, records: [...byKey.values()] };
}

function types(typesAt: Map<string, Set<string>>, name: string): Set<string> {
  const key = normalizeName(name);
  let found = typesAt.get(key);
  if (!found) typesAt.set(key, (found = new Set()));
  return found;
}
