// Requests packed ahead of the change set's order: within the limits, every change sent once,
// the order's guarantees kept after every request, and never more requests than cutting the
// order as given.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { normalizeName } from '../src/dns/names.js';
import { DEFAULT_MARKER_PREFIX, ownershipRecord } from '../src/dns/ownership.js';
import { applyChangeSet } from '../src/zone/apply.js';
import { type BatchPlan, batchChanges, changeCost, changeGroups, isGuard, onceEach, planBatches } from '../src/zone/batch.js';
import { diffRecords } from '../src/zone/diff.js';
import { cutInOrder, packAhead } from '../src/zone/pack.js';
import { sizeGroup } from '../src/zone/sized-group.js';
import type { Change, ProviderLimits, RecordSet, RequestCost } from '../src/types.js';

const OWNER = 'me';
const NAMES = 8;
const name = (i: number) => `n${i}.example.com.`;

/** What a name holds: nothing, an A set of some addresses (of some length), or a CNAME to a later name that holds something. */
type Holding = { kind: 'none' } | { kind: 'a'; addresses: number; wide: boolean } | { kind: 'cname'; to: number };

const holdingArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Holding>({ kind: 'none' }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('a' as const), addresses: fc.integer({ min: 1, max: 5 }), wide: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cname' as const), to: fc.integer({ min: 1, max: NAMES - 1 }) }) },
);

/** The record sets of a zone's holdings; a CNAME whose target would hold nothing (or is not a later name) is dropped, so that chains end in data. */
function recordsOf(holdings: readonly Holding[], salt: number): RecordSet[] {
  const holds = new Array<boolean>(holdings.length).fill(false);
  const records: RecordSet[] = [];
  for (let i = holdings.length - 1; i >= 0; i--) {
    const holding = holdings[i]!;
    if (holding.kind === 'a') {
      const address = (k: number) => (holding.wide ? `2001:db8:${salt}::${i}:${k}` : `192.0.2.${(i * 8 + k + salt) % 250}`);
      records.push({
        name: name(i),
        type: holding.kind === 'a' && holding.wide ? 'AAAA' : 'A',
        ttl: 60,
        rrdatas: Array.from({ length: holding.addresses }, (_, k) => address(k)),
      });
      holds[i] = true;
    } else if (holding.kind === 'cname' && holding.to > i && holds[holding.to]) {
      records.push({ name: name(i), type: 'CNAME', ttl: 60, rrdatas: [name(holding.to)] });
      holds[i] = true;
    }
  }
  return records;
}

/** A zone of ours: the record sets and a marker for each name. */
const withMarkers = (records: readonly RecordSet[]): RecordSet<string>[] => [
  ...records,
  ...records.map((record) => ownershipRecord(record.name, OWNER, 60, [record.type]) as RecordSet<string>),
];

const worldArb = fc
  .record({
    before: fc.array(holdingArb, { minLength: NAMES, maxLength: NAMES }),
    after: fc.array(holdingArb, { minLength: NAMES, maxLength: NAMES }),
    salt: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ before, after, salt }) => {
    const current = withMarkers(recordsOf(before, 0));
    return { current, changes: diffRecords(current, recordsOf(after, salt), { ownerId: OWNER }).changes };
  });

const limitsArb = fc.record({
  maxChangesPerRequest: fc.integer({ min: 6, max: 24 }),
  maxRrdatasPerRequest: fc.integer({ min: 12, max: 40 }),
  maxRrdataCharsPerRequest: fc.integer({ min: 300, max: 900 }),
  atomic: fc.constant(true),
});

const costOf = (changes: readonly Change[]): RequestCost =>
  changes
    .map(changeCost)
    .reduce((sum, c) => ({ changes: sum.changes + c.changes, rrdatas: sum.rrdatas + c.rrdatas, chars: sum.chars + c.chars }), {
      changes: 0,
      rrdatas: 0,
      chars: 0,
    });

const fits = (cost: RequestCost, limits: ProviderLimits) =>
  cost.changes <= limits.maxChangesPerRequest &&
  cost.rrdatas <= limits.maxRrdatasPerRequest &&
  cost.chars <= limits.maxRrdataCharsPerRequest;

