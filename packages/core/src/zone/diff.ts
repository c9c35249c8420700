// The minimal change set from what a zone holds to what is desired, touching only names the
// federation owns (or that are free), ordered so that no CNAME ever points at a missing name.
import { describe, ProviderError, ValidationError } from '../errors.js';
import { normalizeName } from '../dns/names.js';
import { markerOwner, ownershipRecord, ownershipSubject, validateOwnerId } from '../dns/ownership.js';
import { sameRdatas, sameTtl } from '../dns/rdata.js';
import { RECORD_TYPES, isRecordType } from '../dns/record-types.js';
import { isTtl } from '../dns/ttl.js';
import type { Change, ChangeSet, RecordConflict, RecordSet } from '../types.js';
import { orderGroups, withoutCnamesToConflicts, type Group } from './cname-order.js';

export interface DiffOptions {
  /** This federation's id, as written in its ownership records. */
  readonly ownerId: string;
}

/**
 * The record sets at one name on one side of the diff. Nearly every name holds a single one,
 * so it is kept as is: a zone of 250,000 record sets would otherwise make 500,000 lists.
 */
type Held<T extends RecordSet<string>> = T | T[] | undefined;

/**
 * Everything the diff knows about one name: the record sets the zone holds there (any type,
 * anyone's), those wanted there, and what is at the name's marker name `_fedsvc.<name>`: its
 * TXT record set, or null when only something else is there.
 */
interface Slot {
  readonly name: string;
  have: Held<RecordSet<string>>;
  want: Held<RecordSet>;
  marker: RecordSet<string> | null | undefined;
}

/**
 * The minimal change set that turns what a zone holds into what the federation wants, touching
 * only names this owner holds (marked by a `_fedsvc.<name>` TXT record, see
 * {@link ownershipRecord}) or that are free. Pure.
 *
 * `current` is everything the zone holds (any type, anyone's), names in any spelling.
 * `desired` is every record set the federation wants in it, without ownership records: those
 * are added and removed here, alongside the names they mark. Record data compares as DNS
 * compares it (in any order, names without regard to case or the trailing dot, IPv6 in any
 * text form), so an unchanged zone
 * gives no changes. A desired name held by someone else (unmarked records of a type the
 * federation writes, another owner's marker) is reported in `conflicts` and left alone, and so
 * is a CNAME that would lead to such a name.
 *
 * @returns `changes`, ordered so that applied in order no CNAME ever points at a missing name
 *   (split them with `batchChanges`), and `conflicts`, sorted by name.
 * @throws {@link ValidationError} when `options.ownerId` is malformed, a desired name is an
 *   ownership record name, or a name and type are desired twice.
 * @example
 * ```ts
 * const current = await provider.records(zone);
 * const { changes, conflicts } = diffRecords(current, planFederation(input), { ownerId: 'prod-federation' });
 * console.log(formatChanges(changes));   // a dry run a person can read
 * ```
 * @see {@link reconcileZone}, which reads, diffs and writes in one call.
 */
