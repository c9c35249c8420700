import { fc, test } from '@fast-check/vitest';
import { applyChangeSet } from '@fedsvc/core/provider';
import { ProviderError, ValidationError } from '@fedsvc/core';
import type { Change, RecordSet } from '@fedsvc/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryProvider, type MemoryDnsProvider, type MemoryWrite } from '../src/index.js';

const a = (label: string, ...rrdatas: string[]): RecordSet => ({ name: `${label}.example.com.`, type: 'A', ttl: 60, rrdatas });
const byName = (x: RecordSet<string>, y: RecordSet<string>) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.type < y.type ? -1 : 1);
const zoneOf = (_provider: MemoryDnsProvider) => ({ id: 'z1', dnsName: 'example.com.' }) as const;

async function errorOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('zones', () => {
  it('lists zones with normalized names, default ids, SOA and NS at the apex', async () => {
    const provider = createMemoryProvider({ zones: [{ dnsName: 'Example.COM' }, { dnsName: 'example.org.', id: 'org' }] });
    expect(await provider.zones()).toEqual([
      { id: 'z1', dnsName: 'example.com.' },
      { id: 'org', dnsName: 'example.org.' },
    ]);
    expect(provider.snapshot('org').map((record) => `${record.name} ${record.type}`)).toEqual(['example.org. NS', 'example.org. SOA']);
    expect(provider.requests()).toEqual({ zones: 1, reads: 0, writes: 0, versions: 0 });
  });

  it('rejects bad options by field', () => {
    expect(() =>
      createMemoryProvider({
        zones: [
          { dnsName: 'a.', id: 'x' },
          { dnsName: 'b.', id: 'x' },
        ],
      }),
    ).toThrow(/zones\[1\]\.id/);
    expect(() => createMemoryProvider({ zones: [], pageSize: 0 })).toThrow(ValidationError);
    expect(() => createMemoryProvider({ zones: [], limits: { maxChangesPerRequest: 0 } })).toThrow(/limits\.maxChangesPerRequest/);
  });

  it('answers not-found for a zone it does not hold', async () => {
    const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com' }] });
    expect((await errorOf(provider.records({ id: 'nope', dnsName: 'example.com.' }))).kind).toBe('not-found');
    expect(
      (await errorOf(provider.applyChanges({ id: 'nope', dnsName: 'example.com.' }, [{ kind: 'create', record: a('x', '192.0.2.1') }])))
        .kind,
    ).toBe('not-found');
  });
});

describe('records', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test.prop([fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 25 })], { numRuns: 60 })(
    'reads every record set, one request per page',
    async (count, pageSize) => {
      const records = Array.from({ length: count }, (_, i) => a(`host-${i}`, `192.0.2.${i + 1}`));
      const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', records }], pageSize });
      const listed = await provider.records(zoneOf(provider));
      expect(listed).toEqual(provider.snapshot('z1'));
      expect(listed).toHaveLength(count + 2);
      expect(provider.requests().reads).toBe(Math.max(1, Math.ceil((count + 2) / pageSize)));
    },
  );

  it('reads later pages live, as a paginated API does', async () => {
    vi.useFakeTimers();
    const provider = createMemoryProvider({
      zones: [{ dnsName: 'example.com', records: [a('b', '192.0.2.2'), a('d', '192.0.2.4')] }],
      pageSize: 2,
      latencyMs: 10,
    });
    const listing = provider.records(zoneOf(provider));
    // The first page (b, d) is answered; the second request waits.
    await vi.advanceTimersByTimeAsync(10);
    expect(provider.requests().reads).toBe(2);
    provider.writeBehind('z1', [
      { kind: 'create', record: a('zz', '192.0.2.9') },
      { kind: 'create', record: a('a', '192.0.2.1') },
    ]);
    await vi.advanceTimersByTimeAsync(100);
    const names = (await listing).map((record) => record.name);
    expect(names).toContain('zz.example.com.');
    expect(names).not.toContain('a.example.com.');
    expect(names).toContain('b.example.com.');
  });
});

