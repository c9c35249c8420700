// Routed record sets (nearest, weighted) through the adapter and the real SDK against the wire
// fixture: written as geo and wrr routing policies, read back as the routed sets they were
// written from, changed and deleted as read, and counted honestly against a change's limits.
import { ownershipRecord, reconcileZone, type RecordSet } from '@fedsvc/core';
import { parseAddress, type RoutedMember } from '@fedsvc/core/provider';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOUD_DNS_GEO_LOCATIONS, createGoogleProvider, GOOGLE_ROUTING } from '../src/index.js';
import { GCP_REGIONS } from '../src/testing/routing-policy.js';
import { optionsFor, startHarness, type Harness, providerError } from './helpers.js';

/** Addresses once each, in address order, as core's planner orders a plain set's. */
const union = (members: readonly RoutedMember[]) => {
  const byKey = new Map(members.flatMap((member) => member.rrdatas).map((rrdata) => [parseAddress(rrdata)?.key ?? rrdata, rrdata]));
  return [...byKey.keys()].sort().map((key) => byKey.get(key) as string);
};

const byId = (a: RoutedMember, b: RoutedMember) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function routed(name: string, routing: 'nearest' | 'weighted', unsorted: RoutedMember[], type: 'A' | 'AAAA' = 'A'): RecordSet {
  const members = [...unsorted].sort(byId);
  return { name, type, ttl: 180, routing, members, rrdatas: union(members) };
}

/** `nearest` as core plans it on Cloud DNS: the region is the member's id and its location. */
const nearest = (name: string, ...regions: [string, ...string[]][]) =>
  routed(
    name,
    'nearest',
    regions.map(([region, ...rrdatas]) => ({ id: region, location: region, rrdatas })),
  );

/** `weighted` as core plans it: one member per cluster, its id the cluster's name. */
const weighted = (name: string, ...clusters: [string, number, ...string[]][]) =>
  routed(
    name,
    'weighted',
    clusters.map(([id, weight, ...rrdatas]) => ({ id, weight, rrdatas })),
  );

const a = (name: string, ...rrdatas: string[]): RecordSet => ({ name, type: 'A', ttl: 180, rrdatas });

const sortedSet = (rrdatas: readonly string[]) => [...rrdatas].sort();

/**
 * A record set as core compares it with what it planned: name, type, TTL and data; `nearest`
 * members by location and data, in location order; `weighted` ones by weight and data, in order
 * (Cloud DNS keeps no member ids).
 */
function compared(record: RecordSet<string>) {
  const { name, type, ttl, routing, members } = record;
  const kept =
    routing === 'nearest'
      ? members
          ?.map((member) => ({ location: member.location, rrdatas: sortedSet(member.rrdatas) }))
          .sort((x, y) => ((x.location ?? '') < (y.location ?? '') ? -1 : 1))
      : members?.map((member) => ({ weight: member.weight, rrdatas: sortedSet(member.rrdatas) }));
  return { name, type, ttl, rrdatas: sortedSet(record.rrdatas), routing, members: kept };
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const readAt = async (name: string, type = 'A') =>
  (await h.provider.records(h.zone)).find((r) => r.name === name && r.type === type) as RecordSet | undefined;
const heldAt = (name: string, type = 'A') => h.fixture.recordSets(h.zone.id).find((r) => r.name === name && r.type === type);
const creates = () => h.fixture.requests.filter((r) => r.operation === 'changes.create');

describe('what Cloud DNS routed sets accept', () => {
  it('locations are the Google Cloud regions the wire server accepts in a geo item, each its own location', () => {
    expect([...CLOUD_DNS_GEO_LOCATIONS].sort()).toEqual([...GCP_REGIONS].sort());
    for (const region of GCP_REGIONS) {
      expect(GOOGLE_ROUTING.locationOf(region)).toBe(region);
      expect(GOOGLE_ROUTING.isLocation(region)).toBe(true);
    }
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!GCP_REGIONS.has(text));
        expect(GOOGLE_ROUTING.locationOf(text)).toBeUndefined();
        expect(GOOGLE_ROUTING.isLocation(text)).toBe(false);
      }),
    );
    for (const notOne of ['us-central', 'US-CENTRAL1', 'us-central1-a', 'eu-west-1', 'dc-frankfurt'])
      expect(GOOGLE_ROUTING.locationOf(notOne)).toBeUndefined();
  });

  it('the provider lists every traffic policy and its routing limits', () => {
    const provider = createGoogleProvider(optionsFor(h.fixture));
    expect(provider.trafficPolicies).toEqual(['all', 'failover', 'nearest', 'weighted']);
    expect(provider.routing).toBe(GOOGLE_ROUTING);
    expect(GOOGLE_ROUTING).toMatchObject({ maxWeight: 1000, maxMembers: 100 });
  });
});

