// The adapter through the real SDK against the wire-level fixture.
import { ownershipRecord, reconcileZone, type Change, type RecordSet } from '@fedsvc/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoute53Provider, ROUTE53_LIMITS } from '../src/index.js';
import { clientConfigFor, type Harness, startHarness, providerError } from './helpers.js';

const a = (name: string, ...rrdatas: string[]): RecordSet => ({ name, type: 'A', ttl: 180, rrdatas });
const txt = (name: string, value: string): RecordSet => ({ name, type: 'TXT', ttl: 180, rrdatas: [value] });
const cname = (name: string, target: string): RecordSet => ({ name, type: 'CNAME', ttl: 180, rrdatas: [target] });

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('reading', () => {
  beforeEach(async () => {
    h = await startHarness({ provider: { pageSize: 2 } });
  });

  it('lists hosted zones with their plain id and normalized name', async () => {
    const other = h.fixture.createZone('Other.Example.ORG');
    const zones = await h.provider.zones();
    expect(zones).toEqual([
      { id: h.zone.id, dnsName: 'example.com.' },
      { id: other.id, dnsName: 'other.example.org.' },
    ]);
  });

  it('follows ListHostedZones markers past the 100-zone page', async () => {
    for (let i = 0; i < 120; i += 1) h.fixture.createZone(`z${i}.example.net`);
    h.fixture.resetRequests();
    const zones = await h.provider.zones();
    expect(zones).toHaveLength(121);
    expect(new Set(zones.map((z) => z.id)).size).toBe(121);
    expect(h.fixture.count((r) => r.operation === 'ListHostedZones')).toBe(2);
  });

  it('reads only the configured hosted zones by id, and says when one does not exist', async () => {
    const other = h.fixture.createZone('other.example.org');
    const only = createRoute53Provider({ clientConfig: clientConfigFor(h.fixture), hostedZoneIds: [`/hostedzone/${other.id}`] });
    try {
      expect(await only.zones()).toEqual([{ id: other.id, dnsName: 'other.example.org.' }]);
      const missing = createRoute53Provider({ clientConfig: clientConfigFor(h.fixture), hostedZoneIds: ['ZDOESNOTEXIST'] });
      const error = await providerError(missing.zones());
      expect(error.kind).toBe('not-found');
      expect(error.message).toContain('ZDOESNOTEXIST');
      missing.close();
    } finally {
      only.close();
    }
  });

  it('reads every page of the zone, in one request per page, names unescaped', async () => {
    h.fixture.putRecordSet(h.zone.id, { name: '*.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] });
    h.fixture.putRecordSet(h.zone.id, { name: 'www.example.com', type: 'TXT', ttl: 60, values: ['"hello world"'] });
    h.fixture.putRecordSet(h.zone.id, { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.2', '192.0.2.3'] });
    h.fixture.putRecordSet(h.zone.id, { name: 'v6.example.com', type: 'AAAA', ttl: 60, values: ['2001:db8::1'] });
    h.fixture.resetRequests();
    const records = await h.provider.records(h.zone);
    // 2 apex (NS, SOA) + 4 → 3 pages of 2.
    expect(h.fixture.count((r) => r.operation === 'ListResourceRecordSets')).toBe(3);
    expect(records.map((r) => `${r.name} ${r.type}`).sort()).toEqual(
      [
        '*.example.com. A',
        'example.com. NS',
        'example.com. SOA',
        'v6.example.com. AAAA',
        'www.example.com. A',
        'www.example.com. TXT',
      ].sort(),
    );
    expect(records.find((r) => r.type === 'TXT')).toEqual({ name: 'www.example.com.', type: 'TXT', ttl: 60, rrdatas: ['"hello world"'] });
    expect(records.find((r) => r.name === 'www.example.com.' && r.type === 'A')?.rrdatas).toEqual(['192.0.2.2', '192.0.2.3']);
  });

  it('reports an alias record as its type with an ALIAS rrdata, and can delete it as read', async () => {
    const alias = {
      hostedZoneId: 'Z35SXDOTRQ7X7K',
      dnsName: 'dualstack.my-lb-1234.us-east-1.elb.amazonaws.com.',
      evaluateTargetHealth: false,
    };
    h.fixture.putRecordSet(h.zone.id, { name: 'lb.example.com', type: 'A', alias });
    const read = (await h.provider.records(h.zone)).find((r) => r.name === 'lb.example.com.');
    expect(read).toEqual({
      name: 'lb.example.com.',
      type: 'A',
      ttl: 0,
      rrdatas: ['ALIAS Z35SXDOTRQ7X7K dualstack.my-lb-1234.us-east-1.elb.amazonaws.com. false'],
    });
    await h.provider.applyChanges(h.zone, [{ kind: 'delete', record: read as RecordSet }]);
    expect(h.fixture.recordSets(h.zone.id).some((r) => r.name === 'lb.example.com.')).toBe(false);
  });

  it('pages through more than a page of weighted sets at one name and type, by set identifier', async () => {
    const identifiers = ['blue', 'green', 'red', 'violet', 'yellow'];
    identifiers.forEach((id, i) => {
      h.fixture.putRecordSet(h.zone.id, {
        name: 'www.example.com',
        type: 'A',
        ttl: 60,
        values: [`192.0.2.${i + 1}`],
        setIdentifier: id,
        weight: 10,
      });
    });
    h.fixture.putRecordSet(h.zone.id, { name: 'www.example.com', type: 'TXT', ttl: 60, values: ['"v=1"'] });
    h.fixture.resetRequests();
    const records = await h.provider.records(h.zone);
    // NS, SOA, five weighted A, TXT: 8 sets in pages of 2, two of them continued by identifier alone.
    expect(h.fixture.count((r) => r.operation === 'ListResourceRecordSets' && r.status === 200)).toBe(4);
    expect(records.map((r) => `${r.name} ${r.type}`)).toEqual([
      'example.com. NS',
      'example.com. SOA',
      'www.example.com. A',
      'www.example.com. TXT',
    ]);
    // Weighted A records are a routed set, whole although its members came on three pages.
    expect(records.find((r) => r.type === 'A')).toEqual({
      name: 'www.example.com.',
      type: 'A',
      ttl: 60,
      rrdatas: identifiers.map((_, i) => `192.0.2.${i + 1}`),
      routing: 'weighted',
      members: identifiers.map((id, i) => ({ id, weight: 10, rrdatas: [`192.0.2.${i + 1}`] })),
    });
  });

  it('an unknown zone is not-found', async () => {
    const error = await providerError(h.provider.records({ id: 'ZNOSUCHZONE', dnsName: 'nowhere.example.' }));
    expect(error.kind).toBe('not-found');
  });
});

describe('writing', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  const names = (records: readonly RecordSet<string>[]) => records.filter((r) => r.type !== 'NS' && r.type !== 'SOA');

  it('creates, updates and deletes A, AAAA, CNAME and TXT record sets', async () => {
    const aaaa: RecordSet = { name: 'v6.example.com.', type: 'AAAA', ttl: 180, rrdatas: ['2001:db8::1'] };
    await h.provider.applyChanges(h.zone, [
      { kind: 'create', record: a('svc.example.com.', '192.0.2.1', '192.0.2.2') },
      { kind: 'create', record: aaaa },
      { kind: 'create', record: cname('zone.example.com.', 'svc.example.com.') },
      { kind: 'create', record: txt('_fedsvc.svc.example.com.', '"heritage=fedsvc,owner=test"') },
    ]);
    expect(names(await h.provider.records(h.zone))).toHaveLength(4);

    await h.provider.applyChanges(h.zone, [
      { kind: 'update', before: a('svc.example.com.', '192.0.2.1', '192.0.2.2'), record: a('svc.example.com.', '192.0.2.3') },
      { kind: 'delete', record: aaaa },
    ]);
    const after = names(await h.provider.records(h.zone));
    expect(after).toContainEqual(a('svc.example.com.', '192.0.2.3'));
    expect(after.some((r) => r.type === 'AAAA')).toBe(false);
    expect(after).toContainEqual(cname('zone.example.com.', 'svc.example.com.'));
    expect(after).toContainEqual(txt('_fedsvc.svc.example.com.', '"heritage=fedsvc,owner=test"'));
  });

  it('sends an update as DELETE + CREATE in one request, never UPSERT', async () => {
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]);
    h.fixture.resetRequests();
    await h.provider.applyChanges(h.zone, [
      { kind: 'update', before: a('svc.example.com.', '192.0.2.1'), record: a('svc.example.com.', '192.0.2.9') },
    ]);
    expect(h.fixture.requests).toEqual([expect.objectContaining({ operation: 'ChangeResourceRecordSets', status: 200, changes: 2 })]);
  });

  it('an update of a record set changed behind our back is a conflict naming it, and nothing is written', async () => {
    await h.provider.applyChanges(h.zone, [
      { kind: 'create', record: a('svc.example.com.', '192.0.2.1') },
      { kind: 'create', record: a('other.example.com.', '192.0.2.5') },
    ]);
    h.fixture.putRecordSet(h.zone.id, { name: 'svc.example.com.', type: 'A', ttl: 180, values: ['198.51.100.7'] });
    const before = h.fixture.recordSets(h.zone.id);
    const error = await providerError(
      h.provider.applyChanges(h.zone, [
        { kind: 'delete', record: a('other.example.com.', '192.0.2.5') },
        { kind: 'update', before: a('svc.example.com.', '192.0.2.1'), record: a('svc.example.com.', '192.0.2.2') },
      ]),
    );
    expect(error.kind).toBe('conflict');
    expect(error.record).toEqual({ name: 'svc.example.com.', type: 'A' });
    expect(error.message).toContain('do not match');
    expect(h.fixture.recordSets(h.zone.id)).toEqual(before);
  });

  it('creating a record set that exists, or deleting one that does not, is a conflict naming it', async () => {
    h.fixture.putRecordSet(h.zone.id, { name: 'taken.example.com.', type: 'CNAME', ttl: 60, values: ['elsewhere.example.org.'] });
    const exists = await providerError(
      h.provider.applyChanges(h.zone, [{ kind: 'create', record: cname('taken.example.com.', 'svc.example.com.') }]),
    );
    expect(exists.kind).toBe('conflict');
    expect(exists.record).toEqual({ name: 'taken.example.com.', type: 'CNAME' });
    expect(exists.message).toContain('already exists');

    const missing = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'delete', record: a('gone.example.com.', '192.0.2.1') }]));
    expect(missing.kind).toBe('conflict');
    expect(missing.record).toEqual({ name: 'gone.example.com.', type: 'A' });
  });

  it('an A record appearing where we create a CNAME is a conflict', async () => {
    h.fixture.putRecordSet(h.zone.id, { name: 'z.example.com.', type: 'A', ttl: 60, values: ['192.0.2.1'] });
    const error = await providerError(
      h.provider.applyChanges(h.zone, [{ kind: 'create', record: cname('z.example.com.', 'svc.example.com.') }]),
    );
    expect(error.kind).toBe('conflict');
    expect(error.record).toEqual({ name: 'z.example.com.', type: 'CNAME' });
  });

  it('a value Route 53 rejects is invalid and names the record set holding it', async () => {
    const error = await providerError(
      h.provider.applyChanges(h.zone, [
        { kind: 'create', record: a('fine.example.com.', '192.0.2.1') },
        { kind: 'create', record: { name: 'bad.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2'] } },
      ]),
    );
    expect(error.kind).toBe('invalid');
    expect(error.record).toEqual({ name: 'bad.example.com.', type: 'A' });
    expect(h.fixture.recordSets(h.zone.id).some((r) => r.name === 'fine.example.com.')).toBe(false);
  });

  it('duplicate addresses are rejected as invalid (the whole batch)', async () => {
    const error = await providerError(
      h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('dup.example.com.', '192.0.2.1', '192.0.2.1') }]),
    );
    expect(error.kind).toBe('invalid');
    expect(error.record).toEqual({ name: 'dup.example.com.', type: 'A' });
  });

  it('a name outside the zone is invalid', async () => {
    const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.org.', '192.0.2.1') }]));
    expect(error.kind).toBe('invalid');
    expect(error.record).toEqual({ name: 'svc.example.org.', type: 'A' });
  });

  it('a request at the documented limits passes; one rrdata over is refused by Route 53', async () => {
    const record = (i: number, n: number): RecordSet =>
      a(`r${i}.example.com.`, ...Array.from({ length: n }, (_, j) => `10.${i}.${j >> 8}.${j & 255}`));
    const atLimit: Change[] = Array.from({ length: 10 }, (_, i) => ({
      kind: 'create',
      record: record(i, ROUTE53_LIMITS.maxRrdatasPerRequest / 10),
    }));
    await h.provider.applyChanges(h.zone, atLimit);
    const over: Change[] = [
      ...Array.from({ length: 10 }, (_, i) => ({ kind: 'create' as const, record: record(i + 10, 100) })),
      { kind: 'create', record: record(99, 1) },
    ];
    const error = await providerError(h.provider.applyChanges(h.zone, over));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('limit of 1000');
  });

  it('refuses more than 32,000 value characters in one request', async () => {
    const long = `"${'x'.repeat(250)}"`;
    const changes: Change[] = Array.from({ length: 130 }, (_, i) => ({ kind: 'create', record: txt(`t${i}.example.com.`, long) }));
    const error = await providerError(h.provider.applyChanges(h.zone, changes));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('32000');
    await h.provider.applyChanges(h.zone, changes.slice(0, 120));
  });
});

