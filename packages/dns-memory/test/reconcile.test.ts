// reconcileZone against the reference provider: the guide's service, and faults that only the
// memory provider can stage (partial writes, rejected record sets, Retry-After).
import {
  diffRecords,
  normalizeName,
  ownershipRecord,
  ownershipSubject,
  planServiceRecords,
  ProviderError,
  reconcileZone,
  ValidationError,
  type Change,
  type DnsProvider,
  type RecordSet,
  type ReconcileOptions,
} from '@fedsvc/core';
import { guideClusters, guideFederation, guideService, guideShards } from '@fedsvc/core/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryProvider, type MemoryDnsProvider } from '../src/index.js';

const ZONE = { id: 'z1', dnsName: 'example.com.' } as const;
const memory = (atomic = true): MemoryDnsProvider =>
  createMemoryProvider({
    zones: [{ dnsName: 'example.com' }],
    limits: { atomic, maxChangesPerRequest: 8 },
    pageSize: 10,
  });
const sleeps: number[] = [];
const reconcile = (provider: MemoryDnsProvider, desired: readonly RecordSet[], extra: Partial<ReconcileOptions> = {}) =>
  reconcileZone({
    provider,
    zone: ZONE,
    desired,
    ownerId: 'guide',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
const ours = (provider: MemoryDnsProvider) => provider.snapshot(ZONE).filter((record) => record.type !== 'SOA' && record.type !== 'NS');

describe('reconcileZone on the memory provider', () => {
  it("converges the guide's nginx records, then re-converges with no write and one paged read", async () => {
    const provider = memory();
    const desired = planServiceRecords({
      federation: guideFederation,
      service: guideService,
      clusters: guideClusters,
      shards: guideShards,
    });
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
    const none = planServiceRecords({
      federation: guideFederation,
      service: guideService,
      clusters: guideClusters,
      shards: guideShards.map((shard) => ({ ...shard, readyEndpoints: 0 })),
    });
    expect(none).toEqual([]);
    await reconcile(provider, none);
    expect(ours(provider)).toEqual([]);
  });

  it('refuses a provider that applies requests change by change, before any request, whatever faults are armed', async () => {
    const provider = memory(false);
    const desired = planServiceRecords({
      federation: guideFederation,
      service: guideService,
      clusters: guideClusters,
      shards: guideShards,
    });
    // Applied in part, a request could leave a marker naming a type that someone else then writes.
    provider.partialFailureNext(1);
    const error = await reconcile(provider, desired).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'provider.limits.atomic', value: false });
    expect(provider.requests()).toEqual({ zones: 0, reads: 0, writes: 0, versions: 0 });
    expect(ours(provider)).toEqual([]);
  });

  it('isolates the record set the provider rejects and writes the others', async () => {
    const provider = memory();
    const desired: RecordSet[] = Array.from({ length: 12 }, (_, i) => ({
      name: `host-${i}.example.com.`,
      type: 'A',
      ttl: 60,
      rrdatas: [`192.0.2.${i + 1}`],
    }));
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
    const healthy = planServiceRecords({
      federation: guideFederation,
      service: guideService,
      clusters: guideClusters,
      shards: guideShards,
    });
    const first = await reconcile(provider, healthy);
    expect(first.read).toBeDefined();
    expect(first.records).toEqual(expect.arrayContaining(ours(provider)));

    const zoneDown = planServiceRecords({
      federation: guideFederation,
      service: guideService,
      clusters: guideClusters,
      shards: guideShards.map((shard) => (shard.cluster === 'gce-us-central1-a' ? { ...shard, readyEndpoints: 0 } : shard)),
    });
    const before = provider.requests();
    const second = await reconcile(provider, zoneDown, { current: first.records! });
    expect(provider.requests().reads).toBe(before.reads);
    expect(second.read).toBeUndefined();
    expect(second.changes.length).toBeGreaterThan(0);
    // What the pass says the zone holds is what it holds.
    expect(second.records!.filter((record) => record.type !== 'SOA' && record.type !== 'NS').sort(byName)).toEqual(
      ours(provider).sort(byName),
    );

    // Someone changes a record the next pass rewrites (the global set gets us-central1-a back);
    // a pass working from the old picture must not overwrite it blindly.
    const victim = ours(provider).find((record) => record.name === healthy[0]!.name && record.type === 'A');
    provider.writeBehind(ZONE, [{ kind: 'update', before: victim!, record: { ...victim!, rrdatas: ['192.0.2.250'] } } as Change]);
    const third = await reconcile(provider, healthy, { current: second.records! });
    expect(third.replans).toBe(1);
    expect(third.read).toBeDefined();
    expect(
      ours(provider)
        .filter((record) => record.type !== 'TXT')
        .sort(byName),
    ).toEqual([...healthy].sort(byName));
  });
});

