// Splitting an ordered change set into requests a provider accepts. Batches are cut only
// between name groups, so every batch boundary keeps the order's guarantee: no CNAME points at
// a name that does not exist.
import { ValidationError } from '../errors.js';
import { normalizeName } from '../dns/names.js';
import { DEFAULT_MARKER_PREFIX, ownershipSubject } from '../dns/ownership.js';
import type { Change, ProviderLimits, RequestCost } from '../types.js';

/**
 * Adjacent changes at one name, its ownership record included, and the guards that follow them
 * (see {@link isGuard}). Names are compared as DNS compares them (case-insensitively, the
 * trailing dot optional): a diff deletes a record set with the provider's spelling of its name
 * and creates one with the normalized spelling, and both belong to one group. `prefix` is the
 * ownership markers' (default `_fedsvc.`).
 */
export function changeGroups(changes: readonly Change[], prefix: string = DEFAULT_MARKER_PREFIX): Change[][] {
  const groups: Change[][] = [];
  let subject: string | undefined;
  for (const change of changes) {
    const last = groups[groups.length - 1];
    if (last && isGuard(change, prefix)) {
      last.push(change);
      continue;
    }
    const next = ownershipSubject(normalizeName(change.record.name), prefix);
    if (last && next === subject) last.push(change);
    else groups.push([change]);
    subject = next;
  }
  return groups;
}

/**
 * Whether a change rewrites a marker exactly as it stands: it changes nothing, but the request
 * carrying it holds only while the marker is so. A diff adds one to the group that points a
 * CNAME at the marker's name, so it belongs to that group, whatever its name. `prefix` is the
 * ownership markers' (default `_fedsvc.`).
 */
export function isGuard(change: Change, prefix: string = DEFAULT_MARKER_PREFIX): boolean {
  return (
    change.kind === 'update' &&
    isMarker(change, prefix) &&
    change.before.name === change.record.name &&
    change.before.ttl === change.record.ttl &&
    change.before.rrdatas.length === change.record.rrdatas.length &&
    change.before.rrdatas.every((rrdata, i) => rrdata === change.record.rrdatas[i])
  );
}

/** Whether a change is to an ownership marker (`<prefix><name>`), however the name is spelled. */
export const isMarker = (change: Change, prefix: string = DEFAULT_MARKER_PREFIX): boolean => {
  const name = normalizeName(change.record.name);
  return ownershipSubject(name, prefix) !== name;
};

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

