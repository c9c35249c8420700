// The adapter through the real SDK against the wire-level fixture.
import { inspect } from 'node:util';
import { diffRecords, ownershipRecord, reconcileZone, type Change, type RecordSet } from '@fedsvc/core';
import { sameRecordSet } from '@fedsvc/core/provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleProvider, GOOGLE_LIMITS } from '../src/index.js';
import { optionsFor, startHarness, type Harness, providerError } from './helpers.js';

const a = (name: string, ...rrdatas: string[]): RecordSet => ({ name, type: 'A', ttl: 180, rrdatas });
const txt = (name: string, value: string): RecordSet => ({ name, type: 'TXT', ttl: 180, rrdatas: [value] });
const cname = (name: string, target: string): RecordSet => ({ name, type: 'CNAME', ttl: 180, rrdatas: [target] });
const aaaa = (name: string, ...rrdatas: string[]): RecordSet => ({ name, type: 'AAAA', ttl: 180, rrdatas });

/** Everything an error shows a log: message, stack, own fields, cause, as JSON and as inspected. */
const shown = (error: Error) => `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)} ${inspect(error, { depth: 10 })}`;

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('reading', () => {
  beforeEach(async () => {
    h = await startHarness({ fixture: { defaultPageSize: 2 }, provider: { pageSize: 2 } });
  });

  it('lists managed zones by name, DNS names normalized, following page tokens', async () => {
    h.fixture.createZone('other-org', 'Other.Example.ORG');
    for (let i = 0; i < 3; i += 1) h.fixture.createZone(`z${i}`, `z${i}.example.net.`);
    h.fixture.resetRequests();
    const zones = await h.provider.zones();
    expect(zones).toEqual([
      { id: 'example-com', dnsName: 'example.com.' },
      { id: 'other-org', dnsName: 'other.example.org.' },
      { id: 'z0', dnsName: 'z0.example.net.' },
      { id: 'z1', dnsName: 'z1.example.net.' },
      { id: 'z2', dnsName: 'z2.example.net.' },
    ]);
    // 5 zones at the server's 2 per page.
    expect(h.fixture.count((r) => r.operation === 'managedZones.list')).toBe(3);
  });

  it('reads every page of the zone, one request per page', async () => {
    for (let i = 0; i < 9; i += 1) h.fixture.putRecordSet(h.zone.id, a(`r${i}.example.com.`, `192.0.2.${i + 1}`));
    h.fixture.putRecordSet(h.zone.id, aaaa('v6.example.com.', '2001:db8::1'));
    h.fixture.resetRequests();
    const records = await h.provider.records(h.zone);
    // NS + SOA + 10 → 6 pages of 2.
    expect(h.fixture.count((r) => r.operation === 'rrsets.list')).toBe(6);
    expect(records).toHaveLength(12);
    expect(records.map((r) => `${r.name} ${r.type}`)).toEqual(h.fixture.recordSets(h.zone.id).map((r) => `${r.name} ${r.type}`));
    expect(records.find((r) => r.type === 'AAAA')).toEqual(aaaa('v6.example.com.', '2001:db8::1'));
  });

  it('reads TXT data quoted, as core writes it, so a marker round-trips unchanged', async () => {
    const marker = txt('_fedsvc.www.example.com.', '"heritage=fedsvc,owner=test"');
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: marker }]);
    // Unquoted text written by someone else is stored, and listed, as quoted strings.
    h.fixture.putRecordSet(h.zone.id, txt('note.example.com.', 'v=spf1 -all'));
    const records = await h.provider.records(h.zone);
    const read = records.find((r) => r.name === marker.name);
    expect(read).toEqual(marker);
    expect(sameRecordSet(read!, marker)).toBe(true);
    expect(records.find((r) => r.name === 'note.example.com.')?.rrdatas).toEqual(['"v=spf1" "-all"']);
    // Nothing to change on a second plan: what was read is what is desired.
    expect(diffRecords(records, [], { ownerId: 'someone' }).changes.filter((c) => c.record.name === marker.name)).toEqual([]);
  });

  it('without a page size, takes the pages the server gives', async () => {
    const provider = createGoogleProvider(optionsFor(h.fixture));
    for (let i = 0; i < 4; i += 1) h.fixture.putRecordSet(h.zone.id, a(`r${i}.example.com.`, '192.0.2.1'));
    h.fixture.resetRequests();
    expect(await provider.records(h.zone)).toHaveLength(6);
    expect(h.fixture.count((r) => r.operation === 'rrsets.list')).toBe(3);
  });

  it('an unknown managed zone is not-found and names it', async () => {
    const error = await providerError(h.provider.records({ id: 'no-such-zone', dnsName: 'nowhere.example.' }));
    expect(error.kind).toBe('not-found');
    expect(error.provider).toBe('google');
    expect(error.message).toContain("'no-such-zone'");
  });
});

