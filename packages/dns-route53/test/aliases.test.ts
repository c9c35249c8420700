// ALIAS record sets as weighted alias records, through the real SDK against the wire-level fixture.
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { ProviderError, ValidationError, ownershipRecord, reconcileZone, type RecordSet } from '@fedsvc/core';
import { changeCost } from '@fedsvc/core/provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostnameIdentifier } from '../src/aliases.js';
import { createRoute53Provider, ROUTE53_LIMITS, translateError } from '../src/index.js';
import { LOAD_BALANCER_ZONES } from '../src/load-balancers.js';
import type { StoredRecordSet } from '../src/testing/index.js';
import { clientConfigFor, type Harness, startHarness, providerError } from './helpers.js';

const OWNER = 'fed-a';
const SVC = 'svc.example.com.';
/** Every change at a name rewrites its marker as read, so that it holds only while the name is ours: Route 53 gets it as a delete and a create. */
const MARKER_REWRITE = [`DELETE _fedsvc.${SVC} TXT -`, `CREATE _fedsvc.${SVC} TXT -`];
/** An Application Load Balancer, dual-stack: an alias A and an alias AAAA. */
const ALB = 'dualstack.my-alb-1234567890.us-east-1.elb.amazonaws.com.';
const ALB_ZONE = 'Z35SXDOTRQ7X7K';
/** A Network Load Balancer (eu-west-1): an alias A only, in the NLB zone of its region. */
const NLB = 'my-nlb-0123456789abcdef.elb.eu-west-1.amazonaws.com.';
const NLB_ZONE = 'Z2IFOLAFXWLO4F';
/** An internal Application Load Balancer in eu-west-1: the ELB zone of the region, not the NLB one. */
const INTERNAL = 'internal-other-alb-42.eu-west-1.elb.amazonaws.com.';
const INTERNAL_ZONE = 'Z32O12XQLNTSW2';

const alias = (name: string, ttl: number, ...rrdatas: string[]): RecordSet => ({ name, type: 'ALIAS', ttl, rrdatas });
const cname = (name: string, target: string): RecordSet => ({ name, type: 'CNAME', ttl: 60, rrdatas: [target] });
const a = (name: string, ...rrdatas: string[]): RecordSet => ({ name, type: 'A', ttl: 60, rrdatas });
const aaaa = (name: string, ...rrdatas: string[]): RecordSet => ({ name, type: 'AAAA', ttl: 60, rrdatas });

const aliasRecord = (type: 'A' | 'AAAA', hostname: string, hostedZoneId: string, name = SVC): StoredRecordSet => ({
  name,
  type,
  values: [],
  alias: { hostedZoneId, dnsName: hostname, evaluateTargetHealth: true },
  setIdentifier: `fedsvc:${hostname.slice(0, -1)}`,
  weight: 1,
});
const addressRecord = (type: 'A' | 'AAAA', ttl: number, values: string[], name = SVC): StoredRecordSet => ({
  name,
  type,
  ttl,
  values,
  setIdentifier: 'fedsvc:addresses',
  weight: values.length,
});

let h: Harness;
const started: Harness[] = [];
async function start(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  h = await startHarness(options);
  started.push(h);
  return h;
}
afterEach(async () => {
  for (const harness of started.splice(0)) await harness.close();
});

const reconcile = (desired: readonly RecordSet[]) => reconcileZone({ provider: h.provider, zone: h.zone, ownerId: OWNER, desired });
const at = (name: string) => h.fixture.recordSets(h.zone.id).filter((r) => r.name === name);
/** Everything but the zone's own NS and SOA. */
const held = () => h.fixture.recordSets(h.zone.id).filter((r) => r.name !== 'example.com.');
const writes = () => h.fixture.count((r) => r.operation === 'ChangeResourceRecordSets');
/** The Change elements of the last ChangeResourceRecordSets request, as `ACTION TYPE identifier`. */
const lastBatch = () => {
  const request = h.fixture.requests.filter((r) => r.operation === 'ChangeResourceRecordSets').at(-1);
  return (request?.batch ?? []).map(({ action, recordSet: r }) => `${action} ${r.name} ${r.type} ${r.setIdentifier ?? '-'}`);
};
const sorted = (values: readonly string[]) => [...values].sort();

