import { isIPv4 } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { planFederation, planServiceRecords, type RecordSet } from '@fedsvc/core';
import { topology, type Topology } from './topology.arbitrary.js';

const canonical = (a: string) => (isIPv4(a) ? a : new URL(`http://[${a}]`).hostname.slice(1, -1));

/** An independent statement of the contract: which addresses each name must hold. */
function expected(t: Topology) {
  const domain = t.federation.domain.toLowerCase().replace(/\.?$/, '.');
  const prefix = `${t.service.name}.${t.service.namespace}.${t.federation.name}.svc.`;
  // Addresses as they are; load-balancer hostnames as `host:<fqdn>`.
  const byZone = new Map<string, Set<string>>();
  const byRegion = new Map<string, Set<string>>();
  const global = new Set<string>();
  const regionOf = new Map<string, string>();
  for (const c of t.clusters) {
    byRegion.set(c.region, byRegion.get(c.region) ?? new Set());
    for (const z of c.zones) {
      byZone.set(z, byZone.get(z) ?? new Set());
      regionOf.set(z, c.region);
    }
  }
  for (const s of t.shards) {
    const c = t.clusters.find((x) => x.name === s.cluster)!;
    if (!c.ready || s.readyEndpoints === 0) continue;
    const targets = [...s.addresses.map(canonical), ...(s.hostnames ?? []).map((h) => `host:${h.toLowerCase().replace(/\.?$/, '.')}`)];
    for (const a of targets) {
      global.add(a);
      byRegion.get(c.region)!.add(a);
      for (const z of c.zones) byZone.get(z)!.add(a);
    }
  }
  const zoneName = (z: string) =>
    t.federation.zoneNameFormat === 'zone.region' ? `${prefix}${z}.${regionOf.get(z)}.${domain}` : `${prefix}${z}.${domain}`;
  const levels = [
    { name: prefix + domain, addresses: global, parent: null as string | null },
    ...[...byRegion].map(([r, set]) => ({ name: `${prefix}${r}.${domain}`, addresses: set, parent: prefix + domain })),
    ...[...byZone].map(([z, set]) => ({ name: zoneName(z), addresses: set, parent: `${prefix}${regionOf.get(z)}.${domain}` })),
  ];
  return { domain, levels, anyHealthy: global.size > 0, ttl: t.service.ttl ?? t.federation.ttl ?? 180 };
}