describe('writing', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  const held = () => h.fixture.recordSets(h.zone.id).filter((r) => r.type !== 'NS' && r.type !== 'SOA');

  it('creates, updates and deletes A, AAAA, CNAME and TXT record sets', async () => {
    const v6 = aaaa('v6.example.com.', '2001:db8::1');
    await h.provider.applyChanges(h.zone, [
      { kind: 'create', record: a('svc.example.com.', '192.0.2.1', '192.0.2.2') },
      { kind: 'create', record: v6 },
      { kind: 'create', record: cname('zone.example.com.', 'svc.example.com.') },
      { kind: 'create', record: txt('_fedsvc.svc.example.com.', '"heritage=fedsvc,owner=test"') },
    ]);
    expect(held()).toHaveLength(4);
    await h.provider.applyChanges(h.zone, [
      { kind: 'update', before: a('svc.example.com.', '192.0.2.1', '192.0.2.2'), record: a('svc.example.com.', '192.0.2.3') },
      { kind: 'delete', record: v6 },
    ]);
    const after = await h.provider.records(h.zone);
    expect(after).toContainEqual(a('svc.example.com.', '192.0.2.3'));
    expect(after.some((r) => r.type === 'AAAA')).toBe(false);
    expect(after).toContainEqual(cname('zone.example.com.', 'svc.example.com.'));
    expect(after).toContainEqual(txt('_fedsvc.svc.example.com.', '"heritage=fedsvc,owner=test"'));
  });

  it('sends an update as one change: a deletion of the record set as read and an addition', async () => {
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]);
    h.fixture.resetRequests();
    await h.provider.applyChanges(h.zone, [
      { kind: 'update', before: a('svc.example.com.', '192.0.2.1'), record: a('svc.example.com.', '192.0.2.9') },
    ]);
    expect(h.fixture.requests).toEqual([{ operation: 'changes.create', status: 200, zone: h.zone.id, changes: 2 }]);
    expect(held()).toEqual([a('svc.example.com.', '192.0.2.9')]);
  });

  it('an update of a record set changed behind our back is a conflict naming it, and nothing is written', async () => {
    await h.provider.applyChanges(h.zone, [
      { kind: 'create', record: a('other.example.com.', '192.0.2.5') },
      { kind: 'create', record: aaaa('v6.example.com.', '2001:db8::5') },
      { kind: 'create', record: a('svc.example.com.', '192.0.2.1') },
    ]);
    h.fixture.putRecordSet(h.zone.id, a('svc.example.com.', '198.51.100.7'));
    const before = h.fixture.recordSets(h.zone.id);
    // The SDK sends deletions grouped by type (A, A, AAAA), so the stale one is deletions[1]
    // though it is the third change: the error still names the right record set.
    const error = await providerError(
      h.provider.applyChanges(h.zone, [
        { kind: 'delete', record: a('other.example.com.', '192.0.2.5') },
        { kind: 'delete', record: aaaa('v6.example.com.', '2001:db8::5') },
        { kind: 'update', before: a('svc.example.com.', '192.0.2.1'), record: a('svc.example.com.', '192.0.2.2') },
      ]),
    );
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain("412 conditionNotMet: Precondition not met for 'entity.change.deletions[1]'");
    expect(error.record).toEqual({ name: 'svc.example.com.', type: 'A' });
    expect(h.fixture.recordSets(h.zone.id)).toEqual(before);
  });

  it('creating a record set that exists, or deleting one that does not, is a conflict naming it', async () => {
    h.fixture.putRecordSet(h.zone.id, cname('taken.example.com.', 'elsewhere.example.org.'));
    const exists = await providerError(
      h.provider.applyChanges(h.zone, [{ kind: 'create', record: cname('taken.example.com.', 'svc.example.com.') }]),
    );
    expect(exists.kind).toBe('conflict');
    expect(exists.record).toEqual({ name: 'taken.example.com.', type: 'CNAME' });
    expect(exists.message).toContain('409 alreadyExists');

    const missing = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'delete', record: a('gone.example.com.', '192.0.2.1') }]));
    expect(missing.kind).toBe('conflict');
    expect(missing.record).toEqual({ name: 'gone.example.com.', type: 'A' });
    expect(missing.message).toContain('404 notFound');
  });

  it('an A record where we create a CNAME is a conflict', async () => {
    h.fixture.putRecordSet(h.zone.id, a('z.example.com.', '192.0.2.1'));
    const error = await providerError(
      h.provider.applyChanges(h.zone, [{ kind: 'create', record: cname('z.example.com.', 'svc.example.com.') }]),
    );
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain('cnameResourceRecordSetConflict');
    expect(held()).toEqual([a('z.example.com.', '192.0.2.1')]);
  });

  it('a value Cloud DNS rejects is invalid and names the record set holding it; nothing is written', async () => {
    const error = await providerError(
      h.provider.applyChanges(h.zone, [
        { kind: 'create', record: a('fine.example.com.', '192.0.2.1') },
        { kind: 'create', record: txt('t.example.com.', '"ok"') },
        { kind: 'create', record: a('bad.example.com.', '192.0.2') },
      ]),
    );
    expect(error.kind).toBe('invalid');
    expect(error.record).toEqual({ name: 'bad.example.com.', type: 'A' });
    expect(error.message).toContain("'192.0.2'");
    expect(held()).toEqual([]);
  });

  it('duplicate addresses and names outside the zone are invalid', async () => {
    const duplicate = await providerError(
      h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('dup.example.com.', '192.0.2.1', '192.0.2.1') }]),
    );
    expect(duplicate.kind).toBe('invalid');
    expect(duplicate.record).toEqual({ name: 'dup.example.com.', type: 'A' });
    const outside = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.org.', '192.0.2.1') }]));
    expect(outside.kind).toBe('invalid');
    expect(outside.record).toEqual({ name: 'svc.example.org.', type: 'A' });
  });

  it('a change at the documented limits passes; one addition more is refused as invalid, not retried', async () => {
    const record = (i: number): RecordSet => a(`r${i}.example.com.`, `10.0.${i >> 8}.${i & 255}`);
    const atLimit: Change[] = Array.from({ length: GOOGLE_LIMITS.maxChangesPerRequest }, (_, i) => ({ kind: 'create', record: record(i) }));
    await h.provider.applyChanges(h.zone, atLimit);
    expect(held()).toHaveLength(GOOGLE_LIMITS.maxChangesPerRequest);
    const over: Change[] = Array.from({ length: GOOGLE_LIMITS.maxChangesPerRequest + 1 }, (_, i) => ({
      kind: 'create',
      record: record(i + 2000),
    }));
    h.fixture.resetRequests();
    const error = await providerError(h.provider.applyChanges(h.zone, over));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('403 quotaExceeded: The change would exceed quota for additions per change.');
    expect(h.fixture.count()).toBe(1);
  });

  it('refuses more than 100,000 bytes of rrdata in one change', async () => {
    const long = `"${'x'.repeat(248)}"`;
    const changes: Change[] = Array.from({ length: 401 }, (_, i) => ({ kind: 'create', record: txt(`t${i}.example.com.`, long) }));
    const error = await providerError(h.provider.applyChanges(h.zone, changes));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain('total rrdata size per change');
    await h.provider.applyChanges(h.zone, changes.slice(0, GOOGLE_LIMITS.maxRrdataCharsPerRequest / long.length));
  });
});

