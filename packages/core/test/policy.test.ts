import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { applyChangeSet } from '@fedsvc/core/provider';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import {
  applyPolicy,
  diffRecords,
  markerOwner,
  ownershipRecord,
  ownershipRecordName,
  ownershipSubject,
  planServiceRecords,
  POLICIES,
  reconcileZone,
  ValidationError,
  type Change,
  type Policy,
  type RecordSet,
} from '@fedsvc/core';
import { isGuard } from '../src/zone/batch.js';
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
const describeChange = (c: Change) => `${c.kind} ${c.record.name} ${c.record.type}`;
const subject = (c: Change) => ownershipSubject(c.record.name);
const FORBIDDEN: Record<Policy, readonly Change['kind'][]> = { sync: [], 'upsert-only': ['delete'], 'create-only': ['update', 'delete'] };

// A zone holding one plan of a random federation, and another plan wanted: names move between
// A/AAAA, ALIAS and CNAME as shards come and go.
const scenario = fc
  .record({
    before: topology({ maxClusters: 20, hostnames: true }),
    after: topology({ maxClusters: 20, hostnames: true }),
    policy: fc.constantFrom(...POLICIES),
  })
  .map(({ before, after, policy }) => {
    const fix = <T extends { federation: { domain: string } }>(t: T) => ({
      ...t,
      federation: { ...t.federation, domain: 'example.com', zoneNameFormat: 'zone' as const },
    });
    const start = planServiceRecords(fix(before));
    const zone = applied(soa, diffRecords(soa, start, { ownerId: OWNER }).changes);
    return { zone, desired: planServiceRecords(fix(after)), policy };
  });

describe('applyPolicy over random change sets', () => {
  test.prop([scenario], { numRuns: 400 })(
    'never writes what the policy forbids, stays CNAME-safe change by change, and keeps every name marked',
    ({ zone, desired, policy }) => {
      const diff = diffRecords(zone, desired, { ownerId: OWNER });
      const { changes, suppressed, held } = applyPolicy(diff.changes, policy);
      for (const change of changes) expect(FORBIDDEN[policy], describeChange(change)).not.toContain(change.kind);
      // Nothing is lost or invented: the two lists split the change set.
      expect([...changes, ...suppressed].map(describeChange).sort()).toEqual(diff.changes.map(describeChange).sort());
      // Change by change, no CNAME shares its name (applyChangeSet refuses it) and none points at a missing name.
      let state: RecordSet<string>[] = zone;
      for (const change of changes) {
        state = applied(state, [change]);
        if (change.record.type === 'CNAME') {
          const target = change.record.rrdatas[0]!;
          expect(
            state.some((r) => r.name === target),
            `${change.record.name} → ${target}`,
          ).toBe(true);
        }
      }
      // Every name of ours left in the zone still carries our marker, and every marker of ours still marks a name.
      const marked = new Set(state.filter((r) => markerOwner(r) === OWNER).map((r) => ownershipSubject(r.name)));
      const named = new Set(state.filter((r) => r.type !== 'SOA' && r.type !== 'NS' && markerOwner(r) === null).map((r) => r.name));
      expect([...named].sort()).toEqual([...marked].sort());
      // A held name is left exactly as it was, and only a change the policy forbids held it.
      for (const name of held) {
        expect(changes.some((c) => subject(c) === name)).toBe(false);
        expect(suppressed.some((c) => subject(c) === name && FORBIDDEN[policy].includes(c.kind))).toBe(true);
        expect(suppressed.some((c) => subject(c) === name && !FORBIDDEN[policy].includes(c.kind))).toBe(true);
      }
      // Nothing the policy allows is withheld but the changes of a held name (a guard goes with the name it
      // follows), and the guards of a marker whose own change is withheld: they would name a marker the zone never holds.
      let owner = '';
      const names = new Map<Change, string>();
      for (const change of diff.changes) {
        if (!isGuard(change)) owner = subject(change);
        names.set(change, owner);
      }
      const keptMarkers = new Set(suppressed.filter((c) => !isGuard(c) && subject(c) !== c.record.name).map((c) => c.record.name));
      for (const change of suppressed) {
        if (FORBIDDEN[policy].includes(change.kind) || (isGuard(change) && keptMarkers.has(change.record.name))) continue;
        expect(held, describeChange(change)).toContain(names.get(change));
      }
      if (policy === 'sync') expect(changes).toEqual(diff.changes);
    },
  );
});

