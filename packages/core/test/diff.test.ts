import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { applyChangeSet, parseAddress, batchChanges } from '@fedsvc/core/provider';
import { changeGroups, isGuard } from '../src/zone/batch.js';
import {
  diffRecords,
  markerOwner,
  ownershipRecord,
  ownershipRecordName,
  planServiceRecords,
  ValidationError,
  type Change,
  type RecordSet,
} from '@fedsvc/core';
import { topology } from './topology.arbitrary.js';

const OWNER = 'fed-a';
const soa: RecordSet<string>[] = [
  { name: 'example.com.', type: 'SOA', ttl: 21600, rrdatas: ['ns1.example.com. hostmaster.example.com. 1 21600 3600 1209600 300'] },
  { name: 'example.com.', type: 'NS', ttl: 21600, rrdatas: ['ns1.example.com.'] },
];

function applied(records: readonly RecordSet<string>[], changes: readonly Change[]): RecordSet<string>[] {
  const result = applyChangeSet(records, changes);
  if (!result.ok) throw new Error(`change ${result.index} failed: ${result.reason}`);
  return result.records;
}
const key = (r: RecordSet<string>) => `${r.name} ${r.type}`;
// A hostnames-only ALIAS set has no ttl of its own (see RecordSet).
const ttlOf = (r: RecordSet<string>) => (r.type === 'ALIAS' && r.rrdatas.every((rrdata) => parseAddress(rrdata) === null) ? '-' : r.ttl);
const norm = (r: RecordSet<string>) => `${key(r)} ${ttlOf(r)} ${[...r.rrdatas].sort().join(',')}`;

/** Our CNAMEs (names marked with our id) whose target holds nothing. */
function dangling(records: readonly RecordSet<string>[]): string[] {
  const names = new Set(records.map((r) => r.name));
  const ours = new Set(records.filter((r) => markerOwner(r) === OWNER).map((r) => r.name.slice('_fedsvc.'.length)));
  return records.filter((r) => r.type === 'CNAME' && ours.has(r.name) && !names.has(r.rrdatas[0]!)).map(key);
}

// Two plans of random federations in one zone, with other people's and another federation's records in the way.
const scenario = fc
  .record({
    // Load-balancer hostnames too: names move between A/AAAA and ALIAS sets.
    before: topology({ maxClusters: 25, hostnames: true }),
    after: topology({ maxClusters: 25, hostnames: true }),
    intruders: fc.array(fc.record({ pick: fc.nat(), kind: fc.constantFrom('person-A', 'person-TXT', 'person-MX', 'other-federation') }), {
      maxLength: 4,
    }),
  })
  .map(({ before, after, intruders }) => {
    const fix = <T extends { federation: { domain: string } }>(t: T) => ({
      ...t,
      federation: { ...t.federation, domain: 'example.com', zoneNameFormat: 'zone' as const },
    });
    const start = planServiceRecords(fix(before));
    const desired = planServiceRecords(fix(after));
    let zone = applied(soa, diffRecords(soa, start, { ownerId: OWNER }).changes);
    const names = [...new Set([...start, ...desired].map((r) => r.name))];
    for (const { pick, kind } of intruders) {
      const name = names.length > 0 ? names[pick % names.length]! : 'x.example.com.';
      // Intruders take names nobody holds yet; otherwise they would be rewriting our records.
      const free = (n: string) => !zone.some((r) => r.name === n);
      if (kind === 'other-federation' && free(name) && free(ownershipRecordName(name))) {
        zone = [...zone, ownershipRecord(name, 'fed-b', 60, ['A']), { name, type: 'A', ttl: 60, rrdatas: ['198.51.100.7'] }];
      } else if (kind !== 'other-federation' && free(name)) {
        const type = kind.slice('person-'.length);
        zone = [
          ...zone,
          { name, type, ttl: 300, rrdatas: [type === 'A' ? '198.51.100.9' : type === 'MX' ? '10 mail.example.net.' : '"v=spf1 -all"'] },
        ];
      }
    }
    return { zone, desired };
  });