export function diffRecords(current: readonly RecordSet<string>[], desired: readonly RecordSet[], options: DiffOptions): ChangeSet {
  const ownerId = validateOwnerId(options.ownerId, 'options.ownerId');
  checkListing(current, 'zone listing');
  const slots = slotsByName(current, desired);

  // Our own marker, as we write it: most markers in a zone are, and comparing is cheaper than parsing.
  const ours = ownershipRecord('', ownerId, 0).rrdatas[0];
  const groups: Group[] = [];
  const conflicts: RecordConflict[] = [];
  for (const { name, have: held, want: wanted, marker } of slots.values()) {
    const markedBy = !marker ? null : marker.rrdatas.length === 1 && marker.rrdatas[0] === ours ? ownerId : markerOwner(marker);
    const owned = !!marker && markedBy === ownerId;
    if (!owned) {
      if (wanted === undefined) continue;
      const wantsCname = typeOf(wanted, 'CNAME') !== undefined;
      const taken = list(held)
        .filter((record) => isRecordType(record.type) || wantsCname)
        .map((record) => record.type)
        .sort();
      if (marker !== undefined || taken.length > 0) {
        conflicts.push({
          name,
          types: marker !== undefined && taken.length === 0 ? ['TXT'] : taken,
          owner: marker !== undefined ? markedBy : null,
        });
        continue;
      }
      const changes: Change[] = [{ kind: 'create', record: ownershipRecord(name, ownerId, lowestTtl(wanted)) }];
      for (const type of RECORD_TYPES) {
        const record = typeOf(wanted, type);
        if (record) changes.push({ kind: 'create', record });
      }
      groups.push(group(name, changes, held, wanted));
      continue;
    }
    if (wanted === undefined) {
      const changes: Change[] = [];
      for (const type of RECORD_TYPES) {
        const record = typeOf(held, type);
        if (record) changes.push({ kind: 'delete', record: record as RecordSet });
      }
      // The marker goes last, so that a provider that stops half-way leaves the name still ours.
      changes.push({ kind: 'delete', record: marker as RecordSet });
      groups.push(group(name, changes, held, wanted));
      continue;
    }
    const foreign = typeOf(wanted, 'CNAME') ? list(held).filter((record) => !isRecordType(record.type)) : [];
    if (foreign.length > 0) {
      conflicts.push({ name, types: foreign.map((record) => record.type).sort(), owner: null });
      continue;
    }
    let changes = recordChanges(held, wanted);
    // The marker's TTL follows its name's, which is set when the name is created and may change since.
    const markerTtl = lowestTtl(wanted);
    if (marker.ttl !== markerTtl) {
      (changes ??= []).push({ kind: 'update', before: marker as RecordSet, record: ownershipRecord(name, ownerId, markerTtl) });
    }
    if (changes) groups.push(group(name, changes, held, wanted));
  }
  const written = withoutCnamesToConflicts(groups, conflicts);
  conflicts.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { changes: orderGroups(written).flatMap((g) => g.changes), conflicts };
}

/**
 * Throws a ProviderError of kind `invalid` naming the first record set of a provider's listing
 * that is not one (no name or type, a TTL that is not a whole number, rrdatas that are not a
 * list of strings): what a provider answered is input too.
 */
export function checkListing(current: unknown, provider: string): asserts current is readonly RecordSet<string>[] {
  if (!Array.isArray(current))
    throw new ProviderError(provider, 'invalid', `the zone's listing is not a list of record sets (got ${describe(current)})`);
  // The diff's hot path (250,000 record sets): plain property reads, no allocation, on each.
  for (let i = 0; i < current.length; i++) {
    const record = current[i] as RecordSet<string> | null;
    if (
      typeof record === 'object' &&
      record !== null &&
      typeof record.name === 'string' &&
      record.name !== '' &&
      typeof record.type === 'string' &&
      record.type !== '' &&
      isTtl(record.ttl) &&
      Array.isArray(record.rrdatas) &&
      allStrings(record.rrdatas)
    )
      continue;
    throw listingFault(provider, record, i);
  }
}

function allStrings(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'string') return false;
  return true;
}

function listingFault(provider: string, record: unknown, i: number): ProviderError {
  const { name, type, ttl, rrdatas } = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
  const why =
    typeof record !== 'object' || record === null
      ? 'is not a record set'
      : typeof name !== 'string' || name === ''
        ? 'has no name'
        : typeof type !== 'string' || type === ''
          ? 'has no type'
          : !isTtl(ttl)
            ? 'has a TTL that is not a whole number of seconds'
            : !Array.isArray(rrdatas)
              ? 'has rrdatas that are not a list'
              : 'has rrdatas that are not strings';
  return new ProviderError(provider, 'invalid', `record set [${i}] of the zone's listing ${why} (got ${describe(record)})`, {
    record: { name: typeof name === 'string' ? name : `[${i}]`, type: typeof type === 'string' ? type : '' },
  });
}