describe('applyPolicy, case by case', () => {
  const a = (name: string, rrdatas: string[], ttl = 180): RecordSet => ({ name, type: 'A', ttl, rrdatas });
  const cname = (name: string, target: string): RecordSet => ({ name, type: 'CNAME', ttl: 180, rrdatas: [target] });
  const owned = (...records: RecordSet[]) => [...soa, ...records.flatMap((r) => [ownershipRecord(r.name, OWNER, r.ttl, [r.type]), r])];

  test('upsert-only: a name no longer wanted stays with its marker; an address change is written', () => {
    const zone = owned(a('w.example.com.', ['192.0.2.1']), a('gone.example.com.', ['192.0.2.2']));
    const { changes } = diffRecords(zone, [a('w.example.com.', ['192.0.2.9'])], { ownerId: OWNER });
    const outcome = applyPolicy(changes, 'upsert-only');
    expect(outcome.changes.map(describeChange)).toEqual(['update w.example.com. A', `update ${ownershipRecordName('w.example.com.')} TXT`]);
    expect(outcome.suppressed.map(describeChange)).toEqual([
      'delete gone.example.com. A',
      `delete ${ownershipRecordName('gone.example.com.')} TXT`,
    ]);
    expect(outcome.held).toEqual([]);
  });

  test('create-only: a new name is created with its marker; a changed one is left alone', () => {
    const zone = owned(a('w.example.com.', ['192.0.2.1']));
    const { changes } = diffRecords(zone, [a('w.example.com.', ['192.0.2.9']), a('new.example.com.', ['192.0.2.3'])], { ownerId: OWNER });
    const outcome = applyPolicy(changes, 'create-only');
    expect(outcome.changes.map(describeChange).sort()).toEqual(
      [`create ${ownershipRecordName('new.example.com.')} TXT`, 'create new.example.com. A'].sort(),
    );
    expect(outcome.suppressed.map(describeChange)).toEqual([
      'update w.example.com. A',
      `update ${ownershipRecordName('w.example.com.')} TXT`,
    ]);
  });

  for (const policy of ['upsert-only', 'create-only'] as const) {
    test(`${policy}: a name moving from A to CNAME (which needs its A deleted) is held as it is, and reported`, () => {
      const zone = owned(a('zone.example.com.', ['192.0.2.1']), a('region.example.com.', ['192.0.2.1']));
      const desired = [cname('zone.example.com.', 'region.example.com.'), a('region.example.com.', ['192.0.2.1'])];
      const outcome = applyPolicy(diffRecords(zone, desired, { ownerId: OWNER }).changes, policy);
      expect(outcome.changes).toEqual([]);
      expect(outcome.held).toEqual(['zone.example.com.']);
      expect(outcome.suppressed.map(describeChange).sort()).toEqual(
        [
          'create zone.example.com. CNAME',
          'delete zone.example.com. A',
          `update ${ownershipRecordName('zone.example.com.')} TXT`,
          // The guard of the target's marker goes with the name whose CNAME it guards.
          `update ${ownershipRecordName('region.example.com.')} TXT`,
        ].sort(),
      );
    });
  }

  test('upsert-only: a name losing one of its types keeps both and its marker, so the marker never names a set that is gone or omits one that stays', () => {
    const aaaa: RecordSet = { name: 'w.example.com.', type: 'AAAA', ttl: 180, rrdatas: ['2001:db8::1'] };
    const zone = [...soa, ownershipRecord('w.example.com.', OWNER, 180, ['A', 'AAAA']), a('w.example.com.', ['192.0.2.1']), aaaa];
    const { changes } = diffRecords(zone, [a('w.example.com.', ['192.0.2.1'])], { ownerId: OWNER });
    expect(changes.map(describeChange).sort()).toEqual(
      ['delete w.example.com. AAAA', `update ${ownershipRecordName('w.example.com.')} TXT`].sort(),
    );
    const outcome = applyPolicy(changes, 'upsert-only');
    expect(outcome.changes).toEqual([]);
    expect(outcome.held).toEqual(['w.example.com.']);
  });

  test('reconcileZone: a dry run shows the changes the policy lets through, and the report names what it held', async () => {
    const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'z' }] });
    const zone = { id: 'z', dnsName: 'example.com.' };
    await reconcileZone({
      provider,
      zone,
      ownerId: OWNER,
      desired: [a('zone.example.com.', ['192.0.2.1']), a('old.example.com.', ['192.0.2.2'])],
    });
    const before = provider.snapshot(zone);
    const desired = [cname('zone.example.com.', 'region.example.com.'), a('region.example.com.', ['192.0.2.1'])];
    const plan = await reconcileZone({ provider, zone, ownerId: OWNER, desired, policy: 'upsert-only', dryRun: true });
    expect(plan.changes.map(describeChange).sort()).toEqual(
      [`create ${ownershipRecordName('region.example.com.')} TXT`, 'create region.example.com. A'].sort(),
    );
    expect(plan.held).toEqual(['zone.example.com.']);
    expect(provider.snapshot(zone)).toEqual(before);
    const report = await reconcileZone({ provider, zone, ownerId: OWNER, desired, policy: 'upsert-only' });
    expect(report.changes).toEqual(plan.changes);
    expect(report.suppressed.map(describeChange)).toContain('delete old.example.com. A');
    const after = provider.snapshot(zone);
    expect(after.filter((r) => r.name === 'zone.example.com.' || r.name === 'old.example.com.').map((r) => r.type)).toEqual(['A', 'A']);
    // Nothing left to do under the policy: a second pass writes nothing.
    expect((await reconcileZone({ provider, zone, ownerId: OWNER, desired, policy: 'upsert-only' })).writes).toBe(0);
  });

  test('reconcileZone refuses a policy it does not know, naming it', async () => {
    const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'z' }] });
    const error = await reconcileZone({
      provider,
      zone: { id: 'z', dnsName: 'example.com.' },
      ownerId: OWNER,
      desired: [],
      policy: 'upsert' as Policy,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'policy', value: 'upsert' });
    expect(provider.requests()).toMatchObject({ reads: 0, writes: 0 });
  });
});
