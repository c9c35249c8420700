// A federation whose load balancers are named by hostname (AWS ELB), on Route 53 with `aliases`,
// under the `nearest` and `weighted` policies: core's controller against the wire-level fixture
// through the real SDK. Zone and region names alias the load balancers; the routed global name
// answers their resolved addresses, one latency or weighted record per member.
import { createController, type FederatedService, type FederationController, type RecordSet, type TrafficPolicy } from '@fedsvc/core';
import { sameRecordSet } from '@fedsvc/core/provider';
import { MemoryClusters } from '@fedsvc/core/testing';
import { fc } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.js';

const GLOBAL = 'nginx.mynamespace.myfederation.svc.example.com.';
const regionName = (region: string) => `nginx.mynamespace.myfederation.svc.${region}.example.com.`;

/** Four clusters in three AWS regions; each load balancer a hostname, one beside an address. */
const CLUSTERS = [
  {
    name: 'use1-a',
    region: 'us-east-1',
    zones: ['us-east-1a'],
    hostname: 'web-a-1.us-east-1.elb.amazonaws.com',
    addresses: ['198.51.100.1'],
  },
  {
    name: 'use1-b',
    region: 'us-east-1',
    zones: ['us-east-1b'],
    hostname: 'web-b-2.elb.us-east-1.amazonaws.com',
    addresses: ['198.51.100.2'],
  },
  {
    name: 'euw1-a',
    region: 'eu-west-1',
    zones: ['eu-west-1a'],
    hostname: 'dualstack.web-c-3.eu-west-1.elb.amazonaws.com',
    addresses: ['198.51.100.3', '2001:db8::3'],
  },
  {
    name: 'aps1-a',
    region: 'ap-south-1',
    zones: ['ap-south-1a'],
    hostname: 'web-d-4.ap-south-1.elb.amazonaws.com',
    addresses: ['198.51.100.4'],
  },
] as const;
const OWN_ADDRESS = '203.0.113.9';

const nginx = (trafficPolicy?: TrafficPolicy): FederatedService => ({
  manifest: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'nginx', namespace: 'mynamespace' },
    spec: { type: 'LoadBalancer', selector: { run: 'nginx' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  },
  ...(trafficPolicy === undefined ? {} : { trafficPolicy }),
});

let h: Harness;
let controller: FederationController | undefined;
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
  await h.close();
});

async function start(trafficPolicy: TrafficPolicy, ttl = 60): Promise<{ clusters: MemoryClusters; resolved: Map<string, string[]> }> {
  h = await startHarness({ provider: { aliases: true } });
  const clusters = new MemoryClusters(CLUSTERS.map(({ name, region, zones }) => ({ name, region, zones })));
  const resolved = new Map<string, string[]>(CLUSTERS.map((c) => [`${c.hostname}.`, [...c.addresses]]));
  controller = createController({
    federation: { name: 'myfederation', domain: 'example.com', ttl, trafficPolicy },
    ownerId: 'fed-a',
    clusters,
    dns: { provider: h.provider, zone: h.zone },
    resolveHostname: async (hostname) => resolved.get(hostname.endsWith('.') ? hostname : `${hostname}.`) ?? [],
    services: [nginx()],
    coalesceMs: 5,
    backoff: { baseMs: 5, maxMs: 40 },
    sleep: async () => {},
    zoneRateLimit: 1000,
  });
  controller.start();
  await settle();
  CLUSTERS.forEach((c, i) => {
    // The first cluster's load balancer reports an address of its own beside its hostname.
    const ingress = i === 0 ? [{ hostname: c.hostname }, { ip: OWN_ADDRESS }] : [{ hostname: c.hostname }];
    clusters.setIngress(c.name, 'mynamespace', 'nginx', ingress);
    clusters.setReadyEndpoints(c.name, 'mynamespace', 'nginx', i + 1);
  });
  await settle();
  return { clusters, resolved };
}

const settle = () => controller!.idle();
const records = async () => h.provider.records(h.zone);
const at = async (name: string, type: string) => (await records()).find((r) => r.name === name && r.type === type);
const writes = () => h.fixture.requests.filter((r) => r.operation === 'ChangeResourceRecordSets');
const writesAt = (name: string) => writes().filter((r) => (r.batch ?? []).some((c) => c.recordSet.name === name));
const sorted = (values: Iterable<string>) => [...values].sort();
const members = (set: RecordSet<string> | undefined) =>
  (set?.members ?? []).map((m) => ({ id: m.id, location: m.location, weight: m.weight, rrdatas: sorted(m.rrdatas) }));

