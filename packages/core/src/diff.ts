// The minimal change set from what a zone holds to what is desired, touching only names the
// federation owns (or that are free), ordered so that no CNAME ever points at a missing name.
import { ValidationError } from './errors.js';
import { normalizeName } from './names.js';
import { markerOwner, ownershipRecord, ownershipRecordName, ownershipSubject, validateOwnerId } from './ownership.js';
import { sameRdatas, sameTtl } from './rdata.js';
import type { Change, ChangeSet, RecordConflict, RecordSet } from './types.js';

export interface DiffOptions {
  /** This federation's id, as written in its ownership records. */
  readonly ownerId: string;
}

/** Owning a name means owning its record sets of these types, and only these. */
const OWNED_TYPES = ['A', 'AAAA', 'ALIAS', 'CNAME', 'TXT'] as const;
const isOwnedType = (type: string): boolean => type === 'A' || type === 'AAAA' || type === 'ALIAS' || type === 'CNAME' || type === 'TXT';

/**
 * Everything the diff knows about one name. Kept in one flat object per name, with short
 * lists rather than maps by type: a zone of 250,000 record sets makes as many of these.
 */
interface Slot {
  readonly name: string;
  /** The record sets at the name (any type, anyone's). */
  readonly have: RecordSet<string>[];
  readonly want: RecordSet[];
  /** Something is at the name's marker name `_fedsvc.<name>`; `marker` is its TXT record set, if any. */
  markerName: boolean;
  marker: RecordSet<string> | undefined;
}

/** One name's changes (its marker's included): applied together, never split between batches. */
interface Group {
  readonly name: string;
  readonly changes: Change[];
  readonly existsBefore: boolean;
  readonly existsAfter: boolean;
  /** CNAME target before and after the group, when the group changes the CNAME. */
  readonly cnameBefore: string | undefined;
  readonly cnameAfter: string | undefined;
}

/**
 * `current` is everything the zone holds (any type, anyone's). `desired` is every record set
 * the federation wants in it, without ownership records: those are added and removed here,
 * alongside the names they mark. A desired name held by someone else is reported in
 * `conflicts` and left alone.
 */