describe('applyChanges', () => {
  const make = (atomic: boolean) =>
    createMemoryProvider({
      zones: [{ dnsName: 'example.com', records: [a('one', '192.0.2.1'), a('two', '192.0.2.2')] }],
      limits: { atomic, maxChangesPerRequest: 4, maxRrdatasPerRequest: 6, maxRrdataCharsPerRequest: 100 },
    });

  it('creates, updates and deletes with exact matching', async () => {
    const provider = make(true);
    const zone = zoneOf(provider);
    await provider.applyChanges(zone, [
      { kind: 'create', record: a('three', '192.0.2.3') },
      { kind: 'update', before: a('one', '192.0.2.1'), record: a('one', '192.0.2.11') },
      { kind: 'delete', record: a('two', '192.0.2.2') },
    ]);
    expect(provider.snapshot(zone).filter((record) => record.type === 'A')).toEqual([a('one', '192.0.2.11'), a('three', '192.0.2.3')]);
    expect(provider.requests().writes).toBe(1);
  });

  it.each([
    ['a delete that does not match', { kind: 'delete', record: a('one', '192.0.2.99') }],
    ['an update whose before does not match', { kind: 'update', before: a('two', '192.0.2.1'), record: a('two', '192.0.2.3') }],
    ['a create of what exists', { kind: 'create', record: a('one', '192.0.2.5') }],
    [
      'a CNAME beside other data',
      { kind: 'create', record: { name: 'one.example.com.', type: 'CNAME', ttl: 60, rrdatas: ['two.example.com.'] } },
    ],
  ] as [string, Change][])('answers conflict to %s, naming the record, leaving the zone as it was', async (_, change) => {
    const provider = make(true);
    const before = provider.snapshot('z1');
    const error = await errorOf(provider.applyChanges(zoneOf(provider), [{ kind: 'create', record: a('new', '192.0.2.7') }, change]));
    expect(error.kind).toBe('conflict');
    expect(error.record).toEqual({ name: change.record.name, type: change.record.type });
    expect(provider.snapshot('z1')).toEqual(before);
  });

  it.each([
    ['no change at all', [], /at least one change/],
    ['a name outside the zone', [{ kind: 'create', record: { ...a('x', '192.0.2.1'), name: 'x.example.org.' } }], /not in zone/],
    ['an upper-case name', [{ kind: 'create', record: { ...a('x', '192.0.2.1'), name: 'X.example.com.' } }], /lower-case/],
    [
      'too many changes (updates count twice)',
      [
        { kind: 'update', before: a('one', '192.0.2.1'), record: a('one', '192.0.2.3') },
        { kind: 'update', before: a('two', '192.0.2.2'), record: a('two', '192.0.2.4') },
        { kind: 'create', record: a('x', '192.0.2.5') },
      ],
      /5 changes, more than the limit of 4/,
    ],
    ['too many rrdatas', [{ kind: 'create', record: a('x', ...Array.from({ length: 7 }, (_, i) => `192.0.2.${i}`)) }], /7 rrdatas/],
    [
      'too many characters',
      [{ kind: 'create', record: { name: 'x.example.com.', type: 'TXT', ttl: 60, rrdatas: [`"${'x'.repeat(120)}"`] } }],
      /characters/,
    ],
  ] as [string, Change[], RegExp][])('answers invalid to %s', async (_, changes, message) => {
    const provider = make(true);
    const before = provider.snapshot('z1');
    const error = await errorOf(provider.applyChanges(zoneOf(provider), changes));
    expect(error.kind).toBe('invalid');
    expect(error.message).toMatch(message);
    expect(provider.snapshot('z1')).toEqual(before);
  });

  const changeArb = fc
    .oneof(
      fc.record({
        kind: fc.constant('create' as const),
        label: fc.constantFrom('one', 'two', 'three'),
        ip: fc.integer({ min: 1, max: 3 }),
      }),
      fc.record({
        kind: fc.constant('delete' as const),
        label: fc.constantFrom('one', 'two', 'three'),
        ip: fc.integer({ min: 1, max: 3 }),
      }),
    )
    .map(({ kind, label, ip }): Change => ({ kind, record: a(label, `192.0.2.${ip}`) }));

  test.prop([fc.array(changeArb, { minLength: 1, maxLength: 4 }), fc.boolean()], { numRuns: 200 })(
    'applies all or nothing (atomic), or up to the first failure (non-atomic), as applyChangeSet says',
    async (changes, atomic) => {
      const provider = make(atomic);
      const before = provider.snapshot('z1');
      const whole = applyChangeSet(before, changes);
      const outcome = await provider.applyChanges(zoneOf(provider), changes).then(
        () => 'ok',
        (e: unknown) => e,
      );
      if (whole.ok) {
        expect(outcome).toBe('ok');
        expect(provider.snapshot('z1')).toEqual([...whole.records].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)));
      } else {
        expect((outcome as ProviderError).kind).toBe('conflict');
        const expected = atomic ? { ok: true, records: before } : applyChangeSet(before, changes.slice(0, whole.index));
        expect(expected.ok).toBe(true);
        if (expected.ok)
          expect(provider.snapshot('z1')).toEqual([...expected.records].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)));
      }
    },
  );

  test.prop([fc.array(changeArb, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.option(fc.nat(4), { nil: undefined })], {
    numRuns: 200,
  })(
    'tells onWrite exactly the changes that landed and the zone after them, once per request that applied any',
    async (changes, atomic, partial) => {
      const told: MemoryWrite[] = [];
      const provider = createMemoryProvider({
        zones: [{ dnsName: 'example.com', records: [a('one', '192.0.2.1'), a('two', '192.0.2.2')] }],
        limits: { atomic, maxChangesPerRequest: 4, maxRrdatasPerRequest: 6, maxRrdataCharsPerRequest: 100 },
        onWrite: (write) => told.push(write),
      });
      if (!atomic && partial !== undefined) provider.partialFailureNext(partial);
      const before = provider.snapshot('z1');
      const whole = applyChangeSet(before, changes);
      const stop = whole.ok ? changes.length : whole.index;
      const landed = atomic ? (whole.ok ? changes.length : 0) : Math.min(stop, partial ?? Infinity);
      await provider.applyChanges(zoneOf(provider), changes).catch(() => undefined);
      if (landed === 0) {
        expect(told).toEqual([]);
        return;
      }
      expect(told).toHaveLength(1);
      expect(told[0]!.zone).toEqual(zoneOf(provider));
      expect(told[0]!.changes).toEqual(changes.slice(0, landed));
      expect(told[0]!.records).toEqual(provider.snapshot('z1'));
      const after = applyChangeSet(before, told[0]!.changes);
      expect(after.ok && [...after.records].sort(byName)).toEqual(provider.snapshot('z1'));
    },
  );

  it('in non-atomic mode, can apply part of a request and then fail', async () => {
    const provider = make(false);
    provider.partialFailureNext(1);
    const error = await errorOf(
      provider.applyChanges(zoneOf(provider), [
        { kind: 'create', record: a('three', '192.0.2.3') },
        { kind: 'delete', record: a('one', '192.0.2.1') },
      ]),
    );
    expect(error.kind).toBe('transient');
    expect(
      provider
        .snapshot('z1')
        .filter((record) => record.type === 'A')
        .map((record) => record.name),
    ).toEqual(['one.example.com.', 'three.example.com.', 'two.example.com.']);
    expect(() => make(true).partialFailureNext(1)).toThrow(ValidationError);
  });
});