describe('ALIAS record sets, written as weighted records', () => {
  beforeEach(async () => {
    await start({ provider: { aliases: true } });
  });

  const first = alias(SVC, 60, ALB, NLB, '192.0.2.1', '192.0.2.2', '2001:db8::1');
  const www = cname('www.example.com.', SVC);

  it("writes one weighted record per alias target and type, and one per address family, with the set's TTL", async () => {
    const report = await reconcile([first, www]);
    expect(report.conflicts).toEqual([]);
    expect(report.changes.map((c) => `${c.kind} ${c.record.name} ${c.record.type}`)).toEqual([
      `create _fedsvc.${SVC} TXT`,
      `create ${SVC} ALIAS`,
      'create _fedsvc.www.example.com. TXT',
      'create www.example.com. CNAME',
    ]);
    // Listing order: name, type, set identifier ("fedsvc:addresses" < "fedsvc:dualstack…" < "fedsvc:my-nlb…").
    expect(at(SVC)).toEqual([
      addressRecord('A', 60, ['192.0.2.1', '192.0.2.2']),
      aliasRecord('A', ALB, ALB_ZONE),
      aliasRecord('A', NLB, NLB_ZONE),
      addressRecord('AAAA', 60, ['2001:db8::1']),
      aliasRecord('AAAA', ALB, ALB_ZONE),
    ]);
    expect(at(SVC).map((r) => r.setIdentifier)).toEqual([
      'fedsvc:addresses',
      'fedsvc:dualstack.my-alb-1234567890.us-east-1.elb.amazonaws.com',
      'fedsvc:my-nlb-0123456789abcdef.elb.eu-west-1.amazonaws.com',
      'fedsvc:addresses',
      'fedsvc:dualstack.my-alb-1234567890.us-east-1.elb.amazonaws.com',
    ]);
    // The marker and the CNAME to the ALIAS name are ordinary simple record sets.
    expect(at(`_fedsvc.${SVC}`)).toEqual([
      { name: `_fedsvc.${SVC}`, type: 'TXT', ttl: 60, values: ['"heritage=fedsvc,owner=fed-a,types=ALIAS"'] },
    ]);
    expect(at('www.example.com.')).toEqual([{ name: 'www.example.com.', type: 'CNAME', ttl: 60, values: [SVC] }]);
  });

  it('reads the weighted records back as the one ALIAS set, and a second reconcile writes nothing', async () => {
    await reconcile([first, www]);
    const records = await h.provider.records(h.zone);
    const atSvc = records.filter((r) => r.name === SVC);
    expect(atSvc).toHaveLength(1);
    const [read] = atSvc;
    expect(read?.type).toBe('ALIAS');
    expect(read?.ttl).toBe(60);
    expect(sorted(read?.rrdatas ?? [])).toEqual(sorted(first.rrdatas));
    expect(records.filter((r) => r.rrdatas.some((rrdata) => rrdata.startsWith('ROUTED ')))).toEqual([]);

    h.fixture.resetRequests();
    const again = await reconcile([first, www]);
    expect(again.changes).toEqual([]);
    expect(again.conflicts).toEqual([]);
    expect(writes()).toBe(0);
    // Order of targets does not matter either.
    const shuffled = alias(SVC, 60, '2001:db8::1', '192.0.2.2', NLB, '192.0.2.1', ALB);
    expect((await reconcile([shuffled, www])).changes).toEqual([]);
    expect(writes()).toBe(0);
  });

  it('reads an ALIAS set whose weighted records span pages of one, continued by set identifier', async () => {
    await reconcile([first, www]);
    const paged = createRoute53Provider({ clientConfig: clientConfigFor(h.fixture), aliases: true, pageSize: 1 });
    try {
      h.fixture.resetRequests();
      const records = await paged.records(h.zone);
      // NS, SOA, five weighted records, the marker, the CNAME and its marker: one page each.
      expect(h.fixture.count((r) => r.operation === 'ListResourceRecordSets' && r.status === 200)).toBe(10);
      expect(records.filter((r) => r.name === SVC).map((r) => ({ ...r, rrdatas: sorted(r.rrdatas) }))).toEqual([
        { ...first, rrdatas: sorted(first.rrdatas) },
      ]);
      expect(records).toEqual(await h.provider.records(h.zone));
    } finally {
      paged.close();
    }
  });

  it('an ALIAS set of hostnames alone is read back with ttl 0 and is still unchanged', async () => {
    await reconcile([alias(SVC, 60, ALB)]);
    expect(at(SVC)).toEqual([aliasRecord('A', ALB, ALB_ZONE), aliasRecord('AAAA', ALB, ALB_ZONE)]);
    expect((await h.provider.records(h.zone)).find((r) => r.name === SVC)).toEqual(alias(SVC, 0, ALB));
    h.fixture.resetRequests();
    expect((await reconcile([alias(SVC, 60, ALB)])).changes).toEqual([]);
    expect(writes()).toBe(0);
  });

  it('replacing one hostname deletes and creates only its weighted record, in one request', async () => {
    await reconcile([first, www]);
    const before = at(SVC);
    h.fixture.resetRequests();
    const next = alias(SVC, 60, ALB, INTERNAL, '192.0.2.1', '192.0.2.2', '2001:db8::1');
    const report = await reconcile([next, www]);
    expect(report.changes.map((c) => `${c.kind} ${c.record.type}`)).toEqual(['update ALIAS', 'update TXT']);
    expect(writes()).toBe(1);
    expect(lastBatch()).toEqual([
      `DELETE ${SVC} A fedsvc:my-nlb-0123456789abcdef.elb.eu-west-1.amazonaws.com`,
      `CREATE ${SVC} A fedsvc:internal-other-alb-42.eu-west-1.elb.amazonaws.com`,
      ...MARKER_REWRITE,
    ]);
    expect(at(SVC)).toEqual([
      addressRecord('A', 60, ['192.0.2.1', '192.0.2.2']),
      aliasRecord('A', ALB, ALB_ZONE),
      aliasRecord('A', INTERNAL, INTERNAL_ZONE),
      addressRecord('AAAA', 60, ['2001:db8::1']),
      aliasRecord('AAAA', ALB, ALB_ZONE),
    ]);
    // What was not touched is the very record it was.
    for (const kept of at(SVC).filter((r) => r.alias?.dnsName !== INTERNAL)) expect(before).toContainEqual(kept);
    expect((await reconcile([next, www])).changes).toEqual([]);
  });

  it("changing the addresses rewrites only that family's address record, with its new weight", async () => {
    await reconcile([first]);
    h.fixture.resetRequests();
    await reconcile([alias(SVC, 60, ALB, NLB, '192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::1')]);
    expect(writes()).toBe(1);
    expect(lastBatch()).toEqual([`DELETE ${SVC} A fedsvc:addresses`, `CREATE ${SVC} A fedsvc:addresses`, ...MARKER_REWRITE]);
    expect(at(SVC)[0]).toEqual(addressRecord('A', 60, ['192.0.2.1', '192.0.2.2', '192.0.2.3']));
    expect(at(SVC)[0]?.weight).toBe(3);

    // The last IPv6 address goes: its record goes, the dual-stack alias AAAA stays.
    await reconcile([alias(SVC, 60, ALB, NLB, '192.0.2.1', '192.0.2.2', '192.0.2.3')]);
    expect(lastBatch()).toEqual([`DELETE ${SVC} AAAA fedsvc:addresses`, ...MARKER_REWRITE]);
    expect(at(SVC).filter((r) => r.type === 'AAAA')).toEqual([aliasRecord('AAAA', ALB, ALB_ZONE)]);
  });

  it("an address record's weight stops at Route 53's 255; its addresses all stay", async () => {
    const many = Array.from({ length: 300 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const set = alias(SVC, 60, NLB, ...many);
    await reconcile([set]);
    const addresses = at(SVC).find((r) => r.setIdentifier === 'fedsvc:addresses');
    expect(addresses?.weight).toBe(255);
    expect(addresses?.values).toHaveLength(300);
    h.fixture.resetRequests();
    expect((await reconcile([set])).changes).toEqual([]);
    expect(writes()).toBe(0);
  });

  it('a ttl-only change rewrites the address records with it, and leaves the alias records alone', async () => {
    await reconcile([first]);
    const aliases = at(SVC).filter((r) => r.alias !== undefined);
    h.fixture.resetRequests();
    const report = await reconcile([{ ...first, ttl: 300 }]);
    expect(report.changes.map((c) => `${c.kind} ${c.record.name} ${c.record.type}`)).toEqual([
      `update ${SVC} ALIAS`,
      `update _fedsvc.${SVC} TXT`,
    ]);
    expect(writes()).toBe(1);
    expect(sorted(lastBatch())).toEqual(
      sorted([
        `DELETE ${SVC} A fedsvc:addresses`,
        `CREATE ${SVC} A fedsvc:addresses`,
        `DELETE ${SVC} AAAA fedsvc:addresses`,
        `CREATE ${SVC} AAAA fedsvc:addresses`,
        `DELETE _fedsvc.${SVC} TXT -`,
        `CREATE _fedsvc.${SVC} TXT -`,
      ]),
    );
    expect(
      at(SVC)
        .filter((r) => r.alias === undefined)
        .map((r) => r.ttl),
    ).toEqual([300, 300]);
    expect(at(SVC).filter((r) => r.alias !== undefined)).toEqual(aliases);
  });

  it('an ALIAS update the adapter is handed that differs only in ttl, without addresses, sends nothing', async () => {
    await reconcile([alias(SVC, 60, ALB, NLB)]);
    h.fixture.resetRequests();
    await h.provider.applyChanges(h.zone, [{ kind: 'update', before: alias(SVC, 0, ALB, NLB), record: alias(SVC, 300, ALB, NLB) }]);
    expect(h.fixture.count()).toBe(0);
  });

  it('a target change with a new ttl rewrites the address records with it', async () => {
    await reconcile([first]);
    await reconcile([alias(SVC, 300, ALB, INTERNAL, '192.0.2.1', '192.0.2.2', '2001:db8::1')]);
    expect(sorted(lastBatch())).toEqual(
      sorted([
        `DELETE ${SVC} A fedsvc:my-nlb-0123456789abcdef.elb.eu-west-1.amazonaws.com`,
        `CREATE ${SVC} A fedsvc:internal-other-alb-42.eu-west-1.elb.amazonaws.com`,
        `DELETE ${SVC} A fedsvc:addresses`,
        `CREATE ${SVC} A fedsvc:addresses`,
        `DELETE ${SVC} AAAA fedsvc:addresses`,
        `CREATE ${SVC} AAAA fedsvc:addresses`,
        // The marker's TTL follows the name's.
        `DELETE _fedsvc.${SVC} TXT -`,
        `CREATE _fedsvc.${SVC} TXT -`,
      ]),
    );
    expect(
      at(SVC)
        .filter((r) => r.alias === undefined)
        .map((r) => r.ttl),
    ).toEqual([300, 300]);
  });

  it('reconciling to nothing removes every weighted record, the CNAME and the markers', async () => {
    await reconcile([first, www]);
    h.fixture.resetRequests();
    const report = await reconcile([]);
    expect(report.changes.map((c) => `${c.kind} ${c.record.name} ${c.record.type}`).sort()).toEqual(
      [`delete ${SVC} ALIAS`, `delete _fedsvc.${SVC} TXT`, 'delete www.example.com. CNAME', 'delete _fedsvc.www.example.com. TXT'].sort(),
    );
    expect(held()).toEqual([]);
    expect(
      h.fixture
        .recordSets(h.zone.id)
        .map((r) => r.type)
        .sort(),
    ).toEqual(['NS', 'SOA']);
    expect((await reconcile([])).changes).toEqual([]);
  });

  it('moves a name from plain A/AAAA sets to an ALIAS set and back, each in one atomic request', async () => {
    await reconcile([a(SVC, '192.0.2.1'), aaaa(SVC, '2001:db8::1')]);
    h.fixture.resetRequests();
    await reconcile([alias(SVC, 60, NLB, '192.0.2.1', '2001:db8::1')]);
    expect(writes()).toBe(1);
    expect(at(SVC)).toEqual([
      addressRecord('A', 60, ['192.0.2.1']),
      aliasRecord('A', NLB, NLB_ZONE),
      addressRecord('AAAA', 60, ['2001:db8::1']),
    ]);

    h.fixture.resetRequests();
    await reconcile([a(SVC, '192.0.2.1'), aaaa(SVC, '2001:db8::1')]);
    expect(writes()).toBe(1);
    expect(at(SVC)).toEqual([
      { name: SVC, type: 'A', ttl: 60, values: ['192.0.2.1'] },
      { name: SVC, type: 'AAAA', ttl: 60, values: ['2001:db8::1'] },
    ]);
  });

  it('a provider without the option still reads the ALIAS set, and replaces it with A/AAAA sets', async () => {
    await reconcile([alias(SVC, 60, NLB, '192.0.2.1', '2001:db8::1')]);
    const plain = createRoute53Provider({ clientConfig: clientConfigFor(h.fixture) });
    try {
      expect((await plain.records(h.zone)).filter((r) => r.name === SVC).map((r) => r.type)).toEqual(['ALIAS']);
      h.fixture.resetRequests();
      await reconcileZone({
        provider: plain,
        zone: h.zone,
        ownerId: OWNER,
        desired: [a(SVC, '192.0.2.1', '198.51.100.1'), aaaa(SVC, '2001:db8::1')],
      });
      expect(writes()).toBe(1);
      expect(at(SVC)).toEqual([
        { name: SVC, type: 'A', ttl: 60, values: ['192.0.2.1', '198.51.100.1'] },
        { name: SVC, type: 'AAAA', ttl: 60, values: ['2001:db8::1'] },
      ]);
    } finally {
      plain.close();
    }
  });

  it('a hostname the provider cannot alias is refused before anything is read or written', async () => {
    h.fixture.resetRequests();
    const thrown = await reconcile([alias(SVC, 60, 'foo.example.com.', '192.0.2.1')]).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).field).toBe('desired[0].rrdatas[0]');
    expect(h.fixture.count()).toBe(0);
  });

  it('without the option an ALIAS set is refused by core', async () => {
    await start();
    const thrown = await reconcile([first]).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).field).toBe('desired[0].type');
    expect(h.fixture.count()).toBe(0);
  });
});

