// A name group as requests count it: what its changes cost, which markers it changes, and its
// guards of other markers, which cost nothing in a request that changes or guards that marker.
import { normalizeName } from '../dns/names.js';
import { ownershipSubject } from '../dns/ownership.js';
import type { Change, ProviderLimits, RequestCost } from '../types.js';
import { isGuard, isMarker } from './guards.js';
import { groupTouches, type GroupTouches } from './group-moves.js';

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
  touches(): GroupTouches;
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

/** Why `need` does not fit one request, or undefined when it does. */
function overLimits(need: RequestCost, limits: ProviderLimits): string | undefined {
  const over: string[] = [];
  if (need.changes > limits.maxChangesPerRequest) over.push(`${need.changes} changes (the limit is ${limits.maxChangesPerRequest})`);
  if (need.rrdatas > limits.maxRrdatasPerRequest) over.push(`${need.rrdatas} rrdatas (the limit is ${limits.maxRrdatasPerRequest})`);
  if (need.chars > limits.maxRrdataCharsPerRequest)
    over.push(`${need.chars} characters of rrdata (the limit is ${limits.maxRrdataCharsPerRequest})`);
  return over.length === 0 ? undefined : over.join(', ');
}

/** A name group as planBatches cuts it: its changes, what they need in one request, and why they fit none. */
export class NameGroup implements SizedGroup {
  #touches: GroupTouches | undefined;

  constructor(
    readonly changes: Change[],
    readonly need: RequestCost,
    readonly reason: string | undefined,
    readonly base: RequestCost,
    readonly markers: readonly string[],
    readonly guards: readonly { readonly name: string; readonly cost: RequestCost }[],
    private readonly prefix: string,
  ) {}

  get oversized(): boolean {
    return this.reason !== undefined;
  }

  touches(): GroupTouches {
    this.#touches ??= groupTouches(this.changes, this.prefix);
    return this.#touches;
  }
}

/**
 * A group as requests count it: a guard of a marker the group changes, or guards twice, costs
 * nothing (onceEach). A group too large for one request with its guards of other names' markers
 * goes without them: it is written unguarded rather than never.
 */
export function sizeGroup(whole: Change[], limits: ProviderLimits, cost: (change: Change) => RequestCost, prefix: string): NameGroup {
  const sized = split(whole, cost, prefix);
  if (withinLimits(sized.need, limits)) return new NameGroup(whole, sized.need, undefined, sized.base, sized.markers, sized.guards, prefix);
  const subject = ownershipSubject(normalizeName(whole[0]!.record.name), prefix);
  const group = whole.filter(
    (change) => !isGuard(change, prefix) || ownershipSubject(normalizeName(change.record.name), prefix) === subject,
  );
  const { need, base, markers, guards } = split(group, cost, prefix);
  return new NameGroup(group, need, overLimits(need, limits), base, markers, guards, prefix);
}

const NO_MARKERS: readonly string[] = [];
const NO_GUARDS: readonly { name: string; cost: RequestCost }[] = [];

/** Whether a change is to a marker. Marker names begin with `_`: other changes are passed by one character test. */
const toMarker = (change: Change, prefix: string): boolean => change.record.name.charCodeAt(0) === 95 && isMarker(change, prefix);

/**
 * A group's cost whole (`need`), and split into its changes (`base`) and its guards of markers it
 * does not change, one per marker.
 */
function split(group: readonly Change[], cost: (change: Change) => RequestCost, prefix: string) {
  let markers = NO_MARKERS as string[];
  let guarded = false;
  const base: Cost = { changes: 0, rrdatas: 0, chars: 0 };
  for (const change of group) {
    const marker = toMarker(change, prefix);
    if (marker && isGuard(change, prefix)) guarded = true;
    else {
      plus(base, cost(change), 1);
      if (marker) markers = [...markers, normalizeName(change.record.name)];
    }
  }
  if (!guarded) return { need: base, base, markers, guards: NO_GUARDS };
  const need: Cost = { ...base };
  const guards: { name: string; cost: RequestCost }[] = [];
  for (const change of group) {
    if (!toMarker(change, prefix) || !isGuard(change, prefix)) continue;
    const name = normalizeName(change.record.name);
    if (markers.includes(name) || guards.some((guard) => guard.name === name)) continue;
    const guard = { name, cost: cost(change) };
    guards.push(guard);
    plus(need, guard.cost, 1);
  }
  return { need, base, markers, guards };
}
