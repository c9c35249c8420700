// Routed record sets through the diff, the checks before writing and a provider that keeps them:
// one change each, compared member by member, a plain set and a routed one of a name always
// differing, and an unchanged world planning nothing.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { applyChangeSet, sameRecordSet } from '@fedsvc/core/provider';
import {
  diffRecords,
  formatChanges,
  planServiceRecords,
  reconcileZone,
  ValidationError,
  type Change,
  type RecordSet,
  type TrafficPolicy,
} from '@fedsvc/core';
import { checkListing } from '../src/zone/listing.js';
import { validateDesired } from '../src/zone/validate-desired.js';
import { regionRouting } from './routing.evaluator.js';
import { routedProvider } from './routed-provider.fixture.js';
import { topology, type Topology } from './topology.arbitrary.js';

const OWNER = 'fed-a';
const ZONE = { id: 'z', dnsName: 'example.com.' };
const NAME = 'nginx.mynamespace.myfederation.svc.example.com.';

function applied(records: readonly RecordSet<string>[], changes: readonly Change[]): RecordSet<string>[] {
  const result = applyChangeSet(records, changes);
  if (!result.ok) throw new Error(`change ${result.index} failed: ${result.reason}`);
  return result.records;
}
const ours = (records: readonly RecordSet<string>[]) => records.filter((r) => !r.name.startsWith('_fedsvc.'));

const plain: RecordSet = { name: NAME, type: 'A', ttl: 180, rrdatas: ['192.0.2.1', '198.51.100.1'] };
const nearest: RecordSet = {
  ...plain,
  routing: 'nearest',
  members: [
    { id: 'europe-west1', location: 'europe-west1', rrdatas: ['198.51.100.1'] },
    { id: 'us-east1', location: 'us-east1', rrdatas: ['192.0.2.1'] },
  ],
};
const weighted: RecordSet = {
  ...plain,
  routing: 'weighted',
  members: [
    { id: 'gce-europe-west1-b', weight: 3, rrdatas: ['198.51.100.1'] },
    { id: 'gce-us-east1-b', weight: 1, rrdatas: ['192.0.2.1'] },
  ],
};

/** The zone holding `set` as this owner wrote it. */
const zoneWith = (set: RecordSet) => applied([], diffRecords([], [set], { ownerId: OWNER }).changes);
const setChanges = (changes: readonly Change[]) => changes.filter((c) => c.record.name === NAME);