const byKey = (records: readonly RecordSet[]) => new Map(records.map((r) => [`${r.name} ${r.type}`, r]));
const shuffled = <T>(items: readonly T[], seed: number): T[] =>
  items
    .map((item, i) => ({ item, k: (i * 7919 + seed * 104729) % 1000003 }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.item);

/** Every level holds exactly its healthy targets (A/AAAA, or one ALIAS set when a hostname is among them), or a CNAME one level up. */
function holdsTheContract(t: Topology): void {
  const records = planServiceRecords(t);
  const want = expected(t);
  if (!want.anyHealthy) {
    expect(records).toEqual([]);
    return;
  }
  const got = byKey(records);
  expect(got.size).toBe(records.length);
  let count = 0;
  for (const level of want.levels) {
    const hosts = [...level.addresses]
      .filter((a) => a.startsWith('host:'))
      .map((a) => a.slice(5))
      .sort();
    const v4 = [...level.addresses].filter((a) => isIPv4(a)).sort();
    const v6 = [...level.addresses].filter((a) => !isIPv4(a) && !a.startsWith('host:')).sort();
    if (hosts.length > 0) {
      expect(got.has(`${level.name} CNAME`) || got.has(`${level.name} A`) || got.has(`${level.name} AAAA`)).toBe(false);
      const rrdatas = got.get(`${level.name} ALIAS`)?.rrdatas ?? [];
      // Hostnames first, sorted; then IPv4, then IPv6 addresses.
      expect(rrdatas.slice(0, hosts.length)).toEqual(hosts);
      expect([...rrdatas.slice(hosts.length, hosts.length + v4.length)].sort()).toEqual(v4);
      expect([...rrdatas.slice(hosts.length + v4.length)].sort()).toEqual(v6);
      count += 1;
    } else if (level.addresses.size > 0) {
      expect(got.has(`${level.name} ALIAS`)).toBe(false);
      expect(got.has(`${level.name} CNAME`)).toBe(false);
      expect([...(got.get(`${level.name} A`)?.rrdatas ?? [])].sort()).toEqual(v4);
      expect([...(got.get(`${level.name} AAAA`)?.rrdatas ?? [])].sort()).toEqual(v6);
      count += (v4.length > 0 ? 1 : 0) + (v6.length > 0 ? 1 : 0);
    } else {
      expect(got.get(`${level.name} CNAME`)?.rrdatas).toEqual([level.parent]);
      expect(got.has(`${level.name} A`) || got.has(`${level.name} AAAA`)).toBe(false);
      count += 1;
    }
  }
  expect(records.length).toBe(count);
  for (const r of records) {
    expect(r.ttl).toBe(want.ttl);
    expect(r.name.endsWith(`.${want.domain}`)).toBe(true);
    expect(new Set(r.rrdatas).size).toBe(r.rrdatas.length);
  }
}

describe('planServiceRecords: the DNS contract over random topologies', () => {
  test.prop([topology({ maxClusters: 120 })], { numRuns: 300 })(
    'every level holds exactly its healthy addresses, or a CNAME one level up',
    holdsTheContract,
  );

  test.prop([topology({ maxClusters: 60, hostnames: true })], { numRuns: 300 })(
    'with load-balancer hostnames, a level holding any gets one ALIAS set of every target it holds',
    holdsTheContract,
  );

  test.prop([topology({ maxClusters: 120 })], { numRuns: 200 })('every CNAME chain ends at an address set within two hops', (t) => {
    const records = planServiceRecords(t);
    const got = byKey(records);
    for (const r of records.filter((x) => x.type === 'CNAME')) {
      let name = r.rrdatas[0]!;
      let hops = 1;
      while (got.has(`${name} CNAME`)) {
        name = got.get(`${name} CNAME`)!.rrdatas[0]!;
        hops += 1;
      }
      expect(hops).toBeLessThanOrEqual(2);
      expect(got.has(`${name} A`) || got.has(`${name} AAAA`)).toBe(true);
    }
  });

  test.prop([topology({ maxClusters: 60 }), fc.nat(1000)], { numRuns: 200 })('deterministic, and independent of input order', (t, seed) => {
    const again = planServiceRecords({
      ...t,
      clusters: shuffled(t.clusters, seed).map((c) => ({ ...c, zones: shuffled(c.zones, seed + 1) })),
      shards: shuffled(t.shards, seed + 2).map((s) => ({ ...s, addresses: shuffled(s.addresses, seed + 3) })),
    });
    expect(again).toEqual(planServiceRecords(t));
  });

  test.prop([fc.array(topology({ maxClusters: 30 }), { minLength: 1, maxLength: 4 })], { numRuns: 100 })(
    'planFederation is the plans of its services, each over the same clusters',
    (ts) => {
      const [first] = ts as [Topology];
      const services = ts.map((t, i) => ({
        service: { ...t.service, name: `svc${i}` },
        shards: t.shards.filter((s) => first.clusters.some((c) => c.name === s.cluster)),
      }));
      const all = planFederation({ federation: first.federation, clusters: first.clusters, services });
      const each = services.flatMap(({ service, shards }) =>
        planServiceRecords({ federation: first.federation, clusters: first.clusters, service, shards }),
      );
      expect(all).toEqual(each);
    },
  );
});

describe('planServiceRecords: cases the original controller got wrong', () => {
  const federation = { name: 'fed', domain: 'example.com' };
  const service = { namespace: 'ns', name: 'web' };
  const names = (records: RecordSet[]) => records.map((r) => `${r.name} ${r.type} ${r.rrdatas.join(',')}`);

  test('a cluster spanning two zones answers in both', () => {
    const records = planServiceRecords({
      federation,
      service,
      clusters: [
        { name: 'c1', zones: ['eu-a', 'eu-b'], region: 'eu', ready: true },
        { name: 'c2', zones: ['eu-c'], region: 'eu', ready: true },
      ],
      shards: [{ cluster: 'c1', addresses: ['192.0.2.1'], readyEndpoints: 1 }],
    });
    expect(names(records)).toEqual([
      'web.ns.fed.svc.example.com. A 192.0.2.1',
      'web.ns.fed.svc.eu.example.com. A 192.0.2.1',
      'web.ns.fed.svc.eu-a.example.com. A 192.0.2.1',
      'web.ns.fed.svc.eu-b.example.com. A 192.0.2.1',
      'web.ns.fed.svc.eu-c.example.com. CNAME web.ns.fed.svc.eu.example.com.',
    ]);
  });

  test('a shard in a cluster that is not ready leaves every level, and duplicate addresses are written once', () => {
    const records = planServiceRecords({
      federation,
      service,
      clusters: [
        { name: 'c1', zones: ['us-a'], region: 'us', ready: false },
        { name: 'c2', zones: ['us-b'], region: 'us', ready: true },
        { name: 'c3', zones: ['us-c'], region: 'us', ready: true },
      ],
      shards: [
        { cluster: 'c1', addresses: ['192.0.2.1'], readyEndpoints: 3 },
        { cluster: 'c2', addresses: ['192.0.2.2', '192.0.2.2'], readyEndpoints: 3 },
        { cluster: 'c3', addresses: ['192.0.2.2'], readyEndpoints: 1 },
      ],
    });
    expect(names(records)).toEqual([
      'web.ns.fed.svc.example.com. A 192.0.2.2',
      'web.ns.fed.svc.us.example.com. A 192.0.2.2',
      'web.ns.fed.svc.us-a.example.com. CNAME web.ns.fed.svc.us.example.com.',
      'web.ns.fed.svc.us-b.example.com. A 192.0.2.2',
      'web.ns.fed.svc.us-c.example.com. A 192.0.2.2',
    ]);
  });

  test('IPv6 shards get AAAA records in RFC 5952 form; zone.region names; the service TTL wins', () => {
    const records = planServiceRecords({
      federation: { ...federation, ttl: 300, zoneNameFormat: 'zone.region' },
      service: { ...service, ttl: 30 },
      clusters: [
        { name: 'c1', zones: ['a'], region: 'us', ready: true },
        { name: 'c2', zones: ['b'], region: 'us', ready: true },
      ],
      shards: [
        { cluster: 'c1', addresses: ['2001:DB8:0:0:0:0:0:1', '192.0.2.9'], readyEndpoints: 1 },
        { cluster: 'c2', addresses: ['2001:db8::2'], readyEndpoints: 1 },
      ],
    });
    expect(records.map((r) => `${r.name} ${r.type} ${r.ttl} ${r.rrdatas.join(',')}`)).toEqual([
      'web.ns.fed.svc.example.com. A 30 192.0.2.9',
      'web.ns.fed.svc.example.com. AAAA 30 2001:db8::1,2001:db8::2',
      'web.ns.fed.svc.us.example.com. A 30 192.0.2.9',
      'web.ns.fed.svc.us.example.com. AAAA 30 2001:db8::1,2001:db8::2',
      'web.ns.fed.svc.a.us.example.com. A 30 192.0.2.9',
      'web.ns.fed.svc.a.us.example.com. AAAA 30 2001:db8::1',
      'web.ns.fed.svc.b.us.example.com. AAAA 30 2001:db8::2',
    ]);
  });

  test('shards without endpoints still get their zone a CNAME, and nothing healthy anywhere means no records', () => {
    const clusters = [
      { name: 'c1', zones: ['us-a'], region: 'us', ready: true },
      { name: 'c2', zones: ['eu-a'], region: 'eu', ready: true },
    ];
    const withOne = planServiceRecords({
      federation,
      service,
      clusters,
      shards: [
        { cluster: 'c1', addresses: ['192.0.2.1'], readyEndpoints: 0 },
        { cluster: 'c2', addresses: ['192.0.2.2'], readyEndpoints: 2 },
      ],
    });
    expect(names(withOne)).toContain('web.ns.fed.svc.us-a.example.com. CNAME web.ns.fed.svc.us.example.com.');
    expect(names(withOne)).toContain('web.ns.fed.svc.us.example.com. CNAME web.ns.fed.svc.example.com.');
    expect(
      planServiceRecords({
        federation,
        service,
        clusters,
        shards: [
          { cluster: 'c1', addresses: ['192.0.2.1'], readyEndpoints: 0 },
          { cluster: 'c2', addresses: [], readyEndpoints: 2 },
        ],
      }),
    ).toEqual([]);
  });
});
