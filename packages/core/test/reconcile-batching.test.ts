// reconcileZone and the batching under it: name groups too large for one request, names as the
// provider spells them, what a rejection names, and how many requests isolating rejected names
// may cost.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { applyChangeSet } from '../src/zone/apply.js';
import { batchChanges, changeCost, changeGroups, isGuard, planBatches } from '../src/zone/batch.js';
import { diffRecords } from '../src/zone/diff.js';
import { ProviderError, ValidationError } from '../src/errors.js';
import { normalizeName } from '../src/dns/names.js';
import { ownershipRecord, ownershipSubject } from '../src/dns/ownership.js';
import { maxSplits } from '../src/zone/batch-writer.js';
import { reconcileZone } from '../src/zone/reconcile.js';
import type { UnwrittenRecordsError } from '../src/zone/report.js';
import type { Change, DnsProvider, DnsZone, ProviderLimits, RecordSet } from '../src/types.js';

const ZONE: DnsZone = { id: 'Z', dnsName: 'example.com.' };
const OWNER = 'me';
const name = (label: string) => `${label}.example.com.`;
const a = (n: string, ip = '192.0.2.1', ttl = 60): RecordSet => ({ name: n, type: 'A', ttl, rrdatas: [ip] });
const cname = (n: string, target: string, ttl = 60): RecordSet => ({ name: n, type: 'CNAME', ttl, rrdatas: [target] });
const limits = (maxChangesPerRequest: number, more: Partial<ProviderLimits> = {}): ProviderLimits => ({
  maxChangesPerRequest,
  maxRrdatasPerRequest: 10_000,
  maxRrdataCharsPerRequest: 1_000_000,
  atomic: true,
  ...more,
});
const quiet = { sleep: async () => {}, random: () => 0.5 } as const;

/** The CNAMEs whose target holds nothing, names compared as DNS compares them. */
function dangling(records: readonly RecordSet<string>[]): string[] {
  const names = new Set(records.map((record) => normalizeName(record.name)));
  return records
    .filter((record) => record.type === 'CNAME' && !names.has(normalizeName(record.rrdatas[0]!)))
    .map((record) => `${record.name} → ${record.rrdatas[0]}`);
}

/**
 * A zone behind the port: exact-match semantics through applyChangeSet (names matched as DNS
 * matches them), limits enforced (a request over them fails the test outright), every write
 * checked for dangling CNAMEs, and a rule for which requests it rejects as invalid.
 */
class Zone implements DnsProvider {
  readonly name = 'test';
  writes = 0;
  held: RecordSet<string>[];
  readonly dangled: string[] = [];
  constructor(
    records: readonly RecordSet<string>[],
    readonly limits: ProviderLimits,
    /** The error for a request, or undefined to apply it. */
    private readonly reject: (changes: readonly Change[]) => ProviderError | undefined = () => undefined,
    /** How the provider spells a name when it lists the zone. */
    private readonly spell: (name: string) => string = (n) => n,
  ) {
    this.held = [...records];
  }

  async zones(): Promise<readonly DnsZone[]> {
    return [ZONE];
  }

  async records(): Promise<readonly RecordSet<string>[]> {
    return this.held.map((record) => ({ ...record, name: this.spell(record.name) }));
  }

  async applyChanges(_zone: DnsZone, changes: readonly Change[]): Promise<void> {
    this.writes++;
    const cost = changes
      .map(changeCost)
      .reduce((sum, c) => ({ changes: sum.changes + c.changes, rrdatas: sum.rrdatas + c.rrdatas }), { changes: 0, rrdatas: 0 });
    if (changes.length === 0 || cost.changes > this.limits.maxChangesPerRequest || cost.rrdatas > this.limits.maxRrdatasPerRequest) {
      throw new Error(`a request of ${cost.changes} changes and ${cost.rrdatas} rrdatas breaks the limits`);
    }
    const error = this.reject(changes);
    if (error) throw error;
    const result = applyChangeSet(this.held, changes);
    if (!result.ok) throw new ProviderError(this.name, 'conflict', result.reason);
    this.held = result.records;
    this.dangled.push(...dangling(this.held));
  }
}

