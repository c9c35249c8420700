import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { applyChangeSet } from '../src/zone/apply.js';
import { diffRecords } from '../src/zone/diff.js';
import { ProviderError, ValidationError } from '../src/errors.js';
import { normalizeName } from '../src/dns/names.js';
import { ownershipRecord, ownershipRecordName, ownershipSubject } from '../src/dns/ownership.js';
import { changeGroups, isGuard } from '../src/zone/batch.js';
import { MAX_REPLANS, reconcileZone, type ReconcileOptions } from '../src/zone/reconcile.js';
import type { Change, DnsProvider, DnsZone, Logger, ProviderErrorKind, ProviderLimits, RecordSet } from '../src/types.js';

const ZONE: DnsZone = { id: 'Z', dnsName: 'example.com.' };
const OWNER = 'me';
const name = (label: string) => `${label}.example.com.`;

type Step = 'ok' | 'throttled' | 'transient' | 'meddle';

/**
 * A zone behind the port, small enough to read at a glance: exact-match semantics through
 * applyChangeSet, limits enforced (a request over them fails the test outright), and a script
 * of what happens on each request.
 */
class ScriptedZone implements DnsProvider {
  readonly name = 'scripted';
  reads = 0;
  writes = 0;
  held: RecordSet<string>[];
  readonly afterWrite: ((records: readonly RecordSet<string>[]) => void)[] = [];

  readonly script: Step[];
  private readonly rejectName: string | undefined;
  /** What another writer does on a `meddle` step. */
  private readonly meddle: (records: RecordSet<string>[]) => RecordSet<string>[];

  constructor(
    records: readonly RecordSet<string>[],
    readonly limits: ProviderLimits,
    options: { script?: Step[]; rejectName?: string; meddle?: (records: RecordSet<string>[]) => RecordSet<string>[] } = {},
  ) {
    this.held = [...records];
    this.script = options.script ?? [];
    this.rejectName = options.rejectName;
    this.meddle = options.meddle ?? ((held) => held);
  }

  async zones(): Promise<readonly DnsZone[]> {
    return [ZONE];
  }

  async records(): Promise<readonly RecordSet<string>[]> {
    this.reads++;
    this.#step();
    return [...this.held];
  }

  async applyChanges(_zone: DnsZone, changes: readonly Change[]): Promise<void> {
    this.writes++;
    this.#step();
    const sides = changes.flatMap((change) => (change.kind === 'update' ? [change.before, change.record] : [change.record]));
    if (
      changes.length === 0 ||
      sides.length > this.limits.maxChangesPerRequest ||
      sides.reduce((sum, side) => sum + side.rrdatas.length, 0) > this.limits.maxRrdatasPerRequest
    ) {
      throw new Error(`request of ${sides.length} changes breaks the limits`);
    }
    // Cloud DNS refuses a change that adds one record set twice, as a create and then an update would.
    const changed = changes.map((change) => `${normalizeName(change.record.name)} ${change.record.type}`);
    if (new Set(changed).size !== changed.length) throw new Error(`request changes a record set twice: ${changed.join(', ')}`);
    const rejected = changes.find((change) => ownershipSubject(change.record.name) === this.rejectName);
    if (rejected) {
      throw new ProviderError(this.name, 'invalid', 'rejected', { record: { name: rejected.record.name, type: rejected.record.type } });
    }
    const result = applyChangeSet(this.held, changes);
    if (!result.ok) throw new ProviderError(this.name, 'conflict', result.reason);
    this.held = result.records;
    for (const listener of this.afterWrite) listener(this.held);
  }

  #step(): void {
    const step = this.script.shift() ?? 'ok';
    if (step === 'meddle') this.held = this.meddle(this.held);
    else if (step !== 'ok') throw new ProviderError(this.name, step, `${step} (scripted)`);
  }
}

const limitsArb: fc.Arbitrary<ProviderLimits> = fc.record({
  // 6: the largest name group, updates of A, AAAA and the marker (two each).
  maxChangesPerRequest: fc.integer({ min: 6, max: 12 }),
  maxRrdatasPerRequest: fc.constant(1_000),
  maxRrdataCharsPerRequest: fc.constant(100_000),
  // reconcileZone writes only to providers that apply a request all or nothing.
  atomic: fc.constant(true),
});

const LABELS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
type Role = 'foreign' | 'other' | 'free';
const ipArb = fc.integer({ min: 1, max: 4 }).map((i) => `192.0.2.${i}`);