const byName = (a: RecordSet<string>, b: RecordSet<string>): number => (`${a.name} ${a.type}` < `${b.name} ${b.type}` ? -1 : 1);

// ---- record sets too large for one request; names as the provider spells them ----

/** Every CNAME points at a name that holds something, names compared as DNS compares them. */
function danglingCnames(records: readonly RecordSet<string>[]): string[] {
  const names = new Set(records.map((record) => normalizeName(record.name)));
  return records
    .filter((record) => record.type === 'CNAME' && !names.has(normalizeName(record.rrdatas[0]!)))
    .map((record) => `${record.name} → ${record.rrdatas[0]}`);
}

const addresses = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}.${i >> 8}.${i & 255}`);

describe('reconcileZone on the memory provider: oversized record sets and provider spellings', () => {
  it('a name whose changes cannot fit one request is reported, not sent; every other name converges and no CNAME dangles', async () => {
    const marker = (n: string, type = 'A') => ownershipRecord(n, 'guide', 60, [type]);
    const provider = createMemoryProvider({
      zones: [
        {
          dnsName: 'example.com',
          records: [
            // The global set: 600 addresses updated to 600 others is 1,200 rrdatas in one request (limit 1,000).
            { name: 'global.example.com.', type: 'A', ttl: 60, rrdatas: addresses('10.1', 600) },
            marker('global.example.com.'),
            // old moves from a CNAME to an A set of 1,000 addresses: 1,001 rrdatas; its CNAME stays, so target must stay.
            { name: 'old.example.com.', type: 'CNAME', ttl: 60, rrdatas: ['target.example.com.'] },
            marker('old.example.com.', 'CNAME'),
            { name: 'target.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] },
            marker('target.example.com.'),
            { name: 'gone.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.2'] },
            marker('gone.example.com.'),
          ],
        },
      ],
    });
    const writes: string[] = [];
    const applyChanges = provider.applyChanges.bind(provider);
    provider.applyChanges = async (zone, changes) => {
      await applyChanges(zone, changes);
      writes.push(...danglingCnames(provider.snapshot(ZONE)));
    };
    const hosts: RecordSet[] = Array.from({ length: 12 }, (_, i) => ({
      name: `host-${i}.example.com.`,
      type: 'A',
      ttl: 60,
      rrdatas: [`192.0.2.${i + 10}`],
    }));
    const desired: RecordSet[] = [
      { name: 'global.example.com.', type: 'A', ttl: 60, rrdatas: addresses('10.2', 600) },
      { name: 'old.example.com.', type: 'A', ttl: 60, rrdatas: addresses('10.3', 1_000) },
      ...hosts,
      { name: 'www.example.com.', type: 'CNAME', ttl: 60, rrdatas: ['host-1.example.com.'] },
    ];
    for (let pass = 0; pass < 2; pass++) {
      const error = await reconcile(provider, desired).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).kind).toBe('invalid');
      const message = (error as ProviderError).message;
      // 600 addresses on each side of the update, and the marker rewritten as read (both sides).
      expect(message).toMatch(/global\.example\.com\. A \(.*1202 rrdatas.*1000/);
      // 1,000 addresses, the CNAME deleted, and the marker rewritten to name the A set instead (an update: both sides).
      expect(message).toMatch(/old\.example\.com\. A \(.*1003 rrdatas.*1000/);
      expect((error as ProviderError).record).toEqual({ name: 'global.example.com.', type: 'A' });
      const held = ours(provider);
      for (const record of [...hosts, desired.at(-1)!])
        expect(held).toContainEqual(expect.objectContaining({ name: record.name, type: record.type, rrdatas: record.rrdatas }));
      expect(held.some((record) => record.name === 'gone.example.com.')).toBe(false);
      // Neither oversized set was touched; old still points at target, so target stays.
      expect(held.find((record) => record.name === 'global.example.com.' && record.type === 'A')?.rrdatas).toEqual(addresses('10.1', 600));
      expect(held.find((record) => record.name === 'old.example.com.')).toMatchObject({ type: 'CNAME', rrdatas: ['target.example.com.'] });
      expect(held.some((record) => record.name === 'target.example.com.' && record.type === 'A')).toBe(true);
      expect(writes).toEqual([]);
    }
    // Nothing but the two oversized names is left to do.
    const left = diffRecords(provider.snapshot(ZONE), desired, { ownerId: 'guide' }).changes.map((change) =>
      ownershipSubject(change.record.name),
    );
    expect(new Set(left)).toEqual(new Set(['global.example.com.', 'old.example.com.', 'target.example.com.']));
  });

  it.each([false, true])(
    'a provider that spells names its own way (upper case, no trailing dot): a name switched from A to CNAME never dangles a CNAME between requests (scoped: %s)',
    async (scoped) => {
      const marker = (n: string, type = 'A') => ownershipRecord(n, 'guide', 60, [type]);
      const memoryZone = createMemoryProvider({
        zones: [
          {
            dnsName: 'example.com',
            records: [
              { name: 'lb.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] },
              marker('lb.example.com.'),
              { name: 'web.r1.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.2'] },
              marker('web.r1.example.com.'),
              { name: 'x.example.com.', type: 'CNAME', ttl: 60, rrdatas: ['web.r1.example.com.'] },
              marker('x.example.com.', 'CNAME'),
            ],
          },
        ],
        // A switch from A to CNAME: the A set deleted, the CNAME created, the marker rewritten (two).
        limits: { maxChangesPerRequest: 4 },
      });
      const dangling: string[][] = [];
      // The provider lists names upper-cased without the trailing dot, and matches names as DNS does (case-insensitively).
      const spell = (n: string) => n.toUpperCase().replace(/\.$/, '');
      const respelled = <T extends RecordSet<string>>(record: T): T => ({ ...record, name: normalizeName(record.name) });
      const provider: DnsProvider = {
        name: 'shouting',
        limits: memoryZone.limits,
        zones: () => memoryZone.zones(),
        records: async (zone) => (await memoryZone.records(zone)).map((record) => ({ ...record, name: spell(record.name) })),
        applyChanges: async (zone, changes) => {
          await memoryZone.applyChanges(
            zone,
            changes.map((change) =>
              change.kind === 'update'
                ? { ...change, before: respelled(change.before), record: respelled(change.record) }
                : { ...change, record: respelled(change.record) },
            ),
          );
          dangling.push(danglingCnames(memoryZone.snapshot(ZONE)));
        },
      };
      const desired: RecordSet[] = [
        { name: 'a.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.3'] },
        { name: 'lb.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] },
        { name: 'web.r1.example.com.', type: 'CNAME', ttl: 60, rrdatas: ['lb.example.com.'] },
        { name: 'x.example.com.', type: 'CNAME', ttl: 60, rrdatas: ['web.r1.example.com.'] },
      ];
      // The controller scopes a pass to its names; markers are read upper-cased too.
      const names = new Set(desired.map((record) => record.name));
      const report = await reconcileZone({
        provider,
        zone: ZONE,
        desired,
        ownerId: 'guide',
        random: () => 0.5,
        scope: scoped ? (n: string) => names.has(n) : undefined,
      });
      expect(report.conflicts).toEqual([]);
      expect(dangling.length).toBeGreaterThan(1);
      expect(dangling.flat()).toEqual([]);
      expect(diffRecords(memoryZone.snapshot(ZONE), desired, { ownerId: 'guide' }).changes).toEqual([]);
    },
  );
});

describe('what a pass reports it wrote', () => {
  it('keeps the changes of the first half of a split request when the second half meets a conflict and the pass re-reads', async () => {
    const inner = createMemoryProvider({ zones: [{ dnsName: 'example.com' }] });
    let calls = 0;
    const provider: DnsProvider = {
      name: inner.name,
      limits: inner.limits,
      zones: () => inner.zones(),
      records: (zone) => inner.records(zone),
      applyChanges: async (zone, changes) => {
        calls++;
        if (calls === 1) throw new ProviderError(inner.name, 'invalid', 'refused, without saying which');
        if (calls === 3) throw new ProviderError(inner.name, 'conflict', 'changed under us');
        return inner.applyChanges(zone, changes);
      },
    };
    const desired: RecordSet[] = [0, 1, 2, 3].map((i) => ({ name: `n${i}.example.com.`, type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] }));
    const report = await reconcileZone({ provider, zone: ZONE, desired, ownerId: 'me', sleep: async () => {}, random: () => 0.5 });
    expect(report.replans).toBe(1);
    const written = new Set(report.changes.map((c) => `${c.kind} ${c.record.name} ${c.record.type}`));
    for (const record of desired) expect(written.has(`create ${record.name} A`), record.name).toBe(true);
    expect(report.changes).toHaveLength(8);
  });
});
