// Routed record sets (`nearest`, `weighted`) as Route 53 latency and weighted records, through
// the real SDK against the wire-level fixture.
import { ResourceRecordSetRegion } from '@aws-sdk/client-route-53';
import { ownershipRecord, reconcileZone, type Change, type RecordSet, type RoutedMember } from '@fedsvc/core';
import { batchChanges } from '@fedsvc/core/provider';
import { afterEach, describe, expect, it } from 'vitest';
import { LATENCY_REGIONS, ROUTE53_LIMITS } from '../src/index.js';
import type { RequestedChange } from '../src/testing/index.js';
import { type Harness, startHarness, providerError } from './helpers.js';

const SVC = 'svc.example.com.';

/** A routed set as core plans one: members in id order, rrdatas their union in numeric order. */
export function routed(name: string, routing: 'nearest' | 'weighted', ttl: number, members: RoutedMember[], type = 'A'): RecordSet {
  const sorted = [...members].sort((x, y) => (x.id < y.id ? -1 : 1));
  const union = [...new Set(sorted.flatMap((m) => m.rrdatas))].sort((x, y) => numeric(x) - numeric(y));
  return { name, type: type as RecordSet['type'], ttl, rrdatas: union, routing, members: sorted };
}
const numeric = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const near = (id: string, ...rrdatas: string[]): RoutedMember => ({ id, location: id, rrdatas });
const heavy = (id: string, weight: number, ...rrdatas: string[]): RoutedMember => ({ id, weight, rrdatas });
const a = (name: string, ...rrdatas: string[]): RecordSet => ({ name, type: 'A', ttl: 60, rrdatas });

let h: Harness;
afterEach(async () => {
  await h.close();
});

const at = async (name: string, type = 'A') => (await h.provider.records(h.zone)).find((r) => r.name === name && r.type === type);
const writes = () => h.fixture.requests.filter((r) => r.operation === 'ChangeResourceRecordSets');
const described = (batch: readonly RequestedChange[] | undefined) =>
  (batch ?? []).map(({ action, recordSet: r }) => `${action} ${r.type} ${r.setIdentifier ?? '-'}`);

describe('what the provider says of routed sets', () => {
  it('writes nearest and weighted; a location is a latency region of a commercial zone, itself for an AWS region', async () => {
    h = await startHarness();
    expect(h.provider.trafficPolicies).toEqual(['all', 'failover', 'nearest', 'weighted']);
    const routing = h.provider.routing!;
    expect({ maxWeight: routing.maxWeight, maxMembers: routing.maxMembers }).toEqual({ maxWeight: 255, maxMembers: 100 });
    for (const region of Object.values(ResourceRecordSetRegion)) {
      const other = /^(us-gov-|cn-|eusc-)/.test(region);
      expect(routing.locationOf(region)).toBe(other ? undefined : region);
      expect(routing.isLocation(region)).toBe(!other);
    }
    for (const name of ['us-central1', 'europe-west1', 'eu-west-1a', '']) {
      expect(routing.locationOf(name)).toBeUndefined();
      expect(routing.isLocation(name)).toBe(false);
    }
    // Every location it accepts, Route 53 takes in one latency set: one record each.
    const all = routed(
      SVC,
      'nearest',
      60,
      [...LATENCY_REGIONS].map((region, i) => near(region, `192.0.2.${i + 1}`)),
    );
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: all }]);
    expect(writes()).toEqual([expect.objectContaining({ status: 200, changes: LATENCY_REGIONS.size })]);
    expect(await at(SVC)).toEqual(all);
  });
});