interface World {
  readonly current: RecordSet<string>[];
  readonly desired: RecordSet[];
  readonly foreignNames: string[];
}

/**
 * A zone holding foreign names (unmarked), another owner's names and ours; and a desired set.
 * Every CNAME, held or desired, points at a name that holds (or will hold) an address record.
 */
const worldArb: fc.Arbitrary<World> = fc
  .record({
    roles: fc.array(fc.constantFrom<Role>('foreign', 'other', 'free', 'free', 'free'), {
      minLength: LABELS.length,
      maxLength: LABELS.length,
    }),
    owned: fc.array(fc.option(fc.record({ cname: fc.boolean(), ip: ipArb, target: fc.nat() }), { nil: undefined }), {
      minLength: LABELS.length,
      maxLength: LABELS.length,
    }),
    wanted: fc.array(
      fc.option(fc.record({ cname: fc.boolean(), ip: ipArb, v6: fc.boolean(), target: fc.nat(), ttl: fc.constantFrom(60, 180) }), {
        nil: undefined,
      }),
      { minLength: LABELS.length, maxLength: LABELS.length },
    ),
  })
  .map(({ roles, owned, wanted }) => {
    const current: RecordSet<string>[] = [];
    const held: string[] = [];
    roles.forEach((role, i) => {
      const n = name(LABELS[i]!);
      if (role === 'foreign') current.push({ name: n, type: 'A', ttl: 60, rrdatas: ['198.51.100.1'] });
      if (role === 'other') current.push({ name: n, type: 'A', ttl: 60, rrdatas: ['198.51.100.2'] }, ownershipRecord(n, 'them', 60, ['A']));
      if (role !== 'free') held.push(n);
    });
    const foreignNames = [...held];
    // Our address records first, so that our CNAMEs have something to point at.
    const ours = roles.map((role, i) => (role === 'free' ? owned[i] : undefined));
    ours.forEach((spec, i) => {
      if (spec && !spec.cname) {
        const n = name(LABELS[i]!);
        current.push({ name: n, type: 'A', ttl: 180, rrdatas: [spec.ip] }, ownershipRecord(n, OWNER, 180, ['A']));
        held.push(n);
      }
    });
    ours.forEach((spec, i) => {
      if (spec?.cname && held.length > 0) {
        const n = name(LABELS[i]!);
        current.push(
          { name: n, type: 'CNAME', ttl: 180, rrdatas: [held[spec.target % held.length]!] },
          ownershipRecord(n, OWNER, 180, ['CNAME']),
        );
      }
    });
    const desired: RecordSet[] = [];
    const addressed = [...foreignNames];
    wanted.forEach((spec, i) => {
      if (spec && !spec.cname) {
        const n = name(LABELS[i]!);
        desired.push({ name: n, type: 'A', ttl: spec.ttl, rrdatas: [spec.ip] });
        if (spec.v6) desired.push({ name: n, type: 'AAAA', ttl: spec.ttl, rrdatas: ['2001:db8::1'] });
        addressed.push(n);
      }
    });
    wanted.forEach((spec, i) => {
      if (spec?.cname && addressed.length > 0) {
        desired.push({ name: name(LABELS[i]!), type: 'CNAME', ttl: spec.ttl, rrdatas: [addressed[spec.target % addressed.length]!] });
      }
    });
    return { current, desired, foreignNames };
  });

function expectNoDanglingCname(records: readonly RecordSet<string>[]): void {
  const names = new Set(records.map((record) => record.name));
  for (const record of records) {
    if (record.type === 'CNAME') expect(names.has(record.rrdatas[0]!), `${record.name} → ${record.rrdatas[0]} dangles`).toBe(true);
  }
}

const ofNames = (records: readonly RecordSet<string>[], names: readonly string[]) =>
  records
    .filter((record) => names.includes(ownershipSubject(record.name)))
    .map((record) => JSON.stringify(record))
    .sort();

const quiet = { sleep: async () => {}, random: () => 0.5 } as const;

function run(zone: ScriptedZone, desired: readonly RecordSet[], extra: Partial<ReconcileOptions> = {}) {
  return reconcileZone({ provider: zone, zone: ZONE, desired, ownerId: OWNER, ...quiet, ...extra });
}

/**
 * Whether `sent` is `planned` less some guards (see isGuard), each change once. The order may
 * differ: a request carries later groups ahead where the order between them does not matter.
 */
