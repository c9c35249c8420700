// Ownership per record set: the federation changes only what it wrote, keeps its markers true
// through torn reads and races, orders CNAMEs after their targets' data across requests, and
// withdraws what it holds at names others block.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { applyChangeSet, batchChanges } from '@fedsvc/core/provider';
import { diffRecords, planServiceRecords, ValidationError, type Change, type RecordSet } from '@fedsvc/core';
import { ownershipRecord, ownershipRecordName, readMarker } from '../src/dns/ownership.js';
import { topology } from './topology.arbitrary.js';

const OWNER = 'fed-a';
const soa: RecordSet<string>[] = [
  { name: 'example.com.', type: 'SOA', ttl: 21600, rrdatas: ['ns1.example.com. hostmaster.example.com. 1 21600 3600 1209600 300'] },
];
const key = (r: RecordSet<string>) => `${r.name} ${r.type}`;
const norm = (r: RecordSet<string>) => `${key(r)} ${r.ttl} ${[...r.rrdatas].sort().join(',')}`;

function applied(records: readonly RecordSet<string>[], changes: readonly Change[]): RecordSet<string>[] {
  const result = applyChangeSet(records, changes);
  if (!result.ok) throw new Error(`change ${result.index} failed: ${result.reason}`);
  return result.records;
}

/** The types this owner's marker names at each name (a marker of the first format: every type the federation writes). */
function ownedTypes(records: readonly RecordSet<string>[]): Map<string, readonly string[]> {
  const owned = new Map<string, readonly string[]>();
  for (const r of records) {
    const marker = r.name.startsWith('_fedsvc.') ? readMarker(r) : null;
    if (marker?.owner === OWNER) owned.set(r.name.slice('_fedsvc.'.length), marker.types ?? ['A', 'AAAA', 'ALIAS', 'CNAME', 'TXT']);
  }
  return owned;
}

/** Our CNAMEs (marked as ours) whose target holds no record set of ours. */
function cnamesToNothingOfOurs(records: readonly RecordSet<string>[]): string[] {
  const owned = ownedTypes(records);
  const ours = (r: RecordSet<string>) => owned.get(r.name)?.includes(r.type) === true;
  const holdsOurs = new Set(records.filter(ours).map((r) => r.name));
  return records.filter((r) => r.type === 'CNAME' && ours(r) && !holdsOurs.has(r.rrdatas[0]!)).map((r) => `${r.name} → ${r.rrdatas[0]}`);
}

const FOREIGN: Record<string, string> = {
  A: '198.51.100.9',
  TXT: '"v=spf1 -all"',
  MX: '10 mail.example.net.',
  CAA: '0 issue "ca.example"',
};

/** Another writer's record set at `name`, of a type the name does not hold (and only where DNS allows it). */
function foreignAt(zone: readonly RecordSet<string>[], name: string, type: string): RecordSet<string> | undefined {
  const there = zone.filter((r) => r.name === name).map((r) => r.type);
  if (there.includes(type) || there.includes('CNAME') || there.includes('ALIAS')) return undefined;
  return { name, type, ttl: 300, rrdatas: [FOREIGN[type]!] };
}

// A federation converged to one plan; then others write beside our records and at free names; then a new plan.
const world = fc
  .record({
    before: topology({ maxClusters: 12, hostnames: true }),
    after: topology({ maxClusters: 12, hostnames: true }),
    writers: fc.array(fc.record({ pick: fc.nat(), type: fc.constantFrom('A', 'TXT', 'MX', 'CAA') }), { maxLength: 6 }),
    limit: fc.integer({ min: 6, max: 20 }),
  })
  .map(({ before, after, writers, limit }) => {
    const fix = <T extends { federation: { domain: string } }>(t: T) => ({
      ...t,
      federation: { ...t.federation, name: 'fed', domain: 'example.com', zoneNameFormat: 'zone' as const },
      service: { namespace: 'ns', name: 'web' },
    });
    const start = planServiceRecords(fix(before));
    const desired = planServiceRecords(fix(after));
    let zone = applied(soa, diffRecords(soa, start, { ownerId: OWNER }).changes);
    const names = [...new Set([...start, ...desired].map((r) => r.name))];
    const foreign: RecordSet<string>[] = [];
    for (const { pick, type } of writers) {
      const record = names.length > 0 ? foreignAt(zone, names[pick % names.length]!, type) : undefined;
      if (!record) continue;
      zone = [...zone, record];
      foreign.push(record);
    }
    return { zone, desired, foreign, limit };
  });