describe('writing and reading routed sets', () => {
  it('a nearest set is one latency record per member, and reads back as the set written', async () => {
    h = await startHarness();
    const set = routed(SVC, 'nearest', 60, [near('us-east-1', '192.0.2.1', '192.0.2.2'), near('eu-west-1', '198.51.100.1')]);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: set }]);
    expect(h.fixture.recordSets(h.zone.id).filter((r) => r.name === SVC)).toEqual([
      { name: SVC, type: 'A', ttl: 60, values: ['198.51.100.1'], setIdentifier: 'eu-west-1', region: 'eu-west-1' },
      { name: SVC, type: 'A', ttl: 60, values: ['192.0.2.1', '192.0.2.2'], setIdentifier: 'us-east-1', region: 'us-east-1' },
    ]);
    expect(await at(SVC)).toEqual(set);
    await h.provider.applyChanges(h.zone, [{ kind: 'delete', record: (await at(SVC)) as RecordSet }]);
    expect(h.fixture.recordSets(h.zone.id).filter((r) => r.name === SVC)).toEqual([]);
  });

  it('a weighted set is one weighted record per member, weights 0 to 255, AAAA as well as A', async () => {
    h = await startHarness();
    const members = [heavy('cluster-a', 0, '2001:db8::1'), heavy('cluster-b', 255, '2001:db8::2', '2001:db8::3')];
    const set: RecordSet = { ...routed(SVC, 'weighted', 30, members, 'AAAA'), rrdatas: ['2001:db8::1', '2001:db8::2', '2001:db8::3'] };
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: set }]);
    expect(h.fixture.recordSets(h.zone.id).filter((r) => r.name === SVC)).toEqual([
      { name: SVC, type: 'AAAA', ttl: 30, values: ['2001:db8::1'], setIdentifier: 'cluster-a', weight: 0 },
      { name: SVC, type: 'AAAA', ttl: 30, values: ['2001:db8::2', '2001:db8::3'], setIdentifier: 'cluster-b', weight: 255 },
    ]);
    expect(await at(SVC, 'AAAA')).toEqual(set);
  });

  it('an update sends only the members that change: the old records as read, then the new', async () => {
    h = await startHarness();
    const before = routed(SVC, 'weighted', 60, [heavy('a', 1, '192.0.2.1'), heavy('b', 2, '192.0.2.2'), heavy('c', 3, '192.0.2.3')]);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: before }]);
    const read = (await at(SVC)) as RecordSet;
    const after = routed(SVC, 'weighted', 60, [heavy('a', 1, '192.0.2.1'), heavy('b', 5, '192.0.2.2'), heavy('d', 4, '192.0.2.4')]);
    const change: Change = { kind: 'update', before: read, record: after };
    h.fixture.resetRequests();
    await h.provider.applyChanges(h.zone, [change]);
    expect(writes()).toHaveLength(1);
    expect(described(writes()[0]?.batch)).toEqual(['DELETE A b', 'DELETE A c', 'CREATE A b', 'CREATE A d']);
    expect(h.provider.requestCost!(change)).toEqual({ changes: 4, rrdatas: 4, chars: 4 * '192.0.2.1'.length });
    expect(await at(SVC)).toEqual(after);
  });

  it('a new ttl rewrites every member, deletions first (weighted records share one TTL)', async () => {
    h = await startHarness();
    const before = routed(SVC, 'weighted', 60, [heavy('a', 1, '192.0.2.1'), heavy('b', 2, '192.0.2.2')]);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: before }]);
    const after = { ...before, ttl: 30 };
    h.fixture.resetRequests();
    await h.provider.applyChanges(h.zone, [{ kind: 'update', before: (await at(SVC)) as RecordSet, record: after }]);
    expect(described(writes()[0]?.batch)).toEqual(['DELETE A a', 'DELETE A b', 'CREATE A a', 'CREATE A b']);
    expect(await at(SVC)).toEqual(after);
  });

  it('a member someone changed since the read fails the update as a conflict, and nothing is written', async () => {
    h = await startHarness();
    const before = routed(SVC, 'nearest', 60, [near('us-east-1', '192.0.2.1'), near('eu-west-1', '192.0.2.2')]);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: before }]);
    const read = (await at(SVC)) as RecordSet;
    h.fixture.putRecordSet(h.zone.id, {
      name: SVC,
      type: 'A',
      ttl: 60,
      values: ['203.0.113.9'],
      setIdentifier: 'eu-west-1',
      region: 'eu-west-1',
    });
    const held = h.fixture.recordSets(h.zone.id);
    const after = routed(SVC, 'nearest', 60, [near('us-east-1', '192.0.2.1'), near('eu-west-1', '192.0.2.3')]);
    const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'update', before: read, record: after }]));
    expect(error.kind).toBe('conflict');
    expect(error.record).toEqual({ name: SVC, type: 'A' });
    expect(h.fixture.recordSets(h.zone.id)).toEqual(held);
  });
  it('a member the update leaves alone is not checked: a change someone made to it since the read stays', async () => {
    h = await startHarness();
    const before = routed(SVC, 'weighted', 60, [heavy('a', 1, '192.0.2.1'), heavy('b', 2, '192.0.2.2')]);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: before }]);
    const read = (await at(SVC)) as RecordSet;
    h.fixture.putRecordSet(h.zone.id, { name: SVC, type: 'A', ttl: 60, values: ['192.0.2.1'], setIdentifier: 'a', weight: 0 });
    const after = routed(SVC, 'weighted', 60, [heavy('a', 1, '192.0.2.1'), heavy('b', 3, '192.0.2.2')]);
    await h.provider.applyChanges(h.zone, [{ kind: 'update', before: read, record: after }]);
    expect(await at(SVC)).toEqual(routed(SVC, 'weighted', 60, [heavy('a', 0, '192.0.2.1'), heavy('b', 3, '192.0.2.2')]));
  });
});