describe('diffRecords over random zones', () => {
  test.prop([scenario], { numRuns: 300 })(
    'applying the change set yields the desired records, with foreign records untouched',
    ({ zone, desired }) => {
      const { changes, conflicts } = diffRecords(zone, desired, { ownerId: OWNER });
      const after = applied(zone, changes);
      const blocked = new Set(conflicts.map((c) => c.name));
      const ours = (r: RecordSet<string>) =>
        zone.some((m) => m.name === ownershipRecordName(r.name) && markerOwner(m) === OWNER) || markerOwner(r) === OWNER;
      const got = new Set(after.map(norm));
      for (const r of zone.filter((r) => !ours(r))) expect(got.has(norm(r)), `foreign ${key(r)} untouched`).toBe(true);
      for (const r of desired.filter((r) => !blocked.has(r.name))) {
        expect(got.has(norm(r)), `desired ${key(r)}`).toBe(true);
        const marker = after.find((m) => m.name === ownershipRecordName(r.name) && markerOwner(m) === OWNER);
        expect(marker, `marker of ${r.name}`).toBeDefined();
        // The marker follows the TTL of its name, also when that TTL changes.
        expect(marker!.ttl, `marker TTL of ${r.name}`).toBe(Math.min(...desired.filter((d) => d.name === r.name).map((d) => d.ttl)));
      }
      const wanted = new Set(desired.map(key));
      for (const r of after.filter((r) => !zone.some((z) => norm(z) === norm(r)))) {
        expect(wanted.has(key(r)) || markerOwner(r) === OWNER, `written ${key(r)} was desired`).toBe(true);
      }
      // A desired name is blocked only by records we do not own.
      // …or, for a CNAME, by its target being blocked.
      for (const c of conflicts) {
        if (c.target !== undefined) expect(blocked.has(c.target), `${c.name} → ${c.target}`).toBe(true);
        else expect(zone.some((r) => (r.name === c.name || r.name === ownershipRecordName(c.name)) && !ours(r))).toBe(true);
      }
      // No CNAME we wrote points at a name we could not take.
      for (const r of after.filter((r) => r.type === 'CNAME' && wanted.has(key(r))))
        expect(blocked.has(r.rrdatas[0]!), `${r.name} → ${r.rrdatas[0]}`).toBe(false);
    },
  );

  test.prop([scenario], { numRuns: 300 })('a second diff after applying is empty', ({ zone, desired }) => {
    const first = diffRecords(zone, desired, { ownerId: OWNER });
    const second = diffRecords(applied(zone, first.changes), desired, { ownerId: OWNER });
    expect(second.changes).toEqual([]);
    expect(second.conflicts).toEqual(first.conflicts);
  });

  test.prop([scenario, fc.record({ changes: fc.integer({ min: 4, max: 30 }), rrdatas: fc.integer({ min: 20, max: 400 }) })], {
    numRuns: 300,
  })('no CNAME of ours dangles after any name group, nor after any batch', ({ zone, desired }, limits) => {
    const { changes } = diffRecords(zone, desired, { ownerId: OWNER });
    expect(dangling(zone)).toEqual([]);
    let state = zone;
    for (const group of changeGroups(changes)) {
      state = applied(state, group);
      expect(dangling(state)).toEqual([]);
    }
    const fitted = {
      maxChangesPerRequest: limits.changes,
      maxRrdatasPerRequest: limits.rrdatas,
      maxRrdataCharsPerRequest: 20_000,
      atomic: true,
    };
    let batches: Change[][];
    try {
      batches = batchChanges(changes, fitted);
    } catch (error) {
      // Only a name group too big for one request may be refused.
      expect(error).toBeInstanceOf(ValidationError);
      expect(
        changeGroups(changes).some(
          (g) =>
            g.reduce((n, c) => n + (c.kind === 'update' ? 2 : 1), 0) > limits.changes ||
            g.reduce((n, c) => n + c.record.rrdatas.length + (c.kind === 'update' ? c.before.rrdatas.length : 0), 0) > limits.rrdatas,
        ),
      ).toBe(true);
      return;
    }
    const sent = batches.flat();
    // Only a group too large to carry its guards of other names' markers goes without them; nothing else is left out.
    // Each request keeps the change set's order; a request may carry later groups ahead of others.
    const byOrder = (x: Change, y: Change) => changes.indexOf(x) - changes.indexOf(y);
    expect([...sent].sort(byOrder)).toEqual(changes.filter((change) => sent.includes(change)));
    for (const batch of batches) expect(batch).toEqual(changes.filter((change) => batch.includes(change)));
    expect(changes.filter((change) => !sent.includes(change)).every((change) => isGuard(change))).toBe(true);
    state = zone;
    for (const batch of batches) {
      const cost = batch.reduce((n, c) => n + (c.kind === 'update' ? 2 : 1), 0);
      const rrdatas = batch.reduce((n, c) => n + c.record.rrdatas.length + (c.kind === 'update' ? c.before.rrdatas.length : 0), 0);
      expect(cost).toBeLessThanOrEqual(limits.changes);
      expect(rrdatas).toBeLessThanOrEqual(limits.rrdatas);
      state = applied(state, batch);
      expect(dangling(state)).toEqual([]);
    }
  });

  test.prop([scenario, fc.nat()], { numRuns: 100 })(
    'the change set does not depend on the order of either input',
    ({ zone, desired }, seed) => {
      const rotate = <T>(xs: readonly T[]) => xs.slice(seed % (xs.length || 1)).concat(xs.slice(0, seed % (xs.length || 1)));
      expect(diffRecords(rotate(zone), rotate(desired).reverse(), { ownerId: OWNER })).toEqual(
        diffRecords(zone, desired, { ownerId: OWNER }),
      );
    },
  );
});