describe('zoneVersion', () => {
  it('moves with every write that lands: a request, each change of one that fails part-way, a write around the port', async () => {
    const provider = createMemoryProvider({
      zones: [{ dnsName: 'example.com' }, { dnsName: 'example.org', id: 'org' }],
      limits: { atomic: false },
    });
    const zone = zoneOf(provider);
    const versions: string[] = [await provider.zoneVersion(zone)];
    await provider.records(zone);
    expect(await provider.zoneVersion(zone)).toBe(versions[0]);
    await provider.applyChanges(zone, [{ kind: 'create', record: a('x', '192.0.2.1') }]);
    versions.push(await provider.zoneVersion(zone));
    provider.partialFailureNext(1);
    await errorOf(
      provider.applyChanges(zone, [
        { kind: 'create', record: a('y', '192.0.2.2') },
        { kind: 'create', record: a('z', '192.0.2.3') },
      ]),
    );
    versions.push(await provider.zoneVersion(zone));
    // A refused request changes nothing, and moves nothing.
    await errorOf(provider.applyChanges(zone, [{ kind: 'delete', record: a('nothing', '192.0.2.9') }]));
    expect(await provider.zoneVersion(zone)).toBe(versions[2]);
    provider.writeBehind(zone, [{ kind: 'create', record: a('w', '192.0.2.4') }]);
    versions.push(await provider.zoneVersion(zone));
    expect(new Set(versions).size).toBe(versions.length);
    // Another zone's writes leave this one's version alone.
    provider.writeBehind('org', [{ kind: 'create', record: { ...a('v'), name: 'v.example.org.', rrdatas: ['192.0.2.5'] } }]);
    expect(await provider.zoneVersion(zone)).toBe(versions[3]);
    expect((await errorOf(provider.zoneVersion({ id: 'nope', dnsName: 'nope.example.' }))).kind).toBe('not-found');
  });
});