export function diffRecords(current: readonly RecordSet<string>[], desired: readonly RecordSet[], options: DiffOptions): ChangeSet {
  const ownerId = validateOwnerId(options.ownerId, 'options.ownerId');
  const slots = new Map<string, Slot>();
  const slot = (name: string): Slot => {
    let found = slots.get(name);
    if (!found) slots.set(name, (found = { name, have: [], want: [], markerName: false, marker: undefined }));
    return found;
  };
  for (const record of current) {
    const name = normalizeName(record.name);
    const subject = ownershipSubject(name);
    if (subject === name) {
      put(slot(name).have, record);
    } else {
      const marked = slot(subject);
      marked.markerName = true;
      if (record.type === 'TXT') marked.marker = record;
    }
  }
  desired.forEach((record, i) => {
    const name = normalizeName(record.name);
    if (ownershipSubject(name) !== name) throw new ValidationError(`desired[${i}].name`, name, 'is an ownership record name; those are managed by diffRecords');
    const { want } = slot(name);
    if (typeOf(want, record.type)) throw new ValidationError(`desired[${i}]`, `${name} ${record.type}`, 'a name and type may be desired only once');
    want.push(record);
  });

  // Our own marker, as we write it: most markers in a zone are, and comparing is cheaper than parsing.
  const ours = ownershipRecord('', ownerId, 0).rrdatas[0];
  const groups: Group[] = [];
  const conflicts: RecordConflict[] = [];
  for (const { name, have, want, markerName, marker } of slots.values()) {
    const markedBy = marker === undefined ? null
      : marker.rrdatas.length === 1 && marker.rrdatas[0] === ours ? ownerId : markerOwner(marker);
    const owned = markerName && markedBy === ownerId;
    const wanted = want.length > 0;
    if (!owned) {
      if (!wanted) continue;
      const wantsCname = typeOf(want, 'CNAME') !== undefined;
      const taken = have.filter((record) => isOwnedType(record.type) || wantsCname).map((record) => record.type);
      if (markerName || taken.length > 0) {
        conflicts.push({ name, types: markerName && taken.length === 0 ? ['TXT'] : taken, owner: markerName ? markedBy : null });
        continue;
      }
      const changes: Change[] = [{ kind: 'create', record: ownershipRecord(name, ownerId, lowestTtl(want)) }];
      for (const type of OWNED_TYPES) {
        const record = typeOf(want, type);
        if (record) changes.push({ kind: 'create', record });
      }
      groups.push(group(name, changes, have, want));
      continue;
    }
    if (!wanted) {
      const changes: Change[] = [];
      for (const type of OWNED_TYPES) {
        const record = typeOf(have, type);
        if (record) changes.push({ kind: 'delete', record: record as RecordSet });
      }
      // The marker goes last, so that a provider that stops half-way leaves the name still ours.
      changes.push({ kind: 'delete', record: marker as RecordSet });
      groups.push(group(name, changes, have, want));
      continue;
    }
    if (typeOf(want, 'CNAME') && have.some((record) => !isOwnedType(record.type))) {
      conflicts.push({ name, types: have.filter((record) => !isOwnedType(record.type)).map((record) => record.type), owner: null });
      continue;
    }
    let changes: Change[] | undefined;
    // Deletes first: a CNAME may only be created once the name holds nothing else.
    for (const kind of ['delete', 'update', 'create'] as const) {
      for (const type of OWNED_TYPES) {
        const before = typeOf(have, type) as RecordSet | undefined;
        const after = typeOf(want, type);
        let change: Change | undefined;
        if (kind === 'delete' && before && !after) change = { kind, record: before };
        else if (kind === 'create' && !before && after) change = { kind, record: after };
        else if (kind === 'update' && before && after && (!sameTtl(before, after) || !sameRdatas(type, before.rrdatas, after.rrdatas))) {
          change = { kind, before, record: after };
        }
        if (change) (changes ??= []).push(change);
      }
    }
    // The marker's TTL follows its name's, which is set when the name is created and may change since.
    const markerTtl = lowestTtl(want);
    if (marker && marker.ttl !== markerTtl) {
      (changes ??= []).push({ kind: 'update', before: marker as RecordSet, record: ownershipRecord(name, ownerId, markerTtl) });
    }
    if (changes) groups.push(group(name, changes, have, want));
  }
  const written = withoutCnamesToConflicts(groups, conflicts);
  conflicts.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { changes: order(written).flatMap((g) => g.changes), conflicts };
}

/**
 * The groups, less those that point a CNAME at a name in conflict (which would dangle, or lead
 * to someone else's records), transitively: a zone's CNAME to a region whose CNAME goes to a
 * global name held by someone else is not written either. Each one dropped is added to
 * `conflicts`. A dropped group leaves its old CNAME in place, so the group that would remove
 * the old target is dropped too (that name stays until a later pass can move the CNAME).
 */
function withoutCnamesToConflicts(groups: readonly Group[], conflicts: RecordConflict[]): Group[] {
  if (conflicts.length === 0) return [...groups];
  const pointingAt = new Map<string, Group[]>();
  const removing = new Map<string, Group>();
  for (const group of groups) {
    if (group.existsBefore && !group.existsAfter) removing.set(group.name, group);
    if (group.cnameAfter === undefined || group.cnameAfter === group.cnameBefore) continue;
    const list = pointingAt.get(group.cnameAfter);
    if (list) list.push(group);
    else pointingAt.set(group.cnameAfter, [group]);
  }
  const dropped = new Set<Group>();
  const drop = (group: Group): void => {
    dropped.add(group);
    const kept = group.cnameBefore !== group.cnameAfter ? group.cnameBefore : undefined;
    const removal = kept === undefined ? undefined : removing.get(kept);
    if (removal && !dropped.has(removal)) drop(removal);
  };
  const blocked = conflicts.map((conflict) => conflict.name);
  // Each group is dropped at most once, so the walk ends.
  for (let target = blocked.pop(); target !== undefined; target = blocked.pop()) {
    for (const group of pointingAt.get(target) ?? []) {
      if (dropped.has(group)) continue;
      conflicts.push({ name: group.name, types: [], owner: null, target });
      drop(group);
      blocked.push(group.name);
    }
  }
  return groups.filter((group) => !dropped.has(group));
}