/** The names whose CNAME leads to a name holding no record set of ours (markers aside). */
function dangling(records: readonly RecordSet<string>[]): string[] {
  const held = new Set(records.filter((record) => !record.name.startsWith('_')).map((record) => normalizeName(record.name)));
  return records.filter((record) => record.type === 'CNAME' && !held.has(normalizeName(record.rrdatas[0]!))).map((record) => record.name);
}

/**
 * The requests a cut of the change set in its own order sends, each filled as far as the next
 * name group allows, counted as sent (onceEach); a group that fits no request with its guards of
 * other markers goes without them, one that fits none at all is left out.
 */
function inOrderRequests(changes: readonly Change[], limits: ProviderLimits): number {
  let requests = 0;
  let request: Change[] = [];
  for (const whole of changeGroups(changes)) {
    const own = normalizeName(whole[0]!.record.name).replace(/^_fedsvc\./, '');
    const group = fits(costOf(onceEach(whole, undefined)), limits)
      ? whole
      : whole.filter((change) => !isGuard(change) || normalizeName(change.record.name) === `_fedsvc.${own}`);
    if (!fits(costOf(onceEach(group, undefined)), limits)) {
      if (request.length > 0) requests++;
      request = [];
      continue;
    }
    if (request.length === 0 || !fits(costOf(onceEach([...request, ...group], undefined)), limits)) {
      if (request.length > 0) requests++;
      request = [...group];
    } else request.push(...group);
  }
  return requests + (request.length > 0 ? 1 : 0);
}

/** The packed cut alone, as planBatches builds it before it compares it with the order as given. */
function packedCut(changes: readonly Change[], limits: ProviderLimits): Pick<BatchPlan, 'batches' | 'oversized'> {
  const groups = changeGroups(changes).map((group) => sizeGroup(group, limits, changeCost, DEFAULT_MARKER_PREFIX));
  const cut = packAhead(groups, limits, cutInOrder(groups, limits))!;
  return {
    batches: cut.requests.map((request) => request.flatMap((index) => groups[index]!.changes)),
    oversized: cut.oversized.map(({ index, before }) => ({
      changes: groups[index]!.changes,
      name: '',
      cost: groups[index]!.need,
      reason: '',
      before,
    })),
  };
}

// planBatches takes the packed cut only where it saves a request: the packed cut is checked alone too, wherever it would be taken.
const cutters = [
  ['planBatches', planBatches],
  ['the packed cut', packedCut],
] as const;

describe.each(cutters)('%s: requests packed ahead of the order only where the order does not matter', (_, cutter) => {
  test.prop([worldArb, limitsArb], { numRuns: 400 })('every request is within the limits, as sent', ({ changes }, limits) => {
    const { batches, oversized } = cutter(changes, limits);
    for (const request of batches) expect(fits(costOf(onceEach(request, undefined)), limits)).toBe(true);
    for (const group of oversized) expect(fits(group.cost, limits)).toBe(false);
  });

  test.prop([worldArb, limitsArb], { numRuns: 400 })(
    'every change is planned exactly once, and sent once less the guards a request carries twice or whose marker it changes',
    ({ changes }, limits) => {
      const { batches, oversized } = cutter(changes, limits);
      const planned = [...batches.flat(), ...oversized.flatMap((group) => group.changes)];
      const key = (change: Change) => JSON.stringify(change);
      // Only a group too large to carry its guards of other names' markers goes without them.
      const left = changes.filter((change) => !planned.includes(change));
      expect(left.every((change) => isGuard(change))).toBe(true);
      expect(planned.map(key).sort()).toEqual(
        changes
          .filter((change) => planned.includes(change))
          .map(key)
          .sort(),
      );
      // A request keeps the change set's order.
      for (const batch of batches) expect(batch).toEqual(changes.filter((change) => batch.includes(change)));
    },
  );

  test.prop([worldArb, limitsArb], { numRuns: 400 })(
    'after every request, no CNAME leads to a name without our data, and every guard finds its marker as read',
    ({ current, changes }, limits) => {
      expect(dangling(current)).toEqual([]);
      const { batches, oversized } = cutter(changes, limits);
      // A group too large for any request is the writer's to leave out, with what depends on it (reconcile-batching.test.ts).
      fc.pre(oversized.length === 0);
      let state: RecordSet<string>[] = current;
      for (const request of batches.map((batch) => onceEach(batch, undefined))) {
        const applied = applyChangeSet(state, request);
        // A guard naming a marker that is not so, or a change to a record set not as read, fails the request.
        expect(applied.ok ? '' : applied.reason).toBe('');
        if (!applied.ok) return;
        state = applied.records;
        expect(dangling(state)).toEqual([]);
      }
    },
  );
});