const owned = (record: RecordSet<string>): RecordSet<string>[] => [record, ownershipRecord(record.name, OWNER, record.ttl, [record.type])];
const run = (zone: Zone, desired: readonly RecordSet[], scope?: (n: string) => boolean) =>
  reconcileZone({ provider: zone, zone: ZONE, desired, ownerId: OWNER, ...quiet, scope });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('planBatches and batchChanges', () => {
  it('leave a name group that no request can carry out, cutting the batches at its place; batchChanges still throws', () => {
    const big: RecordSet = { name: name('big'), type: 'A', ttl: 60, rrdatas: Array.from({ length: 8 }, (_, i) => `192.0.2.${i + 1}`) };
    const changes: Change[] = [
      { kind: 'create', record: a(name('a')) },
      { kind: 'update', before: { ...big, rrdatas: ['198.51.100.1'] }, record: big },
      { kind: 'create', record: a(name('c')) },
    ];
    const plan = planBatches(changes, limits(10, { maxRrdatasPerRequest: 8 }));
    expect(plan.batches).toEqual([[changes[0]], [changes[2]]]);
    expect(plan.oversized).toEqual([
      expect.objectContaining({ name: name('big'), before: 1, changes: [changes[1]], reason: '9 rrdatas (the limit is 8)' }),
    ]);
    expect(() => batchChanges(changes, limits(10, { maxRrdatasPerRequest: 8 }))).toThrow(ValidationError);
  });

  test.prop([
    fc.array(fc.record({ size: fc.integer({ min: 1, max: 6 }), rrdatas: fc.integer({ min: 1, max: 9 }) }), { maxLength: 40 }),
    fc.integer({ min: 2, max: 10 }),
  ])(
    'every change lands once, on its side of each oversized group: in a batch within the limits, or in an oversized group that exceeds them',
    (specs, limit) => {
      const changes: Change[] = specs.flatMap(({ size, rrdatas }, g) =>
        Array.from(
          { length: size },
          (_, i): Change => ({
            kind: 'create',
            record: {
              name: i === 0 ? `n${g}.example.com.` : `_fedsvc.n${g}.example.com.`,
              type: i === 0 ? 'A' : 'TXT',
              ttl: 1,
              rrdatas: Array.from({ length: rrdatas }, () => '192.0.2.1'),
            },
          }),
        ),
      );
      const lim = limits(limit, { maxRrdatasPerRequest: 12 });
      const { batches, oversized } = planBatches(changes, lim);
      const merged: Change[] = [];
      let next = 0;
      for (const [i, batch] of batches.entries()) {
        for (; next < oversized.length && oversized[next]!.before <= i; next++) merged.push(...oversized[next]!.changes);
        const cost = batch.map(changeCost);
        expect(cost.reduce((sum, c) => sum + c.changes, 0)).toBeLessThanOrEqual(limit);
        expect(cost.reduce((sum, c) => sum + c.rrdatas, 0)).toBeLessThanOrEqual(12);
        merged.push(...batch);
      }
      for (; next < oversized.length; next++) merged.push(...oversized[next]!.changes);
      const byOrder = (x: Change, y: Change) => changes.indexOf(x) - changes.indexOf(y);
      expect([...merged].sort(byOrder)).toEqual(changes);
      // No change crosses an oversized group: what comes before it is what came before it.
      for (const group of oversized) {
        const at = merged.indexOf(group.changes[0]!);
        expect([...merged.slice(0, at)].sort(byOrder)).toEqual(changes.slice(0, changes.indexOf(group.changes[0]!)));
      }
      for (const group of oversized) expect(group.cost.changes > limit || group.cost.rrdatas > 12).toBe(true);
      expect(oversized.map((group) => group.name)).toEqual(
        changeGroups(changes)
          .filter((group) => {
            const cost = group.map(changeCost);
            return cost.reduce((s, c) => s + c.changes, 0) > limit || cost.reduce((s, c) => s + c.rrdatas, 0) > 12;
          })
          .map((group) => group[0]!.record.name),
      );
    },
  );

  it("changeGroups puts a name's changes in one group however the name is spelled", () => {
    const changes: Change[] = [
      { kind: 'delete', record: a('WEB.R1.EXAMPLE.COM') },
      { kind: 'create', record: cname(name('web.r1'), name('lb')) },
      {
        kind: 'update',
        before: ownershipRecord('WEB.R1.EXAMPLE.COM.', OWNER, 30, ['A']) as RecordSet,
        record: ownershipRecord(name('web.r1'), OWNER, 60, ['CNAME']),
      },
      { kind: 'delete', record: { ...ownershipRecord(name('x'), OWNER, 60, ['A']), name: '_FEDSVC.X.EXAMPLE.COM' } },
      { kind: 'delete', record: a('x.example.com') },
    ];
    expect(changeGroups(changes)).toEqual([changes.slice(0, 3), changes.slice(3)]);
  });
});

