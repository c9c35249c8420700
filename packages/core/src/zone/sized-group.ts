// A name group as requests count it: what its changes cost, which markers it changes, and its
// guards of other markers, which cost nothing in a request that changes or guards that marker.
// Read from the changes' names as normalized once for the whole change set (batch.ts).
import { normalizeName } from '../dns/names.js';
import { ownershipSubject } from '../dns/ownership.js';
import type { Change, ProviderLimits, RequestCost } from '../types.js';
import { groupTouches, type GroupTouches } from './group-moves.js';
import { isGuardAt, isMarkerName } from './guards.js';

/** A name group as requests carry it. */
export interface SizedGroup {
  /** What the group costs in any request, its guards of other markers aside. */
  readonly base: RequestCost;
  /** The markers (normalized names) the group changes: their guards in the same request cost nothing. */
  readonly markers: readonly string[];
  /** The group's guards of markers it does not change, one per marker, with what each costs. */
  readonly guards: readonly { readonly name: string; readonly cost: RequestCost }[];
  /** Whether the group alone breaks the limits: it goes in no request. */
  readonly oversized: boolean;
  /** What orders it against other groups. */
  readonly touches: GroupTouches;
}

/** A cost being summed. */
export interface Cost {
  changes: number;
  rrdatas: number;
  chars: number;
}

/** Adds `cost` to `sum` (`sign` 1), or takes it off (-1). */
export function plus(sum: Cost, cost: RequestCost, sign: 1 | -1): void {
  sum.changes += sign * cost.changes;
  sum.rrdatas += sign * cost.rrdatas;
  sum.chars += sign * cost.chars;
}

const withinLimits = (need: RequestCost, limits: ProviderLimits): boolean =>
  need.changes <= limits.maxChangesPerRequest &&
  need.rrdatas <= limits.maxRrdatasPerRequest &&
  need.chars <= limits.maxRrdataCharsPerRequest;

/** Why `need` does not fit one request. */
function overLimits(need: RequestCost, limits: ProviderLimits): string {
  const over: string[] = [];
  if (need.changes > limits.maxChangesPerRequest) over.push(`${need.changes} changes (the limit is ${limits.maxChangesPerRequest})`);
  if (need.rrdatas > limits.maxRrdatasPerRequest) over.push(`${need.rrdatas} rrdatas (the limit is ${limits.maxRrdatasPerRequest})`);
  if (need.chars > limits.maxRrdataCharsPerRequest)
    over.push(`${need.chars} characters of rrdata (the limit is ${limits.maxRrdataCharsPerRequest})`);
  return over.join(', ');
}

/** What a group's changes cost whole (`need`), and split into its changes (`base`) and its guards of markers it does not change. */
interface Split {
  readonly need: RequestCost;
  readonly base: RequestCost;
  readonly markers: readonly string[];
  readonly guards: readonly { readonly name: string; readonly cost: RequestCost }[];
}

/** A name group as planBatches cuts it: its changes, what they need in one request, and why they fit none. */
export class NameGroup implements SizedGroup {
  readonly need: RequestCost;
  readonly base: RequestCost;
  readonly markers: readonly string[];
  readonly guards: readonly { readonly name: string; readonly cost: RequestCost }[];

  constructor(
    readonly changes: Change[],
    { need, base, markers, guards }: Split,
    readonly reason: string | undefined,
    readonly touches: GroupTouches,
  ) {
    this.need = need;
    this.base = base;
    this.markers = markers;
    this.guards = guards;
  }

  get oversized(): boolean {
    return this.reason !== undefined;
  }
}

/** How a change set's groups are sized: the provider's limits, how it counts a change, and the markers' prefix. */
export interface Sizing {
  readonly limits: ProviderLimits;
  readonly cost: (change: Change) => RequestCost;
  readonly prefix: string;
}

/**
 * A group as requests count it: a guard of a marker the group changes, or guards twice, costs
 * nothing (onceEach). A group too large for one request with its guards of other names' markers
 * goes without them: it is written unguarded rather than never.
 */
export function sizeGroup(whole: Change[], limits: ProviderLimits, cost: (change: Change) => RequestCost, prefix: string): NameGroup {
  const names = whole.map((change) => normalizeName(change.record.name));
  return sizeNamedGroup(whole, names, 0, whole.length, ownershipSubject(names[0]!, prefix), { limits, cost, prefix });
}

/**
 * sizeGroup for the group `changes[from .. to-1]`, whose names, normalized, are `names[from ..
 * to-1]` and whose subject (the name it is about) is `subject`.
 */
export function sizeNamedGroup(
  changes: readonly Change[],
  names: readonly string[],
  from: number,
  to: number,
  subject: string,
  { limits, cost, prefix }: Sizing,
): NameGroup {
  const sized = split(changes, names, from, to, cost, prefix);
  if (withinLimits(sized.need, limits))
    return new NameGroup(changes.slice(from, to), sized, undefined, groupTouches(changes, names, from, to, subject, prefix));
  const group: Change[] = [];
  const groupNames: string[] = [];
  for (let at = from; at < to; at++) {
    if (isGuardAt(changes[at]!, names[at]!, prefix) && ownershipSubject(names[at]!, prefix) !== subject) continue;
    group.push(changes[at]!);
    groupNames.push(names[at]!);
  }
  const resized = split(group, groupNames, 0, group.length, cost, prefix);
  const touches = groupTouches(group, groupNames, 0, group.length, subject, prefix);
  return new NameGroup(group, resized, withinLimits(resized.need, limits) ? undefined : overLimits(resized.need, limits), touches);
}

const NO_MARKERS: readonly string[] = [];
const NO_GUARDS: readonly { name: string; cost: RequestCost }[] = [];

/** Whether a change is to a marker. Marker names begin with `_`: other changes are passed by one character test. */
const toMarker = (change: Change, name: string, prefix: string): boolean =>
  change.record.name.charCodeAt(0) === 95 && isMarkerName(name, prefix);

/** The Split of `changes[from .. to-1]`, named `names[from .. to-1]`. */
function split(
  changes: readonly Change[],
  names: readonly string[],
  from: number,
  to: number,
  cost: (change: Change) => RequestCost,
  prefix: string,
): Split {
  let markers = NO_MARKERS as string[];
  let guarded = false;
  const base: Cost = { changes: 0, rrdatas: 0, chars: 0 };
  for (let at = from; at < to; at++) {
    const change = changes[at]!;
    const marker = toMarker(change, names[at]!, prefix);
    if (marker && isGuardAt(change, names[at]!, prefix)) guarded = true;
    else {
      plus(base, cost(change), 1);
      if (marker) markers = [...markers, names[at]!];
    }
  }
  if (!guarded) return { need: base, base, markers, guards: NO_GUARDS };
  const need: Cost = { ...base };
  const guards: { name: string; cost: RequestCost }[] = [];
  for (let at = from; at < to; at++) {
    const change = changes[at]!;
    const name = names[at]!;
    if (!toMarker(change, name, prefix) || !isGuardAt(change, name, prefix)) continue;
    if (markers.includes(name) || guards.some((guard) => guard.name === name)) continue;
    const guard = { name, cost: cost(change) };
    guards.push(guard);
    plus(need, guard.cost, 1);
  }
  return { need, base, markers, guards };
}