describe('ownership per record set', () => {
  test.prop([world], { numRuns: 200 })(
    'a record set the federation did not write is never changed, whatever its type and wherever it is',
    ({ zone, desired, foreign }) => {
      const { changes } = diffRecords(zone, desired, { ownerId: OWNER });
      const touched = new Set(changes.flatMap((c) => (c.kind === 'update' ? [key(c.before), key(c.record)] : [key(c.record)])));
      for (const record of foreign) expect(touched.has(key(record)), `${key(record)} touched`).toBe(false);
      const after = applied(zone, changes);
      const held = new Set(after.map(norm));
      for (const record of foreign) expect(held.has(norm(record)), `${key(record)} kept`).toBe(true);
      expect(diffRecords(after, desired, { ownerId: OWNER }).changes).toEqual([]);
    },
  );

  test.prop([world], { numRuns: 200 })(
    'request by request, under small limits, no CNAME of ours points at a name that holds none of our data',
    ({ zone, desired, limit }) => {
      const { changes } = diffRecords(zone, desired, { ownerId: OWNER });
      let state = zone;
      expect(cnamesToNothingOfOurs(state)).toEqual([]);
      const limits = { maxChangesPerRequest: limit, maxRrdatasPerRequest: 1_000, maxRrdataCharsPerRequest: 100_000, atomic: true };
      for (const request of batchChanges(changes, limits)) {
        state = applied(state, request);
        expect(cnamesToNothingOfOurs(state)).toEqual([]);
      }
    },
  );

  test.prop([world, fc.nat(), fc.nat()], { numRuns: 200 })(
    'another writer taking a name between two requests: no request that lands writes a CNAME of ours towards it',
    ({ zone, desired, limit }, when, pick) => {
      const { changes } = diffRecords(zone, desired, { ownerId: OWNER });
      // Room for every group with its guards, so that only the order and the race are tested.
      const limits = { maxChangesPerRequest: limit + 4, maxRrdatasPerRequest: 1_000, maxRrdataCharsPerRequest: 100_000, atomic: true };
      const requests = batchChanges(changes, limits);
      const at = when % (requests.length + 1);
      const written = (request: readonly Change[]) =>
        request.flatMap((c) => (c.kind !== 'delete' && c.record.type === 'CNAME' ? [c.record.rrdatas[0]!] : []));
      let state = zone;
      for (const [i, request] of requests.entries()) {
        if (i === at) {
          // The name taken is one a CNAME still to be written points at, when there is one.
          const targets = requests.slice(at).flatMap(written);
          const owned = [...ownedTypes(state).keys()];
          const candidates = targets.filter((target) => owned.includes(target));
          const name = (candidates.length > 0 ? candidates : owned)[pick % Math.max(1, candidates.length || owned.length)];
          if (name !== undefined)
            state = state.map((r) => (r.name === ownershipRecordName(name) ? { ...r, rrdatas: ['"heritage=fedsvc,owner=fed-b"'] } : r));
        }
        const result = applyChangeSet(state, request);
        // A refused request ends the pass: the next one reads the zone again.
        if (!result.ok) break;
        // A CNAME that already pointed there (its TTL changes) was not written towards the name.
        const pointed = new Set(state.filter((r) => r.type === 'CNAME').map((r) => r.rrdatas[0]));
        state = result.records;
        const ours = ownedTypes(state);
        for (const target of written(request).filter((t) => !pointed.has(t)))
          expect(ours.has(target), `a CNAME written towards ${target}`).toBe(true);
      }
    },
  );

  test("a CNAME goes in the same request as its target's data or a later one, also where the target holds someone's MX", () => {
    // Zone names sort before their region's (`r1-a.` < `r1.`), so name order alone would write the CNAMEs first.
    const desired = planServiceRecords({
      federation: { name: 'fed', domain: 'example.com' },
      service: { namespace: 'ns', name: 'web' },
      clusters: [
        { name: 'c1', zones: ['r1-a'], region: 'r1', ready: true },
        { name: 'c2', zones: ['r1-b'], region: 'r1', ready: true },
      ],
      shards: [{ cluster: 'c1', addresses: ['192.0.2.1'], readyEndpoints: 1 }],
    });
    const mx: RecordSet<string> = { name: 'web.ns.fed.svc.r1.example.com.', type: 'MX', ttl: 300, rrdatas: ['10 mail.example.net.'] };
    const { changes } = diffRecords([...soa, mx], desired, { ownerId: OWNER });
    const limits = { maxChangesPerRequest: 2, maxRrdatasPerRequest: 1_000, maxRrdataCharsPerRequest: 100_000, atomic: true };
    let state = [...soa, mx];
    for (const request of batchChanges(changes, limits)) {
      state = applied(state, request);
      expect(cnamesToNothingOfOurs(state)).toEqual([]);
    }
    expect(state).toContainEqual(mx);
  });

  test('a marker naming its types in another order than the desired record sets come in is left as it is', () => {
    const aaaa: RecordSet = { name: 'w.example.com.', type: 'AAAA', ttl: 180, rrdatas: ['2001:db8::1'] };
    const a: RecordSet = { name: 'w.example.com.', type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] };
    const zone = applied(soa, diffRecords(soa, [aaaa, a], { ownerId: OWNER }).changes);
    expect(zone).toContainEqual(ownershipRecord(a.name, OWNER, 180, ['A', 'AAAA']));
    expect(diffRecords(zone, [aaaa, a], { ownerId: OWNER }).changes).toEqual([]);
    expect(diffRecords(zone, [a, aaaa], { ownerId: OWNER }).changes).toEqual([]);
  });

  test("our record set stays and follows the plan beside someone's that appeared next to it; only a new one of ours is blocked", () => {
    const a: RecordSet = { name: 'w.example.com.', type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] };
    const theirs: RecordSet<string> = { name: a.name, type: 'AAAA', ttl: 300, rrdatas: ['2001:db8::9'] };
    const zone = [...applied(soa, diffRecords(soa, [a], { ownerId: OWNER }).changes), theirs];
    expect(diffRecords(zone, [a], { ownerId: OWNER })).toEqual({ changes: [], conflicts: [] });
    const moved = { ...a, rrdatas: ['192.0.2.2'] };
    const marker = ownershipRecord(a.name, OWNER, 180, ['A']);
    expect(diffRecords(zone, [moved], { ownerId: OWNER })).toEqual({
      changes: [
        { kind: 'update', before: a, record: moved },
        { kind: 'update', before: marker, record: marker },
      ],
      conflicts: [],
    });
    const ours6: RecordSet = { name: a.name, type: 'AAAA', ttl: 180, rrdatas: ['2001:db8::1'] };
    expect(diffRecords(zone, [a, ours6], { ownerId: OWNER })).toEqual({
      changes: [],
      conflicts: [{ name: a.name, types: ['AAAA'], owner: null }],
    });
  });

  test("someone's SPF TXT beside our A set survives every resync, and the service's deletion", () => {
    const a: RecordSet = { name: 'w.example.com.', type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] };
    const spf: RecordSet<string> = { name: a.name, type: 'TXT', ttl: 300, rrdatas: ['"v=spf1 -all"'] };
    let zone = applied(soa, diffRecords(soa, [a], { ownerId: OWNER }).changes);
    zone = [...zone, spf];
    expect(diffRecords(zone, [a], { ownerId: OWNER })).toEqual({ changes: [], conflicts: [] });
    zone = applied(zone, diffRecords(zone, [], { ownerId: OWNER }).changes);
    expect(zone).toEqual([...soa, spf]);
  });

  test("a free name holding only someone's TXT is taken for our A set; their TXT stays theirs", () => {
    const a: RecordSet = { name: 'w.example.com.', type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] };
    const spf: RecordSet<string> = { name: a.name, type: 'TXT', ttl: 300, rrdatas: ['"v=spf1 -all"'] };
    const zone = applied([...soa, spf], diffRecords([...soa, spf], [a], { ownerId: OWNER }).changes);
    expect(zone).toContainEqual(ownershipRecord(a.name, OWNER, 180, ['A']));
    expect(applied(zone, diffRecords(zone, [], { ownerId: OWNER }).changes)).toEqual([...soa, spf]);
  });

  test('a zone written by the previous version is upgraded in place: markers name their types, records untouched', () => {
    const legacy = (name: string): RecordSet<string> => ({
      name: ownershipRecordName(name),
      type: 'TXT',
      ttl: 180,
      rrdatas: [`"heritage=fedsvc,owner=${OWNER}"`],
    });
    const a: RecordSet = { name: 'r.example.com.', type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] };
    const cname: RecordSet = { name: 'z.example.com.', type: 'CNAME', ttl: 180, rrdatas: ['r.example.com.'] };
    const spf: RecordSet<string> = { name: a.name, type: 'TXT', ttl: 300, rrdatas: ['"v=spf1 -all"'] };
    const zone = [...soa, a, legacy(a.name), spf, cname, legacy(cname.name)];
    const { changes, conflicts } = diffRecords(zone, [a, cname], { ownerId: OWNER });
    expect(conflicts).toEqual([]);
    expect(changes).toEqual([
      { kind: 'update', before: legacy(a.name), record: ownershipRecord(a.name, OWNER, 180, ['A']) },
      { kind: 'update', before: legacy(cname.name), record: ownershipRecord(cname.name, OWNER, 180, ['CNAME']) },
    ]);
    const upgraded = applied(zone, changes);
    expect(diffRecords(upgraded, [a, cname], { ownerId: OWNER }).changes).toEqual([]);
    // The TXT was not the previous version's either (it wrote TXT only where asked): it stays.
    expect(applied(upgraded, diffRecords(upgraded, [], { ownerId: OWNER }).changes)).toEqual([...soa, spf]);
  });

  test('a record whose marker is gone is never created without it: the write carries the marker as read', () => {
    const a: RecordSet = { name: 'w.example.com.', type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] };
    const marker = ownershipRecord(a.name, OWNER, 180, ['A']);
    // A torn read: the marker was listed, the A set (deleted together with it since) was not.
    const { changes } = diffRecords([...soa, marker], [a], { ownerId: OWNER });
    expect(applyChangeSet([...soa, marker], changes).ok).toBe(true);
    // Applied to the zone as it is (neither left), the request fails whole: nothing unmarked is written.
    expect(applyChangeSet(soa, changes).ok).toBe(false);
  });

  test('a name we hold that someone blocks from becoming a CNAME loses our stale addresses, and so do the CNAMEs to it', () => {
    const name = (place: string) => `web.ns.fed.svc.${place}example.com.`;
    const clusters = [
      { name: 'c1', zones: ['z1'], region: 'r1', ready: true },
      { name: 'c2', zones: ['z2'], region: 'r2', ready: true },
    ];
    const plan = (ready: boolean) =>
      planServiceRecords({
        federation: { name: 'fed', domain: 'example.com' },
        service: { namespace: 'ns', name: 'web' },
        clusters,
        shards: [
          { cluster: 'c1', addresses: ['192.0.2.1'], readyEndpoints: ready ? 1 : 0 },
          { cluster: 'c2', addresses: ['192.0.2.2'], readyEndpoints: 1 },
        ],
      });
    const zone = applied(soa, diffRecords(soa, plan(true), { ownerId: OWNER }).changes);
    const mx: RecordSet<string> = { name: name('r1.'), type: 'MX', ttl: 300, rrdatas: ['10 mail.example.net.'] };
    // c1's shard goes: r1 should become a CNAME to the global name, but someone's MX is there.
    const { changes, conflicts } = diffRecords([...zone, mx], plan(false), { ownerId: OWNER });
    expect(conflicts).toEqual([
      { name: name('r1.'), types: ['MX'], owner: null },
      { name: name('z1.'), types: [], owner: null, target: name('r1.') },
    ]);
    const after = applied([...zone, mx], changes);
    expect(after.filter((r) => r.name === name('r1.') || r.name === name('z1.'))).toEqual([mx]);
    expect(after.some((r) => r.rrdatas.includes('192.0.2.1'))).toBe(false);
    expect(cnamesToNothingOfOurs(after)).toEqual([]);
  });
});