describe('switching between a plain and a routed set', () => {
  /** Lists the zone until `done`, at most `rounds` times; each listing says whether SVC answered A. */
  async function watch(done: () => boolean, rounds: number): Promise<boolean[]> {
    const seen: boolean[] = [];
    for (let i = 0; i < rounds && !done(); i += 1) {
      seen.push(h.fixture.recordSets(h.zone.id).some((r) => r.name === SVC && r.type === 'A'));
      seen.push((await h.provider.records(h.zone)).some((r) => r.name === SVC && r.type === 'A'));
    }
    return seen;
  }

  for (const [from, to] of [
    ['plain', 'nearest'],
    ['nearest', 'plain'],
    ['plain', 'weighted'],
    ['weighted', 'plain'],
    ['nearest', 'weighted'],
  ] as const) {
    it(`${from} → ${to} is one request, deletions first; no listing meanwhile finds the name without an answer`, async () => {
      h = await startHarness();
      const form = (kind: typeof from | typeof to, base: number): RecordSet =>
        kind === 'plain'
          ? a(SVC, `192.0.2.${base}`, `192.0.2.${base + 1}`)
          : kind === 'nearest'
            ? routed(SVC, 'nearest', 60, [near('us-east-1', `192.0.2.${base}`), near('ap-south-1', `192.0.2.${base + 1}`)])
            : routed(SVC, 'weighted', 60, [heavy('one', 3, `192.0.2.${base}`), heavy('two', 1, `192.0.2.${base + 1}`)]);
      await h.provider.applyChanges(h.zone, [{ kind: 'create', record: form(from, 1) }]);
      const change: Change = { kind: 'update', before: (await at(SVC)) as RecordSet, record: form(to, 11) };
      h.fixture.resetRequests();
      let done = false;
      const watching = watch(() => done, 200);
      await h.provider.applyChanges(h.zone, [change]);
      done = true;
      const seen = await watching;
      expect(seen.every(Boolean)).toBe(true);
      expect(writes()).toHaveLength(1);
      const actions = (writes()[0]?.batch ?? []).map((c) => c.action);
      const deletions = from === 'plain' ? 1 : 2;
      expect(actions).toEqual([...Array(deletions).fill('DELETE'), ...Array(actions.length - deletions).fill('CREATE')]);
      expect(h.provider.requestCost!(change).changes).toBe(writes()[0]?.changes);
      expect(await at(SVC)).toEqual(form(to, 11));
    });
  }

  it('the same records in the other order are refused by Route 53 whole: the order is what makes it one step', async () => {
    h = await startHarness();
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: a(SVC, '192.0.2.1') }]);
    const read = (await at(SVC)) as RecordSet;
    const held = h.fixture.recordSets(h.zone.id);
    const set = routed(SVC, 'nearest', 60, [near('us-east-1', '192.0.2.9')]);
    const error = await providerError(
      h.provider.applyChanges(h.zone, [
        { kind: 'create', record: set },
        { kind: 'delete', record: read },
      ]),
    );
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain('cannot be created as a non-latency set exists');
    expect(h.fixture.recordSets(h.zone.id)).toEqual(held);
  });

  it('reconcileZone replaces a routed set at a name the federation owns with the plain one desired, in one request', async () => {
    h = await startHarness();
    const marker = ownershipRecord(SVC, 'fed-a', 60, ['A']);
    h.fixture.putRecordSet(h.zone.id, { name: marker.name, type: 'TXT', ttl: 60, values: [...marker.rrdatas] });
    for (const [id, value] of [
      ['blue', '198.51.100.1'],
      ['green', '198.51.100.2'],
    ] as const)
      h.fixture.putRecordSet(h.zone.id, { name: SVC, type: 'A', ttl: 60, values: [value], setIdentifier: id, weight: 1 });
    h.fixture.resetRequests();
    const report = await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: 'fed-a', desired: [a(SVC, '192.0.2.1')] });
    expect(report.writes).toBe(1);
    expect(described(writes()[0]?.batch)).toEqual(['DELETE A blue', 'DELETE A green', 'CREATE A -', 'DELETE TXT -', 'CREATE TXT -']);
    expect(await at(SVC)).toEqual(a(SVC, '192.0.2.1'));
  });

  it('a routed set at an unmarked name is someone else’s: a conflict, nothing sent', async () => {
    h = await startHarness();
    h.fixture.putRecordSet(h.zone.id, {
      name: SVC,
      type: 'A',
      ttl: 60,
      values: ['198.51.100.1'],
      setIdentifier: 'us-east-1',
      region: 'us-east-1',
    });
    h.fixture.resetRequests();
    const report = await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: 'fed-a', desired: [a(SVC, '192.0.2.1')] });
    expect(report.conflicts).toEqual([{ name: SVC, types: ['A'], owner: null }]);
    expect(writes()).toHaveLength(0);
  });
});

