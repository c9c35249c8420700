// reconcileZone against the reference provider: the guide's service, and faults that only the
// memory provider can stage (partial writes, rejected record sets, Retry-After).
import { planServiceRecords, ProviderError, reconcileZone, type Change, type RecordSet, type ReconcileOptions } from '@fedsvc/core';
import { guideClusters, guideFederation, guideService, guideShards } from '@fedsvc/core/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryProvider, type MemoryDnsProvider } from '../src/index.js';

const ZONE = { id: 'z1', dnsName: 'example.com.' } as const;
const memory = (atomic = true): MemoryDnsProvider => createMemoryProvider({
  zones: [{ dnsName: 'example.com' }],
  limits: { atomic, maxChangesPerRequest: 8 },
  pageSize: 10,
});
const sleeps: number[] = [];
const reconcile = (provider: MemoryDnsProvider, desired: readonly RecordSet[], extra: Partial<ReconcileOptions> = {}) =>
  reconcileZone({ provider, zone: ZONE, desired, ownerId: 'guide', sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5, ...extra });
const ours = (provider: MemoryDnsProvider) => provider.snapshot(ZONE).filter((record) => record.type !== 'SOA' && record.type !== 'NS');

describe('reconcileZone on the memory provider', () => {
  it("converges the guide's nginx records, then re-converges with no write and one paged read", async () => {
    const provider = memory();
    const desired = planServiceRecords({ federation: guideFederation, service: guideService, clusters: guideClusters, shards: guideShards });
    const first = await reconcile(provider, desired);
    expect(first.writes).toBeGreaterThan(1);
    const held = ours(provider);
    for (const record of desired) expect(held).toContainEqual(expect.objectContaining({ name: record.name, type: record.type }));
    const before = provider.requests();
    const second = await reconcile(provider, desired);
    expect(second.changes).toEqual([]);
    expect(provider.requests().writes).toBe(before.writes);
    expect(provider.requests().reads - before.reads).toBe(Math.ceil(provider.snapshot(ZONE).length / provider.pageSize));
    // Every shard gone unhealthy: nothing at all stays behind, CNAMEs included.
    const none = planServiceRecords({ federation: guideFederation, service: guideService, clusters: guideClusters,
      shards: guideShards.map((shard) => ({ ...shard, readyEndpoints: 0 })) });
    expect(none).toEqual([]);
    await reconcile(provider, none);
    expect(ours(provider)).toEqual([]);
  });

  it('repairs a partly applied request (non-atomic) by re-reading, in the same pass', async () => {
    const provider = memory(false);
    const desired = planServiceRecords({ federation: guideFederation, service: guideService, clusters: guideClusters, shards: guideShards });
    provider.partialFailureNext(3);
    const report = await reconcile(provider, desired);
    expect(report.retries).toBe(1);
    expect(report.replans).toBe(1);
    expect((await reconcile(provider, desired)).changes).toEqual([]);
  });

  it('leaves a partly applied request for the next pass when retries run out', async () => {
    const provider = memory(false);
    const desired = planServiceRecords({ federation: guideFederation, service: guideService, clusters: guideClusters, shards: guideShards });
    provider.partialFailureNext(5);
    // The two retries of that request fail too.
    provider.failCall(2, { on: 'write' });
    provider.failCall(3, { on: 'write' });
    const error = await reconcile(provider, desired, { retry: { maxAttempts: 3 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).attempts).toBe(3);
    expect(ours(provider).length).toBeGreaterThan(0);
    await reconcile(provider, desired);
    expect((await reconcile(provider, desired)).changes).toEqual([]);
  });

  it('isolates the record set the provider rejects and writes the others', async () => {
    const provider = memory();
    const desired: RecordSet[] = Array.from({ length: 12 }, (_, i) => ({ name: `host-${i}.example.com.`, type: 'A', ttl: 60, rrdatas: [`192.0.2.${i + 1}`] }));
    desired.push({ name: 'bad.example.com.', type: 'CNAME', ttl: 60, rrdatas: ['host-1.example.com.', 'host-2.example.com.'] });
    const error = await reconcile(provider, desired).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('invalid');
    expect((error as ProviderError).record).toEqual({ name: 'bad.example.com.', type: 'CNAME' });
    expect((error as ProviderError).message).toMatch(/bad\.example\.com\. CNAME.*exactly one rrdata/);
    const names = new Set(ours(provider).map((record) => record.name));
    for (const record of desired.slice(0, 12)) expect(names).toContain(record.name);
    expect(names).not.toContain('bad.example.com.');
  });

  it("waits at least the provider's Retry-After", async () => {
    const provider = memory();
    sleeps.length = 0;
    provider.throttleNext(1, { on: 'write', retryAfterMs: 5_000 });
    const report = await reconcile(provider, [{ name: 'a.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] }]);
    expect(report.retries).toBe(1);
    expect(sleeps).toEqual([5_000]);
  });

  it('a pass given what the zone holds reads nothing; given an outdated picture, the conflict makes it re-read', async () => {
    const provider = memory();
    const healthy = planServiceRecords({ federation: guideFederation, service: guideService, clusters: guideClusters, shards: guideShards });
    const first = await reconcile(provider, healthy);
    expect(first.read).toBeDefined();
    expect(first.records).toEqual(expect.arrayContaining(ours(provider)));

    const zoneDown = planServiceRecords({ federation: guideFederation, service: guideService, clusters: guideClusters,
      shards: guideShards.map((shard) => (shard.cluster === 'gce-us-central1-a' ? { ...shard, readyEndpoints: 0 } : shard)) });
    const before = provider.requests();
    const second = await reconcile(provider, zoneDown, { current: first.records! });
    expect(provider.requests().reads).toBe(before.reads);
    expect(second.read).toBeUndefined();
    expect(second.changes.length).toBeGreaterThan(0);
    // What the pass says the zone holds is what it holds.
    expect(second.records!.filter((record) => record.type !== 'SOA' && record.type !== 'NS').sort(byName)).toEqual(ours(provider).sort(byName));

    // Someone changes a record the next pass rewrites (the global set gets us-central1-a back);
    // a pass working from the old picture must not overwrite it blindly.
    const victim = ours(provider).find((record) => record.name === healthy[0]!.name && record.type === 'A');
    provider.writeBehind(ZONE, [{ kind: 'update', before: victim!, record: { ...victim!, rrdatas: ['192.0.2.250'] } } as Change]);
    const third = await reconcile(provider, healthy, { current: second.records! });
    expect(third.replans).toBe(1);
    expect(third.read).toBeDefined();
    expect(ours(provider).filter((record) => record.type !== 'TXT').sort(byName)).toEqual([...healthy].sort(byName));
  });
});

const byName = (a: RecordSet<string>, b: RecordSet<string>): number => (`${a.name} ${a.type}` < `${b.name} ${b.type}` ? -1 : 1);
