// Member ids of any length (a weighted member's id is its cluster's name, up to 253 characters)
// as Route 53 SetIdentifiers of 1 to 128, through the real SDK against the wire-level fixture.
import { fc, test } from '@fast-check/vitest';
import { reconcileZone, type RecordSet, type RoutedMember } from '@fedsvc/core';
import { sameRecordSet } from '@fedsvc/core/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const SVC = 'svc.example.com.';
const numeric = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

function weighted(members: readonly RoutedMember[]): RecordSet {
  const sorted = [...members].sort((x, y) => (x.id < y.id ? -1 : 1));
  const union = [...new Set(sorted.flatMap((m) => m.rrdatas))].sort((x, y) => numeric(x) - numeric(y));
  return { name: SVC, type: 'A', ttl: 60, rrdatas: union, routing: 'weighted', members: sorted };
}

const identifiers = () =>
  h.fixture
    .recordSets(h.zone.id)
    .filter((r) => r.name === SVC && r.type === 'A')
    .map((r) => r.setIdentifier ?? '');
const writes = () => h.fixture.requests.filter((r) => r.operation === 'ChangeResourceRecordSets');

/** Ids of every length around the limit, many sharing a long prefix so that only their ends differ. */
const prefix = 'c'.repeat(120);
const anyId = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9.~-]{0,299}$/),
  fc.stringMatching(/^[a-z0-9.~-]{1,12}$/).map((end) => `${prefix}${end}`),
  fc.integer({ min: 1, max: 253 }).map((length) => 'x'.repeat(length)),
);

describe('member ids as SetIdentifiers', () => {
  test.prop([fc.uniqueArray(anyId, { minLength: 1, maxLength: 8 }), fc.ipV4()], { numRuns: 40 })(
    'distinct ids of any length give distinct identifiers of at most 128 characters, which Route 53 takes; the set reads back as written and is deleted as read',
    async (ids, address) => {
      for (const identifier of identifiers()) h.fixture.removeRecordSet(h.zone.id, SVC, 'A', identifier);
      const set = weighted(ids.map((id, i) => ({ id, weight: i + 1, rrdatas: [address] })));
      await h.provider.applyChanges(h.zone, [{ kind: 'create', record: set }]);
      const written = identifiers();
      expect(written).toHaveLength(ids.length);
      expect(new Set(written).size).toBe(ids.length);
      for (const identifier of written) expect(identifier.length).toBeGreaterThanOrEqual(1);
      for (const identifier of written) expect(identifier.length).toBeLessThanOrEqual(128);
      // An id that fits is its own identifier.
      for (const id of ids) if (id.length <= 128 && !id.includes('~')) expect(written).toContain(id);
      const read = (await h.provider.records(h.zone)).find((r) => r.name === SVC && r.type === 'A');
      expect(read !== undefined && sameRecordSet(read, set)).toBe(true);
      await h.provider.applyChanges(h.zone, [{ kind: 'delete', record: read as RecordSet }]);
      expect(identifiers()).toEqual([]);
    },
  );
});

describe('a cluster named with 253 characters', () => {
  const longCluster = `${['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63)].join('.')}.${'d'.repeat(61)}`;
  const other = 'gke-europe-west1';

  it('is written, left untouched by a second reconcile, changed and removed by its identifier', async () => {
    expect(longCluster).toHaveLength(253);
    const reconcile = (members: RoutedMember[]) =>
      reconcileZone({ provider: h.provider, zone: h.zone, ownerId: 'fed-a', desired: members.length > 0 ? [weighted(members)] : [] });
    const first = await reconcile([
      { id: longCluster, weight: 3, rrdatas: ['192.0.2.1'] },
      { id: other, weight: 1, rrdatas: ['192.0.2.2'] },
    ]);
    expect(first).toMatchObject({ writes: 1 });
    expect(identifiers()).toHaveLength(2);
    expect(identifiers()).toContain(other);

    h.fixture.resetRequests();
    const second = await reconcile([
      { id: longCluster, weight: 3, rrdatas: ['192.0.2.1'] },
      { id: other, weight: 1, rrdatas: ['192.0.2.2'] },
    ]);
    expect(second.changes).toEqual([]);
    expect(writes()).toHaveLength(0);

    const third = await reconcile([
      { id: longCluster, weight: 5, rrdatas: ['192.0.2.1'] },
      { id: other, weight: 1, rrdatas: ['192.0.2.2'] },
    ]);
    expect(third.writes).toBe(1);
    const moved = writes()[0]
      ?.batch?.filter((c) => c.recordSet.type === 'A')
      .map((c) => [c.action, c.recordSet.weight]);
    // Only the long-named cluster's record moves, deleted as it was read.
    expect(moved).toEqual([
      ['DELETE', 3],
      ['CREATE', 5],
    ]);

    await reconcile([]);
    expect(identifiers()).toEqual([]);
  });
});