describe('failures that core retries', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('Throttling is throttled, with the server-suggested wait, after exactly one request (SDK retries off)', async () => {
    h.fixture.throttleNext(1, { retryAfterSeconds: 3 });
    const error = await providerError(h.provider.records(h.zone));
    expect(error.kind).toBe('throttled');
    expect(error.retryAfterMs).toBe(3000);
    expect(error.attempts).toBe(1);
    expect(h.fixture.count()).toBe(1);
    expect((await h.provider.records(h.zone)).length).toBe(2);
  });

  it('5xx and PriorRequestNotComplete are transient, one request each', async () => {
    h.fixture.serverErrorNext(1, { status: 503 });
    expect((await providerError(h.provider.zones())).kind).toBe('transient');
    h.fixture.priorRequestNotCompleteNext(1);
    const prior = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]));
    expect(prior.kind).toBe('transient');
    expect(prior.message).toContain('PriorRequestNotComplete');
    expect(h.fixture.count()).toBe(2);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]);
  });

  it('a change request while the previous one is processing gets PriorRequestNotComplete', async () => {
    await h.close();
    h = await startHarness({ fixture: { changeProcessingMs: 60_000 } });
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('one.example.com.', '192.0.2.1') }]);
    const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('two.example.com.', '192.0.2.2') }]));
    expect(error.kind).toBe('transient');
  });

  it('the account rate limit answers Throttling / Rate exceeded', async () => {
    await h.close();
    h = await startHarness({ fixture: { requestsPerSecond: 1 } });
    await h.provider.zones();
    const error = await providerError(h.provider.zones());
    expect(error.kind).toBe('throttled');
    expect(error.message).toContain('Rate exceeded');
  });

  it('a refused connection is transient', async () => {
    await h.fixture.close();
    const error = await providerError(h.provider.zones());
    expect(error.kind).toBe('transient');
  });
});