describe('writing and reading routed sets', () => {
  it('nearest is one geo policy, items in location order and no rrdatas of its own; read back exactly', async () => {
    const record = nearest(
      'svc.example.com.',
      ['us-east1', '192.0.2.20', '192.0.2.3'],
      ['asia-east1', '192.0.2.9'],
      ['europe-west1', '192.0.2.1'],
    );
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record }]);
    expect(heldAt('svc.example.com.')).toEqual({
      name: 'svc.example.com.',
      type: 'A',
      ttl: 180,
      rrdatas: [],
      routingPolicy: {
        geo: {
          items: [
            { location: 'asia-east1', rrdatas: ['192.0.2.9'] },
            { location: 'europe-west1', rrdatas: ['192.0.2.1'] },
            { location: 'us-east1', rrdatas: ['192.0.2.20', '192.0.2.3'] },
          ],
        },
      },
    });
    const read = await readAt('svc.example.com.');
    // Region ids are the locations Cloud DNS keeps: the set comes back as planned, ids included.
    expect(read).toEqual(record);
    expect(read?.rrdatas).toEqual(['192.0.2.1', '192.0.2.3', '192.0.2.9', '192.0.2.20']);
  });

  it('weighted is one wrr policy, items in member order; read back with ids by position', async () => {
    const record = weighted(
      'svc.example.com.',
      ['cluster-b', 200, '192.0.2.2'],
      ['cluster-a', 3, '192.0.2.1'],
      ['cluster-c', 0, '192.0.2.3'],
    );
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record }]);
    expect(heldAt('svc.example.com.')?.routingPolicy).toEqual({
      wrr: {
        items: [
          { weight: 3, rrdatas: ['192.0.2.1'] },
          { weight: 200, rrdatas: ['192.0.2.2'] },
          { weight: 0, rrdatas: ['192.0.2.3'] },
        ],
      },
    });
    const read = await readAt('svc.example.com.');
    expect(read).toEqual({
      ...record,
      members: [
        { id: '00', weight: 3, rrdatas: ['192.0.2.1'] },
        { id: '01', weight: 200, rrdatas: ['192.0.2.2'] },
        { id: '02', weight: 0, rrdatas: ['192.0.2.3'] },
      ],
    });
    expect(compared(read!)).toEqual(compared(record));
  });

  it('a region mapped to another location by the policy comes back with the location as its id', async () => {
    const record = routed('svc.example.com.', 'nearest', [
      // Member (id) order is not location order: the items still go in location order.
      { id: 'dc-ashburn', location: 'us-east4', rrdatas: ['192.0.2.2'] },
      { id: 'dc-frankfurt', location: 'europe-west3', rrdatas: ['192.0.2.1'] },
      { id: 'asia-east1', location: 'asia-east1', rrdatas: ['192.0.2.3'] },
    ]);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record }]);
    const read = await readAt('svc.example.com.');
    expect(read?.members?.map((member) => member.id)).toEqual(['asia-east1', 'europe-west3', 'us-east4']);
    expect(compared(read!)).toEqual({
      ...compared(record),
      members: [
        { location: 'asia-east1', rrdatas: ['192.0.2.3'] },
        { location: 'europe-west3', rrdatas: ['192.0.2.1'] },
        { location: 'us-east4', rrdatas: ['192.0.2.2'] },
      ],
    });
  });

  it('AAAA routed sets too', async () => {
    const record = routed(
      'svc.example.com.',
      'weighted',
      [
        { id: 'a', weight: 1, rrdatas: ['2001:db8::10'] },
        { id: 'b', weight: 2, rrdatas: ['2001:db8::9', '2001:db8::1'] },
      ],
      'AAAA',
    );
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record }]);
    const read = await readAt('svc.example.com.', 'AAAA');
    expect(read?.rrdatas).toEqual(['2001:db8::1', '2001:db8::9', '2001:db8::10']);
    expect(compared(read!)).toEqual(compared(record));
  });

  it('a location Cloud DNS does not route by, or one twice, is invalid naming the set; nothing is written', async () => {
    const fine = nearest('fine.example.com.', ['us-east1', '192.0.2.1']);
    for (const members of [
      [{ id: 'dc-1', location: 'dc-1', rrdatas: ['192.0.2.1'] }],
      [
        { id: 'dc-1', location: 'us-east1', rrdatas: ['192.0.2.1'] },
        { id: 'dc-2', location: 'us-east1', rrdatas: ['192.0.2.2'] },
      ],
    ]) {
      const error = await providerError(
        h.provider.applyChanges(h.zone, [
          { kind: 'create', record: fine },
          { kind: 'create', record: routed('bad.example.com.', 'nearest', members) },
        ]),
      );
      expect(error.kind).toBe('invalid');
      expect(error.record).toEqual({ name: 'bad.example.com.', type: 'A' });
      expect(error.message).toContain('geo.items');
      expect(heldAt('fine.example.com.')).toBeUndefined();
    }
  });
});