describe('reconcileZone: what a rejection names', () => {
  it('a rejection that does not say which record names the record set, not the ownership marker before it', async () => {
    const zone = new Zone([], limits(40), (changes) =>
      changes.some((change) => ownershipSubject(change.record.name) === name('bad'))
        ? new ProviderError('test', 'invalid', 'bad request')
        : undefined,
    );
    const error = await failure(run(zone, [a(name('good')), a(name('bad'), '192.0.2.9'), a(name('zed'))]));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).record).toEqual({ name: name('bad'), type: 'A' });
    expect((error as ProviderError).message).toContain(`rejected ${name('bad')} A (test: bad request)`);
    expect((error as ProviderError).message).not.toContain('_fedsvc.');
    expect(zone.held.map((record) => record.name)).toEqual(expect.arrayContaining([name('good'), name('zed')]));
  });
});

describe('reconcileZone: splitting rejected requests is bounded', () => {
  it.each([
    [100, 20],
    [1_000, 2],
  ])(
    'a provider that rejects every request (limit %i changes): 1,000 new names cost at most batches + 2 × maxSplits requests, and are reported',
    async (limit, batches) => {
      const zone = new Zone([], limits(limit), () => new ProviderError('test', 'invalid', 'no'));
      const desired = Array.from({ length: 1_000 }, (_, i) => a(name(`n${i}`), `10.0.${i >> 8}.${i & 255}`));
      const planned = planBatches(diffRecords([], desired, { ownerId: OWNER }).changes, zone.limits);
      expect(planned.batches.length).toBe(batches);
      const error = await failure(run(zone, desired));
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).kind).toBe('invalid');
      // Halving isolates a few names before the bound is spent; the rest are reported in one count.
      const message = (error as ProviderError).message;
      const isolated = (message.match(/rejected n\d+\.example\.com\. A \(test: no\)/g) ?? []).length;
      const more = Number(/; (\d+) more record set\(s\) rejected or not sent/.exec(message)?.[1] ?? 0);
      const unsplit = Number(/(\d+) name\(s\) in requests the provider rejected were not written/.exec(message)?.[1]);
      expect(isolated).toBeLessThanOrEqual(20);
      expect(isolated + more + unsplit).toBe(1_000);
      expect(zone.writes).toBeLessThanOrEqual(batches + 2 * maxSplits(batches, 1_000));
      expect(zone.writes).toBeLessThanOrEqual(limit === 1_000 ? 50 : 140);
      expect(zone.held).toEqual([]);
    },
  );

  it('one bad name in a batch of 500 names is still isolated; the other 999 are written', async () => {
    const zone = new Zone([], limits(1_000), (changes) =>
      changes.some((change) => change.record.name === name('n321')) ? new ProviderError('test', 'invalid', 'no') : undefined,
    );
    const desired = Array.from({ length: 1_000 }, (_, i) => a(name(`n${i}`), `10.0.${i >> 8}.${i & 255}`));
    const error = await failure(run(zone, desired));
    expect((error as ProviderError).record).toEqual({ name: name('n321'), type: 'A' });
    expect((error as ProviderError).message).not.toContain('were not written');
    expect(diffRecords(zone.held, desired, { ownerId: OWNER }).changes.map((change) => ownershipSubject(change.record.name))).toEqual([
      name('n321'),
      name('n321'),
    ]);
  });

  it('names left unwritten past the bound pin the targets of their CNAMEs', async () => {
    // 100 new names the provider rejects spend the bound; then six CNAMEs move from t to u (each
    // with the guard of u's marker), in a request the provider rejects and that is no longer split;
    // t's removal comes last, alone (the count and the limit are chosen so that it does).
    const bad = Array.from({ length: 100 }, (_, i) => a(name(`a${String(i).padStart(3, '0')}`)));
    const moved = Array.from({ length: 6 }, (_, i) => name(`c${i}`));
    const current = [...owned(a(name('t'))), ...moved.flatMap((n) => owned(cname(n, name('t'))))];
    const desired = [...bad, a(name('u')), ...moved.map((n) => cname(n, name('u')))];
    const zone = new Zone(current, limits(11), (changes) =>
      changes.some((change) => change.record.type === 'CNAME' || change.record.name.startsWith('a'))
        ? new ProviderError('test', 'invalid', 'no')
        : undefined,
    );
    const { batches } = planBatches(diffRecords(current, desired, { ownerId: OWNER }).changes, zone.limits);
    expect(batches.at(-1)!.map((change) => `${change.kind} ${ownershipSubject(change.record.name)}`)).toEqual([
      `delete ${name('t')}`,
      `delete ${name('t')}`,
    ]);
    const error = await failure(run(zone, desired));
    expect((error as ProviderError).kind).toBe('invalid');
    expect((error as ProviderError).message).toMatch(/\d+ name\(s\) in requests the provider rejected were not written/);
    expect((error as ProviderError).message).toMatch(
      /\d+ name\(s\) whose change could dangle a CNAME because of them were left for the next pass/,
    );
    // Refused one by one: new names only; the rest was left out past the bound, or held back.
    const { refused, unwritten } = error as UnwrittenRecordsError;
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((ref) => bad.some((record) => record.name === ref.name))).toBe(true);
    expect(unwritten.map((ref) => ref.name)).toEqual(expect.arrayContaining(moved));
    expect(zone.dangled).toEqual([]);
    expect(zone.held).toContainEqual(a(name('t')));
    for (const n of moved) expect(zone.held).toContainEqual(cname(n, name('t')));
  });
});