describe('credentials', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('unknown credentials are denied, and neither key appears in the error', async () => {
    const keyId = 'AKIAIOSFODNN7EXAMPLE';
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const stranger = createRoute53Provider({ clientConfig: clientConfigFor(h.fixture, { accessKeyId: keyId, secretAccessKey: secret }) });
    try {
      const error = await providerError(stranger.zones());
      expect(error.kind).toBe('denied');
      const shown = `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`;
      expect(shown).not.toContain(keyId);
      expect(shown).not.toContain(secret);
    } finally {
      stranger.close();
    }
  });
});

describe('waiting for INSYNC', () => {
  it('polls GetChange until the change is INSYNC', async () => {
    h = await startHarness({ fixture: { insyncAfterPolls: 3 }, provider: { waitForInSync: { pollIntervalMs: 1, timeoutMs: 10_000 } } });
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]);
    expect(h.fixture.requests.map((r) => r.operation)).toEqual(['ChangeResourceRecordSets', 'GetChange', 'GetChange', 'GetChange']);
  });

  it('gives up after the timeout with a transient error', async () => {
    h = await startHarness({ fixture: { insyncAfterPolls: 1_000_000 }, provider: { waitForInSync: { pollIntervalMs: 5, timeoutMs: 20 } } });
    const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('not INSYNC');
    expect(h.fixture.recordSets(h.zone.id).some((r) => r.name === 'svc.example.com.')).toBe(true);
  });
});