describe('planBatches against the order as given', () => {
  test.prop([worldArb, limitsArb], { numRuns: 400 })(
    "batchChanges sends planBatches' requests, less repeated guards",
    ({ changes }, limits) => {
      const { batches, oversized } = planBatches(changes, limits);
      fc.pre(oversized.length === 0);
      expect(batchChanges(changes, limits)).toEqual(batches.map((batch) => onceEach(batch, undefined)));
    },
  );

  test.prop([worldArb, limitsArb], { numRuns: 400 })('never more requests than cutting the order as given', ({ changes }, limits) => {
    expect(planBatches(changes, limits).batches.length).toBeLessThanOrEqual(inOrderRequests(changes, limits));
  });

  test.prop([worldArb, limitsArb, fc.integer({ min: 1, max: 12 })], { numRuns: 400 })(
    'packing bounded by a count of requests gives up only where the whole packing takes at least as many, and otherwise the same cut',
    ({ changes }, limits, under) => {
      const groups = changeGroups(changes).map((group) => sizeGroup(group, limits, changeCost, DEFAULT_MARKER_PREFIX));
      const inOrder = cutInOrder(groups, limits);
      const whole = packAhead(groups, limits, inOrder)!;
      const bounded = packAhead(groups, limits, inOrder, under);
      if (bounded === undefined) expect(whole.requests.length).toBeGreaterThanOrEqual(under);
      else expect({ ...bounded, under: bounded.requests.length < under }).toEqual({ ...whole, under: true });
    },
  );

  it('counts a guard as free in a request that changes its marker after it: one request where counting it took two', () => {
    const marker = (label: string, types: string[]) => ownershipRecord(`${label}.example.com.`, OWNER, 60, types);
    const changes: Change[] = [
      // a: a new CNAME to b, its marker, and b's marker as read (a guard).
      { kind: 'create', record: { name: 'a.example.com.', type: 'CNAME', ttl: 60, rrdatas: ['b.example.com.'] } },
      { kind: 'create', record: marker('a', ['CNAME']) },
      { kind: 'update', before: marker('b', ['A']), record: marker('b', ['A']) },
      // b: its A set and its marker rewritten (the guard above is then left out).
      {
        kind: 'update',
        before: { name: 'b.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] },
        record: { name: 'b.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.2'] },
      },
      { kind: 'update', before: marker('b', ['A']), record: { ...marker('b', ['A']), ttl: 30 } },
    ];
    const limits: ProviderLimits = { maxChangesPerRequest: 6, maxRrdatasPerRequest: 100, maxRrdataCharsPerRequest: 1_000, atomic: true };
    const [request, ...more] = batchChanges(changes, limits);
    expect(more).toEqual([]);
    expect(request!.filter((change) => isGuard(change))).toEqual([]);
    expect(costOf(request!).changes).toBe(6);
  });

  it('fills both limits where the order as given leaves one of them short: two requests where the order takes three', () => {
    // Two names whose addresses are long (60 characters of rrdata, 1 change each), then two whose three record sets are short.
    const long = (label: string): Change => ({
      kind: 'create',
      record: { name: `${label}.example.com.`, type: 'TXT', ttl: 60, rrdatas: ['x'.repeat(60)] },
    });
    const short = (label: string): Change[] =>
      (['A', 'AAAA', 'TXT'] as const).map((type) => ({
        kind: 'create',
        record: { name: `${label}.example.com.`, type, ttl: 60, rrdatas: [type === 'A' ? '192.0.2.1' : type === 'AAAA' ? '::1' : 'x'] },
      }));
    const changes = [long('a'), long('b'), ...short('c'), ...short('d')];
    const limits: ProviderLimits = { maxChangesPerRequest: 4, maxRrdatasPerRequest: 100, maxRrdataCharsPerRequest: 100, atomic: true };
    expect(inOrderRequests(changes, limits)).toBe(3);
    const batches = batchChanges(changes, limits);
    expect(batches.map((batch) => [...new Set(batch.map((change) => change.record.name[0]))].join(''))).toEqual(['ac', 'bd']);
  });
});