describe('failures that core retries', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('429 rateLimitExceeded is throttled, with the server-suggested wait, after one request (SDK retries off)', async () => {
    await h.provider.zones();
    h.fixture.resetRequests();
    h.fixture.throttleNext(1, { retryAfterSeconds: 3 });
    const error = await providerError(h.provider.records(h.zone));
    expect(error.kind).toBe('throttled');
    expect(error.retryAfterMs).toBe(3000);
    expect(error.attempts).toBe(1);
    expect(h.fixture.count()).toBe(1);
    expect(await h.provider.records(h.zone)).toHaveLength(2);
  });

  it('5xx backendError is transient, one request each; a throttled change writes nothing', async () => {
    await h.provider.zones();
    h.fixture.resetRequests();
    h.fixture.failNext(1, { status: 503 });
    expect((await providerError(h.provider.zones())).kind).toBe('transient');
    h.fixture.failNext(1, { status: 500, operation: 'changes.create' });
    const failed = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]));
    expect(failed.kind).toBe('transient');
    h.fixture.throttleNext(1, { operation: 'changes.create' });
    const throttled = await providerError(
      h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]),
    );
    expect(throttled.kind).toBe('throttled');
    expect(h.fixture.count()).toBe(3);
    expect(h.fixture.recordSets(h.zone.id)).toHaveLength(2);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]);
    expect(h.fixture.recordSets(h.zone.id)).toHaveLength(3);
  });
});