describe('options', () => {
  it('rejects bad options with a ValidationError naming the field', () => {
    expect(() => createRoute53Provider({ pageSize: 301 })).toThrow(/pageSize/);
    expect(() => createRoute53Provider({ hostedZoneIds: ['not an id'] })).toThrow(/hostedZoneIds\[0\]/);
    expect(() => createRoute53Provider({ waitForInSync: { timeoutMs: -1 } })).toThrow(/waitForInSync.timeoutMs/);
  });
});

describe("routing-policy record sets of kinds fedsvc never writes (another tool's)", () => {
  beforeEach(async () => {
    h = await startHarness({ provider: { pageSize: 2 } });
    const continents: Record<string, string> = { one: 'EU', two: 'NA', three: 'AS' };
    for (const id of ['one', 'two', 'three']) {
      h.fixture.putRecordSet(h.zone.id, {
        name: 'svc.example.com',
        type: 'A',
        ttl: 60,
        values: ['198.51.100.7'],
        setIdentifier: id,
        geoLocation: { continentCode: continents[id] },
      });
    }
  });

  const identifiers = () =>
    h.fixture
      .recordSets(h.zone.id)
      .filter((r) => r.setIdentifier !== undefined)
      .map((r) => r.setIdentifier);

  it('occupy their name: a reconcile reports a conflict and sends no change', async () => {
    h.fixture.resetRequests();
    const report = await reconcileZone({
      provider: h.provider,
      zone: h.zone,
      ownerId: 'fed-a',
      desired: [a('svc.example.com.', '192.0.2.1')],
    });
    expect(report.conflicts).toEqual([{ name: 'svc.example.com.', types: ['A'], owner: null }]);
    expect(report.changes).toEqual([]);
    expect(h.fixture.count((r) => r.operation === 'ChangeResourceRecordSets')).toBe(0);
    expect(identifiers()).toEqual(['one', 'three', 'two']);
  });

  it('are never the source of a delete or update, even at a name the federation owns', async () => {
    const marker = ownershipRecord('svc.example.com.', 'fed-a', 60, ['A']);
    h.fixture.putRecordSet(h.zone.id, { name: marker.name, type: 'TXT', ttl: 60, values: [...marker.rrdatas] });
    h.fixture.resetRequests();
    const error = await providerError(
      reconcileZone({ provider: h.provider, zone: h.zone, ownerId: 'fed-a', desired: [a('svc.example.com.', '192.0.2.1')] }),
    );
    expect(error.kind).toBe('invalid');
    expect(error.record).toEqual({ name: 'svc.example.com.', type: 'A' });
    expect(error.message).toContain('routing-policy');
    expect(h.fixture.count((r) => r.operation === 'ChangeResourceRecordSets')).toBe(0);
    expect(identifiers()).toEqual(['one', 'three', 'two']);

    const read = (await h.provider.records(h.zone)).find((r) => r.name === 'svc.example.com.' && r.type === 'A') as RecordSet;
    const refused = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'delete', record: read }]));
    expect(refused.kind).toBe('invalid');
    expect(h.fixture.count((r) => r.operation === 'ChangeResourceRecordSets')).toBe(0);
  });

  it('the fixture refuses a simple set beside them, as Route 53 does: a conflict (the name is taken)', async () => {
    const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]));
    expect(error.kind).toBe('conflict');
    expect(error.record).toEqual({ name: 'svc.example.com.', type: 'A' });
    expect(error.message).toContain('cannot be created as other RRSets exist with the same name and type');
  });
});