describe('diffRecords, case by case', () => {
  const a = (name: string, rrdatas: string[], ttl = 180): RecordSet => ({ name, type: 'A', ttl, rrdatas });
  const owned = (...records: RecordSet[]) => [...soa, ...records.flatMap((r) => [ownershipRecord(r.name, OWNER, r.ttl, [r.type]), r])];

  test('a CNAME to a name someone else holds is not written (it would dangle, or lead to their records), transitively', () => {
    const federation = { name: 'fed', domain: 'example.com' };
    const clusters = [
      { name: 'c1', zones: ['z1'], region: 'r1', ready: true },
      { name: 'c2', zones: ['z2'], region: 'r1', ready: true },
      { name: 'c3', zones: ['z3'], region: 'r2', ready: true },
    ];
    const desired = planServiceRecords({
      federation,
      service: { namespace: 'ns', name: 'web' },
      clusters,
      shards: [{ cluster: 'c1', addresses: ['192.0.2.1'], readyEndpoints: 1 }],
    });
    const name = (place: string) => `web.ns.fed.svc.${place}example.com.`;
    // Someone's TXT at the region's marker name, and someone's A at the global name.
    const zone = [
      ...soa,
      { name: ownershipRecordName(name('r1.')), type: 'TXT', ttl: 60, rrdatas: ['"v=something"'] },
      { name: name(''), type: 'A', ttl: 60, rrdatas: ['198.51.100.1'] },
    ];
    const { changes, conflicts } = diffRecords(zone, desired, { ownerId: OWNER });
    expect(conflicts).toEqual([
      { name: name(''), types: ['A'], owner: null },
      { name: name('r1.'), types: ['TXT'], owner: null },
      { name: name('r2.'), types: [], owner: null, target: name('') },
      { name: name('z2.'), types: [], owner: null, target: name('r1.') },
      { name: name('z3.'), types: [], owner: null, target: name('r2.') },
    ]);
    // Only z1's own addresses are written.
    expect(changes.filter((c) => c.record.type !== 'TXT').map((c) => `${c.kind} ${c.record.name} ${c.record.type}`)).toEqual([
      `create ${name('z1.')} A`,
    ]);
  });

  test("a marker naming two owners is nobody's, in whatever order its strings come", () => {
    const w = a('w.example.com.', ['192.0.2.1']);
    for (const owners of [
      [OWNER, 'fed-b'],
      ['fed-b', OWNER],
    ]) {
      const marker: RecordSet<string> = {
        name: ownershipRecordName(w.name),
        type: 'TXT',
        ttl: 180,
        rrdatas: owners.map((o) => `"heritage=fedsvc,owner=${o}"`),
      };
      expect(markerOwner(marker)).toBeNull();
      const { changes, conflicts } = diffRecords([...soa, marker, w], [a(w.name, ['192.0.2.9'])], { ownerId: OWNER });
      expect(changes).toEqual([]);
      expect(conflicts.map((c) => c.name)).toEqual([w.name]);
    }
  });

  test('nothing changed, rrdatas in another order, IPv6 in another form: nothing written', () => {
    const zone = owned(a('w.example.com.', ['192.0.2.2', '192.0.2.1']), {
      name: 'v.example.com.',
      type: 'AAAA',
      ttl: 180,
      rrdatas: ['2001:DB8:0::1'],
    });
    const desired: RecordSet[] = [
      a('w.example.com.', ['192.0.2.1', '192.0.2.2']),
      { name: 'v.example.com.', type: 'AAAA', ttl: 180, rrdatas: ['2001:db8::1'] },
    ];
    expect(diffRecords(zone, desired, { ownerId: OWNER })).toEqual({ changes: [], conflicts: [] });
  });

  test('an ALIAS set compares its targets as a set, hostnames in any case, and its TTL only when it holds addresses', () => {
    const alias = (rrdatas: string[], ttl: number): RecordSet => ({ name: 'w.example.com.', type: 'ALIAS', ttl, rrdatas });
    const held = alias(['LB-1.us-east-1.elb.amazonaws.com', '2001:DB8::1', '192.0.2.1'], 180);
    const zone = [...soa, ownershipRecord(held.name, OWNER, 180, ['ALIAS']), held];
    const same = alias(['lb-1.us-east-1.elb.amazonaws.com.', '192.0.2.1', '2001:db8::1'], 180);
    expect(diffRecords(zone, [same], { ownerId: OWNER }).changes).toEqual([]);
    // The addresses' TTL is the set's: a new one is an update.
    const slower = { ...same, ttl: 300 };
    expect(diffRecords(zone, [slower], { ownerId: OWNER }).changes.map((c) => `${c.kind} ${c.record.type}`)).toEqual([
      'update ALIAS',
      'update TXT',
    ]);
    // Hostnames alone have no TTL of their own: a provider reporting 0 holds the same set.
    const hostnames = alias(['lb-1.us-east-1.elb.amazonaws.com.'], 0);
    expect(
      diffRecords([...soa, ownershipRecord(held.name, OWNER, 180, ['ALIAS']), hostnames], [{ ...hostnames, ttl: 180 }], { ownerId: OWNER })
        .changes,
    ).toEqual([]);
    const moved = alias(['lb-2.us-east-1.elb.amazonaws.com.', '192.0.2.1', '2001:db8::1'], 180);
    // Its marker is rewritten as read, so that the update holds only while the name is still ours.
    const marker = ownershipRecord(held.name, OWNER, 180, ['ALIAS']);
    expect(diffRecords(zone, [moved], { ownerId: OWNER }).changes).toEqual([
      { kind: 'update', before: held, record: moved },
      { kind: 'update', before: marker, record: marker },
    ]);
    // From addresses to an alias: the A set goes first, then the ALIAS set comes.
    const plain = a('w.example.com.', ['192.0.2.1']);
    // The marker names the types the federation owns there, so it follows.
    expect(diffRecords(owned(plain), [moved], { ownerId: OWNER }).changes).toEqual([
      { kind: 'delete', record: plain },
      { kind: 'create', record: moved },
      {
        kind: 'update',
        before: ownershipRecord(plain.name, OWNER, 180, ['A']),
        record: ownershipRecord(plain.name, OWNER, 180, ['ALIAS']),
      },
    ]);
  });

  test('a TTL change is an update carrying the record set it replaces, and the marker follows it', () => {
    const before = a('w.example.com.', ['192.0.2.1']);
    const { changes } = diffRecords(owned(before), [a('w.example.com.', ['192.0.2.1'], 30)], { ownerId: OWNER });
    expect(changes).toEqual([
      { kind: 'update', before, record: a('w.example.com.', ['192.0.2.1'], 30) },
      {
        kind: 'update',
        before: ownershipRecord('w.example.com.', OWNER, 180, ['A']),
        record: ownershipRecord('w.example.com.', OWNER, 30, ['A']),
      },
    ]);
  });

  test('a marker with a stale TTL is the only change when the records are right', () => {
    const record = a('w.example.com.', ['192.0.2.1'], 30);
    const zone = [...soa, ownershipRecord(record.name, OWNER, 300, ['A']), record];
    const { changes } = diffRecords(zone, [record], { ownerId: OWNER });
    expect(changes).toEqual([
      { kind: 'update', before: ownershipRecord(record.name, OWNER, 300, ['A']), record: ownershipRecord(record.name, OWNER, 30, ['A']) },
    ]);
    expect(diffRecords(applied(zone, changes), [record], { ownerId: OWNER }).changes).toEqual([]);
  });

  test('A to CNAME at one name: delete, then create, adjacent; the target is created first', () => {
    const zone = owned(a('z.example.com.', ['192.0.2.1']));
    const desired: RecordSet[] = [
      { name: 'z.example.com.', type: 'CNAME', ttl: 180, rrdatas: ['r.example.com.'] },
      a('r.example.com.', ['192.0.2.9']),
    ];
    const { changes } = diffRecords(zone, desired, { ownerId: OWNER });
    expect(changes.map((c) => `${c.kind} ${c.record.name} ${c.record.type}`)).toEqual([
      'create _fedsvc.r.example.com. TXT',
      'create r.example.com. A',
      'delete z.example.com. A',
      'create z.example.com. CNAME',
      'update _fedsvc.z.example.com. TXT',
      // The target's marker as written just before: the CNAME lands only while the target is still ours.
      'update _fedsvc.r.example.com. TXT',
    ]);
  });

  test('removing a service deletes its CNAMEs before their targets, and every marker last in its name', () => {
    const zone = owned(
      { name: 'z.example.com.', type: 'CNAME', ttl: 180, rrdatas: ['a.example.com.'] },
      a('a.example.com.', ['192.0.2.1']),
    );
    const { changes } = diffRecords(zone, [], { ownerId: OWNER });
    expect(changes.map((c) => `${c.kind} ${c.record.name} ${c.record.type}`)).toEqual([
      'delete z.example.com. CNAME',
      'delete _fedsvc.z.example.com. TXT',
      'delete a.example.com. A',
      'delete _fedsvc.a.example.com. TXT',
    ]);
  });

  test("a person's record, another federation's name: reported, never touched", () => {
    const zone = [
      ...soa,
      a('p.example.com.', ['198.51.100.1']),
      ownershipRecord('o.example.com.', 'fed-b', 60, ['A']),
      a('o.example.com.', ['198.51.100.2']),
    ];
    const { changes, conflicts } = diffRecords(zone, [a('p.example.com.', ['192.0.2.1']), a('o.example.com.', ['192.0.2.1'])], {
      ownerId: OWNER,
    });
    expect(changes).toEqual([]);
    expect(conflicts).toEqual([
      { name: 'o.example.com.', types: ['A'], owner: 'fed-b' },
      { name: 'p.example.com.', types: ['A'], owner: null },
    ]);
  });

  test('a CNAME cannot go where a person keeps an MX', () => {
    const zone = [...soa, { name: 'm.example.com.', type: 'MX', ttl: 300, rrdatas: ['10 mx.example.net.'] }];
    const { conflicts } = diffRecords(zone, [{ name: 'm.example.com.', type: 'CNAME', ttl: 180, rrdatas: ['x.example.com.'] }], {
      ownerId: OWNER,
    });
    expect(conflicts).toEqual([{ name: 'm.example.com.', types: ['MX'], owner: null }]);
  });

  test('bad owner ids and duplicate desired record sets are refused', () => {
    expect(() => diffRecords([], [], { ownerId: 'has space' })).toThrow(expect.objectContaining({ field: 'options.ownerId' }));
    expect(() => diffRecords([], [], { ownerId: 'a"b' })).toThrow(ValidationError);
    expect(() => diffRecords([], [a('w.example.com.', ['192.0.2.1']), a('W.example.com', ['192.0.2.2'])], { ownerId: OWNER })).toThrow(
      expect.objectContaining({ field: 'desired[1]' }),
    );
  });
});