const LABELS = Array.from({ length: 24 }, (_, i) => `h${i}`);
type Spec = { kind: 'none' } | { kind: 'a'; ip: number; ttl: number } | { kind: 'cname'; target: number; ttl: number };
const specArb: fc.Arbitrary<Spec> = fc.oneof(
  fc.constant<Spec>({ kind: 'none' }),
  fc.record({ kind: fc.constant('a' as const), ip: fc.integer({ min: 1, max: 3 }), ttl: fc.constantFrom(60, 120) }),
  fc.record({ kind: fc.constant('cname' as const), target: fc.nat(), ttl: fc.constantFrom(60, 120) }),
);

/** Record sets from specs; each CNAME points at a name holding an A set in the same state. */
function records(specs: readonly Spec[]): RecordSet[] {
  const addressed = specs.flatMap((spec, i) => (spec.kind === 'a' ? [name(LABELS[i]!)] : []));
  return specs.flatMap((spec, i): RecordSet[] => {
    if (spec.kind === 'a') return [a(name(LABELS[i]!), `192.0.2.${spec.ip}`, spec.ttl)];
    if (spec.kind === 'cname' && addressed.length > 0)
      return [cname(name(LABELS[i]!), addressed[spec.target % addressed.length]!, spec.ttl)];
    return [];
  });
}