describe('what Route 53 counts', () => {
  it('each member record is a change, its values records and characters; an update counts both sides of what it sends', async () => {
    h = await startHarness();
    const cost = h.provider.requestCost!;
    const set = routed(SVC, 'nearest', 60, [near('us-east-1', '192.0.2.1', '192.0.2.2'), near('eu-west-1', '192.0.2.3')]);
    expect(cost({ kind: 'create', record: set })).toEqual({ changes: 2, rrdatas: 3, chars: 27 });
    expect(cost({ kind: 'delete', record: set })).toEqual({ changes: 2, rrdatas: 3, chars: 27 });
    expect(cost({ kind: 'update', before: a(SVC, '192.0.2.7'), record: set })).toEqual({ changes: 3, rrdatas: 4, chars: 36 });
    expect(cost({ kind: 'update', before: set, record: a(SVC, '192.0.2.7') })).toEqual({ changes: 3, rrdatas: 4, chars: 36 });
    expect(cost({ kind: 'update', before: set, record: set })).toEqual({ changes: 0, rrdatas: 0, chars: 0 });
    // The same sets counted as core counts plain ones would be a change a side.
    const plain = { kind: 'update', before: a(SVC, '192.0.2.7'), record: a(SVC, '192.0.2.1', '192.0.2.2', '192.0.2.3') } as const;
    expect(cost(plain)).toEqual({ changes: 2, rrdatas: 4, chars: 36 });
  });

  it('core packs routed sets by that count, and a switch too big for one request is left out whole, never half-written', async () => {
    h = await startHarness();
    const limits = { ...ROUTE53_LIMITS, maxChangesPerRequest: 40 };
    const set = (i: number) =>
      routed(
        `s${i}.example.com.`,
        'weighted',
        60,
        Array.from({ length: 10 }, (_, j) => heavy(`c${j}`, 1, `10.${i}.0.${j}`)),
      );
    const creates: Change[] = Array.from({ length: 8 }, (_, i) => ({ kind: 'create', record: set(i) }));
    const batches = batchChanges(creates, limits, h.provider.requestCost);
    expect(batches.map((b) => b.length)).toEqual([4, 4]);
    for (const batch of batches) await h.provider.applyChanges(h.zone, batch);
    expect(writes().map((w) => [w.status, w.changes])).toEqual([
      [200, 40],
      [200, 40],
    ]);
    // Counted as plain sets (a change each), all eight would go in one request of 80 changes.
    expect(batchChanges(creates, limits).map((b) => b.length)).toEqual([8]);

    const before = (await at('s0.example.com.')) as RecordSet;
    const values = (j: number) => Array.from({ length: 26 }, (_, k) => `10.1.${j}.${k}`);
    const big = routed(
      's0.example.com.',
      'weighted',
      60,
      Array.from({ length: 40 }, (_, j) => heavy(`c${j}`, 1, ...values(j))),
    );
    const switchTooBig: Change = { kind: 'update', before, record: big };
    expect(h.provider.requestCost!(switchTooBig)).toMatchObject({ changes: 50, rrdatas: 10 + 40 * 26 });
    expect(() => batchChanges([switchTooBig], limits, h.provider.requestCost)).toThrow(/50 changes, 1050 records/);
    // Sent regardless, Route 53 refuses it whole.
    const held = h.fixture.recordSets(h.zone.id);
    const error = await providerError(h.provider.applyChanges(h.zone, [switchTooBig]));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('Number of records limit of 1000 exceeded');
    expect(h.fixture.recordSets(h.zone.id)).toEqual(held);
  });
});

