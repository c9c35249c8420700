// readInterval: a zone's full reads spread to use at most `listingShare` of the account's
// `requestsPerSecond`, judged from the pages the zone's last full read took. Real SDK, wire-level fixture.
import { ValidationError } from '@fedsvc/core';
import { fc, it as property } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoute53Provider } from '../src/index.js';
import { type Harness, startHarness } from './helpers.js';

const started: Harness[] = [];
async function start(options: Parameters<typeof startHarness>[0]): Promise<Harness> {
  const harness = await startHarness(options);
  started.push(harness);
  return harness;
}
afterEach(async () => {
  for (const harness of started.splice(0)) await harness.close();
});

function fill(h: Harness, zoneId: string, zoneName: string, count: number): void {
  for (let i = 0; i < count; i += 1)
    h.fixture.putRecordSet(zoneId, { name: `r${i}.${zoneName}`, type: 'A', ttl: 60, values: ['192.0.2.1'] });
}
const listings = (h: Harness) => h.fixture.count((r) => r.operation === 'ListResourceRecordSets');

describe('readInterval (Route 53)', () => {
  it('is 0 before the zone was read: nothing is known of its size', async () => {
    const h = await start({ provider: {} });
    expect(h.provider.readInterval!(h.zone)).toBe(0);
  });

  property.prop([fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 12 })], { numRuns: 12 })(
    'by default, a zone whose full read took N pages gives N / (5 × 0.2) s',
    async (records, pageSize) => {
      const h = await start({ provider: { pageSize } });
      fill(h, h.zone.id, h.zone.dnsName, records);
      h.fixture.resetRequests();
      await h.provider.records(h.zone);
      const pages = listings(h);
      expect(pages).toBe(Math.ceil((records + 2) / pageSize)); // with the zone's NS and SOA
      expect(h.provider.readInterval!(h.zone)).toBeCloseTo((pages / (5 * 0.2)) * 1000, 6);
    },
  );

  property.prop([fc.double({ min: 0.5, max: 50, noNaN: true }), fc.double({ min: 0.01, max: 1, noNaN: true })], { numRuns: 8 })(
    'with requestsPerSecond and listingShare given: pages / (requestsPerSecond × listingShare) s, per zone, from the last read',
    async (requestsPerSecond, listingShare) => {
      const h = await start({ provider: { pageSize: 3, requestsPerSecond, listingShare } });
      const other = h.fixture.createZone('other.example.org');
      const otherZone = { id: other.id, dnsName: other.name };
      fill(h, h.zone.id, h.zone.dnsName, 10);
      fill(h, other.id, other.name, 1);
      h.fixture.resetRequests();
      await h.provider.records(h.zone);
      const pages = listings(h);
      await h.provider.records(otherZone);
      const otherPages = listings(h) - pages;
      const perSecond = requestsPerSecond * listingShare;
      expect(h.provider.readInterval!(h.zone)).toBeCloseTo((pages / perSecond) * 1000, 6);
      expect(h.provider.readInterval!(otherZone)).toBeCloseTo((otherPages / perSecond) * 1000, 6);
      // The zone shrinks: the next read judges from its own pages.
      for (let i = 0; i < 10; i += 1) h.fixture.removeRecordSet(h.zone.id, `r${i}.${h.zone.dnsName}`, 'A');
      await h.provider.records(h.zone);
      expect(h.provider.readInterval!(h.zone)).toBeCloseTo((1 / perSecond) * 1000, 6);
    },
  );

  it('a read that fails part-way leaves the last full read as it was', async () => {
    const h = await start({ provider: { pageSize: 2 } });
    fill(h, h.zone.id, h.zone.dnsName, 4);
    await h.provider.records(h.zone);
    const before = h.provider.readInterval!(h.zone);
    fill(h, h.zone.id, h.zone.dnsName, 10);
    h.fixture.serverErrorNext(1, { operation: 'ListResourceRecordSets' });
    await expect(h.provider.records(h.zone)).rejects.toThrow();
    expect(h.provider.readInterval!(h.zone)).toBe(before);
  });

  it('refuses a malformed rate or share, naming the option', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
      expect(() => createRoute53Provider({ requestsPerSecond: bad })).toThrow(expect.objectContaining({ field: 'requestsPerSecond' }));
    }
    for (const bad of [0, -0.1, 1.5, Number.NaN, '0.2' as unknown as number]) {
      expect(() => createRoute53Provider({ listingShare: bad })).toThrow(ValidationError);
      expect(() => createRoute53Provider({ listingShare: bad })).toThrow(expect.objectContaining({ field: 'listingShare' }));
    }
  });
});
