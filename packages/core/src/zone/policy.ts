// external-dns's policies over a change set: which of the changes a diff planned may be written.
// Pure; runs once per plan, after the diff and before batching.
import { normalizeName } from '../dns/names.js';
import { DEFAULT_MARKER_PREFIX, ownershipSubject } from '../dns/ownership.js';
import type { Change } from '../types.js';
import { isGuard } from './batch.js';

/**
 * What a pass may do to the zone, as external-dns names its policies: `sync` creates, updates
 * and deletes; `upsert-only` never deletes; `create-only` never changes what exists (it only
 * creates).
 */
export type Policy = 'sync' | 'upsert-only' | 'create-only';

/** Every policy, in order of what it allows, most first. */
export const POLICIES: readonly Policy[] = ['sync', 'upsert-only', 'create-only'];

/** A change set as a policy lets it be written. */
export interface PolicyOutcome {
  /** The changes that may be written, in the order the diff gave them. */
  readonly changes: Change[];
  /** The changes the policy withholds: those it forbids, and the others of a name in `held`. */
  readonly suppressed: Change[];
  /**
   * Names whose wanted change could not be made without one the policy forbids (a name moving
   * between a CNAME or an ALIAS and other types needs its old record sets deleted; a marker
   * rewritten to name other types must not name a record set left in place or missing): every
   * change of such a name is withheld, so that the name stays exactly as the zone holds it.
   */
  readonly held: string[];
}

/** Types that may not share their name with the types a change set writes beside them. */
const EXCLUSIVE = new Set(['CNAME', 'ALIAS']);

const ALLOWED: Record<Policy, (change: Change) => boolean> = {
  sync: () => true,
  'upsert-only': (change) => change.kind !== 'delete',
  'create-only': (change) => change.kind === 'create',
};

/**
 * The changes of `changes` that `policy` allows. A name's changes (its ownership marker's
 * included) are judged together:
 *
 * - a change the policy forbids is withheld; the name's other changes are written;
 * - except at a name whose changes touch a CNAME or an ALIAS set, or rewrite its marker: there a
 *   forbidden change is one the others depend on (a CNAME may be created only once the name
 *   holds nothing else; the marker names exactly the types written there), so the whole name is
 *   withheld and named in `held`.
 *
 * An ownership marker is deleted only with the last records of its name, so a policy that keeps
 * the records keeps the marker too, and every name left in the zone stays marked, as
 * external-dns's TXT registry stays beside the records its policy keeps. A marker's TTL update
 * is an update: written under `upsert-only`, withheld under `create-only`.
 *
 * Order is kept, and a policy only withholds, so no CNAME written comes before its target: a
 * name that comes into being is only created (never withheld), and a name the diff would remove
 * is a delete (withheld, so the name stays).
 */
export function applyPolicy(changes: readonly Change[], policy: Policy, markerPrefix: string = DEFAULT_MARKER_PREFIX): PolicyOutcome {
  if (policy === 'sync') return { changes: [...changes], suppressed: [], held: [] };
  const allowed = ALLOWED[policy];
  const out: PolicyOutcome = { changes: [], suppressed: [], held: [] };
  const tied = (change: Change): boolean => EXCLUSIVE.has(change.record.type) || change.record.name.startsWith(markerPrefix);
  for (const [name, group] of byName(changes, markerPrefix)) {
    // A guard of another name's marker the policy forbids is withheld alone: it writes nothing the others depend on.
    const guardsAnother = (change: Change) =>
      isGuard(change, markerPrefix) && ownershipSubject(normalizeName(change.record.name), markerPrefix) !== name;
    const forbidden = group.filter((change) => !allowed(change) && !guardsAnother(change));
    if (forbidden.length === 0) {
      for (const change of group) (allowed(change) ? out.changes : out.suppressed).push(change);
    } else if (group.some(tied)) {
      out.suppressed.push(...group);
      if (forbidden.length < group.length) out.held.push(name);
    } else {
      for (const change of group) (allowed(change) ? out.changes : out.suppressed).push(change);
    }
  }
  return withoutStaleGuards(out, markerPrefix);
}

/**
 * A guard names a marker as the change set leaves it; where the policy withholds that marker's
 * change, the guard would name a marker the zone never holds, so it is withheld too (the target
 * stays as the zone holds it, so its CNAME is written without it).
 */
function withoutStaleGuards(out: PolicyOutcome, markerPrefix: string): PolicyOutcome {
  const markerOf = (change: Change): string | undefined => {
    const name = normalizeName(change.record.name);
    return ownershipSubject(name, markerPrefix) === name ? undefined : name;
  };
  const kept = new Set(out.suppressed.filter((change) => !isGuard(change, markerPrefix)).map(markerOf));
  kept.delete(undefined);
  if (kept.size === 0) return out;
  const stale = (change: Change) => isGuard(change, markerPrefix) && kept.has(markerOf(change));
  return { ...out, changes: out.changes.filter((change) => !stale(change)), suppressed: [...out.suppressed, ...out.changes.filter(stale)] };
}

/**
 * The changes by the name they are about (a marker's under the name it marks, a guard under the
 * name whose changes it follows), in order of first appearance.
 */
function byName(changes: readonly Change[], markerPrefix: string): Map<string, Change[]> {
  const groups = new Map<string, Change[]>();
  let last: Change[] | undefined;
  for (const change of changes) {
    if (last && isGuard(change, markerPrefix)) {
      last.push(change);
      continue;
    }
    const name = ownershipSubject(normalizeName(change.record.name), markerPrefix);
    last = groups.get(name);
    if (last) last.push(change);
    else groups.set(name, (last = [change]));
  }
  return groups;
}