describe('a connection cut before the answer (SDK retries off)', () => {
  beforeEach(async () => {
    h = await startHarness();
    // The token is fetched and the connection pool warmed, so timings below are the request's own.
    await h.provider.zones();
    h.fixture.resetRequests();
  });

  const held = () => h.fixture.recordSets(h.zone.id).filter((r) => r.type !== 'NS' && r.type !== 'SOA');

  it('a change whose answer is lost is sent once and rejects at once as transient; the change is applied', async () => {
    h.fixture.cutNext(1, { operation: 'changes.create' });
    const started = Date.now();
    const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]));
    const elapsed = Date.now() - started;
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/^google: changes\.create example-com: /);
    // Node's fetch (undici) reports the socket closed under the request, wrapped in its `cause`.
    expect((error.cause as { code?: unknown }).code).toBe('UND_ERR_SOCKET');
    // One POST: the SDK's own no-response retries (3, after 2 s, 4 s and 8 s) would resend it.
    expect(h.fixture.requests).toEqual([{ operation: 'changes.create', status: 200, zone: h.zone.id, changes: 1, cut: true }]);
    expect(elapsed).toBeLessThan(1000);
    expect(held()).toEqual([a('svc.example.com.', '192.0.2.1')]);
    // The next request goes through on a fresh connection.
    expect(await h.provider.records(h.zone)).toContainEqual(a('svc.example.com.', '192.0.2.1'));
  });

  it('a read whose connection is cut is sent once and rejects at once as transient', async () => {
    h.fixture.cutNext(1, { operation: 'rrsets.list' });
    const started = Date.now();
    const error = await providerError(h.provider.records(h.zone));
    expect(error.kind).toBe('transient');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(h.fixture.count()).toBe(1);
    h.fixture.cutNext(1, { operation: 'managedZones.list' });
    expect((await providerError(h.provider.zones())).kind).toBe('transient');
    expect(h.fixture.count()).toBe(2);
  });

  it('a poll of a change whose answer is lost is sent once', async () => {
    const provider = createGoogleProvider(optionsFor(h.fixture, { waitForDone: { pollIntervalMs: 0 } }));
    h.fixture.cutNext(1, { operation: 'changes.get' });
    const error = await providerError(provider.applyChanges(h.zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }]));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/^google: changes\.get example-com\/\d+: /);
    expect(h.fixture.requests.filter((r) => r.operation !== 'token').map((r) => r.operation)).toEqual(['changes.create', 'changes.get']);
  });

  it('reconcileZone converges: core resends the lost change once, Cloud DNS refuses it as already applied, core re-reads and writes nothing more', async () => {
    await h.provider.applyChanges(h.zone, [
      { kind: 'create', record: a('old.example.com.', '192.0.2.7') },
      { kind: 'create', record: ownershipRecord('old.example.com.', 'fed-a', 180, ['A']) },
    ]);
    h.fixture.resetRequests();
    h.fixture.cutNext(1, { operation: 'changes.create' });
    const desired = [a('svc.example.com.', '192.0.2.1'), a('old.example.com.', '192.0.2.8')];
    const report = await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: 'fed-a', desired, sleep: async () => {} });
    const creates = h.fixture.requests.filter((r) => r.operation === 'changes.create');
    // The first change (a create, a marker and an update, all or nothing) is applied but its
    // answer lost; core's retry resends it once, and Cloud DNS refuses the copy as a whole
    // (the update's deletion no longer matches: 412), which core takes as a conflict.
    expect(creates.map((r) => [r.status, r.cut ?? false])).toEqual([
      [200, true],
      [412, false],
    ]);
    expect(report).toMatchObject({ reads: 2, writes: 2, retries: 1, replans: 1 });
    expect(h.fixture.count((r) => r.operation === 'rrsets.list')).toBe(2);
    // The re-read finds the zone as desired: nothing is written after it.
    expect(h.fixture.requests.at(-1)?.operation).toBe('rrsets.list');
    expect(held()).toEqual(expect.arrayContaining([a('svc.example.com.', '192.0.2.1'), a('old.example.com.', '192.0.2.8')]));
    expect(held().filter((r) => r.type === 'A')).toHaveLength(2);
    // A later pass finds nothing to do.
    h.fixture.resetRequests();
    const again = await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: 'fed-a', desired });
    expect(again.changes).toEqual([]);
    expect(h.fixture.count((r) => r.operation === 'changes.create')).toBe(0);
  });
});