describe('batchChanges', () => {
  test('a name group that alone exceeds the limits is a typed error naming the name', () => {
    const big: RecordSet = {
      name: 'big.example.com.',
      type: 'A',
      ttl: 1,
      rrdatas: Array.from({ length: 20 }, (_, i) => `192.0.2.${i + 1}`),
    };
    expect(() =>
      batchChanges([{ kind: 'create', record: big }], {
        maxChangesPerRequest: 100,
        maxRrdatasPerRequest: 10,
        maxRrdataCharsPerRequest: 1e6,
        atomic: true,
      }),
    ).toThrow(expect.objectContaining({ value: 'big.example.com.' }));
  });

  test.prop([fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 60 }), fc.integer({ min: 2, max: 12 })])(
    'each change once, each batch within the limit, and never more batches than filling each up to the next group in order',
    (sizes, limit) => {
      const changes: Change[] = sizes.flatMap((n, g) =>
        Array.from(
          { length: Math.min(n, limit) },
          (_, i): Change => ({
            kind: 'create',
            record: {
              name: i === 0 ? `n${g}.example.com.` : `_fedsvc.n${g}.example.com.`,
              type: i === 0 ? 'A' : 'TXT',
              ttl: 1,
              rrdatas: ['192.0.2.1'],
            },
          }),
        ),
      );
      const batches = batchChanges(changes, {
        maxChangesPerRequest: limit,
        maxRrdatasPerRequest: 1e6,
        maxRrdataCharsPerRequest: 1e6,
        atomic: true,
      });
      expect([...batches.flat()].sort((x, y) => changes.indexOf(x) - changes.indexOf(y))).toEqual(changes);
      for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(limit);
      let inOrder = 0;
      let room = 0;
      for (const group of changeGroups(changes)) {
        if (group.length > room) {
          inOrder++;
          room = limit;
        }
        room -= group.length;
      }
      expect(batches.length).toBeLessThanOrEqual(inOrder);
    },
  );
});

