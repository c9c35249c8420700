// The minimal change set from what a zone holds to what is desired, touching only the record
// sets the federation wrote (named by its marker) and names that are free, ordered so that no
// CNAME of ours ever points at a name that holds none of our data.
import { ValidationError } from '../errors.js';
import { normalizeName } from '../dns/names.js';
import {
  DEFAULT_MARKER_PREFIX,
  ownershipRecord,
  ownershipSubject,
  readMarker,
  validateMarkerPrefix,
  validateOwnerId,
  type MarkerContent,
} from '../dns/ownership.js';
import { sameRdatas, sameRouting, sameTtl } from '../dns/rdata.js';
import { RECORD_TYPES, isRecordType } from '../dns/record-types.js';
import type { Change, ChangeSet, RecordConflict, RecordSet } from '../types.js';
import { orderGroups, type Group } from './cname-order.js';
import { checkListing } from './listing.js';

export interface DiffOptions {
  /** This federation's id, as written in its ownership records. */
  readonly ownerId: string;
  /** The prefix of ownership marker names. Default `_fedsvc.` (see {@link validateMarkerPrefix} for the form). */
  readonly markerPrefix?: string;
}

/**
 * The record sets at one name on one side of the diff. Nearly every name holds a single one,
 * so it is kept as is: a zone of 250,000 record sets would otherwise make 500,000 lists.
 */
type Held<T extends RecordSet<string>> = T | T[] | undefined;

/**
 * Everything the diff knows about one name: the record sets the zone holds there (any type,
 * anyone's), those wanted there, and what is at the name's marker name: its TXT record set, or
 * null when only something else is there.
 */
interface Slot {
  readonly name: string;
  have: Held<RecordSet<string>>;
  want: Held<RecordSet>;
  marker: RecordSet<string> | null | undefined;
}

/** A name this owner holds: its marker, and the record sets there split into ours and others'. */
interface Owned {
  readonly marker: RecordSet<string>;
  /** The types the marker names, when it is one string of the current format; undefined means it is rewritten. */
  readonly types: readonly string[] | undefined;
  readonly ours: Held<RecordSet<string>>;
  readonly foreign: readonly RecordSet<string>[];
}

const NONE: readonly RecordSet<string>[] = [];
const NO_TYPES: readonly string[] = [];

/**
 * The minimal change set that turns what a zone holds into what the federation wants. Pure.
 *
 * Ownership is per record set: a name's marker (a TXT at `_fedsvc.<name>`, see
 * {@link ownershipRecord}) names the types this owner wrote there, and only record sets of those
 * types are ever updated or deleted. Anything else at the name (a person's SPF TXT, an MX) is
 * left alone, whenever it appeared. A free name (no marker) is taken when nothing there stands
 * in the way of the desired record sets; a marker of the first format (no types) owns the A,
 * AAAA, ALIAS and CNAME sets it finds, and the TXT set only where one is desired, and is
 * rewritten in the new form.
 *
 * `current` is everything the zone holds (any type, anyone's), names in any spelling.
 * `desired` is every record set the federation wants in it, without ownership records: those
 * are added, rewritten and removed here, in the same group as the record sets they name. Record
 * data compares as DNS compares it, so an unchanged zone gives no changes.
 *
 * A desired name that cannot be written is reported in `conflicts` and not written: one held
 * by another owner's marker or by unmarked records in the way (of a desired type, or anything at
 * all when a CNAME is desired), or a CNAME that would lead to such a name, transitively. At such
 * a name the federation withdraws its own record sets that are not desired or cannot be written
 * (a stale A set where the CNAME cannot go), so that no client is sent to stale addresses and no
 * CNAME of ours leads to a name without our data.
 *
 * Every group that changes a record set at a name already marked also rewrites the marker, as
 * read: if the marker went or changed hands since the zone was read, an atomic provider refuses
 * the whole group, so no record set of ours is ever left without its marker and none that
 * became someone else's is changed. Likewise a group that points a CNAME at a name ends with that
 * name's marker rewritten as it then stands (a guard, see `isGuard`): the CNAME is written only
 * while its target is still this owner's.
 *
 * @returns `changes`, ordered so that applied in order no CNAME of ours ever points at a name
 *   without our data (split them with `batchChanges`), and `conflicts`, sorted by name.
 * @throws {@link ValidationError} when `options.ownerId` or `options.markerPrefix` is malformed,
 *   a desired name is an ownership record name, or a name and type are desired twice.
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
  const prefix = validateMarkerPrefix(options.markerPrefix ?? DEFAULT_MARKER_PREFIX, 'options.markerPrefix');
  checkListing(current, 'zone listing');
  return diffListing(current, desired, ownerId, prefix);
}

/**
 * {@link diffRecords} of a listing already checked ({@link checkListing}), with its owner id and
 * marker prefix already validated: reconcileZone checks each listing once, where it enters.
 */