describe('reading', () => {
  it('pages keep a routed set whole: 100 weighted members and every latency region, 7 records a page', async () => {
    h = await startHarness({ provider: { pageSize: 7 } });
    const weighted = routed(
      'w.example.com.',
      'weighted',
      60,
      Array.from({ length: 100 }, (_, i) => heavy(`cluster-${String(i).padStart(3, '0')}`, i % 256, `10.0.${i >> 8}.${i & 255}`)),
    );
    const nearest = routed(
      'n.example.com.',
      'nearest',
      60,
      [...LATENCY_REGIONS].map((region, i) => near(region, `10.1.0.${i}`)),
    );
    await h.provider.applyChanges(h.zone, [
      { kind: 'create', record: weighted },
      { kind: 'create', record: nearest },
    ]);
    h.fixture.resetRequests();
    const records = await h.provider.records(h.zone);
    expect(h.fixture.count((r) => r.operation === 'ListResourceRecordSets')).toBe(Math.ceil((100 + LATENCY_REGIONS.size + 2) / 7));
    expect(records.filter((r) => r.routing !== undefined)).toEqual([nearest, weighted]);
  });

  it('records of kinds fedsvc never writes stay ROUTED: never equal to a desired set, never changed', async () => {
    h = await startHarness();
    const put = (name: string, extra: object) =>
      h.fixture.putRecordSet(h.zone.id, { name, type: 'A', ttl: 60, values: ['198.51.100.1'], setIdentifier: 'x', ...extra });
    put('health.example.com.', { region: 'us-east-1', healthCheckId: 'abc' });
    put('failover.example.com.', { failover: 'PRIMARY' });
    put('multi.example.com.', { multiValueAnswer: true });
    h.fixture.putRecordSet(h.zone.id, {
      name: 'alias.example.com.',
      type: 'A',
      values: [],
      alias: { hostedZoneId: 'Z35SXDOTRQ7X7K', dnsName: 'lb-1.us-east-1.elb.amazonaws.com.', evaluateTargetHealth: false },
      setIdentifier: 'x',
      weight: 1,
    });
    h.fixture.putRecordSet(h.zone.id, { name: 'text.example.com.', type: 'TXT', ttl: 60, values: ['"t"'], setIdentifier: 'x', weight: 1 });
    const read = (await h.provider.records(h.zone)).filter((r) => r.name !== 'example.com.');
    expect(read.map((r) => [r.name, r.routing, r.rrdatas])).toEqual(
      ['alias', 'failover', 'health', 'multi', 'text'].map((label) => [`${label}.example.com.`, undefined, ['ROUTED x']]),
    );
    h.fixture.resetRequests();
    for (const record of read) {
      const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'delete', record: record as RecordSet }]));
      expect(error.kind).toBe('invalid');
    }
    expect(writes()).toHaveLength(0);
  });

  it('latency records of different TTLs read as the lowest; the set’s next change rewrites every member to its ttl', async () => {
    h = await startHarness();
    h.fixture.putRecordSet(h.zone.id, {
      name: SVC,
      type: 'A',
      ttl: 300,
      values: ['192.0.2.1'],
      setIdentifier: 'us-east-1',
      region: 'us-east-1',
    });
    h.fixture.putRecordSet(h.zone.id, {
      name: SVC,
      type: 'A',
      ttl: 60,
      values: ['192.0.2.2'],
      setIdentifier: 'eu-west-1',
      region: 'eu-west-1',
    });
    const read = (await at(SVC)) as RecordSet;
    expect(read).toEqual(routed(SVC, 'nearest', 60, [near('us-east-1', '192.0.2.1'), near('eu-west-1', '192.0.2.2')]));
    const after = routed(SVC, 'nearest', 60, [near('us-east-1', '192.0.2.1'), near('eu-west-1', '192.0.2.3')]);
    await h.provider.applyChanges(h.zone, [{ kind: 'update', before: read, record: after }]);
    expect(await at(SVC)).toEqual(after);
    expect(
      h.fixture
        .recordSets(h.zone.id)
        .filter((r) => r.name === SVC)
        .map((r) => r.ttl),
    ).toEqual([60, 60]);
  });
});

