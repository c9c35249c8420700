import { fc, test } from '@fast-check/vitest';
import { applyChangeSet } from '@fedsvc/core/provider';
import { ProviderError, ValidationError } from '@fedsvc/core';
import type { Change, RecordSet } from '@fedsvc/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryProvider, type MemoryDnsProvider } from '../src/index.js';

const a = (label: string, ...rrdatas: string[]): RecordSet => ({ name: `${label}.example.com.`, type: 'A', ttl: 60, rrdatas });
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