/** A name's marker lives as long as the shortest-lived of its record sets. */
function lowestTtl(records: readonly RecordSet[]): number {
  let lowest = Infinity;
  for (const record of records) lowest = Math.min(lowest, record.ttl);
  return lowest;
}

function typeOf<T extends RecordSet<string>>(records: readonly T[], type: string): T | undefined {
  for (const record of records) if (record.type === type) return record;
  return undefined;
}

/** Adds a record set to a name's list; a second one of the same type replaces the first. */
function put(records: RecordSet<string>[], record: RecordSet<string>): void {
  const at = records.findIndex((held) => held.type === record.type);
  if (at < 0) records.push(record);
  else records[at] = record;
}

function group(name: string, changes: Change[], have: readonly RecordSet<string>[], want: readonly RecordSet<string>[]): Group {
  const cname = (records: readonly RecordSet<string>[]) => {
    const target = typeOf(records, 'CNAME')?.rrdatas[0];
    return target === undefined ? undefined : normalizeName(target);
  };
  return {
    name,
    changes,
    existsBefore: have.length > 0,
    existsAfter: want.length > 0 || have.some((record) => !isOwnedType(record.type)),
    cnameBefore: cname(have),
    cnameAfter: cname(want),
  };
}

/**
 * Orders name groups so that, after every group, each CNAME the change set writes points at a
 * name that exists, and each name the change set removes is no longer pointed at by a CNAME
 * the change set rewrites: a name that comes into being precedes the CNAMEs written to it, and
 * the CNAMEs moved away from a name precede its removal. Otherwise groups go in name order, so
 * the result does not depend on the order of the inputs. A CNAME loop (never planned) is
 * broken at an arbitrary point.
 */
function order(groups: readonly Group[]): Group[] {
  const sorted = [...groups].sort((a, b) => (a.name < b.name ? -1 : 1));
  const index = new Map(sorted.map((g, i) => [g.name, i]));
  const before: number[][] = sorted.map(() => []);
  sorted.forEach((g, i) => {
    if (g.cnameAfter !== undefined && g.cnameAfter !== g.cnameBefore) {
      const target = index.get(g.cnameAfter);
      if (target !== undefined && !sorted[target]!.existsBefore && sorted[target]!.existsAfter) before[i]!.push(target);
    }
    if (g.cnameBefore !== undefined && g.cnameBefore !== g.cnameAfter) {
      const target = index.get(g.cnameBefore);
      if (target !== undefined && sorted[target]!.existsBefore && !sorted[target]!.existsAfter) before[target]!.push(i);
    }
  });
  // Depth-first, predecessors first; an explicit stack because CNAME chains in a zone may be long.
  const state = new Uint8Array(sorted.length); // 0 unseen, 1 on the stack, 2 emitted
  const out: Group[] = [];
  for (let root = 0; root < sorted.length; root++) {
    if (state[root] !== 0) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, next] = top;
      const predecessor = before[node]![next];
      if (predecessor === undefined) {
        stack.pop();
        state[node] = 2;
        out.push(sorted[node]!);
      } else {
        top[1] = next + 1;
        if (state[predecessor] === 0) {
          state[predecessor] = 1;
          stack.push([predecessor, 0]);
        }
      }
    }
  }
  return out;
}
