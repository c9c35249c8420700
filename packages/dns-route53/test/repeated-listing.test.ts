// A listing that repeats a record set across pages (as some emulators page) is read as the zone
// holds it: each record set once, so an unchanged zone plans nothing. And an ALIAS update that is
// no change to Route 53 is neither sent nor counted as a write. Real SDK, wire-level fixture.
import { type RecordSet, reconcileZone } from '@fedsvc/core';
import { fc, it as property } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.js';

const OWNER = 'fed-a';
const ALB = 'dualstack.my-alb-1234567890.us-east-1.elb.amazonaws.com.';
const NLB = 'my-nlb-0123456789abcdef.elb.eu-west-1.amazonaws.com.';

const alias = (name: string, ...rrdatas: string[]): RecordSet => ({ name, type: 'ALIAS', ttl: 60, rrdatas });
const a = (name: string, ...rrdatas: string[]): RecordSet => ({ name, type: 'A', ttl: 60, rrdatas });

const started: Harness[] = [];
async function start(options: Parameters<typeof startHarness>[0]): Promise<Harness> {
  const harness = await startHarness(options);
  started.push(harness);
  return harness;
}
afterEach(async () => {
  for (const harness of started.splice(0)) await harness.close();
});

/** The desired sets of a small federation: ALIAS sets (5 weighted records each), plain A sets, CNAMEs. */
const desired: RecordSet[] = [
  alias('svc.example.com.', ALB, NLB, '192.0.2.1', '192.0.2.2', '2001:db8::1'),
  alias('svc.us-east-1.example.com.', ALB, '192.0.2.1'),
  a('plain.example.com.', '192.0.2.7', '192.0.2.8'),
  { name: 'www.example.com.', type: 'CNAME', ttl: 60, rrdatas: ['svc.example.com.'] },
];

const writes = (h: Harness) => h.fixture.count((r) => r.operation === 'ChangeResourceRecordSets');
const lists = (h: Harness) => h.fixture.count((r) => r.operation === 'ListResourceRecordSets');

describe('a listing that repeats a record set across pages', () => {
  it('the fixture repeats: each page after the first starts with the last set of the page before', async () => {
    const h = await start({ fixture: { repeatAcrossPages: true }, provider: { aliases: true, pageSize: 3 } });
    await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: OWNER, desired });
    const held = h.fixture.recordSets(h.zone.id).length;
    h.fixture.resetRequests();
    await h.provider.records(h.zone);
    // 3 per page, 2 of them new after the first: one page more than Route 53 would need.
    expect(lists(h)).toBe(1 + Math.ceil((held - 3) / 2));
  });

  property.prop([fc.integer({ min: 2, max: 8 })], { numRuns: 7 })(
    'records() reads each record set once, as a listing that does not repeat does; an unchanged zone plans nothing and writes nothing',
    async (pageSize) => {
      const h = await start({ fixture: { repeatAcrossPages: true }, provider: { aliases: true, pageSize } });
      await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: OWNER, desired });
      const plain = await start({ provider: { aliases: true } });
      for (const r of h.fixture.recordSets(h.zone.id).filter((set) => set.type !== 'NS' && set.type !== 'SOA')) {
        plain.fixture.putRecordSet(plain.zone.id, { ...r, name: r.name });
      }
      const key = (r: RecordSet<string>) => `${r.name} ${r.type} ${r.ttl} ${[...r.rrdatas].sort().join(',')}`;
      const read = (await h.provider.records(h.zone)).map(key).filter((k) => !/ (NS|SOA) /.test(k));
      const expected = (await plain.provider.records(plain.zone)).map(key).filter((k) => !/ (NS|SOA) /.test(k));
      expect(read).toEqual(expected);

      h.fixture.resetRequests();
      const again = await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: OWNER, desired });
      expect(again.changes).toEqual([]);
      expect(again.writes).toBe(0);
      expect(writes(h)).toBe(0);
    },
  );
});

describe('an ALIAS update that changes nothing Route 53 stores', () => {
  it('costs nothing, so a pass neither sends nor counts nor reports it', async () => {
    const h = await start({ provider: { aliases: true } });
    const held = alias('svc.example.com.', ALB, NLB, '192.0.2.1');
    await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: OWNER, desired: [held] });
    h.fixture.resetRequests();
    // The same targets, one given twice in another spelling: core's comparison sees an update,
    // Route 53 would hold exactly the records it holds.
    const twice = alias('svc.example.com.', ALB, NLB.toUpperCase().replace(/\.$/, ''), NLB, '192.0.2.1');
    const report = await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: OWNER, desired: [twice] });
    expect(writes(h)).toBe(0);
    expect(report.writes).toBe(0);
    expect(report.changes).toEqual([]);
    expect(h.provider.requestCost!({ kind: 'update', before: held, record: twice })).toEqual({ changes: 0, rrdatas: 0, chars: 0 });
  });

  it('beside real changes in one batch, only those are sent and reported', async () => {
    const h = await start({ provider: { aliases: true } });
    const held = alias('svc.example.com.', ALB, '192.0.2.1');
    await reconcileZone({ provider: h.provider, zone: h.zone, ownerId: OWNER, desired: [held] });
    h.fixture.resetRequests();
    const report = await reconcileZone({
      provider: h.provider,
      zone: h.zone,
      ownerId: OWNER,
      desired: [alias('svc.example.com.', ALB, ALB, '192.0.2.1'), a('new.example.com.', '192.0.2.9')],
    });
    expect(writes(h)).toBe(1);
    expect(report.writes).toBe(1);
    expect(report.changes.map((c) => `${c.kind} ${c.record.name} ${c.record.type}`)).toEqual([
      'create _fedsvc.new.example.com. TXT',
      'create new.example.com. A',
    ]);
  });

  const targets = fc.subarray([ALB, NLB, '192.0.2.1', '192.0.2.2', '2001:db8::1'], { minLength: 1 });
  property.prop([targets, targets, fc.integer({ min: 1, max: 3 })], { numRuns: 20 })(
    'an update costs nothing exactly when it holds the same targets (however often given), and then nothing is sent',
    async (held, wanted, copies) => {
      const h = await start({ provider: { aliases: true } });
      const before = alias('svc.example.com.', ...held);
      const record = alias('svc.example.com.', ...wanted.flatMap((t) => Array.from({ length: copies }, () => t)));
      const same = held.length === wanted.length && held.every((t) => wanted.includes(t));
      expect(h.provider.requestCost!({ kind: 'update', before, record }).changes === 0).toBe(same);
      await h.provider.applyChanges(h.zone, [{ kind: 'create', record: before }]);
      h.fixture.resetRequests();
      await h.provider.applyChanges(h.zone, [{ kind: 'update', before, record }]);
      expect(writes(h)).toBe(same ? 0 : 1);
    },
  );
});
