// reconcileZone keeps ownership true on the reference provider when others write at our names:
// a racing TXT, and a listing torn by a deletion between its pages.
import { ownershipRecord, reconcileZone, type DnsProvider, type RecordSet } from '@fedsvc/core';
import { describe, expect, it } from 'vitest';
import { createMemoryProvider } from '../src/index.js';

const OWNER = 'fed-a';
const a: RecordSet = { name: 'w.example.com.', type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] };
const spf: RecordSet = { name: a.name, type: 'TXT', ttl: 300, rrdatas: ['"v=spf1 -all"'] };

const memory = () => createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'z' }], pageSize: 1 });
const ZONE = { id: 'z', dnsName: 'example.com.' };
const beyondApex = (records: readonly RecordSet<string>[]) => records.filter((record) => record.name !== ZONE.dnsName);

describe('ownership on the memory provider', () => {
  it("someone's TXT added at a free name while our write was planned from a cached view stays theirs for good", async () => {
    const provider = memory();
    const cached = await provider.records(ZONE);
    provider.writeBehind(ZONE, [{ kind: 'create', record: spf }]);
    // The in-flight write, planned from the cached view: it creates our A set beside their TXT.
    await reconcileZone({ provider, zone: ZONE, desired: [a], ownerId: OWNER, current: cached });
    // A full resync, then the service's deletion: their TXT is never ours to remove.
    const resync = await reconcileZone({ provider, zone: ZONE, desired: [a], ownerId: OWNER });
    expect(resync.changes).toEqual([]);
    expect(beyondApex(provider.snapshot(ZONE))).toContainEqual(spf);
    await reconcileZone({ provider, zone: ZONE, desired: [], ownerId: OWNER });
    expect(beyondApex(provider.snapshot(ZONE))).toEqual([spf]);
  });

  it('a listing torn by a deletion between its pages never leaves a record set of ours without its marker', async () => {
    const provider = memory();
    await reconcileZone({ provider, zone: ZONE, desired: [a], ownerId: OWNER });
    const marker = ownershipRecord(a.name, OWNER, 180, ['A']);
    let torn = false;
    // The page holding the marker is read before someone deletes the A set and its marker, the page holding the A set after.
    const tearing: DnsProvider = {
      name: provider.name,
      limits: provider.limits,
      zones: () => provider.zones(),
      applyChanges: (zone, changes) => provider.applyChanges(zone, changes),
      records: async (zone) => {
        const listing = await provider.records(zone);
        if (torn) return listing;
        torn = true;
        provider.writeBehind(zone, [
          { kind: 'delete', record: a },
          { kind: 'delete', record: marker },
        ]);
        return listing.filter((record) => record.name !== a.name);
      },
    };
    const report = await reconcileZone({ provider: tearing, zone: ZONE, desired: [a], ownerId: OWNER });
    expect(report.replans).toBe(1);
    expect(beyondApex(provider.snapshot(ZONE))).toEqual([marker, a]);
    await reconcileZone({ provider, zone: ZONE, desired: [], ownerId: OWNER });
    expect(beyondApex(provider.snapshot(ZONE))).toEqual([]);
  });
});