describe('the marker prefix', () => {
  const a: RecordSet = { name: 'w.example.com.', type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] };

  test.prop([fc.stringMatching(/^_[a-z0-9][-a-z0-9]{0,5}\.$/)])('markers go where the prefix says, and only those are ours', (prefix) => {
    const { changes } = diffRecords(soa, [a], { ownerId: OWNER, markerPrefix: prefix });
    expect(changes).toEqual([
      { kind: 'create', record: ownershipRecord(a.name, OWNER, 180, ['A'], prefix) },
      { kind: 'create', record: a },
    ]);
    const zone = applied(soa, changes);
    expect(diffRecords(zone, [a], { ownerId: OWNER, markerPrefix: prefix }).changes).toEqual([]);
    if (prefix !== '_fedsvc.') {
      // Under another prefix the name is someone else's: reported, not touched.
      const other = diffRecords(zone, [], { ownerId: OWNER });
      expect(other.changes).toEqual([]);
    }
  });

  test.each(['fedsvc.', '_fedsvc', '_FED.', '_toolong12.', '_a.b.', '', 42])('a malformed prefix (%j) is refused, naming it', (prefix) => {
    expect(() => diffRecords([], [], { ownerId: OWNER, markerPrefix: prefix as string })).toThrow(
      expect.objectContaining({ field: 'options.markerPrefix', value: prefix }),
    );
    expect(() => diffRecords([], [], { ownerId: OWNER, markerPrefix: prefix as string })).toThrow(ValidationError);
  });
});