describe("someone else's weighted records", () => {
  beforeEach(async () => {
    await start({ provider: { aliases: true, pageSize: 2 } });
  });

  const theirs = (name: string) => {
    for (const id of ['blue', 'green']) {
      h.fixture.putRecordSet(h.zone.id, { name, type: 'A', ttl: 60, values: ['198.51.100.7'], setIdentifier: id, weight: 1 });
    }
  };
  const theirIdentifiers = () =>
    h.fixture
      .recordSets(h.zone.id)
      .filter((r) => r.setIdentifier?.startsWith('fedsvc:') === false)
      .map((r) => r.setIdentifier);

  it('block their name: a conflict, nothing sent, and the rest of the zone is written', async () => {
    theirs(SVC);
    h.fixture.resetRequests();
    const report = await reconcile([alias(SVC, 60, ALB, '192.0.2.1'), alias('other.example.com.', 60, NLB)]);
    expect(report.conflicts).toEqual([{ name: SVC, types: ['A'], owner: null }]);
    expect(report.changes.map((c) => `${c.kind} ${c.record.name} ${c.record.type}`)).toEqual([
      'create _fedsvc.other.example.com. TXT',
      'create other.example.com. ALIAS',
    ]);
    expect(lastBatch().some((change) => change.includes(SVC))).toBe(false);
    expect(theirIdentifiers()).toEqual(['blue', 'green']);
    expect(at(SVC).every((r) => r.setIdentifier === 'blue' || r.setIdentifier === 'green')).toBe(true);
  });

  it('appearing beside our ALIAS set are never deleted; ours at the name stay as they were', async () => {
    await reconcile([alias(SVC, 60, ALB, '192.0.2.1')]);
    const ours = at(SVC);
    h.fixture.putRecordSet(h.zone.id, { name: SVC, type: 'A', ttl: 60, values: ['198.51.100.7'], setIdentifier: 'blue', weight: 1 });
    h.fixture.resetRequests();
    const read = (await h.provider.records(h.zone)).filter((r) => r.name === SVC);
    // Theirs read as a routed weighted A set, ours as the ALIAS set.
    expect(sorted(read.map((r) => `${r.type} ${r.routing ?? 'plain'} ${sorted(r.rrdatas).join(',')}`))).toEqual([
      'A weighted 198.51.100.7',
      `ALIAS plain 192.0.2.1,${ALB}`,
    ]);
    // The marker names the ALIAS set alone: their A records are not the federation's to change, so nothing is planned.
    const report = await reconcile([alias(SVC, 60, ALB, '192.0.2.1')]);
    expect(report.changes).toEqual([]);
    expect(writes()).toBe(0);
    expect(at(SVC).filter((r) => r.setIdentifier !== 'blue')).toEqual(ours);
    expect(at(SVC).filter((r) => r.setIdentifier === 'blue')).toEqual([
      { name: SVC, type: 'A', ttl: 60, values: ['198.51.100.7'], setIdentifier: 'blue', weight: 1 },
    ]);
  });
});