describe('credentials', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it("gets a bearer token from the credential's token endpoint once, and uses it for every call", async () => {
    await h.provider.zones();
    await h.provider.records(h.zone);
    expect(h.fixture.count((r) => r.operation === 'token')).toBe(1);
    expect(h.fixture.count((r) => r.status === 401)).toBe(0);
  });

  it('a token the API no longer accepts is denied, and the token is nowhere in the error', async () => {
    await h.provider.zones();
    const token = await h.provider.dns.authClient.getAccessToken();
    expect(token).toMatch(/^fixture-access-/);
    h.fixture.revokeTokens();
    const error = await providerError(h.provider.records(h.zone));
    expect(error.kind).toBe('denied');
    expect(error.message).toContain('401');
    expect(shown(error)).not.toContain(token);
  });

  it('a credential the token endpoint refuses is denied, and the subject token is nowhere in the error', async () => {
    const stranger = createGoogleProvider(optionsFor(h.fixture, { credentials: h.fixture.wrongCredentials }));
    const error = await providerError(stranger.zones());
    expect(error.kind).toBe('denied');
    expect(error.message).toContain('invalid_grant');
    expect(shown(error)).not.toContain('not-the-subject-token');
    expect(h.fixture.count((r) => r.operation === 'managedZones.list')).toBe(0);
  });

  it('a project the credentials may not use is denied', async () => {
    const elsewhere = createGoogleProvider(optionsFor(h.fixture, { projectId: 'someone-elses-project' }));
    const error = await providerError(elsewhere.zones());
    expect(error.kind).toBe('denied');
    expect(error.message).toContain('403 forbidden');
  });
});

