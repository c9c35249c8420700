// Cutting name groups into requests: in the change set's order, or packed, carrying later groups
// ahead where the order between them does not matter (see group-moves.ts), so that a request is
// filled in every limit that binds rather than in the one its next group would break.
import type { ProviderLimits, RequestCost } from '../types.js';
import { LeftBehind, TouchedNames } from './group-moves.js';
import { plus, type Cost, type SizedGroup } from './sized-group.js';

/** Requests as lists of group indices, each list in the change set's order, and where each oversized group stands. */
export interface Cut {
  readonly requests: number[][];
  /** An oversized group's index, and how many requests hold the groups ahead of it. */
  readonly oversized: { readonly index: number; readonly before: number }[];
  /** What each group cost where this cut put it (nothing for an oversized one). */
  readonly needs: RequestCost[];
}

/**
 * How many groups a request may leave behind while it looks further ahead for groups that fit:
 * the look-ahead costs at most this many group checks a request, however long the change set.
 */
const LOOK_AHEAD = 512;

/**
 * How far apart (as a fraction of a request) two limits that bind may be filled while a request
 * still takes the next group that widens the gap: within it, the change set's order wins.
 */
const BALANCE = 0.02;

type Dimension = 'changes' | 'rrdatas' | 'chars';
const DIMENSIONS: readonly Dimension[] = ['changes', 'rrdatas', 'chars'];
const LIMIT: Record<Dimension, 'maxChangesPerRequest' | 'maxRrdatasPerRequest' | 'maxRrdataCharsPerRequest'> = {
  changes: 'maxChangesPerRequest',
  rrdatas: 'maxRrdatasPerRequest',
  chars: 'maxRrdataCharsPerRequest',
};

/**
 * One request being filled: its groups, what they use as the provider will be sent them, and the
 * markers it changes or guards. A guard of a marker the request changes or guards already is left
 * out (onceEach), whichever comes first: a group that changes a marker takes back what its guards
 * earlier in the request cost.
 */
class Request {
  readonly groups: number[] = [];
  readonly used = { changes: 0, rrdatas: 0, chars: 0 };
  /** The markers its groups change or guard, once a group with guards asks (most requests meet none). */
  #markers: Set<string> | undefined;
  /** The guards this request carries, by marker, while no group of it changes that marker. */
  readonly #guards = new Map<string, RequestCost>();

  constructor(
    private readonly limits: ProviderLimits,
    private readonly all: readonly SizedGroup[],
  ) {}

  /** What a group adds to this request. */
  need(group: SizedGroup): RequestCost {
    let need: Cost | undefined;
    if (group.guards.length > 0) {
      const markers = this.#markersSoFar();
      for (const guard of group.guards) {
        if (markers.has(guard.name)) continue;
        need ??= { ...group.base };
        plus(need, guard.cost, 1);
      }
    }
    if (this.#guards.size > 0) {
      for (const name of group.markers) {
        const carried = this.#guards.get(name);
        if (!carried) continue;
        need ??= { ...group.base };
        plus(need, carried, -1);
      }
    }
    return need ?? group.base;
  }

  /** Whether no change fits any more. */
  full(): boolean {
    return this.used.changes >= this.limits.maxChangesPerRequest;
  }

  fits(need: RequestCost): boolean {
    const { used, limits } = this;
    return (
      used.changes + need.changes <= limits.maxChangesPerRequest &&
      used.rrdatas + need.rrdatas <= limits.maxRrdatasPerRequest &&
      used.chars + need.chars <= limits.maxRrdataCharsPerRequest
    );
  }

  add(index: number, group: SizedGroup, need: RequestCost): void {
    plus(this.used, need, 1);
    if (group.guards.length > 0 || this.#markers !== undefined) {
      const markers = this.#markersSoFar();
      for (const guard of group.guards) {
        if (!markers.has(guard.name)) this.#guards.set(guard.name, guard.cost);
        markers.add(guard.name);
      }
      for (const name of group.markers) markers.add(name);
    }
    if (this.#guards.size > 0) for (const name of group.markers) this.#guards.delete(name);
    this.groups.push(index);
  }

  #markersSoFar(): Set<string> {
    if (this.#markers === undefined) {
      this.#markers = new Set();
      for (const index of this.groups) {
        const { guards, markers } = this.all[index]!;
        for (const guard of guards) this.#markers.add(guard.name);
        for (const name of markers) this.#markers.add(name);
      }
    }
    return this.#markers;
  }
}

