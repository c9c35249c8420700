// The minimal change set from what a zone holds to what is desired, touching only names the
// federation owns (or that are free), ordered so that no CNAME ever points at a missing name.
import { ValidationError } from './errors.js';
import { normalizeName } from './names.js';
import { markerOwner, ownershipRecord, ownershipRecordName, ownershipSubject, validateOwnerId } from './ownership.js';
import { sameRdatas } from './rdata.js';
import type { Change, ChangeSet, RecordConflict, RecordSet } from './types.js';

export interface DiffOptions {
  /** This federation's id, as written in its ownership records. */
  readonly ownerId: string;
}

/** Owning a name means owning its record sets of these types, and only these. */
const OWNED_TYPES: readonly string[] = ['A', 'AAAA', 'CNAME', 'TXT'];

type RecordsByType = ReadonlyMap<string, RecordSet<string>>;
const NONE: RecordsByType = new Map();

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
  const zone = byName(current);
  const wanted = byName(desired, 'desired') as Map<string, Map<string, RecordSet>>;

  const owned = new Set<string>();
  /** Names whose marker name holds a record that is not our marker: another owner's, or a person's. */
  const markedByOthers = new Map<string, string | null>();
  for (const [name, types] of zone) {
    const subject = ownershipSubject(name);
    if (subject === name) continue;
    const txt = types.get('TXT');
    const owner = txt ? markerOwner(txt) : null;
    if (owner === ownerId) owned.add(subject);
    else markedByOthers.set(subject, owner);
  }

  const groups: Group[] = [];
  const conflicts: RecordConflict[] = [];
  for (const name of new Set([...wanted.keys(), ...owned])) {
    const have = zone.get(name) ?? NONE;
    const want = wanted.get(name);
    const foreign = [...have.keys()].filter((type) => !OWNED_TYPES.includes(type));
    if (!owned.has(name)) {
      if (!want) continue;
      const taken = [...have.keys()].filter((type) => OWNED_TYPES.includes(type) || want.has('CNAME'));
      if (markedByOthers.has(name) || taken.length > 0) {
        const types = markedByOthers.has(name) && taken.length === 0 ? ['TXT'] : taken;
        conflicts.push({ name, types, owner: markedByOthers.get(name) ?? null });
        continue;
      }
      const ttl = Math.min(...[...want.values()].map((record) => record.ttl));
      const changes: Change[] = [{ kind: 'create', record: ownershipRecord(name, ownerId, ttl) }];
      for (const type of OWNED_TYPES) {
        const record = want.get(type);
        if (record) changes.push({ kind: 'create', record });
      }
      groups.push(group(name, changes, have, want));
      continue;
    }
    const marker = zone.get(ownershipRecordName(name))?.get('TXT');
    if (!want) {
      const changes: Change[] = [];
      for (const type of OWNED_TYPES) {
        const record = have.get(type);
        if (record) changes.push({ kind: 'delete', record: record as RecordSet });
      }
      // The marker goes last, so that a provider that stops half-way leaves the name still ours.
      if (marker) changes.push({ kind: 'delete', record: marker as RecordSet });
      groups.push(group(name, changes, have, NONE));
      continue;
    }
    if (want.has('CNAME') && foreign.length > 0) {
      conflicts.push({ name, types: foreign, owner: null });
      continue;
    }
    const deletes: Change[] = [];
    const updates: Change[] = [];
    const creates: Change[] = [];
    for (const type of OWNED_TYPES) {
      const before = have.get(type) as RecordSet | undefined;
      const after = want.get(type);
      if (before && !after) deletes.push({ kind: 'delete', record: before });
      else if (!before && after) creates.push({ kind: 'create', record: after });
      else if (before && after && (before.ttl !== after.ttl || !sameRdatas(type, before.rrdatas, after.rrdatas))) {
        updates.push({ kind: 'update', before, record: after });
      }
    }
    // Deletes first: a CNAME may only be created once the name holds nothing else.
    const changes = [...deletes, ...updates, ...creates];
    if (changes.length > 0) groups.push(group(name, changes, have, want));
  }
  conflicts.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { changes: order(groups).flatMap((g) => g.changes), conflicts };
}

function byName(records: readonly RecordSet<string>[], field?: string): Map<string, Map<string, RecordSet<string>>> {
  const names = new Map<string, Map<string, RecordSet<string>>>();
  records.forEach((record, i) => {
    const name = normalizeName(record.name);
    let types = names.get(name);
    if (!types) names.set(name, (types = new Map()));
    if (field) {
      if (types.has(record.type)) throw new ValidationError(`${field}[${i}]`, `${name} ${record.type}`, 'a name and type may be desired only once');
      if (ownershipSubject(name) !== name) throw new ValidationError(`${field}[${i}].name`, name, 'is an ownership record name; those are managed by diffRecords');
    }
    types.set(record.type, record);
  });
  return names;
}

function group(name: string, changes: Change[], have: RecordsByType, want: RecordsByType): Group {
  const cname = (types: RecordsByType) => {
    const target = types.get('CNAME')?.rrdatas[0];
    return target === undefined ? undefined : normalizeName(target);
  };
  const remaining = [...have.keys()].some((type) => !OWNED_TYPES.includes(type));
  return {
    name,
    changes,
    existsBefore: have.size > 0,
    existsAfter: remaining || want.size > 0,
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
