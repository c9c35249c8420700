// Which name groups may be written ahead of groups the change set puts before them. The diff's
// order holds two guarantees: no CNAME of ours leads to a name without our data, and each guard
// names its marker as the groups before it leave it. A group may go ahead of others only where
// its order against each of them can change neither; everything here is read from the changes.
import { normalizeName } from '../dns/names.js';
import { ownershipSubject } from '../dns/ownership.js';
import { withOne } from '../lists.js';
import type { Change } from '../types.js';
import { isGuardAt, isMarkerName } from './guards.js';

/** What a name group touches that orders it against other groups. */
export interface GroupTouches {
  /** The name the group is about (normalized). */
  readonly subject: string;
  /**
   * Whether the changes show the name holding our data before and after the group: they delete
   * or update a record set there and create or update one. A group without both may be the
   * name's creation or its withdrawal, which the CNAMEs to it are ordered around.
   */
  readonly keepsData: boolean;
  /** Targets (normalized) of the CNAMEs the group writes. */
  readonly writesTo: readonly string[];
  /** Targets (normalized) of the CNAMEs the group writes or removes. */
  readonly refersTo: readonly string[];
  /** Names (normalized) whose marker the group changes. */
  readonly changesMarkers: readonly string[];
  /** Names (normalized) whose marker the group rewrites as it stands (guards). */
  readonly guardsMarkers: readonly string[];
}

/**
 * What the group `changes[from .. to-1]` touches, its names normalized in `names[from .. to-1]`
 * and its subject `subject`; `prefix` is the markers'.
 */
export function groupTouches(
  changes: readonly Change[],
  names: readonly string[],
  from: number,
  to: number,
  subject: string,
  prefix: string,
): GroupTouches {
  // Most groups write no CNAME and change one marker: their other lists stay the shared empty one, made only once something is added.
  let writesTo: string[] | undefined;
  let refersTo: string[] | undefined;
  let changesMarkers: string[] | undefined;
  let guardsMarkers: string[] | undefined;
  let before = false;
  let after = false;
  for (let at = from; at < to; at++) {
    const change = changes[at]!;
    const name = names[at]!;
    if (isMarkerName(name, prefix)) {
      // The subject's own marker is named by the subject's string: no other made for it.
      const marked = name.length === prefix.length + subject.length && name.endsWith(subject) ? subject : ownershipSubject(name, prefix);
      if (isGuardAt(change, name, prefix)) guardsMarkers = withOne(guardsMarkers, marked);
      else changesMarkers = withOne(changesMarkers, marked);
      continue;
    }
    if (name === subject) {
      before ||= change.kind !== 'create';
      after ||= change.kind !== 'delete';
    }
    const old = change.kind === 'update' ? change.before : change.kind === 'delete' ? change.record : undefined;
    if (old?.type === 'CNAME') for (const target of old.rrdatas) refersTo = withOne(refersTo, normalizeName(target));
    if (change.kind !== 'delete' && change.record.type === 'CNAME') {
      for (const target of change.record.rrdatas) {
        const to = normalizeName(target);
        writesTo = withOne(writesTo, to);
        refersTo = withOne(refersTo, to);
      }
    }
  }
  return {
    subject,
    keepsData: before && after,
    writesTo: writesTo ?? NONE,
    refersTo: refersTo ?? NONE,
    changesMarkers: changesMarkers ?? NONE,
    guardsMarkers: guardsMarkers ?? NONE,
  };
}

const NONE: readonly string[] = [];

/** Whether a group's only name beside its subject is its own marker: no CNAME written or removed, no guard, no other name's marker. */
const plain = (touches: GroupTouches): boolean =>
  touches.writesTo.length + touches.refersTo.length + touches.guardsMarkers.length === 0 &&
  touches.changesMarkers.every((name) => name === touches.subject);

/** A group's names other than its subject, numbered (TouchedNames). */
interface OtherNames {
  readonly writesTo: readonly number[];
  readonly refersTo: readonly number[];
  readonly changesMarkers: readonly number[];
  readonly guardsMarkers: readonly number[];
}

/**
 * Groups' touches with each name a small number, read once per group for all the requests of a
 * packing: sets of them then hash no strings, and empty at once (NameSet). Where every group is
 * plain and their subjects come in strictly increasing order (a diff's, sorted by name), no two
 * groups share a subject, and each group's index numbers its subject: no name is hashed at all.
 */
export class TouchedNames {
  /** Each name's number, or undefined where groups' indices number their subjects. */
  readonly #ids: Map<string, number> | undefined;
  /** Each group's subject's number, -1 until read. */
  readonly #subjects: Int32Array;
  /** Each group's other names, numbered, where it is not plain. */
  readonly #others = new Map<number, OtherNames>();