/** Fills each request as far as the next group allows, in order: the fewest requests for the order as given. */
export function cutInOrder(groups: readonly SizedGroup[], limits: ProviderLimits): Cut {
  const cut: Cut = { requests: [], oversized: [], needs: [] };
  let request = new Request(limits, groups);
  const flush = () => {
    if (request.groups.length > 0) cut.requests.push(request.groups);
    request = new Request(limits, groups);
  };
  groups.forEach((group, index) => {
    if (group.oversized) {
      flush();
      cut.oversized.push({ index, before: cut.requests.length });
      cut.needs.push(NOTHING);
      return;
    }
    let need = request.need(group);
    if (!request.fits(need)) {
      flush();
      need = request.need(group);
    }
    request.add(index, group, need);
    cut.needs.push(need);
  });
  flush();
  return cut;
}

const NOTHING: RequestCost = { changes: 0, rrdatas: 0, chars: 0 };

/** How many requests a cut's load fills at the least: what its groups cost where it put them, against each limit. */
export function requestsFor(needs: readonly RequestCost[], limits: ProviderLimits): number {
  const load = { changes: 0, rrdatas: 0, chars: 0 };
  for (const need of needs) plus(load, need, 1);
  return requestsOf(load, limits);
}

/** How many requests a load fills at the least, against each limit. */
function requestsOf(load: RequestCost, limits: ProviderLimits): number {
  return Math.max(...DIMENSIONS.map((dimension) => Math.ceil(load[dimension] / limits[LIMIT[dimension]])));
}

/**
 * Fills each request from the first group not yet sent, in order, then with later groups that
 * may go ahead of those it leaves behind (LeftBehind), looking at most LOOK_AHEAD groups past
 * the first it leaves and never past an oversized group. Where two or more limits bind on what
 * is left to send, a group that would fill one of them further ahead of the other than BALANCE
 * is left for later, so that the request ends full in both. Each request lists its groups in the
 * change set's order.
 *
 * With `under` (default: no bound), packing stops and gives undefined as soon as the requests it
 * has cut, plus the fewest that what is left could fill, come to `under`: a cut that cannot take
 * fewer requests than another is not worth finishing.
 */
export function packAhead(groups: readonly SizedGroup[], limits: ProviderLimits, inOrder: Cut, under = Infinity): Cut | undefined {
  const cut: Cut = { requests: [], oversized: [], needs: [] };
  const unsent = new Unsent(groups.length);
  const left = new Remaining(groups, inOrder.needs, limits);
  const names = new TouchedNames(groups);
  const behind = { first: new LeftBehind(groups, names), still: new LeftBehind(groups, names) };
  for (let first = unsent.from(0); first < groups.length; first = unsent.from(first)) {
    if (cut.requests.length + left.fewest() >= under) return undefined;
    if (groups[first]!.oversized) {
      cut.oversized.push({ index: first, before: cut.requests.length });
      unsent.send(first);
      continue;
    }
    const request = fillRequest(groups, unsent, first, new Request(limits, groups), left.pace(), behind);
    for (const index of request) {
      unsent.send(index);
      left.send(groups[index]!, inOrder.needs[index]!);
    }
    cut.requests.push(request);
  }
  return cut;
}

/**
 * One request from `first` on: taken in order while balanced and fitting, then the groups left
 * behind that still fit. `behind` holds the groups the request leaves in order (`first`), then
 * those it still leaves (`still`): both are emptied here.
 */
function fillRequest(
  groups: readonly SizedGroup[],
  unsent: Unsent,
  first: number,
  request: Request,
  pace: Pace,
  behind: { readonly first: LeftBehind; readonly still: LeftBehind },
): number[] {
  const skipped: number[] = [];
  behind.first.clear();
  for (let index = first; index < groups.length && skipped.length < LOOK_AHEAD; index = unsent.from(index + 1)) {
    const group = groups[index]!;
    if (group.oversized || request.full()) break;
    const need = request.need(group);
    if (request.fits(need) && pace.keeps(request.used, need) && behind.first.lets(index)) {
      request.add(index, group, need);
    } else {
      skipped.push(index);
      behind.first.add(index);
    }
  }
  // The groups left behind, in order: each may go ahead of those still left before it.
  behind.still.clear();
  for (const index of skipped) {
    const group = groups[index]!;
    const need = request.need(group);
    if (request.fits(need) && behind.still.lets(index)) request.add(index, group, need);
    else behind.still.add(index);
  }
  return request.groups.sort((a, b) => a - b);
}