describe('routed sets the adapter refuses before anything is sent, naming the set', () => {
  const cases: [string, RecordSet, RegExp][] = [
    ['a routed ALIAS set', { ...routed(SVC, 'weighted', 60, [heavy('a', 1, '192.0.2.1')]), type: 'ALIAS' }, /A and AAAA only/],
    [
      'a location that is no latency region',
      routed(SVC, 'nearest', 60, [{ id: 'x', location: 'us-central1', rrdatas: ['192.0.2.1'] }]),
      /us-central1/,
    ],
    ['another partition’s region', routed(SVC, 'nearest', 60, [near('us-gov-west-1', '192.0.2.1')]), /us-gov-west-1/],
    ['a weight over 255', routed(SVC, 'weighted', 60, [heavy('a', 256, '192.0.2.1')]), /weight 256/],
    ['a weight that is no integer', routed(SVC, 'weighted', 60, [heavy('a', 1.5, '192.0.2.1')]), /weight 1.5/],
    [
      '101 members',
      routed(
        SVC,
        'weighted',
        60,
        Array.from({ length: 101 }, (_, i) => heavy(`m${i}`, 1, '192.0.2.1')),
      ),
      /101 members/,
    ],
    ['a member id of the ALIAS sets', routed(SVC, 'weighted', 60, [heavy('fedsvc:a', 1, '192.0.2.1')]), /fedsvc:/],
    ['an empty member id', routed(SVC, 'weighted', 60, [heavy('', 1, '192.0.2.1')]), /must not be empty/],
    ['a member without values', routed(SVC, 'weighted', 60, [heavy('a', 1)]), /no values/],
    [
      'two members in one region',
      routed(SVC, 'nearest', 60, [near('us-east-1', '192.0.2.1'), { id: 'b', location: 'us-east-1', rrdatas: ['192.0.2.2'] }]),
      /one latency record per region/,
    ],
  ];
  for (const [what, record, message] of cases) {
    it(what, async () => {
      h = await startHarness();
      const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record }]));
      expect(error.kind).toBe('invalid');
      expect(error.record).toEqual({ name: SVC, type: record.type });
      expect(error.message).toMatch(message);
      expect(writes()).toHaveLength(0);
    });
  }

  it('someone’s records of another policy at the name make a create a conflict naming the set', async () => {
    h = await startHarness();
    h.fixture.putRecordSet(h.zone.id, { name: SVC, type: 'A', ttl: 60, values: ['198.51.100.1'], setIdentifier: 'blue', weight: 1 });
    const nearest = routed(SVC, 'nearest', 60, [near('us-east-1', '192.0.2.1')]);
    const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: nearest }]));
    expect(error.kind).toBe('conflict');
    expect(error.record).toEqual({ name: SVC, type: 'A' });
    h.fixture.removeRecordSet(h.zone.id, SVC, 'A', 'blue');
    h.fixture.putRecordSet(h.zone.id, {
      name: SVC,
      type: 'A',
      ttl: 60,
      values: ['198.51.100.1'],
      setIdentifier: 'theirs',
      region: 'us-east-1',
    });
    const same = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: nearest }]));
    expect(same.kind).toBe('conflict');
    expect(same.message).toContain('same name, type and region already exists');
  });
});