/** Both sides by name; a marker is filed under the name it marks. */
function slotsByName(current: readonly RecordSet<string>[], desired: readonly RecordSet[]): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  const slot = (name: string): Slot => {
    let found = slots.get(name);
    if (!found) slots.set(name, (found = { name, have: undefined, want: undefined, marker: undefined }));
    return found;
  };
  for (const record of current) {
    const name = normalizeName(record.name);
    const subject = ownershipSubject(name);
    const at = slot(subject);
    if (subject === name) at.have = put(at.have, record);
    else if (record.type === 'TXT') at.marker = record;
    else at.marker ??= null;
  }
  desired.forEach((record, i) => {
    const name = normalizeName(record.name);
    if (ownershipSubject(name) !== name)
      throw new ValidationError(`desired[${i}].name`, name, 'is an ownership record name; those are managed by diffRecords');
    const at = slot(name);
    if (typeOf(at.want, record.type))
      throw new ValidationError(`desired[${i}]`, `${name} ${record.type}`, 'a name and type may be desired only once');
    at.want = at.want === undefined ? record : [...list(at.want), record];
  });
  return slots;
}

/**
 * A name's own changes, if any: deletes first, since a CNAME may only be created once the name
 * holds nothing else.
 */
function recordChanges(held: Held<RecordSet<string>>, wanted: RecordSet | RecordSet[]): Change[] | undefined {
  // Most names hold one record set of the type wanted there; this is the diff's hot path.
  if (held !== undefined && !Array.isArray(held) && !Array.isArray(wanted) && held.type === wanted.type && isRecordType(held.type)) {
    return same(held, wanted) ? undefined : [{ kind: 'update', before: held as RecordSet, record: wanted }];
  }
  let changes: Change[] | undefined;
  for (const kind of ['delete', 'update', 'create'] as const) {
    for (const type of RECORD_TYPES) {
      const before = typeOf(held, type) as RecordSet | undefined;
      const after = typeOf(wanted, type);
      let change: Change | undefined;
      if (kind === 'delete' && before && !after) change = { kind, record: before };
      else if (kind === 'create' && !before && after) change = { kind, record: after };
      else if (kind === 'update' && before && after && !same(before, after)) change = { kind, before, record: after };
      if (change) (changes ??= []).push(change);
    }
  }
  return changes;
}

const same = (before: RecordSet<string>, after: RecordSet): boolean =>
  sameTtl(before, after) && sameRdatas(after.type, before.rrdatas, after.rrdatas);

/** A name's marker lives as long as the shortest-lived of its record sets. */
function lowestTtl(records: RecordSet | RecordSet[]): number {
  if (!Array.isArray(records)) return records.ttl;
  let lowest = Infinity;
  for (const record of records) lowest = Math.min(lowest, record.ttl);
  return lowest;
}

const list = <T extends RecordSet<string>>(held: Held<T>): readonly T[] => (held === undefined ? [] : Array.isArray(held) ? held : [held]);

function typeOf<T extends RecordSet<string>>(held: Held<T>, type: string): T | undefined {
  if (held === undefined || !Array.isArray(held)) return held?.type === type ? held : undefined;
  for (const record of held) if (record.type === type) return record;
  return undefined;
}

/** Adds a record set to a name's; a second one of the same type replaces the first. */
function put(held: Held<RecordSet<string>>, record: RecordSet<string>): Held<RecordSet<string>> {
  if (held === undefined) return record;
  const records = list(held);
  const at = records.findIndex((other) => other.type === record.type);
  return at < 0 ? [...records, record] : records.map((other, i) => (i === at ? record : other));
}

function group(name: string, changes: Change[], held: Held<RecordSet<string>>, wanted: Held<RecordSet>): Group {
  const cname = (records: Held<RecordSet<string>>) => {
    const target = typeOf(records, 'CNAME')?.rrdatas[0];
    return target === undefined ? undefined : normalizeName(target);
  };
  return {
    name,
    changes,
    existsBefore: held !== undefined,
    existsAfter: wanted !== undefined || list(held).some((record) => !isRecordType(record.type)),
    cnameBefore: cname(held),
    cnameAfter: cname(wanted),
  };
}
