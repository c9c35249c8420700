// Whatever the adapter writes, it reads back unchanged: names, types, TTLs, and rrdatas in order,
// XML-special characters included — through the real SDK's serializer and parser.
import { fc } from '@fast-check/vitest';
import type { Change, RecordSet } from '@fedsvc/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6().map((a) => a.toLowerCase());
const txtString = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '&', '<', '>', "'", '=', ',', ';', '\\\\', '\\"'), maxLength: 40 });
const rrdatasOf = (type: 'A' | 'AAAA' | 'CNAME' | 'TXT') => {
  switch (type) {
    case 'A':
      return fc.uniqueArray(ipv4, { minLength: 1, maxLength: 5 });
    case 'AAAA':
      return fc.uniqueArray(ipv6, { minLength: 1, maxLength: 5 });
    case 'CNAME':
      return label.map((l) => [`${l}.example.org.`]);
    case 'TXT':
      return fc.uniqueArray(
        txtString.map((t) => `"${t}"`),
        { minLength: 1, maxLength: 3 },
      );
  }
};
const recordSet = fc
  .record({
    labels: fc.array(label, { minLength: 1, maxLength: 3 }),
    type: fc.constantFrom('A', 'AAAA', 'CNAME', 'TXT'),
    ttl: fc.integer({ min: 0, max: 2_147_483_647 }),
  })
  .chain(({ labels, type, ttl }) =>
    rrdatasOf(type).map((rrdatas): RecordSet => ({ name: `${labels.join('.')}.example.com.`, type, ttl, rrdatas })),
  );
const zoneContents = fc.uniqueArray(recordSet, { selector: (r) => r.name, minLength: 1, maxLength: 12 });

it('records(applyChanges(create …)) returns exactly what was written; deletes as read leave the zone as it was', async () => {
  await fc.assert(
    fc.asyncProperty(zoneContents, async (sets) => {
      const before = await h.provider.records(h.zone);
      await h.provider.applyChanges(
        h.zone,
        sets.map((record): Change => ({ kind: 'create', record })),
      );
      const read = await h.provider.records(h.zone);
      for (const set of sets) expect(read).toContainEqual(set);
      expect(read).toHaveLength(before.length + sets.length);
      const ours = read.filter((r) => sets.some((s) => s.name === r.name));
      await h.provider.applyChanges(
        h.zone,
        ours.map((record) => ({ kind: 'delete', record: record as RecordSet })),
      );
      expect(await h.provider.records(h.zone)).toEqual(before);
    }),
    { numRuns: 25 },
  );
});
