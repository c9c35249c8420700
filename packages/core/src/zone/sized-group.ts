// A name group as requests count it: what its changes cost, which markers it changes, and its
// guards of other markers, which cost nothing in a request that changes or guards that marker.
// Read from the changes' names as normalized once for the whole change set (batch.ts).
import { normalizeName } from '../dns/names.js';
import { ownershipSubject } from '../dns/ownership.js';
import type { Change, ProviderLimits, RequestCost } from '../types.js';
import { groupTouches, type GroupTouches } from './group-moves.js';
import { isGuardAt, isMarkerName } from './guards.js';

/** A name group as requests carry it, and what orders it against other groups. */
export interface SizedGroup extends GroupTouches {
  /** What the group costs in any request, its guards of other markers aside. */
  readonly base: RequestCost;
  /** The markers the group changes, as the names they mark: their guards in the same request cost nothing. */
  readonly markers: readonly string[];
  /** The group's guards of markers it does not change, one per marker (named as the name it marks), with what each costs. */
  readonly guards: readonly { readonly name: string; readonly cost: RequestCost }[];
  /** Whether the group alone breaks the limits: it goes in no request. */
  readonly oversized: boolean;
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
  readonly guards: readonly { readonly name: string; readonly cost: RequestCost }[];
}

/**
 * A name group as planBatches cuts it: its changes (`source[from .. to-1]`), what they need in
 * one request, and why they fit none. It holds no list of its own changes, nor of the markers
 * it changes beside the one its touches hold: a change set's groups are many.
 */
export class NameGroup implements SizedGroup {
  readonly subject: string;
  readonly keepsData: boolean;
  readonly writesTo: readonly string[];
  readonly refersTo: readonly string[];
  readonly changesMarkers: readonly string[];
  readonly guardsMarkers: readonly string[];
  readonly markers: readonly string[];
  readonly need: RequestCost;
  readonly base: RequestCost;
  readonly guards: readonly { readonly name: string; readonly cost: RequestCost }[];

  constructor(
    private readonly source: readonly Change[],
    private readonly from: number,
    private readonly to: number,
    touches: GroupTouches,
    { need, base, guards }: Split,
    readonly reason: string | undefined,
    prefix: string,
  ) {
    this.subject = touches.subject;
    this.keepsData = touches.keepsData;
    this.writesTo = touches.writesTo;
    this.refersTo = touches.refersTo;
    this.changesMarkers = touches.changesMarkers;
    this.guardsMarkers = touches.guardsMarkers;
    this.markers = marksMarkers(prefix) ? touches.changesMarkers : NO_MARKERS;
    this.need = need;
    this.base = base;
    this.guards = guards;
  }

  /** The group's changes, in order. */
  get changes(): Change[] {
    return this.source.slice(this.from, this.to);
  }

  /** Appends the group's changes to `batch`, in order. */
  appendTo(batch: Change[]): void {
    for (let at = this.from; at < this.to; at++) batch.push(this.source[at]!);
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
  const touches = groupTouches(changes, names, from, to, subject, prefix);
  const sized = split(changes, names, from, to, touches.changesMarkers, cost, prefix);
  if (withinLimits(sized.need, limits)) return new NameGroup(changes, from, to, touches, sized, undefined, prefix);
  const group: Change[] = [];
  const groupNames: string[] = [];
  for (let at = from; at < to; at++) {
    if (isGuardAt(changes[at]!, names[at]!, prefix) && ownershipSubject(names[at]!, prefix) !== subject) continue;
    group.push(changes[at]!);
    groupNames.push(names[at]!);
  }
  const kept = groupTouches(group, groupNames, 0, group.length, subject, prefix);
  const resized = split(group, groupNames, 0, group.length, kept.changesMarkers, cost, prefix);
  const reason = withinLimits(resized.need, limits) ? undefined : overLimits(resized.need, limits);
  return new NameGroup(group, 0, group.length, kept, resized, reason, prefix);
}

const NO_MARKERS: readonly string[] = [];
const NO_GUARDS: readonly { name: string; cost: RequestCost }[] = [];

/**
 * Whether requests count markers under `prefix` as markers: marker names begin with `_`, and a
 * change whose name does not is counted as any other (toMarker).
 */
const marksMarkers = (prefix: string): boolean => prefix.charCodeAt(0) === 95;

/** Whether a change is to a marker. Marker names begin with `_`: other changes are passed by one character test. */
const toMarker = (change: Change, name: string, prefix: string): boolean =>
  change.record.name.charCodeAt(0) === 95 && isMarkerName(name, prefix);

/** The Split of `changes[from .. to-1]`, named `names[from .. to-1]`, whose touches say it changes the markers of `changed`. */
function split(
  changes: readonly Change[],
  names: readonly string[],
  from: number,
  to: number,
  changed: readonly string[],
  cost: (change: Change) => RequestCost,
  prefix: string,
): Split {
  let guarded = false;
  const base: Cost = { changes: 0, rrdatas: 0, chars: 0 };
  for (let at = from; at < to; at++) {
    const change = changes[at]!;
    if (toMarker(change, names[at]!, prefix) && isGuardAt(change, names[at]!, prefix)) guarded = true;
    else plus(base, cost(change), 1);
  }
  if (!guarded) return { need: base, base, guards: NO_GUARDS };
  const need: Cost = { ...base };
  const guards: { name: string; cost: RequestCost }[] = [];
  for (let at = from; at < to; at++) {
    const change = changes[at]!;
    if (!toMarker(change, names[at]!, prefix) || !isGuardAt(change, names[at]!, prefix)) continue;
    const name = ownershipSubject(names[at]!, prefix);
    if (changed.includes(name) || guards.some((guard) => guard.name === name)) continue;
    const guard = { name, cost: cost(change) };
    guards.push(guard);
    plus(need, guard.cost, 1);
  }
  return { need, base, guards };
}