describe('diffRecords: conflict types in a stable order, and only owned types written', () => {
  const N = 'nginx.ns.fed.svc.z1.example.com.';
  const ours = ownershipRecord(N, OWNER, 180, ['A']);
  test('conflict types do not depend on the order the zone lists its records in', () => {
    const a: RecordSet<string> = { name: N, type: 'A', ttl: 60, rrdatas: ['198.51.100.1'] };
    const mx: RecordSet<string> = { name: N, type: 'MX', ttl: 60, rrdatas: ['10 mx.example.net.'] };
    const cname: RecordSet[] = [{ name: N, type: 'CNAME', ttl: 180, rrdatas: ['nginx.ns.fed.svc.r1.example.com.'] }];
    const one = diffRecords([a, mx], cname, { ownerId: OWNER }).conflicts;
    expect(one).toEqual([{ name: N, types: ['A', 'MX'], owner: null }]);
    expect(diffRecords([mx, a], cname, { ownerId: OWNER }).conflicts).toEqual(one);
    expect(diffRecords([ours, mx, a], cname, { ownerId: OWNER }).conflicts).toEqual(
      diffRecords([ours, a, mx], cname, { ownerId: OWNER }).conflicts,
    );
  });
  test('a type the federation does not own is never written, even asked for at a name it owns', () => {
    const mx = { name: N, type: 'MX', ttl: 300, rrdatas: ['10 mx.example.net.'] };
    const desired = [{ ...mx, ttl: 180 }] as unknown as RecordSet[];
    // The marker names an A set the name no longer holds, and nothing of ours is wanted: only the marker goes.
    expect(diffRecords([ours, mx], desired, { ownerId: OWNER })).toEqual({ changes: [{ kind: 'delete', record: ours }], conflicts: [] });
  });
});
