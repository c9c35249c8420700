// Splitting an ordered change set into requests a provider accepts. Batches are cut only
// between name groups, and a group goes ahead of others only where their order does not matter
// (group-moves.ts), so every batch boundary keeps the order's guarantees: no CNAME points at a
// name without our data, and every guard finds its marker as the order leaves it.
import { ValidationError } from '../errors.js';
import { normalizeName } from '../dns/names.js';
import { DEFAULT_MARKER_PREFIX, ownershipSubject } from '../dns/ownership.js';
import type { Change, ProviderLimits, RequestCost } from '../types.js';
import { isGuard, isGuardAt, isMarker } from './guards.js';
import { cutInOrder, packAhead, requestsFor } from './pack.js';
import { type Cost, type NameGroup, sizeNamedGroup } from './sized-group.js';

export { isGuard, isMarker };

/**
 * Adjacent changes at one name, its ownership record included, and the guards that follow them
 * (see {@link isGuard}). Names are compared as DNS compares them (case-insensitively, the
 * trailing dot optional): a diff deletes a record set with the provider's spelling of its name
 * and creates one with the normalized spelling, and both belong to one group. `prefix` is the
 * ownership markers' (default `_fedsvc.`).
 */
export function changeGroups(changes: readonly Change[], prefix: string = DEFAULT_MARKER_PREFIX): Change[][] {
  const groups: Change[][] = [];
  eachGroup(changes, prefix, (from, to) => groups.push(changes.slice(from, to)));
  return groups;
}

/**
 * Calls `visit` with each name group of `changes` (see changeGroups), in order, as the range
 * `changes[from .. to-1]`, with the group's subject (the name it is about) and every change's
 * name normalized (`names`, indexed as `changes`, read only within the range): each name is
 * normalized once.
 */
function eachGroup(
  changes: readonly Change[],
  prefix: string,
  visit: (from: number, to: number, subject: string, names: readonly string[]) => void,
): void {
  const names = new Array<string>(changes.length);
  let from = 0;
  let subject = '';
  for (let at = 0; at < changes.length; at++) {
    const change = changes[at]!;
    const name = normalizeName(change.record.name);
    names[at] = name;
    if (at === 0) subject = ownershipSubject(name, prefix);
    else if (!isGuardAt(change, name, prefix)) {
      const next = ownershipSubject(name, prefix);
      if (next === subject) continue;
      visit(from, at, subject, names);
      from = at;
      subject = next;
    }
  }
  if (changes.length > 0) visit(from, changes.length, subject, names);
}

/**
 * A request's changes without the guards of a marker the request changes otherwise, or guards
 * already: the request holds or fails as a whole, so that other change guards it as well, and no
 * provider is asked to change one record set twice in one request.
 */
export function onceEach(changes: readonly Change[], prefix: string | undefined): Change[] {
  // Only the names that carry a guard need a key: most requests carry none, or few.
  const guarded = new Set<string>();
  for (const change of changes) if (isGuard(change, prefix)) guarded.add(normalizeName(change.record.name));
  if (guarded.size === 0) return [...changes];
  const keyOf = (change: Change) => `${normalizeName(change.record.name)} ${change.record.type}`;
  const changed = new Set<string>();
  for (const change of changes) if (guarded.has(normalizeName(change.record.name)) && !isGuard(change, prefix)) changed.add(keyOf(change));
  return changes.filter((change) => {
    if (!isGuard(change, prefix)) return true;
    const key = keyOf(change);
    if (changed.has(key)) return false;
    changed.add(key);
    return true;
  });
}

/** The record set a group is about: its first change that is not to an ownership marker. */
export function groupRecord(group: readonly Change[], prefix: string = DEFAULT_MARKER_PREFIX): { name: string; type: string } | undefined {
  const change = group.find((candidate) => !isMarker(candidate, prefix)) ?? group[0];
  return change ? { name: change.record.name, type: change.record.type } : undefined;
}

/** An update is a deletion and an addition to every provider we know (Route 53 counts UPSERT twice). */
export function changeCost(change: Change): RequestCost {
  const cost = { changes: 0, rrdatas: 0, chars: 0 };
  addSide(cost, change.record);
  if (change.kind === 'update') addSide(cost, change.before);
  return cost;
}

function addSide(cost: Cost, side: Change['record']): void {
  cost.changes++;
  cost.rrdatas += side.rrdatas.length;
  for (const rrdata of side.rrdatas) cost.chars += rrdata.length;
}