/** What a cluster answers as addresses: what its hostname resolves to, and its own address. */
const addressesOf = (name: string, family: 4 | 6) =>
  CLUSTERS.flatMap((c, i) => (c.name === name ? [...c.addresses, ...(i === 0 ? [OWN_ADDRESS] : [])] : [])).filter((a) =>
    family === 4 ? !a.includes(':') : a.includes(':'),
  );

async function expectConverged(): Promise<void> {
  expect(controller!.permanentFailures()).toEqual([]);
  // Regions and zones alias their load balancers, as with `all`.
  const region = await at(regionName('us-east-1'), 'ALIAS');
  expect(sorted(region?.rrdatas ?? [])).toEqual(
    sorted(['web-a-1.us-east-1.elb.amazonaws.com.', 'web-b-2.elb.us-east-1.amazonaws.com.', OWN_ADDRESS]),
  );
  expect((await records()).some((r) => r.name === GLOBAL && r.type === 'ALIAS')).toBe(false);
  // A second pass over the unchanged world writes nothing.
  h.fixture.resetRequests();
  controller!.resync();
  await settle();
  expect(writes()).toHaveLength(0);
}

describe('a hostname-load-balancer federation on Route 53 with aliases', () => {
  it('nearest: one latency record per region holding its shards’ resolved addresses; a region losing its pods loses its record', async () => {
    const { clusters } = await start({ type: 'nearest' });
    const global = await at(GLOBAL, 'A');
    expect(global?.routing).toBe('nearest');
    expect(members(global)).toEqual([
      { id: 'ap-south-1', location: 'ap-south-1', weight: undefined, rrdatas: addressesOf('aps1-a', 4) },
      { id: 'eu-west-1', location: 'eu-west-1', weight: undefined, rrdatas: addressesOf('euw1-a', 4) },
      {
        id: 'us-east-1',
        location: 'us-east-1',
        weight: undefined,
        rrdatas: sorted([...addressesOf('use1-a', 4), ...addressesOf('use1-b', 4)]),
      },
    ]);
    expect(members(await at(GLOBAL, 'AAAA'))).toEqual([
      { id: 'eu-west-1', location: 'eu-west-1', weight: undefined, rrdatas: addressesOf('euw1-a', 6) },
    ]);
    await expectConverged();

    clusters.setReadyEndpoints('aps1-a', 'mynamespace', 'nginx', 0);
    await settle();
    expect(members(await at(GLOBAL, 'A')).map((m) => m.id)).toEqual(['eu-west-1', 'us-east-1']);
    expect(await at(regionName('ap-south-1'), 'CNAME')).toMatchObject({ rrdatas: [GLOBAL] });
  });

  it('weighted: one weighted record per cluster holding its resolved addresses, weighing its ready endpoints', async () => {
    await start({ type: 'weighted' });
    const global = await at(GLOBAL, 'A');
    expect(global?.routing).toBe('weighted');
    expect(members(global)).toEqual(
      sorted(CLUSTERS.map((c) => c.name)).map((name) => ({
        id: name,
        location: undefined,
        weight: CLUSTERS.findIndex((c) => c.name === name) + 1,
        rrdatas: sorted(addressesOf(name, 4)),
      })),
    );
    await expectConverged();
  });

  it('a load balancer’s addresses moving reach the routed global name when it is resolved again at the TTL, while the names that alias it stay', async () => {
    const { resolved } = await start({ type: 'weighted' }, 1);
    resolved.set('web-d-4.ap-south-1.elb.amazonaws.com.', ['198.51.100.44']);
    const member = async () => (await at(GLOBAL, 'A'))?.members?.find((m) => m.id === 'aps1-a')?.rrdatas.join();
    const deadline = Date.now() + 10_000;
    while ((await member()) !== '198.51.100.44' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await member()).toBe('198.51.100.44');
    expect(await at(regionName('ap-south-1'), 'ALIAS')).toMatchObject({ rrdatas: ['web-d-4.ap-south-1.elb.amazonaws.com.'] });
  });

  it('switching between all, nearest and weighted is one request at the global name each time, which Route 53 takes', async () => {
    await start({ type: 'all' });
    expect(await at(GLOBAL, 'ALIAS')).toBeDefined();
    for (const policy of [{ type: 'nearest' }, { type: 'weighted' }, { type: 'all' }] as const) {
      h.fixture.resetRequests();
      controller!.applyService(nginx(policy));
      await settle();
      expect(controller!.permanentFailures()).toEqual([]);
      expect(writesAt(GLOBAL)).toHaveLength(1);
      const global = (await records()).filter((r) => r.name === GLOBAL);
      if (policy.type === 'all') expect(global.map((r) => [r.type, r.routing])).toEqual([['ALIAS', undefined]]);
      else
        expect(global.map((r) => [r.type, r.routing])).toEqual([
          ['A', policy.type],
          ['AAAA', policy.type],
        ]);
    }
  });
});