describe('reconcileZone: properties', () => {
  const world = fc.record({
    before: fc.array(specArb, { minLength: LABELS.length, maxLength: LABELS.length }),
    after: fc.array(specArb, { minLength: LABELS.length, maxLength: LABELS.length }),
    rejected: fc.subarray(LABELS),
    limit: fc.integer({ min: 4, max: 12 }),
    shout: fc.boolean(),
    scoped: fc.boolean(),
  });

  test.prop([world], { numRuns: 300 })(
    'whatever the provider rejects and however it spells names: no CNAME ever dangles, requests stay within the bound, and a pass without rejections converges',
    async ({ before, after, rejected, limit, shout, scoped }) => {
      const current = records(before).flatMap(owned);
      const desired = records(after);
      const bad = new Set(rejected.map(name));
      let rejecting = true;
      const zone = new Zone(
        current,
        limits(limit),
        (changes) =>
          // It rejects what is written at the bad names; a marker rewritten as it stands writes nothing there.
          rejecting && changes.some((change) => !isGuard(change) && bad.has(ownershipSubject(normalizeName(change.record.name))))
            ? new ProviderError('test', 'invalid', 'no')
            : undefined,
        shout ? (n) => n.toUpperCase().replace(/\.$/, '') : undefined,
      );
      const scope = scoped ? (n: string) => LABELS.some((label) => n === name(label)) : undefined;
      const plan = diffRecords(current, desired, { ownerId: OWNER });
      const { batches } = planBatches(plan.changes, zone.limits);
      const error = await failure(run(zone, desired, scope));
      expect(zone.dangled).toEqual([]);
      expect(zone.writes).toBeLessThanOrEqual(batches.length + 2 * maxSplits(batches.length, changeGroups(plan.changes).length));
      if (error !== undefined) {
        expect(error).toBeInstanceOf(ProviderError);
        expect((error as ProviderError).kind).toBe('invalid');
        const blamed = (error as ProviderError).record;
        if (blamed) expect(bad.has(ownershipSubject(normalizeName(blamed.name)))).toBe(true);
        // What it says the provider refused is at bad names, and was not written.
        const { refused, unwritten } = error as UnwrittenRecordsError;
        for (const ref of refused) expect(bad.has(ownershipSubject(normalizeName(ref.name)))).toBe(true);
        expect(unwritten).toEqual(expect.arrayContaining([...refused]));
      }
      if (
        bad.size === 0 ||
        !plan.changes.some((change) => !isGuard(change) && bad.has(ownershipSubject(normalizeName(change.record.name))))
      )
        expect(error).toBeUndefined();
      rejecting = false;
      const report = await run(zone, desired, scope);
      expect(report.conflicts).toEqual([]);
      expect(zone.dangled).toEqual([]);
      expect(diffRecords(zone.held, desired, { ownerId: OWNER }).changes).toEqual([]);
    },
  );
});

describe('a provider that counts its own way (requestCost)', () => {
  it("planBatches packs requests by the provider's count, and reconcileZone uses it", async () => {
    const desired = Array.from({ length: 10 }, (_, i) => ({
      name: `n${i}.example.com.`,
      type: 'A' as const,
      ttl: 60,
      rrdatas: ['192.0.2.1'],
    }));
    const { changes } = diffRecords([], desired, { ownerId: 'me' });
    const limits = { maxChangesPerRequest: 100, maxRrdatasPerRequest: 12, maxRrdataCharsPerRequest: 10_000, atomic: true };
    // Every A rrdata counts three times: a name group (marker 1 + A 3) is 4, so 3 names a request.
    const tripled = (change: Parameters<typeof changeCost>[0]) => {
      const base = changeCost(change);
      return change.record.type === 'A' ? { ...base, rrdatas: base.rrdatas * 3 } : base;
    };
    expect(planBatches(changes, limits).batches).toHaveLength(2);
    const { batches } = planBatches(changes, limits, tripled);
    expect(batches.map((batch) => changeGroups(batch).length)).toEqual([3, 3, 3, 1]);
    const requests: number[] = [];
    const provider: DnsProvider = {
      name: 'counting',
      limits,
      zones: async () => [ZONE],
      records: async () => [],
      applyChanges: async (_zone, sent) => {
        requests.push(sent.length);
      },
      requestCost: tripled,
    };
    await reconcileZone({ provider, zone: ZONE, desired, ownerId: 'me', sleep: async () => {}, random: () => 0.5 });
    expect(requests).toEqual([6, 6, 6, 2]);
  });
});