export function diffListing(
  current: readonly RecordSet<string>[],
  desired: readonly RecordSet[],
  ownerId: string,
  prefix: string,
): ChangeSet {
  const slots = slotsByName(current, desired, prefix);
  const ownedAt = ownership(ownerId);
  const planned = new Map<string, Group>();
  const conflicts: RecordConflict[] = [];
  for (const slot of slots.values()) {
    const owned = ownedAt(slot);
    const group = owned ? ownedGroup(slot, owned, slot.want, conflicts, ownerId, prefix) : freeGroup(slot, conflicts, ownerId, prefix);
    if (group) planned.set(slot.name, group);
  }
  if (conflicts.length > 0) withdrawCnamesToConflicts(slots, planned, conflicts, ownedAt, ownerId, prefix);
  conflicts.sort((a, b) => (a.name < b.name ? -1 : 1));
  const ordered = orderGroups([...planned.values()]);
  guardCnameTargets(ordered, slots, ownedAt, prefix);
  return { changes: ordered.flatMap((g) => g.changes), conflicts };
}

/** Whether a slot's name is this owner's, and which of its record sets are; markers are read once per distinct text. */
function ownership(ownerId: string): (slot: Slot) => Owned | undefined {
  const read = new Map<string, MarkerContent | null>();
  return (slot) => ownedAt(slot, ownerId, read);
}

function ownedAt(slot: Slot, ownerId: string, read: Map<string, MarkerContent | null>): Owned | undefined {
  const { marker, have, want } = slot;
  if (!marker) return undefined;
  const text = marker.rrdatas.length === 1 ? marker.rrdatas[0]! : undefined;
  let content = text === undefined ? readMarker(marker) : read.get(text);
  if (content === undefined && text !== undefined) read.set(text, (content = readMarker(marker)));
  if (content?.owner !== ownerId) return undefined;
  const types = content.types;
  const current = text === undefined ? undefined : types;
  // Most names hold one record set, the type their marker names.
  if (have !== undefined && !Array.isArray(have)) {
    return owns(types, have.type, want)
      ? { marker, types: current, ours: have, foreign: NONE }
      : { marker, types: current, ours: undefined, foreign: [have] };
  }
  let ours: Held<RecordSet<string>>;
  const foreign: RecordSet<string>[] = [];
  for (const record of list(have)) {
    if (owns(types, record.type, want)) ours = put(ours, record);
    else foreign.push(record);
  }
  return { marker, types: current, ours, foreign };
}

/** Whether a marker naming `types` (undefined: of the first format) owns a record set of `type` at a name that wants `want`. */
function owns(types: readonly string[] | undefined, type: string, want: Held<RecordSet>): boolean {
  if (types) return types.includes(type);
  return isRecordType(type) && (type !== 'TXT' || typeOf(want, 'TXT') !== undefined);
}

/** Whether `types` (a marker's) are exactly the types of `records`, in any order. */
function namesExactly(types: readonly string[] | undefined, records: RecordSet | RecordSet[]): boolean {
  if (types === undefined) return false;
  if (!Array.isArray(records)) return types.length === 1 && types[0] === records.type;
  return types.length === records.length && records.every((record) => types.includes(record.type));
}

/**
 * A name that is not this owner's: taken when it is free and nothing there is in the way of the
 * desired record sets, otherwise reported (and, when another owner's marker is there, left alone).
 */