function lessGuards(planned: readonly Change[], sent: readonly Change[]): boolean {
  const left = new Map<string, { n: number; guard: boolean }>();
  for (const change of planned) {
    const key = JSON.stringify(change);
    const entry = left.get(key) ?? { n: 0, guard: isGuard(change) };
    entry.n++;
    left.set(key, entry);
  }
  for (const change of sent) {
    const entry = left.get(JSON.stringify(change));
    if (!entry || entry.n === 0) return false;
    entry.n--;
  }
  return [...left.values()].every((entry) => entry.n === 0 || entry.guard);
}

describe('reconcileZone', () => {
  test.prop([worldArb, limitsArb], { numRuns: 150 })(
    'converges in one read, leaves foreign names alone, never dangles a CNAME, fits the limits',
    async (world, limits) => {
      const zone = new ScriptedZone(world.current, limits);
      zone.afterWrite.push(expectNoDanglingCname);
      const planned = diffRecords(world.current, world.desired, { ownerId: OWNER });
      const report = await run(zone, world.desired);
      expect(diffRecords(zone.held, world.desired, { ownerId: OWNER }).changes).toEqual([]);
      expect(ofNames(zone.held, world.foreignNames)).toEqual(ofNames(world.current, world.foreignNames));
      expect(report).toMatchObject({ reads: 1, retries: 0, replans: 0, writes: zone.writes });
      // A guard of a marker the request already changes is not sent twice, nor one a group too large for it cannot carry.
      expect(lessGuards(planned.changes, report.changes)).toBe(true);
      expect(report.conflicts).toEqual(planned.conflicts);
      // Requests hold at least what was sent: a guard a request carries twice is sent, and counted, once.
      const sent = report.changes.reduce((sum, change) => sum + (change.kind === 'update' ? 2 : 1), 0);
      expect(zone.writes).toBeGreaterThanOrEqual(Math.ceil(sent / limits.maxChangesPerRequest));
      const cost = planned.changes.reduce((sum, change) => sum + (change.kind === 'update' ? 2 : 1), 0);
      const largestGroup = Math.max(
        0,
        ...changeGroups(planned.changes).map((group) => group.reduce((sum, change) => sum + (change.kind === 'update' ? 2 : 1), 0)),
      );
      expect(zone.writes).toBeLessThanOrEqual(Math.ceil(cost / (limits.maxChangesPerRequest - largestGroup + 1)) + 1);
    },
  );

  test.prop([worldArb, limitsArb, fc.array(fc.constantFrom<Step>('ok', 'throttled', 'transient', 'meddle'), { maxLength: 12 })], {
    numRuns: 150,
  })(
    'converges through throttling, transient failures and other writers (re-reading, never overwriting theirs)',
    async (world, limits, script) => {
      // At most MAX_REPLANS meddles, and never more than 3 faults in a row (4 attempts).
      let meddles = 0;
      let run_ = 0;
      const steps = script
        .filter((step) => step !== 'meddle' || ++meddles <= MAX_REPLANS)
        .filter((step) => {
          run_ = step === 'throttled' || step === 'transient' ? run_ + 1 : 0;
          return run_ <= 3;
        });
      // The other writer rewrites every record set of ours to a new address; we own them still, so we put them back.
      const meddle = (records: RecordSet<string>[]) =>
        records.map((record) =>
          record.type === 'A' && record.rrdatas[0]!.startsWith('192.0.2.') ? { ...record, rrdatas: ['192.0.2.200'] } : record,
        );
      const zone = new ScriptedZone(world.current, limits, { script: [...steps], meddle });
      const report = await run(zone, world.desired, { retry: { maxAttempts: 4 } });
      const consumed = steps.slice(0, report.reads + report.writes);
      expect(report.reads + report.writes).toBe(zone.reads + zone.writes);
      expect(report.retries).toBe(consumed.filter((step) => step === 'throttled' || step === 'transient').length);
      expect(report.replans).toBeLessThanOrEqual(MAX_REPLANS);
      expect(ofNames(zone.held, world.foreignNames)).toEqual(ofNames(world.current, world.foreignNames));
      // A change made after our last write is for the next pass to see; without one, the zone has converged.
      if (!consumed.includes('meddle')) expect(diffRecords(zone.held, world.desired, { ownerId: OWNER }).changes).toEqual([]);
      zone.script.length = 0;
      await run(zone, world.desired);
      expect(diffRecords(zone.held, world.desired, { ownerId: OWNER }).changes).toEqual([]);
      expect(ofNames(zone.held, world.foreignNames)).toEqual(ofNames(world.current, world.foreignNames));
    },
  );

  it('re-plans at most MAX_REPLANS times, then surfaces the conflict', async () => {
    const owned: RecordSet<string>[] = [
      { name: name('a'), type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] },
      ownershipRecord(name('a'), OWNER, 180, ['A']),
    ];
    let bump = 0;
    // Another writer changes our record before every one of our writes.
    const zone = new ScriptedZone(
      owned,
      { maxChangesPerRequest: 10, maxRrdatasPerRequest: 10, maxRrdataCharsPerRequest: 1_000, atomic: true },
      {
        script: Array.from({ length: 20 }, (_, i) => (i % 2 === 1 ? 'meddle' : 'ok')),
        meddle: (records) => records.map((record) => (record.type === 'A' ? { ...record, rrdatas: [`198.51.100.${++bump}`] } : record)),
      },
    );
    const error = await run(zone, [{ name: name('a'), type: 'A', ttl: 180, rrdatas: ['192.0.2.9'] }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('conflict');
    expect(zone.reads).toBe(MAX_REPLANS + 1);
    expect(zone.writes).toBe(MAX_REPLANS + 1);
  });

  it('isolates a rejected record set by halving, writes the rest, and names it', async () => {
    const desired: RecordSet[] = LABELS.map((label, i) => ({ name: name(label), type: 'A', ttl: 180, rrdatas: [`192.0.2.${i + 1}`] }));
    desired.push({ name: name('k'), type: 'CNAME', ttl: 180, rrdatas: [name('d')] });
    const zone = new ScriptedZone(
      [],
      { maxChangesPerRequest: 40, maxRrdatasPerRequest: 40, maxRrdataCharsPerRequest: 10_000, atomic: true },
      { rejectName: name('d') },
    );
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (_obj, msg) => warnings.push(msg ?? ''), error() {} };
    const error = await run(zone, desired, { logger }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('invalid');
    expect((error as ProviderError).record?.name).toMatch(/d\.example\.com\.$/);
    expect((error as ProviderError).message).toContain('d.example.com.');
    expect(warnings).toContain('provider rejected record set');
    // Every other name made it; the CNAME to the rejected name waits for the next pass.
    const left = diffRecords(zone.held, desired, { ownerId: OWNER }).changes.map((change) => ownershipSubject(change.record.name));
    expect(new Set(left)).toEqual(new Set([name('d'), name('k')]));
    expectNoDanglingCname(zone.held);
    // One request for the whole batch, then halving: a handful, not one per name.
    expect(zone.writes).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(LABELS.length + 1)) + 2);
  });

  test.prop([worldArb, limitsArb, fc.constantFrom(...LABELS)], { numRuns: 300 })(
    'a rejected record set never leaves a CNAME dangling: neither to it, nor to a name it was moving away from',
    async (world, limits, rejected) => {
      const zone = new ScriptedZone(world.current, limits, { rejectName: name(rejected) });
      const error = await run(zone, world.desired).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (error !== undefined) {
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).kind).toBe('invalid');
        expect(ownershipSubject((error as ProviderError).record!.name)).toBe(name(rejected));
      }
      expectNoDanglingCname(zone.held);
    },
  );

  it('keeps the old target of a CNAME whose move was rejected', async () => {
    const limits = { maxChangesPerRequest: 40, maxRrdatasPerRequest: 40, maxRrdataCharsPerRequest: 10_000, atomic: true };
    const current: RecordSet<string>[] = [
      { name: name('a'), type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] },
      ownershipRecord(name('a'), OWNER, 180, ['A']),
      { name: name('b'), type: 'A', ttl: 180, rrdatas: ['192.0.2.2'] },
      ownershipRecord(name('b'), OWNER, 180, ['A']),
      { name: name('c'), type: 'CNAME', ttl: 180, rrdatas: [name('a')] },
      ownershipRecord(name('c'), OWNER, 180, ['CNAME']),
    ];
    const desired: RecordSet[] = [
      { name: name('b'), type: 'A', ttl: 180, rrdatas: ['192.0.2.2'] },
      { name: name('c'), type: 'CNAME', ttl: 180, rrdatas: [name('b')] },
    ];
    const zone = new ScriptedZone(current, limits, { rejectName: name('c') });
    const error = await run(zone, desired).catch((e: unknown) => e);
    expect((error as ProviderError).kind).toBe('invalid');
    expect((error as ProviderError).message).toContain('left for the next pass');
    // c still points at a, so a stays until the move is written.
    expect(ofNames(zone.held, [name('a'), name('c')])).toEqual(ofNames(current, [name('a'), name('c')]));
    expectNoDanglingCname(zone.held);
  });

  it('plans without writing on a dry run', async () => {
    const zone = new ScriptedZone([], {
      maxChangesPerRequest: 10,
      maxRrdatasPerRequest: 10,
      maxRrdataCharsPerRequest: 1_000,
      atomic: true,
    });
    const desired: RecordSet[] = [{ name: name('a'), type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] }];
    const report = await run(zone, desired, { dryRun: true });
    expect(report.changes.map((change) => `${change.kind} ${change.record.name}`).sort()).toEqual(
      [`create ${name('a')}`, `create ${ownershipRecordName(name('a'))}`].sort(),
    );
    expect(report.writes).toBe(0);
    expect(zone.writes).toBe(0);
    expect(zone.held).toEqual([]);
  });

  test.prop([worldArb, fc.subarray(LABELS)], { numRuns: 100 })('touches only names in scope', async (world, scoped) => {
    const inScope = (n: string) => scoped.some((label) => n === name(label));
    const zone = new ScriptedZone(world.current, {
      maxChangesPerRequest: 10,
      maxRrdatasPerRequest: 100,
      maxRrdataCharsPerRequest: 10_000,
      atomic: true,
    });
    await run(zone, world.desired, { scope: inScope });
    const outside = LABELS.map(name).filter((n) => !inScope(n));
    expect(ofNames(zone.held, outside)).toEqual(ofNames(world.current, outside));
  });

  it('validates the desired record sets, naming the field', async () => {
    const zone = new ScriptedZone([], {
      maxChangesPerRequest: 10,
      maxRrdatasPerRequest: 10,
      maxRrdataCharsPerRequest: 1_000,
      atomic: true,
    });
    const bad: [RecordSet, RegExp][] = [
      [{ name: 'a.example.org.', type: 'A', ttl: 1, rrdatas: ['192.0.2.1'] }, /desired\[0\]\.name.*inside zone/],
      [{ name: 'A.example.com', type: 'A', ttl: 1, rrdatas: ['192.0.2.1'] }, /desired\[0\]\.name/],
      [{ name: name('a'), type: 'MX' as 'A', ttl: 1, rrdatas: ['x'] }, /desired\[0\]\.type/],
      [{ name: name('a'), type: 'A', ttl: -1, rrdatas: ['192.0.2.1'] }, /desired\[0\]\.ttl/],
      [{ name: name('a'), type: 'A', ttl: 1, rrdatas: [] }, /desired\[0\]\.rrdatas/],
    ];
    for (const [record, message] of bad) {
      const error = await run(zone, [record]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(message);
    }
    expect(zone.reads).toBe(0);
  });

  it('surfaces errors that are not retryable at once', async () => {
    for (const kind of ['denied', 'not-found'] as ProviderErrorKind[]) {
      const zone = new ScriptedZone([], {
        maxChangesPerRequest: 10,
        maxRrdatasPerRequest: 10,
        maxRrdataCharsPerRequest: 1_000,
        atomic: true,
      });
      zone.records = async () => {
        zone.reads++;
        throw new ProviderError('scripted', kind, 'no');
      };
      const error = await run(zone, []).then(
        () => undefined,
        (e: unknown) => e as ProviderError,
      );
      expect(error?.kind).toBe(kind);
      expect(zone.reads).toBe(1);
    }
  });
});

it("a zone's worth of changes is reported whole, however many (no spread of them all in one call)", async () => {
  // Past about 120,000 arguments a spread call overflows the stack: 100,000 names are 200,000 changes with their markers.
  const desired: RecordSet[] = Array.from({ length: 100_000 }, (_, i) => ({
    name: `s${i}.example.com.`,
    type: 'A',
    ttl: 60,
    rrdatas: [`192.0.2.${i % 250}`],
  }));
  let held: RecordSet<string>[] = [];
  const provider: DnsProvider = {
    name: 'roomy',
    limits: { maxChangesPerRequest: 1_000_000, maxRrdatasPerRequest: 1_000_000, maxRrdataCharsPerRequest: 100_000_000, atomic: true },
    zones: async () => [ZONE],
    records: async () => held,
    applyChanges: async (_, changes) => {
      const applied = applyChangeSet(held, changes);
      if (!applied.ok) throw new ProviderError('roomy', 'conflict', 'not as read');
      held = [...applied.records];
    },
  };
  const report = await reconcileZone({ provider, zone: ZONE, desired, ownerId: OWNER, ...quiet });
  expect(report.changes).toHaveLength(200_000);
  expect(held).toHaveLength(200_000);
}, 60_000);