describe('changing routed sets', () => {
  it('members added and removed: each change is one request, a deletion of the set as read and an addition', async () => {
    const name = 'svc.example.com.';
    const steps = [
      weighted(name, ['c1', 10, '192.0.2.1'], ['c2', 20, '192.0.2.2']),
      weighted(name, ['c1', 10, '192.0.2.1'], ['c2', 20, '192.0.2.2'], ['c3', 5, '192.0.2.3'], ['c0', 1, '192.0.2.4']),
      weighted(name, ['c2', 7, '192.0.2.2']),
      nearest(name, ['us-east1', '192.0.2.1']),
      nearest(name, ['us-east1', '192.0.2.1'], ['europe-west1', '192.0.2.5'], ['asia-east1', '192.0.2.6']),
      nearest(name, ['asia-east1', '192.0.2.6', '192.0.2.7']),
    ];
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: steps[0]! }]);
    for (const next of steps.slice(1)) {
      const before = await readAt(name);
      h.fixture.resetRequests();
      await h.provider.applyChanges(h.zone, [{ kind: 'update', before: before!, record: next }]);
      expect(creates()).toEqual([{ operation: 'changes.create', status: 200, zone: h.zone.id, changes: 2 }]);
      expect(compared((await readAt(name))!)).toEqual(compared(next));
    }
    const last = await readAt(name);
    await h.provider.applyChanges(h.zone, [{ kind: 'delete', record: last! }]);
    expect(heldAt(name)).toBeUndefined();
  });

  it('plain → routed and routed → plain are each one atomic change: the name never goes without an answer', async () => {
    const name = 'svc.example.com.';
    const plain = a(name, '192.0.2.1', '192.0.2.2');
    const policy = nearest(name, ['us-east1', '192.0.2.1'], ['europe-west1', '192.0.2.2']);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: plain }]);
    h.fixture.resetRequests();
    await h.provider.applyChanges(h.zone, [{ kind: 'update', before: plain, record: policy }]);
    expect(creates()).toEqual([{ operation: 'changes.create', status: 200, zone: h.zone.id, changes: 2 }]);
    expect(await readAt(name)).toEqual(policy);
    h.fixture.resetRequests();
    await h.provider.applyChanges(h.zone, [{ kind: 'update', before: (await readAt(name))!, record: plain }]);
    expect(creates()).toEqual([{ operation: 'changes.create', status: 200, zone: h.zone.id, changes: 2 }]);
    expect(await readAt(name)).toEqual(plain);
    expect(heldAt(name)?.routingPolicy).toBeUndefined();
  });

  it('a switch whose deletion no longer matches is refused whole: the set held stays, nothing half-written', async () => {
    const name = 'svc.example.com.';
    const policy = weighted(name, ['c1', 1, '192.0.2.1'], ['c2', 2, '192.0.2.2']);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: policy }]);
    const read = await readAt(name);
    // Someone changes a weight after our read.
    h.fixture.putRecordSet(h.zone.id, {
      name,
      type: 'A',
      ttl: 180,
      rrdatas: [],
      routingPolicy: {
        wrr: {
          items: [
            { weight: 1, rrdatas: ['192.0.2.1'] },
            { weight: 3, rrdatas: ['192.0.2.2'] },
          ],
        },
      },
    });
    const held = heldAt(name);
    const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'update', before: read!, record: a(name, '192.0.2.1') }]));
    expect(error.kind).toBe('conflict');
    expect(error.record).toEqual({ name, type: 'A' });
    expect(heldAt(name)).toEqual(held);
  });

  it('any routed set within the limits round-trips as core compares it, and is changed and deleted as read', async () => {
    const addressesV4 = fc.uniqueArray(fc.ipV4(), { minLength: 1, maxLength: 4 });
    const addressesV6 = fc.uniqueArray(
      fc.integer({ min: 1, max: 0xffff }).map((n) => `2001:db8::${n.toString(16)}`),
      { minLength: 1, maxLength: 4 },
    );
    const name = 'svc.example.com.';
    const anySet = (type: 'A' | 'AAAA') => {
      const addresses = type === 'A' ? addressesV4 : addressesV6;
      const nearestSet = fc
        .tuple(fc.uniqueArray(fc.constantFrom(...GCP_REGIONS), { minLength: 1, maxLength: GCP_REGIONS.size }), fc.boolean())
        .chain(([regions, mapped]) =>
          // Mapped: each region's cluster region is named otherwise (`locations`), in another order.
          fc
            .shuffledSubarray(
              regions.map((_, i) => i),
              { minLength: regions.length, maxLength: regions.length },
            )
            .map((order) =>
              regions.map((location, i) => ({ id: mapped ? `dc-${String(order[i]).padStart(2, '0')}` : location, location })),
            ),
        )
        .chain((places) => fc.tuple(...places.map((place) => addresses.map((rrdatas) => ({ ...place, rrdatas })))))
        .map((members) => routed(name, 'nearest', members, type));
      const weightedSet = fc
        .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), { minLength: 1, maxLength: GOOGLE_ROUTING.maxMembers })
        .chain((ids) =>
          fc.tuple(
            ...ids.map((id) =>
              fc.record({ id: fc.constant(id), weight: fc.integer({ min: 0, max: GOOGLE_ROUTING.maxWeight }), rrdatas: addresses }),
            ),
          ),
        )
        .map((members) => routed(name, 'weighted', members, type));
      const plainSet = addresses.map((rrdatas): RecordSet => ({ name, type, ttl: 180, rrdatas }));
      return fc.oneof(nearestSet, weightedSet, plainSet);
    };
    const pairs = fc.constantFrom<'A' | 'AAAA'>('A', 'AAAA').chain((type) => fc.tuple(anySet(type), anySet(type)));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(pairs, async ([firstAt, secondAt]) => {
        // A name of its own for each run, so that a run never meets what another left.
        run += 1;
        const at = `svc${run}.example.com.`;
        const [first, second] = [
          { ...firstAt, name: at },
          { ...secondAt, name: at },
        ];
        h.fixture.resetRequests();
        await h.provider.applyChanges(h.zone, [{ kind: 'create', record: first }]);
        const read = await readAt(at, first.type);
        expect(compared(read!)).toEqual(compared(first));
        expect(read?.rrdatas).toEqual(first.rrdatas);
        // Where each region is its own location, as on GKE, the set comes back exactly, ids included.
        if (first.members?.every((member) => member.id === member.location)) expect(read).toEqual(first);
        await h.provider.applyChanges(h.zone, [{ kind: 'update', before: read!, record: second }]);
        const again = await readAt(at, second.type);
        expect(compared(again!)).toEqual(compared(second));
        await h.provider.applyChanges(h.zone, [{ kind: 'delete', record: again! }]);
        expect(heldAt(at, first.type)).toBeUndefined();
        // The wire server accepted every change the adapter sent.
        expect(creates().map((r) => r.status)).toEqual([200, 200, 200]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('routed sets fedsvc does not write are read as occupying their name', () => {
  const name = 'svc.example.com.';
  const item = (location: string, ...rrdatas: string[]) => ({ location, rrdatas });
  const foreign: [string, string, Record<string, unknown>][] = [
    [
      'primaryBackup',
      'ROUTED primaryBackup',
      {
        primaryBackup: {
          primaryTargets: { externalEndpoints: ['192.0.2.1'] },
          backupGeoTargets: { items: [item('us-east1', '192.0.2.2')] },
        },
        healthCheck: 'projects/p/global/healthChecks/hc',
      },
    ],
    ['a fenced geo policy', 'ROUTED geo', { geo: { enableFencing: true, items: [item('us-east1', '192.0.2.1')] } }],
    ['geo items out of location order', 'ROUTED geo', { geo: { items: [item('us-east1', '192.0.2.1'), item('asia-east1', '192.0.2.2')] } }],
    ['a geo location that is no region', 'ROUTED geo', { geo: { items: [item('mars-north1', '192.0.2.1')] } }],
    [
      'health-checked geo items',
      'ROUTED geo',
      { geo: { items: [{ location: 'us-east1', healthCheckedTargets: { externalEndpoints: ['192.0.2.1'] } }] } },
    ],
    ['a fractional weight', 'ROUTED wrr', { wrr: { items: [{ weight: 0.5, rrdatas: ['192.0.2.1'] }] } }],
    ['a weight above the range', 'ROUTED wrr', { wrr: { items: [{ weight: 1001, rrdatas: ['192.0.2.1'] }] } }],
    [
      'more items than a set may have',
      'ROUTED wrr',
      { wrr: { items: Array.from({ length: 101 }, (_, i) => ({ weight: 1, rrdatas: [`192.0.2.${i + 1}`] })) } },
    ],
  ];

  it.each(foreign)('%s', async (_, shown, routingPolicy) => {
    h.fixture.putRecordSet(h.zone.id, { name, type: 'A', ttl: 60, rrdatas: [], routingPolicy });
    expect(await readAt(name)).toEqual({ name, type: 'A', ttl: 60, rrdatas: [shown] });
  });

  it('a routed CNAME set', async () => {
    const routingPolicy = { wrr: { items: [{ weight: 1, rrdatas: ['a.example.org.'] }] } };
    h.fixture.putRecordSet(h.zone.id, { name, type: 'CNAME', ttl: 60, rrdatas: [], routingPolicy });
    expect(await readAt(name, 'CNAME')).toEqual({ name, type: 'CNAME', ttl: 60, rrdatas: ['ROUTED wrr'] });
  });
});

describe('ownership of routed sets', () => {
  const name = 'svc.example.com.';
  const theirs = weighted(name, ['x', 1, '198.51.100.7'], ['y', 3, '198.51.100.8']);

  it("a routed set at a name without the federation's marker is someone else's: a conflict, nothing written", async () => {
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: theirs }]);
    const held = heldAt(name);
    h.fixture.resetRequests();
    const report = await reconcileZone({
      provider: h.provider,
      zone: h.zone,
      ownerId: 'fed-a',
      desired: [nearest(name, ['us-east1', '192.0.2.1'])],
    });
    expect(report.conflicts).toEqual([{ name, types: ['A'], owner: null }]);
    expect(creates()).toEqual([]);
    expect(heldAt(name)).toEqual(held);
  });

  it("at a name whose marker names A, it is the federation's: replaced by the desired set in one change", async () => {
    await h.provider.applyChanges(h.zone, [
      { kind: 'create', record: theirs },
      { kind: 'create', record: ownershipRecord(name, 'fed-a', 180, ['A']) },
    ]);
    h.fixture.resetRequests();
    const desired = nearest(name, ['us-east1', '192.0.2.1'], ['asia-east1', '192.0.2.2']);
    await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: 'fed-a', desired: [desired] });
    expect(creates()).toHaveLength(1);
    expect(creates()[0]?.status).toBe(200);
    expect(await readAt(name)).toEqual(desired);
  });
});