interface Cost {
  changes: number;
  rrdatas: number;
  chars: number;
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
  /** The requests, in order, each within the limits. */
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

function groupCost(group: readonly Change[], cost: (change: Change) => RequestCost): Cost {
  const need: Cost = { changes: 0, rrdatas: 0, chars: 0 };
  for (const change of group) {
    const c = cost(change);
    need.changes += c.changes;
    need.rrdatas += c.rrdatas;
    need.chars += c.chars;
  }
  return need;
}

/**
 * What a group adds to a batch whose markers changed or guarded so far are `markers`: a guard
 * of one of those, or of one the group changes, is left out of the request (onceEach) and costs
 * nothing. Adds the group's to `markers`. Marker names begin with `_`: other changes are passed
 * by one character test.
 */
function costInBatch(group: readonly Change[], markers: Set<string>, cost: (change: Change) => RequestCost, prefix: string): Cost {
  const marker = (change: Change) => change.record.name.charCodeAt(0) === 95 && isMarker(change, prefix);
  for (const change of group) if (marker(change) && !isGuard(change, prefix)) markers.add(normalizeName(change.record.name));
  const need: Cost = { changes: 0, rrdatas: 0, chars: 0 };
  for (const change of group) {
    if (marker(change) && isGuard(change, prefix)) {
      const name = normalizeName(change.record.name);
      if (markers.has(name)) continue;
      markers.add(name);
    }
    const c = cost(change);
    need.changes += c.changes;
    need.rrdatas += c.rrdatas;
    need.chars += c.chars;
  }
  return need;
}

/** Why `need` does not fit one request, or undefined when it does. */
function overLimits(need: RequestCost, limits: ProviderLimits): string | undefined {
  const over: string[] = [];
  if (need.changes > limits.maxChangesPerRequest) over.push(`${need.changes} changes (the limit is ${limits.maxChangesPerRequest})`);
  if (need.rrdatas > limits.maxRrdatasPerRequest) over.push(`${need.rrdatas} rrdatas (the limit is ${limits.maxRrdatasPerRequest})`);
  if (need.chars > limits.maxRrdataCharsPerRequest)
    over.push(`${need.chars} characters of rrdata (the limit is ${limits.maxRrdataCharsPerRequest})`);
  return over.length === 0 ? undefined : over.join(', ');
}

/**
 * A group too large for one request with its guards of other names' markers goes without them:
 * it is written unguarded rather than never. With what it needs in one request.
 */
function withinLimits(
  whole: Change[],
  limits: ProviderLimits,
  cost: (change: Change) => RequestCost,
  prefix: string,
): { group: Change[]; need: Cost } {
  const need = groupCost(whole, cost);
  if (overLimits(need, limits) === undefined) return { group: whole, need };
  const subject = ownershipSubject(normalizeName(whole[0]!.record.name), prefix);
  const group = whole.filter(
    (change) => !isGuard(change, prefix) || ownershipSubject(normalizeName(change.record.name), prefix) === subject,
  );
  return { group, need: groupCost(group, cost) };
}

/**
 * Splits `changes` into requests within `limits`, greedily, cutting only between name groups;
 * `cost` is how the provider counts a change (default: changeCost).
 * A name group that alone exceeds the limits is not an error here: it is left out, in
 * `oversized`, and the batches around it are cut at its place, so that a caller can write
 * everything else in order and decide what the missing group means for the groups after it
 * (reconcileZone treats it as a group the provider rejected). `prefix` is the ownership
 * markers' (default `_fedsvc.`): a marker goes in its name's group.
 */
export function planBatches(
  changes: readonly Change[],
  limits: ProviderLimits,
  cost: (change: Change) => RequestCost = changeCost,
  prefix: string = DEFAULT_MARKER_PREFIX,
): BatchPlan {
  checkLimits(limits);
  const batches: Change[][] = [];
  const oversized: OversizedGroup[] = [];
  let batch: Change[] = [];
  const used: Cost = { changes: 0, rrdatas: 0, chars: 0 };
  // The markers the batch changes or guards: a guard of one of them is left out of the request (onceEach).
  const markers = new Set<string>();
  const flush = () => {
    if (batch.length > 0) batches.push(batch);
    batch = [];
    used.changes = used.rrdatas = used.chars = 0;
    markers.clear();
  };
  const groups = changeGroups(changes, prefix);
  for (const whole of groups) {
    const { group, need } = withinLimits(whole, limits, cost, prefix);
    const reason = overLimits(need, limits);
    if (reason !== undefined) {
      flush();
      oversized.push({
        changes: group,
        name: ownershipSubject(normalizeName(group[0]!.record.name), prefix),
        cost: need,
        reason,
        before: batches.length,
      });
      continue;
    }
    let fill = costInBatch(group, markers, cost, prefix);
    if (
      used.changes + fill.changes > limits.maxChangesPerRequest ||
      used.rrdatas + fill.rrdatas > limits.maxRrdatasPerRequest ||
      used.chars + fill.chars > limits.maxRrdataCharsPerRequest
    ) {
      flush();
      fill = costInBatch(group, markers, cost, prefix);
    }
    batch.push(...group);
    used.changes += fill.changes;
    used.rrdatas += fill.rrdatas;
    used.chars += fill.chars;
  }
  flush();
  return { batches, oversized, groups: groups.length };
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
