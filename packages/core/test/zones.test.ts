import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ProviderError, ValidationError } from '../src/errors.js';
import type { DnsProvider, DnsZone } from '../src/types.js';
import { AmbiguousZoneError, findZone } from '../src/zone/find-zone.js';

// A provider that only lists zones: findZone needs nothing else.
function listing(zones: readonly DnsZone[]): DnsProvider & { calls: number } {
  const provider = {
    name: 'listing',
    limits: { maxChangesPerRequest: 1, maxRrdatasPerRequest: 1, maxRrdataCharsPerRequest: 1, atomic: true },
    calls: 0,
    async zones() {
      provider.calls++;
      return zones;
    },
    async records() {
      throw new Error('not used');
    },
    async applyChanges() {
      throw new Error('not used');
    },
  };
  return provider;
}

const zones: DnsZone[] = [
  { id: 'Z1', dnsName: 'example.com.' },
  { id: 'Z2', dnsName: 'example.org.' },
  { id: 'Z3', dnsName: 'example.org.' },
];

describe('findZone', () => {
  it('finds by DNS name in any case, with or without the dot, in one listing', async () => {
    const provider = listing(zones);
    await expect(findZone(provider, { dnsName: 'EXAMPLE.com' })).resolves.toEqual(zones[0]);
    await expect(findZone(provider, { dnsName: 'example.com.' })).resolves.toEqual(zones[0]);
    expect(provider.calls).toBe(2);
  });

  it('finds by id, also among zones that share a name', async () => {
    await expect(findZone(listing(zones), { id: 'Z3' })).resolves.toEqual(zones[2]);
  });

  it('says which ids to pick from when a name is ambiguous', async () => {
    const error = await findZone(listing(zones), { dnsName: 'Example.org' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousZoneError);
    expect((error as AmbiguousZoneError).candidates).toEqual(['Z2', 'Z3']);
    expect((error as AmbiguousZoneError).message).toMatch(/example\.org\..*Z2, Z3.*by id/);
  });

  it('answers not-found naming what was looked for', async () => {
    const byName = await findZone(listing(zones), { dnsName: 'nope.example' }).then(
      () => undefined,
      (e: unknown) => e as ProviderError,
    );
    expect(byName).toBeInstanceOf(ProviderError);
    if (!byName) return;
    expect(byName.kind).toBe('not-found');
    expect(byName.message).toContain('nope.example.');
    const byId = await findZone(listing(zones), { id: 'Z9' }).then(
      () => undefined,
      (e: unknown) => e as ProviderError,
    );
    expect(byId?.kind).toBe('not-found');
    expect(byId?.message).toContain('"Z9"');
  });

  it('rejects an empty selector before asking the provider', async () => {
    const provider = listing(zones);
    await expect(findZone(provider, { dnsName: '' })).rejects.toThrow(ValidationError);
    await expect(findZone(provider, { id: ' Z1' })).rejects.toThrow(/zone\.id/);
    expect(provider.calls).toBe(0);
  });

  const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
  test.prop([
    fc.uniqueArray(fc.tuple(label, label), { minLength: 1, maxLength: 8, selector: ([a, b]) => `${a}.${b}` }),
    fc.nat(),
    fc.boolean(),
  ])('a unique name is found whatever its case or dot', async (names, pick, upper) => {
    const all = names.map(([a, b], i) => ({ id: `id${i}`, dnsName: `${a}.${b}.` }));
    const index = pick % all.length;
    const wanted = all[index]!;
    const query = upper ? wanted.dnsName.toUpperCase().slice(0, -1) : wanted.dnsName;
    await expect(findZone(listing(all), { dnsName: query })).resolves.toEqual(wanted);
  });
});