function freeGroup(slot: Slot, conflicts: RecordConflict[], ownerId: string, prefix: string): Group | undefined {
  const { name, have: held, want: wanted, marker } = slot;
  if (wanted === undefined) return undefined;
  if (marker !== undefined) {
    const wantsCname = typeOf(wanted, 'CNAME') !== undefined;
    const taken = list(held)
      .filter((record) => isRecordType(record.type) || wantsCname)
      .map((record) => record.type)
      .sort();
    conflicts.push({ name, types: taken.length === 0 ? ['TXT'] : taken, owner: marker ? (readMarker(marker)?.owner ?? null) : null });
    return undefined;
  }
  const blocking = held === undefined ? NO_TYPES : blockers(list(held), wanted);
  if (blocking.length > 0) {
    conflicts.push({ name, types: blocking, owner: null });
    return undefined;
  }
  const records = Array.isArray(wanted) ? RECORD_TYPES.flatMap((type) => typeOf(wanted, type) ?? []) : [wanted];
  const types = records.map((record) => record.type);
  const changes: Change[] = [{ kind: 'create', record: ownershipRecord(name, ownerId, lowestTtl(wanted), types, prefix) }];
  for (const record of records) changes.push({ kind: 'create', record });
  return group(name, changes, undefined, wanted);
}

/**
 * A name this owner holds: its own record sets brought to `wanted`, less what others' record sets
 * there stand in the way of (reported); the marker rewritten to name what it owns after, or
 * removed last when it owns nothing.
 */
function ownedGroup(
  slot: Slot,
  owned: Owned,
  wanted: Held<RecordSet>,
  conflicts: RecordConflict[],
  ownerId: string,
  prefix: string,
): Group | undefined {
  const { name } = slot;
  const { marker, ours, foreign } = owned;
  let writable = wanted;
  if (wanted !== undefined && foreign.length > 0) {
    // A record set of ours already there stays beside others' records; only a new one can be blocked.
    const created = list(wanted).filter((record) => typeOf(ours, record.type) === undefined);
    const blocking = blockers(foreign, created.length === 1 ? created[0] : created);
    if (blocking.length > 0) {
      conflicts.push({ name, types: blocking, owner: null });
      writable = without(wanted, ours, foreign);
    }
  }
  let changes = recordChanges(ours, writable);
  if (writable === undefined) {
    // The marker goes last, so that a provider that stops half-way leaves the name still ours.
    (changes ??= []).push({ kind: 'delete', record: marker as RecordSet });
  } else {
    const ttl = lowestTtl(writable);
    // Rewritten with every change at the name, even when it would read the same: the group then
    // holds only while the marker is as read, so that a record set whose marker someone removed
    // or replaced since (the name is theirs now) is never changed from a stale view.
    if (changes !== undefined || marker.ttl !== ttl || !namesExactly(owned.types, writable)) {
      const types = list(writable).map((record) => record.type);
      (changes ??= []).push({ kind: 'update', before: marker as RecordSet, record: ownershipRecord(name, ownerId, ttl, types, prefix) });
    }
  }
  return changes && group(name, changes, ours, writable);
}

/**
 * Names that would CNAME to a name in conflict are in conflict too, transitively (`target` says
 * which): their CNAME is not written, and what this owner holds there is withdrawn, so that no
 * CNAME of ours leads to a name without our data.
 */
function withdrawCnamesToConflicts(
  slots: ReadonlyMap<string, Slot>,
  planned: Map<string, Group>,
  conflicts: RecordConflict[],
  ownedAt: (slot: Slot) => Owned | undefined,
  ownerId: string,
  prefix: string,
): void {
  const pointingAt = new Map<string, Slot[]>();
  for (const slot of slots.values()) {
    const target = typeOf(slot.want, 'CNAME')?.rrdatas[0];
    if (target === undefined) continue;
    const key = normalizeName(target);
    const list = pointingAt.get(key);
    if (list) list.push(slot);
    else pointingAt.set(key, [slot]);
  }
  const blocked = new Set(conflicts.map((conflict) => conflict.name));
  const pending = [...blocked];
  // Each name is blocked at most once, so the walk ends.
  for (let target = pending.pop(); target !== undefined; target = pending.pop()) {
    for (const slot of pointingAt.get(target) ?? []) {
      if (blocked.has(slot.name)) continue;
      blocked.add(slot.name);
      pending.push(slot.name);
      conflicts.push({ name: slot.name, types: [], owner: null, target });
      planned.delete(slot.name);
      const owned = ownedAt(slot);
      const withdrawal = owned && ownedGroup(slot, owned, undefined, conflicts, ownerId, prefix);
      if (withdrawal) planned.set(slot.name, withdrawal);
    }
  }
}

/**
 * A group that points a CNAME at a name also rewrites that name's marker as it stands when the
 * group is applied (as read, or as a group before it writes it): the CNAME then lands only while
 * the name is still this owner's. Another writer taking the name since the zone was read, or
 * between two requests of the change set, makes an atomic provider refuse the group, rather
 * than a CNAME of ours being written towards someone else's data.
 */