  constructor(private readonly groups: readonly GroupTouches[]) {
    let sorted = true;
    for (let index = 0; sorted && index < groups.length; index++)
      sorted = plain(groups[index]!) && (index === 0 || groups[index - 1]!.subject < groups[index]!.subject);
    this.#ids = sorted ? undefined : new Map();
    this.#subjects = sorted ? Int32Array.from({ length: groups.length }, (_, index) => index) : new Int32Array(groups.length).fill(-1);
  }

  /** The number of a group's subject. */
  subject(index: number): number {
    const read = this.#subjects[index]!;
    return read >= 0 ? read : this.#read(index);
  }

  /** A group's other names, numbered, or undefined where it is plain. */
  others(index: number): OtherNames | undefined {
    if (this.#ids === undefined) return undefined;
    this.subject(index);
    return this.#others.get(index);
  }

  #read(index: number): number {
    const touches = this.groups[index]!;
    const subject = this.#id(touches.subject);
    this.#subjects[index] = subject;
    if (!plain(touches)) {
      this.#others.set(index, {
        writesTo: touches.writesTo.map((name) => this.#id(name)),
        refersTo: touches.refersTo.map((name) => this.#id(name)),
        changesMarkers: touches.changesMarkers.map((name) => this.#id(name)),
        guardsMarkers: touches.guardsMarkers.map((name) => this.#id(name)),
      });
    }
    return subject;
  }

  #id(name: string): number {
    const ids = this.#ids!;
    let id = ids.get(name);
    if (id === undefined) ids.set(name, (id = ids.size));
    return id;
  }
}

/** A set of numbered names, emptied at once: a name is in it while its stamp is the set's. */
class NameSet {
  #stamps = new Int32Array(1024);
  #stamp = 1;

  clear(): void {
    this.#stamp++;
  }

  add(id: number): void {
    if (id >= this.#stamps.length) {
      const grown = new Int32Array(Math.max(2 * this.#stamps.length, id + 1));
      grown.set(this.#stamps);
      this.#stamps = grown;
    }
    this.#stamps[id] = this.#stamp;
  }

  has(id: number): boolean {
    return id < this.#stamps.length && this.#stamps[id] === this.#stamp;
  }

  hasAny(ids: readonly number[]): boolean {
    for (const id of ids) if (this.has(id)) return true;
    return false;
  }
}

/**
 * The groups a request leaves behind, ahead of which it may still carry later groups. A later
 * group may go ahead of them when, against each: it is about another name; each CNAME it writes
 * leads to a name that holds our data throughout or that none of them changes (not to one they
 * create); its own name holds our data throughout, or none of them has a CNAME to it (it is not
 * withdrawn before they move a CNAME away, nor created after they write one to it); and no
 * marker it changes is one they guard, nor one it guards one they change (each guard then finds
 * its marker as the diff's order would have left it). Groups are named by their index; one
 * LeftBehind serves request after request, emptied for each (clear).
 */
export class LeftBehind {
  #count = 0;
  readonly #subjects = new NameSet();
  /** Subjects of the groups that do not hold our data throughout. */
  readonly #unsteady = new NameSet();
  readonly #referred = new NameSet();
  readonly #changed = new NameSet();
  readonly #guarded = new NameSet();

  constructor(
    private readonly groups: readonly GroupTouches[],
    private readonly names: TouchedNames,
  ) {}

  /** Leaves no group behind. */
  clear(): void {
    this.#count = 0;
    this.#subjects.clear();
    this.#unsteady.clear();
    this.#referred.clear();
    this.#changed.clear();
    this.#guarded.clear();
  }

  /** Leaves a group behind. */
  add(index: number): void {
    this.#count++;
    const subject = this.names.subject(index);
    const others = this.names.others(index);
    const group = this.groups[index]!;
    this.#subjects.add(subject);
    if (!group.keepsData) this.#unsteady.add(subject);
    if (others === undefined) {
      if (group.changesMarkers.length > 0) this.#changed.add(subject);
      return;
    }
    for (const id of others.refersTo) this.#referred.add(id);
    for (const id of others.changesMarkers) this.#changed.add(id);
    for (const id of others.guardsMarkers) this.#guarded.add(id);
  }

  /** Whether a later group may be written before every group left behind. */
  lets(index: number): boolean {
    if (this.#count === 0) return true;
    const subject = this.names.subject(index);
    const others = this.names.others(index);
    const group = this.groups[index]!;
    if (this.#subjects.has(subject)) return false;
    if (!group.keepsData && this.#referred.has(subject)) return false;
    if (others === undefined) return !(group.changesMarkers.length > 0 && this.#guarded.has(subject));
    return (
      !this.#unsteady.hasAny(others.writesTo) && !this.#guarded.hasAny(others.changesMarkers) && !this.#changed.hasAny(others.guardsMarkers)
    );
  }
}
