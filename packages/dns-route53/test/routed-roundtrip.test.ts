// Any routed set within Route 53's limits is accepted as sent, reads back exactly as written
// (members' ids, locations, weights and values), and an update between any two sets (plain or
// routed) lands in one request whose size is what requestCost said.
import { fc } from '@fast-check/vitest';
import type { Change, RecordSet, RoutedMember } from '@fedsvc/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LATENCY_REGIONS, ROUTE53_ROUTING } from '../src/index.js';
import { type Harness, startHarness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ provider: { pageSize: 13 } });
});
afterAll(async () => {
  await h.close();
});

const SVC = 'svc.example.com.';
const REGIONS = [...LATENCY_REGIONS];
const ipv4 = fc.ipV4();
const values = fc.uniqueArray(ipv4, { minLength: 1, maxLength: 4 });
const numeric = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

/** A set as core plans one: members in id order, rrdatas the union in numeric order. */
function setOf(routing: 'nearest' | 'weighted', ttl: number, members: RoutedMember[]): RecordSet {
  const sorted = [...members].sort((x, y) => (x.id < y.id ? -1 : 1));
  const union = [...new Set(sorted.flatMap((m) => m.rrdatas))].sort((x, y) => numeric(x) - numeric(y));
  return { name: SVC, type: 'A', ttl, rrdatas: union, routing, members: sorted };
}

const nearest = fc
  .record({ ttl: fc.integer({ min: 0, max: 86_400 }), regions: fc.shuffledSubarray(REGIONS, { minLength: 1 }) })
  .chain(({ ttl, regions }) =>
    fc.tuple(...regions.map(() => values)).map((data) =>
      setOf(
        'nearest',
        ttl,
        regions.map((id, i) => ({ id, location: id, rrdatas: data[i] ?? [] })),
      ),
    ),
  );
const clusterId = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const weighted = fc
  .record({
    ttl: fc.integer({ min: 0, max: 86_400 }),
    members: fc.uniqueArray(fc.record({ id: clusterId, weight: fc.integer({ min: 0, max: ROUTE53_ROUTING.maxWeight }), rrdatas: values }), {
      selector: (m) => m.id,
      minLength: 1,
      maxLength: ROUTE53_ROUTING.maxMembers,
    }),
  })
  .map(({ ttl, members }) => setOf('weighted', ttl, members));
const plain = fc
  .record({ ttl: fc.integer({ min: 0, max: 86_400 }), rrdatas: values })
  .map(({ ttl, rrdatas }): RecordSet => ({ name: SVC, type: 'A', ttl, rrdatas: [...rrdatas].sort((x, y) => numeric(x) - numeric(y)) }));
const anySet = fc.oneof(nearest, weighted, plain);

const read = async () => (await h.provider.records(h.zone)).find((r) => r.name === SVC && r.type === 'A') as RecordSet | undefined;
const lastWrite = () => h.fixture.requests.filter((r) => r.operation === 'ChangeResourceRecordSets').at(-1);

it('a routed set within the limits is accepted and reads back exactly; deleted as read, the name is empty again', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(nearest, weighted), async (set) => {
      h.fixture.resetRequests();
      await h.provider.applyChanges(h.zone, [{ kind: 'create', record: set }]);
      expect(lastWrite()).toMatchObject({ status: 200, changes: set.members?.length });
      expect(await read()).toEqual(set);
      await h.provider.applyChanges(h.zone, [{ kind: 'delete', record: (await read()) as RecordSet }]);
      expect(await read()).toBeUndefined();
    }),
    { numRuns: 40 },
  );
});

it('an update between any two sets is one request of the size requestCost gives, and reads back as the new set', async () => {
  await fc.assert(
    fc.asyncProperty(anySet, anySet, async (first, second) => {
      await h.provider.applyChanges(h.zone, [{ kind: 'create', record: first }]);
      const change: Change = { kind: 'update', before: (await read()) as RecordSet, record: second };
      const cost = h.provider.requestCost!(change);
      h.fixture.resetRequests();
      await h.provider.applyChanges(h.zone, [change]);
      const writes = h.fixture.requests.filter((r) => r.operation === 'ChangeResourceRecordSets');
      if (cost.changes === 0) expect(writes).toEqual([]);
      else {
        expect(writes).toEqual([expect.objectContaining({ status: 200, changes: cost.changes })]);
        const sent = writes[0]?.batch ?? [];
        expect(sent.reduce((n, c) => n + c.recordSet.values.length, 0)).toBe(cost.rrdatas);
      }
      expect(await read()).toEqual(second);
      await h.provider.applyChanges(h.zone, [{ kind: 'delete', record: (await read()) as RecordSet }]);
    }),
    { numRuns: 40 },
  );
});
