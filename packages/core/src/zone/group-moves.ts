// Which name groups may be written ahead of groups the change set puts before them. The diff's
// order holds two guarantees: no CNAME of ours leads to a name without our data, and each guard
// names its marker as the groups before it leave it. A group may go ahead of others only where
// its order against each of them can change neither; everything here is read from the changes.
import { normalizeName } from '../dns/names.js';
import { ownershipSubject } from '../dns/ownership.js';
import type { Change } from '../types.js';
import { isGuard, isMarker } from './guards.js';

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

/** What a group of changes touches; `prefix` is the ownership markers'. */
export function groupTouches(group: readonly Change[], prefix: string): GroupTouches {
  const subject = ownershipSubject(normalizeName(group[0]!.record.name), prefix);
  // Most groups write no CNAME and change one marker: their lists stay the shared empty one until something is added.
  let writesTo = NONE;
  let refersTo = NONE;
  let changesMarkers = NONE;
  let guardsMarkers = NONE;
  let before = false;
  let after = false;
  for (const change of group) {
    const name = normalizeName(change.record.name);
    if (isMarker(change, prefix)) {
      if (isGuard(change, prefix)) guardsMarkers = [...guardsMarkers, ownershipSubject(name, prefix)];
      else changesMarkers = [...changesMarkers, ownershipSubject(name, prefix)];
      continue;
    }
    if (name === subject) {
      before ||= change.kind !== 'create';
      after ||= change.kind !== 'delete';
    }
    const old = change.kind === 'update' ? change.before : change.kind === 'delete' ? change.record : undefined;
    if (old?.type === 'CNAME') refersTo = [...refersTo, ...old.rrdatas.map(normalizeName)];
    if (change.kind !== 'delete' && change.record.type === 'CNAME') {
      const targets = change.record.rrdatas.map(normalizeName);
      writesTo = [...writesTo, ...targets];
      refersTo = [...refersTo, ...targets];
    }
  }
  return { subject, keepsData: before && after, writesTo, refersTo, changesMarkers, guardsMarkers };
}

const NONE: readonly string[] = [];

/**
 * The groups a request leaves behind, ahead of which it may still carry later groups. A later
 * group may go ahead of them when, against each: it is about another name; each CNAME it writes
 * leads to a name that holds our data throughout or that none of them changes (not to one they
 * create); its own name holds our data throughout, or none of them has a CNAME to it (it is not
 * withdrawn before they move a CNAME away, nor created after they write one to it); and no
 * marker it changes is one they guard, nor one it guards one they change (each guard then finds
 * its marker as the diff's order would have left it).
 */
export class LeftBehind {
  /** Groups left behind whose touches are not read yet: most never need to be. */
  readonly #unread: { touches(): GroupTouches }[] = [];
  readonly #subjects = new Set<string>();
  /** Subjects of the groups that do not hold our data throughout. */
  readonly #unsteady = new Set<string>();
  readonly #referred = new Set<string>();
  readonly #changed = new Set<string>();
  readonly #guarded = new Set<string>();

  /** Leaves a group behind. */
  add(group: { touches(): GroupTouches }): void {
    this.#unread.push(group);
  }

  /** Whether a later group may be written before every group left behind. */
  lets(group: { touches(): GroupTouches }): boolean {
    if (this.#unread.length + this.#subjects.size === 0) return true;
    for (const behind of this.#unread) this.#read(behind.touches());
    this.#unread.length = 0;
    return this.#allows(group.touches());
  }

  #read(touches: GroupTouches): void {
    this.#subjects.add(touches.subject);
    if (!touches.keepsData) this.#unsteady.add(touches.subject);
    for (const name of touches.refersTo) this.#referred.add(name);
    for (const name of touches.changesMarkers) this.#changed.add(name);
    for (const name of touches.guardsMarkers) this.#guarded.add(name);
  }

  #allows(touches: GroupTouches): boolean {
    if (this.#subjects.has(touches.subject)) return false;
    if (!touches.keepsData && this.#referred.has(touches.subject)) return false;
    return (
      !touches.writesTo.some((name) => this.#unsteady.has(name)) &&
      !touches.changesMarkers.some((name) => this.#guarded.has(name)) &&
      !touches.guardsMarkers.some((name) => this.#changed.has(name))
    );
  }
}