describe('diffing routed record sets', () => {
  test.each([
    ['plain → nearest', plain, nearest],
    ['nearest → plain', nearest, plain],
    ['nearest → weighted', nearest, weighted],
    ['weighted → plain', weighted, plain],
  ])('%s, with the same data, is one update of the set', (_, from, to) => {
    const zone = zoneWith(from);
    const { changes } = diffRecords(zone, [to], { ownerId: OWNER });
    expect(setChanges(changes)).toEqual([{ kind: 'update', before: from, record: to }]);
    const after = applied(zone, changes);
    expect(ours(after)).toEqual([to]);
    expect(diffRecords(after, [to], { ownerId: OWNER }).changes).toEqual([]);
  });

  const memberEdits: [string, RecordSet][] = [
    ['a weight', { ...weighted, members: [weighted.members![0]!, { ...weighted.members![1]!, weight: 2 }] }],
    ['a location', { ...nearest, members: [nearest.members![0]!, { ...nearest.members![1]!, location: 'us-east4' }] }],
    [
      'which member holds which address (the union unchanged)',
      { ...nearest, members: nearest.members!.map((m, i) => ({ ...m, rrdatas: [plain.rrdatas[i]!] })) },
    ],
    ['a member less', { ...nearest, rrdatas: ['198.51.100.1'], members: [nearest.members![0]!] }],
    ['the TTL', { ...nearest, ttl: 60 }],
  ];
  test.each(memberEdits)('a change of %s updates the whole set', (_, edited) => {
    const base = edited.routing === 'weighted' ? weighted : nearest;
    const zone = zoneWith(base);
    const { changes } = diffRecords(zone, [edited], { ownerId: OWNER });
    expect(setChanges(changes)).toEqual([{ kind: 'update', before: base, record: edited }]);
    expect(ours(applied(zone, changes))).toEqual([edited]);
    expect(sameRecordSet(base, edited)).toBe(false);
  });

  test("members read back under other ids (Cloud DNS keeps none: it reads a wrr item's id from its position) are no change", () => {
    const zone = zoneWith(weighted);
    const positional = ours(zone).map((r) =>
      r.routing === undefined ? r : { ...r, members: r.members!.map((m, i) => ({ ...m, id: String(i).padStart(2, '0') })) },
    );
    const listing = [...zone.filter((r) => !ours([r]).length), ...positional];
    expect(diffRecords(listing, [weighted], { ownerId: OWNER }).changes).toEqual([]);
    // An id is a handle: only what a member answers, and where or how often, tells members apart.
    const [first, second] = weighted.members!;
    const idsSwapped = {
      ...weighted,
      members: [
        { ...first!, id: second!.id },
        { ...second!, id: first!.id },
      ],
    };
    const weightsSwapped = {
      ...weighted,
      members: [
        { ...first!, weight: second!.weight },
        { ...second!, weight: first!.weight },
      ],
    };
    expect(sameRecordSet(weighted, idsSwapped)).toBe(true);
    expect(sameRecordSet(weighted, weightsSwapped)).toBe(false);
  });

  test('an unchanged routed set is no change, however the provider spells it (members in another order, names in upper case, IPv6 long-hand)', () => {
    const v6: RecordSet = {
      name: NAME,
      type: 'AAAA',
      ttl: 180,
      rrdatas: ['2001:db8::1', '2001:db8::2'],
      routing: 'nearest',
      members: [
        { id: 'a', location: 'loc-a', rrdatas: ['2001:db8::1'] },
        { id: 'b', location: 'loc-b', rrdatas: ['2001:db8::2'] },
      ],
    };
    const zone = zoneWith(v6);
    const spelled = ours(zone).map((r) => ({
      ...r,
      name: r.name.toUpperCase(),
      members: [...r.members!].reverse().map((m) => ({ ...m, rrdatas: m.rrdatas.map((a) => a.replace('::', ':0:0:0:0:0:')) })),
    }));
    const listing = [...zone.filter((r) => r.name.startsWith('_fedsvc.')), ...spelled];
    expect(diffRecords(listing, [v6], { ownerId: OWNER }).changes).toEqual([]);
  });

  test('formatChanges shows a routed set member by member', () => {
    const text = formatChanges(setChanges(diffRecords(zoneWith(nearest), [weighted], { ownerId: OWNER }).changes));
    expect(text).toContain('nearest europe-west1 @europe-west1: 198.51.100.1; us-east1 @us-east1: 192.0.2.1');
    expect(text).toContain('→ weighted gce-europe-west1-b weight 3: 198.51.100.1; gce-us-east1-b weight 1: 192.0.2.1');
  });
});

// ---- plans over random topologies, policies switched --------------------------------------

const policy = fc.constantFrom<TrafficPolicy>(
  { type: 'all' },
  { type: 'nearest' },
  { type: 'weighted' },
  { type: 'failover', regions: ['region0'] },
);
const fixed = (t: Topology, trafficPolicy: TrafficPolicy) => ({
  ...t,
  federation: { ...t.federation, domain: 'example.com', zoneNameFormat: 'zone' as const },
  service: { ...t.service, trafficPolicy },
  clusters: [...t.clusters, { name: 'cluster-r0', zones: ['region0-a'], region: 'region0', ready: false }],
  routing: regionRouting({ maxWeight: 4 }),
});
const world = fc.record({ before: topology({ maxClusters: 12 }), after: topology({ maxClusters: 12 }), from: policy, to: policy });

