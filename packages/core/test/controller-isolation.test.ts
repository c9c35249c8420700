// One bad input stops nothing else: a member cluster whose topology clashes with another's is
// left out of DNS, told and shown, and every service goes on without it.
import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, test, vi } from 'vitest';
import { publicAddress } from '../src/dns/addresses.js';
import { planServiceRecords } from '../src/planning/plan.js';
import {
  ADDRESSES,
  canonical,
  clusterOf,
  federation,
  guideWorld,
  nginx,
  podsUp,
  published,
  ZONES,
  type World,
  collect,
  controllers,
  settle,
} from './controller.fixture.js';

const { create, start } = controllers();

const silent = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });

/** What the planner says the zone should hold for a service, the clusters named in `without` left out. */
function expectedWithout(world: World, without: readonly string[], namespace = 'mynamespace', name = 'nginx') {
  const clusters = world.clusters
    .clusters()
    .filter((c) => !without.includes(c.name))
    .map((c) => ({ name: c.name, zones: c.zones, region: c.region, ready: c.health === 'Ready' }));
  const shards = world.clusters
    .shards(namespace, name)
    .filter((s) => !without.includes(s.cluster))
    .map((s) => ({ cluster: s.cluster, readyEndpoints: s.readyEndpoints, addresses: s.ingress.flatMap((i) => (i.ip ? [i.ip] : [])) }));
  return canonical(planServiceRecords({ federation, service: { namespace, name }, clusters, shards }));
}

describe('a member cluster whose topology clashes', () => {
  test.each([
    ['a zone in two regions', { zones: ['us-east1-b'], region: 'us-west9' }],
    ['a zone named like a region', { zones: ['us-central1'], region: 'us-west9' }],
    ['a region named like a zone', { zones: ['us-west9-a'], region: 'us-east1-c' }],
    ['a zone that is not a DNS label', { zones: ['US_West9_A'], region: 'us-west9' }],
  ])('%s: it is left out (event, status, log), and every service of the others goes on', async (_, place) => {
    const world = guideWorld();
    const logger = silent();
    const controller = start(world, { services: [nginx(), nginx('other', 'api')], logger });
    const excluded = collect(controller, 'cluster-excluded');
    const failed = collect(controller, 'apply-failed');
    await settle(controller);
    podsUp(world, ZONES.slice(0, 6));
    podsUp(world, ZONES.slice(3), 'other', 'api');
    await settle(controller);

    // `zz-…` sorts after every `gce-…` cluster: it is the one left out.
    world.clusters.addCluster({ name: 'zz-clash', ...place, loadBalancerAddresses: ['198.51.100.77'] });
    await settle(controller);
    world.clusters.setReadyEndpoints('zz-clash', 'mynamespace', 'nginx', 1);
    podsUp(world, ZONES.slice(6, 9));
    await settle(controller);

    expect(failed).toEqual([]);
    expect(excluded.map((e) => e.cluster)).toEqual(['zz-clash']);
    expect(excluded[0]!.error.field).toMatch(/^clusters\["zz-clash"\]\./);
    expect(published(world)).toEqual(expectedWithout(world, ['zz-clash']));
    expect(published(world, 'other', 'api')).toEqual(expectedWithout(world, ['zz-clash'], 'other', 'api'));
    expect(published(world).some((r) => r.rrdatas.includes('198.51.100.77'))).toBe(false);
    const view = controller.status('mynamespace', 'nginx').clusters;
    expect(view.find((c) => c.cluster === 'zz-clash')?.excluded).toMatch(/.+/);
    expect(view.filter((c) => c.excluded !== undefined)).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ cluster: 'zz-clash' }), 'cluster left out of DNS');

    // Once it leaves, nothing is left out any more; told when a left-out cluster comes back.
    world.clusters.removeCluster('zz-clash');
    await settle(controller);
    expect(published(world)).toEqual(expectedWithout(world, []));
  });

  test('of two clashing clusters the one whose name sorts later is left out, whichever came first', async () => {
    const world = guideWorld();
    world.clusters.addCluster({ name: 'aa-first', zones: ['us-east1-b'], region: 'us-west9', loadBalancerAddresses: ['198.51.100.9'] });
    const controller = create(world, { services: [nginx()] });
    const excluded = collect(controller, 'cluster-excluded');
    const included = collect(controller, 'cluster-included');
    controller.start();
    await settle(controller);
    // `aa-first` sorts before `gce-us-east1-b`, whose zone it claims: the guide's cluster is left out.
    expect(
      controller
        .status('mynamespace', 'nginx')
        .clusters.filter((c) => c.excluded)
        .map((c) => c.cluster),
    ).toEqual(['gce-us-east1-b']);
    expect(excluded.map((e) => e.cluster)).toEqual(['gce-us-east1-b']);
    world.clusters.removeCluster('aa-first');
    await settle(controller);
    expect(included).toEqual([{ cluster: 'gce-us-east1-b' }]);
    podsUp(world, ZONES);
    await settle(controller);
    expect(published(world)).toEqual(expectedWithout(world, []));
    expect(Object.keys(ADDRESSES)).toContain('us-east1-b');
  });
});