/** The groups not yet sent: the first at or after an index in near-constant time, however many were sent ahead of it. */
class Unsent {
  /** Where to look next from each index: itself while unsent (path-compressed). */
  readonly #next: Int32Array;

  constructor(count: number) {
    this.#next = Int32Array.from({ length: count + 1 }, (_, i) => i);
  }

  from(index: number): number {
    let at = index;
    while (this.#next[at] !== at) at = this.#next[at]!;
    for (let step = index; step !== at; ) {
      const next = this.#next[step]!;
      this.#next[step] = at;
      step = next;
    }
    return at;
  }

  send(index: number): void {
    this.#next[index] = index + 1;
  }
}

/**
 * What the groups not yet sent weigh against each limit: each as it cost in the order as given,
 * and at the least it can cost in any request (its guards of other markers may cost nothing).
 */
class Remaining {
  readonly #load = { changes: 0, rrdatas: 0, chars: 0 };
  readonly #least = { changes: 0, rrdatas: 0, chars: 0 };

  constructor(
    groups: readonly SizedGroup[],
    needs: readonly RequestCost[],
    private readonly limits: ProviderLimits,
  ) {
    for (const need of needs) plus(this.#load, need, 1);
    for (const group of groups) if (!group.oversized) plus(this.#least, group.base, 1);
  }

  /** Takes a group off what is left. */
  send(group: SizedGroup, need: RequestCost): void {
    plus(this.#load, need, -1);
    plus(this.#least, group.base, -1);
  }

  /** The fewest requests that what is left fills, however it is cut. */
  fewest(): number {
    return requestsOf(this.#least, this.limits);
  }

  /** The pace at which a request should fill each limit: the binding one at 1, the others as their share of what is left. */
  pace(): Pace {
    const worth = DIMENSIONS.map((d) => Math.max(0, this.#load[d]) / this.limits[LIMIT[d]]);
    const most = Math.max(...worth);
    return new Pace(
      this.limits,
      DIMENSIONS.map((d, i) => ({ d, share: most === 0 ? 0 : worth[i]! / most })),
    );
  }
}

/** Which limits bind on what is left (a share of the binding one's load of at least a half), and at what pace each should fill. */
class Pace {
  /** How many binding limits there are. */
  readonly #binding: number;
  /** What fills each binding limit at its pace (its limit times its share), 0 for one that does not bind. */
  readonly #changes: number;
  readonly #rrdatas: number;
  readonly #chars: number;

  constructor(limits: ProviderLimits, shares: readonly { readonly d: Dimension; readonly share: number }[]) {
    const pace = (d: Dimension) => {
      const share = shares.find((s) => s.d === d)!.share;
      return share >= 0.5 ? limits[LIMIT[d]] * share : 0;
    };
    this.#changes = pace('changes');
    this.#rrdatas = pace('rrdatas');
    this.#chars = pace('chars');
    this.#binding = [this.#changes, this.#rrdatas, this.#chars].filter((scale) => scale > 0).length;
  }

  /** Whether adding `need` to `used` keeps the binding limits within BALANCE of each other, or brings them closer. */
  keeps(used: RequestCost, need: RequestCost): boolean {
    if (this.#binding < 2) return true;
    const after = this.#gap(used, need);
    return after <= BALANCE || after <= this.#gap(used, NOTHING);
  }

  /** How far apart the binding limits are filled by `used` and `need` together, each at its pace. */
  #gap(used: RequestCost, need: RequestCost): number {
    let low = Infinity;
    let high = -Infinity;
    if (this.#changes > 0) {
      const filled = (used.changes + need.changes) / this.#changes;
      low = Math.min(low, filled);
      high = Math.max(high, filled);
    }
    if (this.#rrdatas > 0) {
      const filled = (used.rrdatas + need.rrdatas) / this.#rrdatas;
      low = Math.min(low, filled);
      high = Math.max(high, filled);
    }
    if (this.#chars > 0) {
      const filled = (used.chars + need.chars) / this.#chars;
      low = Math.min(low, filled);
      high = Math.max(high, filled);
    }
    return high - low;
  }
}