describe('fault injection', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('throttles the next n requests of a kind, with Retry-After', async () => {
    const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com' }] });
    const zone = zoneOf(provider);
    provider.throttleNext(2, { on: 'write', retryAfterMs: 1_500 });
    await provider.records(zone);
    for (let i = 0; i < 2; i++) {
      const error = await errorOf(provider.applyChanges(zone, [{ kind: 'create', record: a('x', '192.0.2.1') }]));
      expect(error.kind).toBe('throttled');
      expect(error.retryAfterMs).toBe(1_500);
    }
    await provider.applyChanges(zone, [{ kind: 'create', record: a('x', '192.0.2.1') }]);
    expect(provider.requests()).toEqual({ zones: 0, reads: 1, writes: 3, versions: 0 });
    expect(provider.snapshot(zone).some((record) => record.name === 'x.example.com.')).toBe(true);
  });

  it("a fault for any request leaves zoneVersion alone; one armed for 'version' hits it", async () => {
    const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com' }] });
    const zone = zoneOf(provider);
    provider.failNext(1);
    expect(await provider.zoneVersion(zone)).toBe('0');
    expect((await errorOf(provider.records(zone))).kind).toBe('transient');
    provider.failNext(1, { on: 'version' });
    await provider.records(zone);
    expect((await errorOf(provider.zoneVersion(zone))).kind).toBe('transient');
    expect(provider.requests()).toEqual({ zones: 0, reads: 2, writes: 0, versions: 2 });
  });

  it('fails the n-th request, and the next n', async () => {
    const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com' }] });
    const zone = zoneOf(provider);
    provider.failCall(3);
    await provider.zones();
    await provider.records(zone);
    expect((await errorOf(provider.records(zone))).kind).toBe('transient');
    await provider.records(zone);
    provider.failNext(2, { on: 'read' });
    await provider.zones();
    expect((await errorOf(provider.records(zone))).kind).toBe('transient');
    expect((await errorOf(provider.records(zone))).kind).toBe('transient');
    await provider.records(zone);
    provider.failNext(1);
    provider.clearFaults();
    await provider.zones();
  });

  it('answers after the configured latency', async () => {
    vi.useFakeTimers();
    const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com' }], latencyMs: 50 });
    let answered = false;
    const listing = provider.zones().then(() => {
      answered = true;
    });
    await vi.advanceTimersByTimeAsync(49);
    expect(answered).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await listing;
    expect(answered).toBe(true);
  });

  it('times out: answers transient after the wait, having read or written nothing', async () => {
    vi.useFakeTimers();
    const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com' }] });
    const zone = zoneOf(provider);
    provider.timeoutNext(1, { on: 'write', afterMs: 5_000 });
    await provider.records(zone);
    let settled = false;
    const write = errorOf(provider.applyChanges(zone, [{ kind: 'create', record: a('x', '192.0.2.1') }])).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await write;
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/timed out after 5000 ms/);
    expect(provider.snapshot(zone).some((record) => record.name === 'x.example.com.')).toBe(false);
    expect(() => provider.timeoutNext(1, { afterMs: -1 })).toThrow(/afterMs/);
  });

  it('answers conflict to the next n change requests without writing, and lets reads through', async () => {
    const told: MemoryWrite[] = [];
    const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com' }], onWrite: (write) => told.push(write) });
    const zone = zoneOf(provider);
    provider.conflictNext(2);
    await provider.records(zone);
    for (let i = 0; i < 2; i++) {
      expect((await errorOf(provider.applyChanges(zone, [{ kind: 'create', record: a('x', '192.0.2.1') }]))).kind).toBe('conflict');
    }
    expect(told).toEqual([]);
    await provider.applyChanges(zone, [{ kind: 'create', record: a('x', '192.0.2.1') }]);
    expect(told.map((write) => write.changes.length)).toEqual([1]);
  });

  it('loses the answer of an applied request: the zone holds it, onWrite is told, the caller gets transient after the wait', async () => {
    vi.useFakeTimers();
    const told: MemoryWrite[] = [];
    const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com' }], onWrite: (write) => told.push(write) });
    const zone = zoneOf(provider);
    provider.loseAnswerNext(2, { afterMs: 100 });
    const change: Change = { kind: 'create', record: a('x', '192.0.2.1') };
    const first = errorOf(provider.applyChanges(zone, [change]));
    await vi.advanceTimersByTimeAsync(100);
    expect((await first).kind).toBe('transient');
    expect(provider.snapshot(zone)).toContainEqual(a('x', '192.0.2.1'));
    expect(told.map((write) => write.changes)).toEqual([[change]]);
    // Retried as is, the request finds its own record: the provider's own answer, not the lost one.
    const second = errorOf(provider.applyChanges(zone, [change]));
    await vi.advanceTimersByTimeAsync(100);
    expect((await second).kind).toBe('conflict');
    await provider.applyChanges(zone, [{ kind: 'delete', record: a('x', '192.0.2.1') }]);
    expect(told).toHaveLength(2);
  });

  it('calls betweenPages between the pages of a listing, where a write shows in the later pages only', async () => {
    const pages: number[] = [];
    const provider: MemoryDnsProvider = createMemoryProvider({
      zones: [{ dnsName: 'example.com', records: [a('b', '192.0.2.2'), a('d', '192.0.2.4'), a('f', '192.0.2.6')] }],
      pageSize: 2,
      betweenPages: (zone, page) => {
        pages.push(page);
        if (page === 1)
          provider.writeBehind(zone, [
            { kind: 'create', record: a('a', '192.0.2.1') },
            { kind: 'delete', record: a('f', '192.0.2.6') },
            { kind: 'create', record: a('g', '192.0.2.7') },
          ]);
      },
    });
    // b, d | example.com. NS, SOA | f: the write between the first two pages lands on both sides.
    const names = (await provider.records(zoneOf(provider))).map((record) => `${record.name} ${record.type}`);
    expect(names).toEqual(['b.example.com. A', 'd.example.com. A', 'example.com. NS', 'example.com. SOA', 'g.example.com. A']);
    expect(pages).toEqual([1, 2]);
    pages.length = 0;
    const single = createMemoryProvider({ zones: [{ dnsName: 'example.com' }], betweenPages: (_, page) => pages.push(page) });
    await single.records(zoneOf(single));
    expect(pages).toEqual([]);
  });

  it('writes behind the port without counting, limits or exact matching', async () => {
    const provider = createMemoryProvider({
      zones: [{ dnsName: 'example.com', records: [a('one', '192.0.2.1')] }],
      limits: { maxChangesPerRequest: 1 },
    });
    provider.writeBehind('z1', [
      { kind: 'update', before: a('one', '203.0.113.1'), record: a('one', '192.0.2.9') },
      { kind: 'create', record: a('two', '192.0.2.2') },
      { kind: 'delete', record: a('nothing', '192.0.2.3') },
    ]);
    expect(provider.snapshot('z1').filter((record) => record.type === 'A')).toEqual([a('one', '192.0.2.9'), a('two', '192.0.2.2')]);
    expect(provider.requests()).toEqual({ zones: 0, reads: 0, writes: 0, versions: 0 });
  });
});