describe('request cost', () => {
  // Ten weighted sets whose ten members all answer the same 50 IPv6 addresses: each set's union
  // is 50 addresses (some 1,950 characters), its items 500 (some 19,500 bytes on the wire).
  const shared = Array.from({ length: 50 }, (_, i) => `2001:db8:0:0:0:0:1:${(i + 1).toString(16).padStart(4, '0')}`);
  const sets = Array.from({ length: 10 }, (_, s) =>
    routed(
      `s${s}.example.com.`,
      'weighted',
      Array.from({ length: 10 }, (_, m) => ({ id: `c${m}`, weight: 1, rrdatas: shared })),
      'AAAA',
    ),
  );

  it("counts every member's rrdatas, on both sides of an update; a plain set as core does", () => {
    const set = sets[0]!;
    const chars = shared.join('').length * 10;
    expect(h.provider.requestCost?.({ kind: 'create', record: set })).toEqual({ changes: 1, rrdatas: 500, chars });
    expect(h.provider.requestCost?.({ kind: 'update', before: set, record: a('s0.example.com.', '192.0.2.1') })).toEqual({
      changes: 2,
      rrdatas: 501,
      chars: chars + '192.0.2.1'.length,
    });
    expect(h.provider.requestCost?.({ kind: 'delete', record: a('x.example.com.', '192.0.2.1', '192.0.2.22') })).toEqual({
      changes: 1,
      rrdatas: 2,
      chars: 19,
    });
  });

  it("splits routed sets so that no change exceeds Cloud DNS's bytes of rrdata: no request refused", async () => {
    const report = await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: 'fed-a', desired: sets });
    expect(report.changes).toHaveLength(20);
    expect(h.fixture.count((r) => r.operation === 'changes.create' && r.status !== 200)).toBe(0);
    // 195,000 bytes of items over 100,000 a change: two requests, the fewest that can carry them.
    expect(creates()).toHaveLength(2);
    for (const set of sets) expect(compared((await readAt(set.name, 'AAAA'))!)).toEqual(compared(set));
  });

  it("counted by the union alone (core's default), a request goes out that Cloud DNS refuses for its bytes", async () => {
    const { requestCost: _, ...byUnion } = h.provider;
    await reconcileZone({ provider: byUnion, zone: h.zone, ownerId: 'fed-a', desired: sets });
    const refused = h.fixture.requests.filter((r) => r.operation === 'changes.create' && r.status === 403);
    expect(refused.length).toBeGreaterThan(0);
  });
});