describe('a global name switching between an ALIAS set and routed records, as core sends it', () => {
  const hostname = fc.constantFrom(
    'web-a-1.us-east-1.elb.amazonaws.com.',
    'web-b-2.elb.us-east-1.amazonaws.com.',
    'dualstack.web-c-3.eu-west-1.elb.amazonaws.com.',
    'internal-web-d-4.ap-south-1.elb.amazonaws.com.',
  );
  const numeric = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const byNumber = (values: Iterable<string>) => [...values].sort((x, y) => numeric(x) - numeric(y));
  const aliasSet = fc
    .record({ hostnames: fc.uniqueArray(hostname, { minLength: 1, maxLength: 4 }), addresses: fc.uniqueArray(fc.ipV4(), { maxLength: 3 }) })
    .map(
      ({ hostnames, addresses }): RecordSet => ({
        name: GLOBAL,
        type: 'ALIAS',
        ttl: 60,
        rrdatas: [...sorted(hostnames), ...byNumber(addresses)],
      }),
    );
  const routedSet = fc
    .record({
      routing: fc.constantFrom('nearest' as const, 'weighted' as const),
      members: fc.uniqueArray(
        fc.record({
          region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-south-1', 'us-west-2'),
          rrdatas: fc.uniqueArray(fc.ipV4(), { minLength: 1, maxLength: 3 }),
          weight: fc.integer({ min: 1, max: 255 }),
        }),
        { selector: (m) => m.region, minLength: 1, maxLength: 4 },
      ),
    })
    .map(({ routing, members }): RecordSet => {
      const planned = members
        .map((m) =>
          routing === 'nearest'
            ? { id: m.region, location: m.region, rrdatas: byNumber(m.rrdatas) }
            : { id: `cluster-${m.region}`, weight: m.weight, rrdatas: byNumber(m.rrdatas) },
        )
        .sort((x, y) => (x.id < y.id ? -1 : 1));
      return { name: GLOBAL, type: 'A', ttl: 60, rrdatas: byNumber(new Set(planned.flatMap((m) => m.rrdatas))), routing, members: planned };
    });

  /**
   * What Route 53 limits in a request: its values and their characters, an alias record one value
   * of its DNS name (as requestCost counts it). Route 53 does not limit the changes themselves; an
   * ALIAS set's change counts as one there, as core counts it, the routed records each as one.
   */
  const sentSize = () => {
    const sent = writes().flatMap((r) => r.batch ?? []);
    const values = sent.flatMap((c) => (c.recordSet.alias ? [c.recordSet.alias.dnsName] : c.recordSet.values));
    return { rrdatas: values.length, chars: values.reduce((n, value) => n + value.length, 0) };
  };

  it('is one request Route 53 takes, of the size requestCost gives, and reads back as the set switched to', async () => {
    h = await startHarness({ provider: { aliases: true } });
    await fc.assert(
      fc.asyncProperty(aliasSet, routedSet, async (alias, routed) => {
        // A run that failed part-way (while shrinking) leaves its records: start from an empty name.
        for (const left of (await records()).filter((r) => r.name === GLOBAL))
          await h.provider.applyChanges(h.zone, [{ kind: 'delete', record: left as RecordSet }]);
        await h.provider.applyChanges(h.zone, [{ kind: 'create', record: alias }]);
        for (const [from, to] of [
          [alias, routed],
          [routed, alias],
        ] as const) {
          const held = (await records()).find((r) => r.name === GLOBAL && r.type === from.type) as RecordSet;
          const changes = [
            { kind: 'delete', record: held },
            { kind: 'create', record: to },
          ] as const;
          const costs = changes.map((c) => h.provider.requestCost!(c));
          const cost = { rrdatas: costs[0]!.rrdatas + costs[1]!.rrdatas, chars: costs[0]!.chars + costs[1]!.chars };
          h.fixture.resetRequests();
          await h.provider.applyChanges(h.zone, changes);
          expect(writes()).toEqual([expect.objectContaining({ status: 200 })]);
          expect(sentSize()).toEqual(cost);
          const now = (await records()).filter((r) => r.name === GLOBAL);
          expect(now).toHaveLength(1);
          expect(sameRecordSet(now[0] as RecordSet, to)).toBe(true);
        }
        await h.provider.applyChanges(h.zone, [{ kind: 'delete', record: (await at(GLOBAL, 'ALIAS')) as RecordSet }]);
      }),
      { numRuns: 30 },
    );
  });
});