describe('routed plans over random topologies', () => {
  test.prop([world], { numRuns: 200 })(
    'applied, the change set yields the plan; a second diff is empty; a name and type present on both sides is updated, never deleted and created',
    ({ before, after, from, to }) => {
      const start = planServiceRecords(fixed(before, from));
      const desired = planServiceRecords(fixed(after, to));
      const zone = applied([], diffRecords([], start, { ownerId: OWNER }).changes);
      const { changes } = diffRecords(zone, desired, { ownerId: OWNER });
      const result = applied(zone, changes);
      const want = new Map(desired.map((r) => [`${r.name} ${r.type}`, r]));
      expect(ours(result).length).toBe(desired.length);
      for (const r of ours(result)) expect(sameRecordSet(r, want.get(`${r.name} ${r.type}`)!)).toBe(true);
      expect(diffRecords(result, desired, { ownerId: OWNER }).changes).toEqual([]);
      const both = new Set(start.filter((r) => want.has(`${r.name} ${r.type}`)).map((r) => `${r.name} ${r.type}`));
      for (const c of changes) if (both.has(`${c.record.name} ${c.record.type}`)) expect(c.kind).toBe('update');
    },
  );
});

// ---- a provider that keeps routed sets whole, as the routed providers read them back -------

describe('reconciling routed sets', () => {
  test.prop([world], { numRuns: 30 })('a second reconcile of an unchanged world writes nothing', async ({ before, after, from, to }) => {
    const provider = routedProvider();
    for (const [t, p] of [
      [before, from],
      [after, to],
    ] as const) {
      const desired = planServiceRecords(fixed(t, p));
      await reconcileZone({ provider, zone: ZONE, desired, ownerId: OWNER });
      const again = await reconcileZone({ provider, zone: ZONE, desired, ownerId: OWNER });
      expect(again.changes).toEqual([]);
      expect(again.writes).toBe(0);
    }
  });

  test('a provider that writes no routed sets is refused one before anything is written', async () => {
    const inner = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'z', records: [] }] });
    await expect(reconcileZone({ provider: inner, zone: ZONE, desired: [nearest], ownerId: OWNER })).rejects.toThrow(
      expect.objectContaining({ field: 'desired[0].routing', value: 'nearest' }),
    );
    expect(inner.requests().writes).toBe(0);
  });
});

describe('routed sets checked before writing', () => {
  const provider = routedProvider();
  const refused = (set: RecordSet): [string, unknown] => {
    try {
      validateDesired(ZONE, [set], provider);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return [(error as ValidationError).field, (error as ValidationError).value];
    }
    throw new Error('accepted');
  };
  const m = nearest.members!;
  const w = weighted.members!;
  test.each([
    ['members out of id order', { ...nearest, members: [m[1]!, m[0]!] }, ['desired[0].members[1].id', 'europe-west1']],
    ['an id twice', { ...nearest, members: [m[0]!, { ...m[1]!, id: m[0]!.id }] }, ['desired[0].members[1].id', 'europe-west1']],
    [
      'a location twice',
      { ...nearest, members: [m[0]!, { ...m[1]!, location: m[0]!.location }] },
      ['desired[0].members[1].location', 'europe-west1'],
    ],
    ['a weight above the range', { ...weighted, members: [w[0]!, { ...w[1]!, weight: 5 }] }, ['desired[0].members[1].weight', 5]],
    [
      'a nearest member without a location',
      { ...nearest, members: [m[0]!, { id: 'us-east1', rrdatas: ['192.0.2.1'] }] },
      ['desired[0].members[1].location', undefined],
    ],
    ['no members', { ...nearest, members: [] }, ['desired[0].members', []]],
    ['rrdatas other than the union', { ...nearest, rrdatas: ['192.0.2.1'] }, ['desired[0].rrdatas', ['192.0.2.1']]],
    [
      'a routed CNAME',
      { ...nearest, type: 'CNAME', rrdatas: ['x.example.com.'], members: [{ ...m[0]!, rrdatas: ['x.example.com.'] }] },
      ['desired[0].type', 'CNAME'],
    ],
  ] as [string, RecordSet, [string, unknown]][])('%s is refused, naming the field', (_, set, want) => {
    expect(refused(set)).toEqual(want);
  });

  test('a routed set read back without members is a ProviderError naming it', () => {
    expect(() => checkListing([{ ...nearest, members: undefined }], 'routed-test')).toThrow(/is routed without members/);
    expect(() => checkListing([nearest, weighted, plain], 'routed-test')).not.toThrow();
  });
});