describe('set identifiers', () => {
  it('are `fedsvc:` and the hostname without its dot while that fits in 128 characters', () => {
    expect(hostnameIdentifier(ALB)).toBe('fedsvc:dualstack.my-alb-1234567890.us-east-1.elb.amazonaws.com');
  });

  it('every hostname the adapter accepts fits: the longest label, dualstack., under every zone', () => {
    for (const { dnsName } of LOAD_BALANCER_ZONES) {
      const hostname = `dualstack.${'a'.repeat(63)}.${dnsName}`;
      const identifier = hostnameIdentifier(hostname);
      expect(identifier.length).toBeLessThanOrEqual(128);
      expect(identifier).toBe(`fedsvc:${hostname.slice(0, -1)}`);
    }
  });

  it('a longer one keeps a prefix and a digest: at most 128 characters, stable, and distinct', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.us-east-1.elb.amazonaws.com.`;
    const other = `${'a'.repeat(63)}.${'b'.repeat(62)}c.us-east-1.elb.amazonaws.com.`;
    const identifier = hostnameIdentifier(long);
    expect(`fedsvc:${long}`.length).toBeGreaterThan(128);
    expect(identifier.length).toBeLessThanOrEqual(128);
    expect(identifier.startsWith(`fedsvc:${long.slice(0, 93)}`)).toBe(true);
    expect(hostnameIdentifier(long)).toBe(identifier);
    expect(hostnameIdentifier(other)).not.toBe(identifier);
    expect(hostnameIdentifier(other).length).toBeLessThanOrEqual(128);
  });

  it('the longest accepted hostname round-trips through Route 53: written, read back, unchanged, deleted', async () => {
    await start({ provider: { aliases: true } });
    const longest = `dualstack.${'k'.repeat(63)}.elb.cn-northwest-1.amazonaws.com.cn.`;
    const set = alias(SVC, 60, longest, '192.0.2.1');
    await reconcile([set]);
    const identifiers = at(SVC).map((r) => r.setIdentifier ?? '');
    expect(identifiers).toEqual(['fedsvc:addresses', hostnameIdentifier(longest), hostnameIdentifier(longest)]);
    expect(Math.max(...identifiers.map((id) => id.length))).toBeLessThanOrEqual(128);
    expect(at(SVC)[1]?.alias).toEqual({ hostedZoneId: 'ZQEIKTCZ8352D', dnsName: longest, evaluateTargetHealth: true });
    const read = (await h.provider.records(h.zone)).find((r) => r.name === SVC);
    expect(sorted(read?.rrdatas ?? [])).toEqual(sorted(set.rrdatas));
    h.fixture.resetRequests();
    expect((await reconcile([set])).changes).toEqual([]);
    await reconcile([]);
    expect(held()).toEqual([]);
  });
});

describe('errors name the ALIAS set', () => {
  beforeEach(async () => {
    await start({ provider: { aliases: true } });
  });

  it('a simple set already at the name: conflict', async () => {
    h.fixture.putRecordSet(h.zone.id, { name: 'taken.example.com.', type: 'A', ttl: 60, values: ['198.51.100.7'] });
    const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: alias('taken.example.com.', 60, NLB) }]));
    expect(error.kind).toBe('conflict');
    expect(error.record).toEqual({ name: 'taken.example.com.', type: 'ALIAS' });
    expect(error.message).toContain('non-weighted set exists');
    expect(at('taken.example.com.')).toEqual([{ name: 'taken.example.com.', type: 'A', ttl: 60, values: ['198.51.100.7'] }]);
  });

  it('a CNAME already at the name: conflict, naming the ALIAS set (not the A record it became)', async () => {
    h.fixture.putRecordSet(h.zone.id, { name: 'taken.example.com.', type: 'CNAME', ttl: 60, values: ['elsewhere.example.org.'] });
    const error = await providerError(
      h.provider.applyChanges(h.zone, [{ kind: 'create', record: alias('taken.example.com.', 60, ALB, '2001:db8::1') }]),
    );
    expect(error.kind).toBe('conflict');
    expect(error.message).toContain('conflicting RRSet of type CNAME');
    expect(error.record).toEqual({ name: 'taken.example.com.', type: 'ALIAS' });
  });

  it('a plain A set in the same batch keeps its own name and type', async () => {
    h.fixture.putRecordSet(h.zone.id, { name: 'taken.example.com.', type: 'CNAME', ttl: 60, values: ['elsewhere.example.org.'] });
    const error = await providerError(
      h.provider.applyChanges(h.zone, [
        { kind: 'create', record: alias(SVC, 60, ALB) },
        { kind: 'create', record: a('taken.example.com.', '192.0.2.1') },
      ]),
    );
    expect(error.kind).toBe('conflict');
    expect(error.record).toEqual({ name: 'taken.example.com.', type: 'A' });
  });

  it('creating an ALIAS set whose weighted record exists: conflict', async () => {
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: alias(SVC, 60, NLB) }]);
    const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: alias(SVC, 60, NLB) }]));
    expect(error.kind).toBe('conflict');
    expect(error.record).toEqual({ name: SVC, type: 'ALIAS' });
    expect(error.message).toContain('already exists');
  });

  it('an update of an ALIAS set changed behind our back: conflict, and nothing written', async () => {
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: alias(SVC, 60, ALB, NLB, '192.0.2.1') }]);
    h.fixture.removeRecordSet(h.zone.id, SVC, 'A', hostnameIdentifier(NLB));
    const before = h.fixture.recordSets(h.zone.id);
    const error = await providerError(
      h.provider.applyChanges(h.zone, [
        { kind: 'update', before: alias(SVC, 60, ALB, NLB, '192.0.2.1'), record: alias(SVC, 60, ALB, INTERNAL, '192.0.2.1') },
      ]),
    );
    expect(error.kind).toBe('conflict');
    expect(error.record).toEqual({ name: SVC, type: 'ALIAS' });
    expect(error.message).toContain('not found');
    expect(h.fixture.recordSets(h.zone.id)).toEqual(before);
  });

  it('a reconcile that meets such a change re-reads and converges', async () => {
    await reconcile([alias(SVC, 60, ALB, NLB, '192.0.2.1')]);
    // The first read still shows the NLB record; it is removed before the write.
    const current = await h.provider.records(h.zone);
    h.fixture.removeRecordSet(h.zone.id, SVC, 'A', hostnameIdentifier(NLB));
    const report = await reconcileZone({
      provider: h.provider,
      zone: h.zone,
      ownerId: OWNER,
      desired: [alias(SVC, 60, ALB, INTERNAL, '192.0.2.1')],
      current,
    });
    expect(report.replans).toBe(1);
    expect(
      at(SVC)
        .filter((r) => r.alias)
        .map((r) => `${r.type} ${r.alias?.dnsName}`),
    ).toEqual([`A ${ALB}`, `A ${INTERNAL}`, `AAAA ${ALB}`]);
  });

  it('an alias target Route 53 refuses: invalid, naming the ALIAS set that holds it', async () => {
    h.fixture.inject({
      status: 400,
      code: 'InvalidChangeBatch',
      operation: 'ChangeResourceRecordSets',
      message: `[Tried to create an alias that targets ${NLB}, type A in zone ${NLB_ZONE}, but the alias target name does not lie within the target zone]`,
    });
    const error = await providerError(
      h.provider.applyChanges(h.zone, [
        { kind: 'create', record: alias('other.example.com.', 60, ALB) },
        { kind: 'create', record: alias(SVC, 60, NLB.toUpperCase(), '192.0.2.1') },
      ]),
    );
    expect(error.kind).toBe('invalid');
    expect(error.record).toEqual({ name: SVC, type: 'ALIAS' });
  });

  it('the fixture refuses an alias to the wrong zone as Route 53 does, and the message maps to the ALIAS set', async () => {
    const set = alias(SVC, 60, NLB);
    const command = new ChangeResourceRecordSetsCommand({
      HostedZoneId: h.zone.id,
      ChangeBatch: {
        Changes: [
          {
            Action: 'CREATE',
            // The NLB hostname with the ELB zone of its region: the name does not lie within that zone.
            ResourceRecordSet: {
              Name: SVC,
              Type: 'A',
              SetIdentifier: hostnameIdentifier(NLB),
              Weight: 1,
              AliasTarget: { HostedZoneId: INTERNAL_ZONE, DNSName: NLB, EvaluateTargetHealth: true },
            },
          },
        ],
      },
    });
    const thrown = await h.provider.client.send(command).catch((e: unknown) => e);
    expect((thrown as Error).name).toBe('InvalidChangeBatch');
    expect((thrown as Error).message).toContain('does not lie within the target zone');
    const error = translateError(thrown, 'ChangeResourceRecordSets', [set]) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.kind).toBe('invalid');
    expect(error.record).toEqual({ name: SVC, type: 'ALIAS' });
    expect(at(SVC)).toEqual([]);
  });

  it('a target that is not a load balancer is refused before anything is sent', async () => {
    h.fixture.resetRequests();
    const error = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: alias(SVC, 60, 'foo.example.com.') }]));
    expect(error.kind).toBe('invalid');
    expect(error.record).toEqual({ name: SVC, type: 'ALIAS' });
    const empty = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: alias(SVC, 60) }]));
    expect(empty.record).toEqual({ name: SVC, type: 'ALIAS' });
    expect(h.fixture.count()).toBe(0);
  });

  it('a marker written for the name is an ordinary TXT beside the weighted records', async () => {
    const marker = ownershipRecord(SVC, OWNER, 60, ['ALIAS']);
    await h.provider.applyChanges(h.zone, [
      { kind: 'create', record: marker },
      { kind: 'create', record: alias(SVC, 60, ALB) },
    ]);
    expect((await h.provider.records(h.zone)).filter((r) => r.name !== 'example.com.').map((r) => `${r.name} ${r.type}`)).toEqual([
      `${SVC} ALIAS`,
      `_fedsvc.${SVC} TXT`,
    ]);
  });
});

describe('ALIAS record sets someone changed behind our back', () => {
  beforeEach(async () => {
    await start({ provider: { aliases: true } });
  });

  const set = alias(SVC, 60, ALB, NLB, '192.0.2.1', '2001:db8::1');

  it('a removed alias AAAA is put back on the next pass', async () => {
    await reconcile([set]);
    const written = at(SVC);
    h.fixture.removeRecordSet(h.zone.id, SVC, 'AAAA', hostnameIdentifier(ALB));
    const listed = (await h.provider.records(h.zone)).find((r) => r.type === 'ALIAS');
    expect(listed?.rrdatas).toContain('fedsvc:drifted');
    h.fixture.resetRequests();
    const report = await reconcile([set]);
    expect(report.changes.map((c) => `${c.kind} ${c.record.type}`)).toEqual(['update ALIAS', 'update TXT']);
    expect(lastBatch()).toEqual([`CREATE ${SVC} AAAA ${hostnameIdentifier(ALB)}`, ...MARKER_REWRITE]);
    expect(at(SVC)).toEqual(written);
    expect((await reconcile([set])).changes).toEqual([]);
  });

  it('a drained target (weight 0) and a changed TTL are deleted as they are held and written again', async () => {
    await reconcile([set]);
    const written = at(SVC);
    h.fixture.putRecordSet(h.zone.id, {
      name: SVC,
      type: 'A',
      alias: { hostedZoneId: NLB_ZONE, dnsName: NLB, evaluateTargetHealth: true },
      setIdentifier: hostnameIdentifier(NLB),
      weight: 0,
    });
    h.fixture.putRecordSet(h.zone.id, {
      name: SVC,
      type: 'AAAA',
      ttl: 300,
      values: ['2001:db8::1'],
      setIdentifier: 'fedsvc:addresses',
      weight: 1,
    });
    const report = await reconcile([set]);
    expect(report.replans).toBe(0);
    expect(sorted(lastBatch())).toEqual(
      sorted([
        `DELETE ${SVC} A ${hostnameIdentifier(NLB)}`,
        `CREATE ${SVC} A ${hostnameIdentifier(NLB)}`,
        `DELETE ${SVC} AAAA fedsvc:addresses`,
        `CREATE ${SVC} AAAA fedsvc:addresses`,
        ...MARKER_REWRITE,
      ]),
    );
    expect(at(SVC)).toEqual(written);
  });

  it('a part aliasing a target the table does not know (written by hand, or by another version) is deleted as held', async () => {
    await reconcile([set]);
    h.fixture.putRecordSet(h.zone.id, {
      name: SVC,
      type: 'A',
      alias: { hostedZoneId: h.zone.id, dnsName: 'www.example.com.', evaluateTargetHealth: false },
      setIdentifier: 'fedsvc:www.example.com',
      weight: 1,
    });
    await reconcile([]);
    expect(held()).toEqual([]);
  });

  it('an ALIAS set that needs more than 100 weighted records of one type is refused before anything is sent', async () => {
    const balancers = (n: number) => Array.from({ length: n }, (_, i) => `lb-${i}.us-east-1.elb.amazonaws.com.`);
    h.fixture.resetRequests();
    const error = await providerError(
      h.provider.applyChanges(h.zone, [{ kind: 'create', record: alias(SVC, 60, ...balancers(100), '192.0.2.1') }]),
    );
    expect(error.kind).toBe('invalid');
    expect(error.record).toEqual({ name: SVC, type: 'ALIAS' });
    expect(error.message).toContain('101 weighted A records');
    expect(h.fixture.count()).toBe(0);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: alias(SVC, 60, ...balancers(99), '192.0.2.1') }]);
    expect(at(SVC)).toHaveLength(100);
  });
});

describe('Route 53 quotas an ALIAS set meets', () => {
  it('with aliases, a dual-stack target counts as two records in a request; nothing else counts differently', async () => {
    expect(createRoute53Provider({ aliases: true }).limits).toEqual(ROUTE53_LIMITS);
    // Without aliases, a plain change costs what core counts.
    const plainCost = createRoute53Provider().requestCost!;
    for (const change of [
      { kind: 'create', record: alias(SVC, 60, ALB, NLB, '192.0.2.1') },
      { kind: 'update', before: a(SVC, '192.0.2.1'), record: a(SVC, '192.0.2.2', '192.0.2.3') },
    ] as const)
      expect(plainCost(change)).toEqual(changeCost(change));
    const cost = createRoute53Provider({ aliases: true }).requestCost!;
    expect(cost({ kind: 'create', record: alias(SVC, 60, ALB, NLB, '192.0.2.1') })).toEqual({
      changes: 1,
      rrdatas: 4,
      chars: 2 * ALB.length + NLB.length + '192.0.2.1'.length,
    });
    expect(cost({ kind: 'update', before: a(SVC, '192.0.2.1'), record: a(SVC, '192.0.2.2', '192.0.2.3') })).toEqual({
      changes: 2,
      rrdatas: 3,
      chars: 27,
    });
    await start({ fixture: { limits: { resourceRecords: 20, valueCharacters: 32_000 } }, provider: { aliases: true } });
    const sets = Array.from({ length: 12 }, (_, i) => alias(`lb-${i}.example.com.`, 60, `dualstack.lb-${i}.us-east-1.elb.amazonaws.com.`));
    const limits = { ...ROUTE53_LIMITS, maxRrdatasPerRequest: 20 };
    const refused = () => h.fixture.count((r) => r.operation === 'ChangeResourceRecordSets' && r.status !== 200);
    // Counted as core counts by default (an ALIAS target and a marker are one rrdata each), 20 per request is more than Route 53 takes.
    const { requestCost: _counted, ...plain } = h.provider;
    const dry = await reconcileZone({ provider: { ...plain, limits }, zone: h.zone, ownerId: OWNER, desired: sets, dryRun: true });
    const error = await providerError(h.provider.applyChanges(h.zone, dry.changes.slice(0, 20)));
    expect(error.message).toContain('Number of records limit of 20 exceeded');
    expect(refused()).toBe(1);
    // Counted the provider's way, no request is refused: 3 records a name (2 alias, 1 marker), 6 names a request.
    const report = await reconcileZone({ provider: { ...h.provider, limits }, zone: h.zone, ownerId: OWNER, desired: sets });
    expect(refused()).toBe(1);
    expect(report.writes).toBe(2);
    expect(held().filter((r) => r.alias !== undefined)).toHaveLength(24);
  });

  it('a record of more than 400 values is refused before anything is sent, naming it', async () => {
    await start({ provider: { aliases: true } });
    const addresses = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    h.fixture.resetRequests();
    const plain = await providerError(h.provider.applyChanges(h.zone, [{ kind: 'create', record: a(SVC, ...addresses(401)) }]));
    expect(plain.kind).toBe('invalid');
    expect(plain.record).toEqual({ name: SVC, type: 'A' });
    expect(plain.message).toContain('400 values');
    const aliased = await providerError(
      h.provider.applyChanges(h.zone, [{ kind: 'create', record: alias(SVC, 60, NLB, ...addresses(401)) }]),
    );
    expect(aliased.record).toEqual({ name: SVC, type: 'ALIAS' });
    expect(h.fixture.count()).toBe(0);
    await h.provider.applyChanges(h.zone, [{ kind: 'create', record: a(SVC, ...addresses(400)) }]);
    expect(at(SVC)[0]?.values).toHaveLength(400);
  });
});