/** A name group that no request can carry: its changes alone exceed the provider's limits. */
export interface OversizedGroup {
  /** The group's changes, in order. */
  readonly changes: readonly Change[];
  /** The name the group is about (normalized). */
  readonly name: string;
  /** What the group needs in one request. */
  readonly cost: RequestCost;
  /** Why it does not fit, with the numbers and the limits, e.g. `1200 rrdatas (the limit is 1000)`. */
  readonly reason: string;
  /**
   * Where the group stood in the order: `batches[0 .. before-1]` held the changes ahead of it,
   * `batches[before ..]` those after it. A batch never spans an oversized group.
   */
  readonly before: number;
}

export interface BatchPlan {
  /** The requests, to be sent in this order, each within the limits (counted as onceEach sends them). */
  readonly batches: Change[][];
  /** The name groups left out because they fit no request, in order. */
  readonly oversized: OversizedGroup[];
  /** How many name groups there were, in the batches and left out. */
  readonly groups: number;
}

function checkLimits(limits: ProviderLimits): void {
  for (const key of ['maxChangesPerRequest', 'maxRrdatasPerRequest', 'maxRrdataCharsPerRequest'] as const) {
    if (!Number.isSafeInteger(limits[key]) || limits[key] < 1)
      throw new ValidationError(`limits.${key}`, limits[key], 'must be a positive integer');
  }
}

/**
 * Splits `changes` into requests within `limits`, cutting only between name groups; `cost` is
 * how the provider counts a change (default: changeCost). Each request is filled from the first
 * group not yet sent, in order, then with later groups free to go ahead of those it leaves
 * behind: a later group is carried early only where that can neither point a CNAME of ours at a
 * name without our data nor withdraw a name a CNAME still leads to, and where every guard still
 * finds its marker as the order leaves it. Where two limits bind, this fills requests in both
 * rather than in the one the next group in order would break. The look-ahead is bounded per
 * request, the result depends on the input alone, and it never takes more requests than cutting
 * the order as given would (packing is tried only where the order's cut takes more requests than
 * its load needs, and taken only where it saves one: it may send more guards, where it parts a
 * group from the change of the marker it guards). The changes of a request keep their relative
 * order.
 * A name group that alone exceeds the limits is not an error here: it is left out, in
 * `oversized`, and the batches around it are cut at its place (no group crosses it), so that a
 * caller can write everything else in order and decide what the missing group means for the
 * groups after it (reconcileZone treats it as a group the provider rejected). `prefix` is the
 * ownership markers' (default `_fedsvc.`): a marker goes in its name's group.
 */
export function planBatches(
  changes: readonly Change[],
  limits: ProviderLimits,
  cost: (change: Change) => RequestCost = changeCost,
  prefix: string = DEFAULT_MARKER_PREFIX,
): BatchPlan {
  checkLimits(limits);
  const groups: NameGroup[] = [];
  const sizing = { limits, cost, prefix };
  eachGroup(changes, prefix, (from, to, subject, names) => groups.push(sizeNamedGroup(changes, names, from, to, subject, sizing)));
  const inOrder = cutInOrder(groups, limits);
  // A cut in order whose requests are as few as its own load needs is kept without packing:
  // packing saves requests by filling room the order leaves, not by sending less.
  const packed =
    inOrder.requests.length > requestsFor(inOrder.needs, limits) ? packAhead(groups, limits, inOrder, inOrder.requests.length) : undefined;
  const cut = packed ?? inOrder;
  return {
    batches: cut.requests.map((request) => {
      const batch: Change[] = [];
      for (const index of request) groups[index]!.appendTo(batch);
      return batch;
    }),
    oversized: cut.oversized.map(({ index, before }) => {
      const { changes: group, need, reason } = groups[index]!;
      return { changes: group, name: ownershipSubject(normalizeName(group[0]!.record.name), prefix), cost: need, reason: reason!, before };
    }),
    groups: groups.length,
  };
}

/**
 * Splits `changes` into requests within `limits` (see planBatches). Throws a ValidationError
 * naming the first name group that alone exceeds the limits; use planBatches to write the
 * rest anyway. `prefix` is the ownership markers' (default `_fedsvc.`): a marker goes in its
 * name's request.
 */
export function batchChanges(
  changes: readonly Change[],
  limits: ProviderLimits,
  cost: (change: Change) => RequestCost = changeCost,
  prefix: string = DEFAULT_MARKER_PREFIX,
): Change[][] {
  const {
    batches,
    oversized: [first],
  } = planBatches(changes, limits, cost, prefix);
  if (first) {
    throw new ValidationError(
      'changes',
      first.changes[0]!.record.name,
      `this name's changes need ${first.cost.changes} changes, ${first.cost.rrdatas} records and ${first.cost.chars} characters in one request; the provider allows ${limits.maxChangesPerRequest}, ${limits.maxRrdatasPerRequest} and ${limits.maxRrdataCharsPerRequest}`,
    );
  }
  return batches.map((batch) => onceEach(batch, prefix));
}