function guardCnameTargets(
  ordered: readonly Group[],
  slots: ReadonlyMap<string, Slot>,
  ownedAt: (slot: Slot) => Owned | undefined,
  prefix: string,
): void {
  const written = new Map<string, RecordSet | undefined>();
  for (const group of ordered) {
    for (const change of group.changes) {
      const name = normalizeName(change.record.name);
      const subject = ownershipSubject(name, prefix);
      if (subject !== name) written.set(subject, change.kind === 'delete' ? undefined : change.record);
    }
    const target = group.cnameAfter;
    if (target === undefined || target === group.cnameBefore) continue;
    const slot = slots.get(target);
    const marker = written.has(target) ? written.get(target) : slot && (ownedAt(slot)?.marker as RecordSet | undefined);
    if (marker) group.changes.push({ kind: 'update', before: marker, record: marker });
  }
}

/** Types of `held` that stand in the way of `wanted`, sorted: one of a desired type, any beside a CNAME, an ALIAS set beside addresses. */
function blockers(held: readonly RecordSet<string>[], wanted: Held<RecordSet>): readonly string[] {
  const types: string[] = [];
  for (const record of held) if (list(wanted).some((want) => blocks(record.type, want.type))) types.push(record.type);
  return types.sort();
}

const ADDRESSES = new Set(['A', 'AAAA', 'ALIAS']);
const blocks = (held: string, wanted: string): boolean =>
  held === wanted ||
  held === 'CNAME' ||
  wanted === 'CNAME' ||
  (ADDRESSES.has(held) && ADDRESSES.has(wanted) && (held === 'ALIAS') !== (wanted === 'ALIAS'));

/** The desired record sets that are ours already or that others' record sets do not stand in the way of. */
function without(wanted: Held<RecordSet>, ours: Held<RecordSet<string>>, foreign: readonly RecordSet<string>[]): Held<RecordSet> {
  const left = list(wanted).filter(
    (want) => typeOf(ours, want.type) !== undefined || !foreign.some((record) => blocks(record.type, want.type)),
  );
  return left.length === 0 ? undefined : left.length === 1 ? left[0] : left;
}

/** Both sides by name; a marker is filed under the name it marks. */
function slotsByName(current: readonly RecordSet<string>[], desired: readonly RecordSet[], prefix: string): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  const slot = (name: string): Slot => {
    let found = slots.get(name);
    if (!found) slots.set(name, (found = { name, have: undefined, want: undefined, marker: undefined }));
    return found;
  };
  for (const record of current) {
    const name = normalizeName(record.name);
    const subject = ownershipSubject(name, prefix);
    const at = slot(subject);
    if (subject === name) at.have = put(at.have, record);
    else if (record.type === 'TXT') at.marker = record;
    else at.marker ??= null;
  }
  desired.forEach((record, i) => {
    // A type the federation does not own is never written, whatever is asked.
    if (!isRecordType(record.type)) return;
    const name = normalizeName(record.name);
    if (ownershipSubject(name, prefix) !== name)
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
function recordChanges(held: Held<RecordSet<string>>, wanted: Held<RecordSet>): Change[] | undefined {
  // Most names hold one record set of the type wanted there; this is the diff's hot path.
  if (held !== undefined && wanted !== undefined && !Array.isArray(held) && !Array.isArray(wanted) && held.type === wanted.type) {
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

/** A routed set is compared whole, member by member: one changed member updates the whole set. */
const same = (before: RecordSet<string>, after: RecordSet): boolean =>
  sameTtl(before, after) && sameRdatas(after.type, before.rrdatas, after.rrdatas) && sameRouting(before, after);

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

/** A name's changes, with what the ordering needs to know: whether the name holds our data before and after, and its CNAME targets. */
function group(name: string, changes: Change[], ours: Held<RecordSet<string>>, written: Held<RecordSet>): Group {
  const cname = (records: Held<RecordSet<string>>) => {
    const target = typeOf(records, 'CNAME')?.rrdatas[0];
    return target === undefined ? undefined : normalizeName(target);
  };
  return {
    name,
    changes,
    existsBefore: ours !== undefined,
    existsAfter: written !== undefined,
    cnameBefore: cname(ours),
    cnameAfter: cname(written),
  };
}