// Addresses of the classes no public record may carry, and others that are no address at all.
const unpublishable = new BlockList();
for (const [net, bits] of [
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['224.0.0.0', 4],
] as const)
  unpublishable.addSubnet(net, bits, 'ipv4');
const publicV4 = fc.ipV4().filter((a) => !unpublishable.check(a, 'ipv4') && a !== '0.0.0.0' && a !== '255.255.255.255');
const publicV6 = fc.constantFrom('2001:db8::1', '2001:DB8::2', 'fd00::17', '2600:1f18:4::9');
const refusedAddress = fc.oneof(
  fc.tuple(fc.constantFrom(127, 169, 224, 239), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `${a}.${a === 169 ? 254 : b}.${c}.1`),
  fc.constantFrom('0.0.0.0', '255.255.255.255', '::', '::1', 'fe80::1', 'ff02::1', '::ffff:192.0.2.1', 'not-an-ip', '1.2.3'),
);

describe('a shard with unusable load-balancer addresses', () => {
  test('its other addresses and the other shards are planned as if the bad ones were not there; each bad one is told with a reason', async () => {
    const zones = ZONES.slice(0, 5);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(fc.record({ bad: fc.boolean(), good: fc.oneof(publicV4, publicV6), refused: refusedAddress }), { maxLength: 4 }),
          {
            minLength: zones.length,
            maxLength: zones.length,
          },
        ),
        async (lists) => {
          const world = guideWorld();
          const controller = create(world, { services: [nginx(), nginx('other', 'api')] });
          const told = collect(controller, 'address-refused');
          const failed = collect(controller, 'apply-failed');
          controller.start();
          await settle(controller);
          podsUp(world, ZONES);
          podsUp(world, ZONES, 'other', 'api');
          const clean = new Map<string, string[]>();
          const expectedTold: { service: string; cluster: string; address: string }[] = [];
          zones.forEach((zone, i) => {
            const ingress = lists[i]!.map((entry) => (entry.bad ? entry.refused : entry.good));
            clean.set(
              clusterOf(zone),
              ingress.filter((a) => typeof publicAddress(a) !== 'string'),
            );
            for (const address of new Set(ingress))
              if (typeof publicAddress(address) === 'string')
                expectedTold.push({ service: 'mynamespace/nginx', cluster: clusterOf(zone), address });
            world.clusters.setIngress(
              clusterOf(zone),
              'mynamespace',
              'nginx',
              ingress.map((ip) => ({ ip })),
            );
          });
          await settle(controller);
          expect(failed).toEqual([]);
          const shards = world.clusters.shards('mynamespace', 'nginx').map((s) => ({
            cluster: s.cluster,
            readyEndpoints: s.readyEndpoints,
            addresses: clean.get(s.cluster) ?? s.ingress.map((e) => e.ip!),
          }));
          const clusters = world.clusters.clusters().map((c) => ({ name: c.name, zones: c.zones, region: c.region, ready: true }));
          const wanted = canonical(
            planServiceRecords({ federation, service: { namespace: 'mynamespace', name: 'nginx' }, clusters, shards }),
          );
          expect(published(world)).toEqual(wanted);
          expect(published(world, 'other', 'api')).toEqual(expectedWithout(world, [], 'other', 'api'));
          const key = (e: { service: string; cluster: string; address: string }) => `${e.service} ${e.cluster} ${e.address}`;
          expect(told.map(key).sort()).toEqual(expectedTold.map(key).sort());
          for (const event of told) expect(event.reason).toBe(publicAddress(event.address));
          for (const [i, zone] of zones.entries()) {
            const view = controller.status('mynamespace', 'nginx').clusters.find((c) => c.cluster === clusterOf(zone))!;
            expect(view.refusedAddresses.map((r) => r.address).sort()).toEqual(
              lists[i]!.filter((e) => e.bad)
                .map((e) => e.refused)
                .sort(),
            );
          }
          await controller.stop();
        },
      ),
      { numRuns: 15 },
    );
  });
});
