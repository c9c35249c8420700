// A provider's listing is input too: a malformed record set in it is a ProviderError of kind
// `invalid` naming the record set, from diffRecords and from reconcileZone, and nothing is written.
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ProviderError } from '../src/errors.js';
import { diffRecords } from '../src/zone/diff.js';
import { reconcileZone } from '../src/zone/reconcile.js';
import type { DnsProvider, RecordSet } from '../src/types.js';

const record = fc.record({
  name: fc.constantFrom('www.example.com.', 'a.example.com', '_fedsvc.b.example.com.', 'b.example.com.'),
  type: fc.constantFrom('A', 'TXT', 'MX'),
  ttl: fc.integer({ min: 0, max: 86400 }),
  rrdatas: fc.array(fc.constantFrom('192.0.2.1', '"heritage=fedsvc,owner=x"', '10 mx.example.com.'), { minLength: 1, maxLength: 2 }),
});

/** Ways a provider may break a record set. */
const corruption = fc.constantFrom<[string, (r: RecordSet<string>) => unknown]>(
  ['no name', ({ name: _, ...r }) => r],
  ['a name that is a number', (r) => ({ ...r, name: 42 })],
  ['no type', ({ type: _, ...r }) => r],
  ['a TTL that is a string', (r) => ({ ...r, ttl: '300' })],
  ['a TTL that is NaN', (r) => ({ ...r, ttl: Number.NaN })],
  ['a negative TTL', (r) => ({ ...r, ttl: -1 })],
  ['rrdatas that are a string', (r) => ({ ...r, rrdatas: '192.0.2.1' })],
  ['rrdatas holding a number', (r) => ({ ...r, rrdatas: [1] })],
  ['null', () => null],
);

const listing = fc.tuple(fc.array(record, { minLength: 1, maxLength: 20 }), fc.nat(), corruption).map(([records, at, [what, corrupt]]) => {
  const i = at % records.length;
  const broken = records.map((r, k) => (k === i ? corrupt(r) : r)) as RecordSet<string>[];
  return { broken, i, what, original: records[i]! };
});

const desired: RecordSet[] = [{ name: 'c.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.9'] }];

function expectNamed(error: unknown, i: number, original: RecordSet<string>, broken: unknown): void {
  expect(error).toBeInstanceOf(ProviderError);
  expect((error as ProviderError).kind).toBe('invalid');
  expect((error as ProviderError).message).toContain(`record set [${i}]`);
  const named = (error as ProviderError).record!;
  const name = (broken as { name?: unknown } | null)?.name;
  expect(named.name).toBe(typeof name === 'string' ? original.name : `[${i}]`);
}

describe('a malformed listing', () => {
  test.prop([listing])('diffRecords: a ProviderError of kind invalid naming the record set', ({ broken, i, original }) => {
    try {
      diffRecords(broken, desired, { ownerId: 'x' });
      expect.unreachable('a ProviderError');
    } catch (error) {
      expectNamed(error, i, original, broken[i]);
    }
  });

  test.prop([listing], { numRuns: 30 })('reconcileZone: the same, and nothing is written', async ({ broken, i, original }) => {
    const memory = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'z' }] });
    let writes = 0;
    const provider: DnsProvider = {
      name: 'broken',
      limits: memory.limits,
      zones: () => memory.zones(),
      records: async () => broken,
      applyChanges: async (zone, changes) => {
        writes++;
        await memory.applyChanges(zone, changes);
      },
    };
    const zone = { id: 'z', dnsName: 'example.com.' };
    const error = await reconcileZone({ provider, zone, desired, ownerId: 'x', sleep: async () => {} }).catch((e: unknown) => e);
    expectNamed(error, i, original, broken[i]);
    expect((error as ProviderError).provider).toBe('broken');
    expect(writes).toBe(0);
  });

  test('a listing that is not a list', () => {
    for (const bad of [null, {}, 'records'])
      expect(() => diffRecords(bad as never, desired, { ownerId: 'x' })).toThrow(expect.objectContaining({ kind: 'invalid' }));
  });
});