describe('waiting for done', () => {
  const create: Change = { kind: 'create', record: a('svc.example.com.', '192.0.2.1') };

  it('polls changes.get until the change is done', async () => {
    h = await startHarness({ fixture: { doneAfterPolls: 3 }, provider: { waitForDone: { pollIntervalMs: 1, timeoutMs: 10_000 } } });
    await h.provider.applyChanges(h.zone, [create]);
    expect(h.fixture.requests.filter((r) => r.operation !== 'token').map((r) => r.operation)).toEqual([
      'changes.create',
      'changes.get',
      'changes.get',
      'changes.get',
    ]);
  });

  it('asks nothing more when the change is done at once, or when not asked to wait', async () => {
    h = await startHarness({ fixture: { doneAfterPolls: 0 }, provider: { waitForDone: true } });
    await h.provider.applyChanges(h.zone, [create]);
    expect(h.fixture.count((r) => r.operation === 'changes.create')).toBe(1);
    expect(h.fixture.count((r) => r.operation === 'changes.get')).toBe(0);
    await h.close();
    h = await startHarness({ fixture: { doneAfterPolls: 5 } });
    await h.provider.applyChanges(h.zone, [create]);
    expect(h.fixture.count((r) => r.operation === 'changes.get')).toBe(0);
  });

  it('gives up after the timeout with a transient error; the change is applied all the same', async () => {
    h = await startHarness({ fixture: { doneAfterPolls: 1_000_000 }, provider: { waitForDone: { pollIntervalMs: 5, timeoutMs: 20 } } });
    const error = await providerError(h.provider.applyChanges(h.zone, [create]));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/not done after 20 ms/);
    expect(h.fixture.recordSets(h.zone.id).some((r) => r.name === 'svc.example.com.')).toBe(true);
  });

  it('a failed poll is reported like any other read, as transient', async () => {
    h = await startHarness({ fixture: { doneAfterPolls: 2 }, provider: { waitForDone: { pollIntervalMs: 1 } } });
    h.fixture.failNext(1, { operation: 'changes.get' });
    expect((await providerError(h.provider.applyChanges(h.zone, [create]))).kind).toBe('transient');
  });

  it('rejects bad wait options with a ValidationError naming the field', () => {
    expect(() => createGoogleProvider({ waitForDone: { timeoutMs: -1 } })).toThrow(/waitForDone.timeoutMs/);
    expect(() => createGoogleProvider({ waitForDone: { pollIntervalMs: Number.NaN } })).toThrow(/waitForDone.pollIntervalMs/);
    expect(() => createGoogleProvider({ waitForDone: 'yes' as unknown as boolean })).toThrow(/waitForDone/);
  });
});

describe("routing-policy record sets fedsvc does not write (another tool's)", () => {
  // Weighted round robin as Cloud DNS lists it: the answers live in the policy, not in rrdatas.
  // Fractional weights: fedsvc writes integers only, so this set is someone else's kind.
  const wrr = {
    kind: 'dns#rRSetRoutingPolicy',
    wrr: {
      kind: 'dns#rRSetRoutingPolicyWrrPolicy',
      items: [
        { weight: 0.25, rrdatas: ['198.51.100.7'] },
        { weight: 0.75, rrdatas: ['198.51.100.8'] },
      ],
    },
  };
  const held = () => h.fixture.recordSets('example-com').find((r) => r.name === 'svc.example.com.' && r.type === 'A');
  const writes = () => h.fixture.count((r) => r.operation === 'changes.create');

  beforeEach(async () => {
    h = await startHarness({ fixture: { defaultPageSize: 2 }, provider: { pageSize: 2 } });
    h.fixture.putRecordSet('example-com', { name: 'svc.example.com.', type: 'A', ttl: 60, rrdatas: [], routingPolicy: wrr });
  });

  it('are read as occupying their name, with the policy named', async () => {
    const read = (await h.provider.records(h.zone)).find((r) => r.name === 'svc.example.com.');
    expect(read).toEqual({ name: 'svc.example.com.', type: 'A', ttl: 60, rrdatas: ['ROUTED wrr'] });
  });

  it('make a reconcile report a conflict and send no change', async () => {
    h.fixture.resetRequests();
    const report = await reconcileZone({
      provider: h.provider,
      zone: h.zone,
      ownerId: 'fed-a',
      desired: [a('svc.example.com.', '192.0.2.1')],
    });
    expect(report.conflicts).toEqual([{ name: 'svc.example.com.', types: ['A'], owner: null }]);
    expect(report.changes).toEqual([]);
    expect(writes()).toBe(0);
    expect(held()?.routingPolicy).toEqual(wrr);
  });

  it('are never the source of a deletion, even at a name the federation owns', async () => {
    const marker = ownershipRecord('svc.example.com.', 'fed-a', 60, ['A']);
    h.fixture.putRecordSet('example-com', { name: marker.name, type: 'TXT', ttl: 60, rrdatas: [...marker.rrdatas] });
    h.fixture.resetRequests();
    const error = await providerError(
      reconcileZone({ provider: h.provider, zone: h.zone, ownerId: 'fed-a', desired: [a('svc.example.com.', '192.0.2.1')] }),
    );
    expect(error.kind).toBe('invalid');
    expect(error.record).toEqual({ name: 'svc.example.com.', type: 'A' });
    expect(error.message).toContain('routing-policy');
    expect(writes()).toBe(0);
    expect(held()?.routingPolicy).toEqual(wrr);
  });
});