describe('a change that costs the provider no change', () => {
  /** A provider that stores no TTL: an update of the TTL alone is no change to it. */
  class TtlBlindZone extends Zone {
    readonly requestCost = (change: Change) =>
      change.kind === 'update' && change.before.rrdatas.join() === change.record.rrdatas.join()
        ? { changes: 0, rrdatas: 0, chars: 0 }
        : changeCost(change);
  }

  test.prop([fc.array(fc.constantFrom('ttl', 'data', 'same'), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 6 })])(
    'is not sent, counted or reported; every other change is',
    async (kinds, perRequest) => {
      const held = kinds.flatMap((_, i) => owned(a(name(`n${i}`), '192.0.2.1', 60)));
      const zone = new TtlBlindZone(held, limits(2 * perRequest));
      const desired = kinds.map((kind, i) =>
        kind === 'ttl' ? a(name(`n${i}`), '192.0.2.1', 120) : a(name(`n${i}`), kind === 'data' ? '192.0.2.2' : '192.0.2.1', 60),
      );
      const report = await run(zone, desired);
      const costly = report.changes.filter((change) => zone.requestCost(change).changes > 0);
      expect(report.changes).toEqual(costly);
      expect(report.changes.map((change) => change.record.name).sort()).toEqual(
        kinds.flatMap((kind, i) => (kind === 'data' ? [name(`n${i}`)] : [])).sort(),
      );
      expect(report.writes).toBe(zone.writes);
      if (!kinds.includes('data')) expect(zone.writes).toBe(0);
    },
  );
});

describe('guards a request carries once', () => {
  // Twenty CNAMEs move from t to u: each group updates its CNAME, rewrites its own marker, and
  // guards u's marker, which a request sends only once however many of its groups guard it.
  const moved = Array.from({ length: 20 }, (_, i) => name(`c${String(i).padStart(2, '0')}`));
  const current = [...owned(a(name('t'))), ...owned(a(name('u'))), ...moved.flatMap((n) => owned(cname(n, name('t'))))];
  const desired = [a(name('t')), a(name('u')), ...moved.map((n) => cname(n, name('u')))];
  const changes = diffRecords(current, desired, { ownerId: OWNER }).changes;
  const cost = (batch: readonly Change[]) => batch.reduce((sum, change) => sum + changeCost(change).changes, 0);

  it('cost nothing after the first: requests are filled as they are sent', () => {
    const { batches } = planBatches(changes, limits(40));
    // 6 changes for the first group of a request, 4 for each after it: 9 groups a request.
    expect(batches.map((batch) => batch.filter((change) => change.record.type === 'CNAME').length)).toEqual([9, 9, 2]);
  });

  test.prop([fc.integer({ min: 6, max: 120 })])('batchChanges answers requests as sent: each marker once, within the limit', (limit) => {
    const requests = batchChanges(changes, limits(limit));
    for (const request of requests) {
      expect(cost(request)).toBeLessThanOrEqual(limit);
      const markers = request.filter((change) => isGuard(change)).map((change) => normalizeName(change.record.name));
      expect(new Set(markers).size).toBe(markers.length);
    }
    expect(requests.flat().filter((change) => change.record.type === 'CNAME')).toHaveLength(moved.length);
  });
});
