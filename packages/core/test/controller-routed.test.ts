// nearest and weighted through the controller, on a provider that writes routed record sets:
// the global name follows the healthy regions and shards pass by pass, switching policy never
// leaves it without an answer, and an unchanged world writes nothing.
import { describe, expect, test } from 'vitest';
import { ValidationError } from '../src/errors.js';
import type { DnsProvider, DnsZone, RecordSet, RoutingLimits, TrafficPolicy } from '../src/types.js';
import {
  ZONES,
  collect,
  controllers,
  expected,
  federation,
  guideWorld,
  nginx,
  podsDown,
  podsUp,
  published,
  regionOf,
  settle,
  type World,
} from './controller.fixture.js';
import { answer, distribution, GUIDE_LATENCY, regionRouting } from './routing.evaluator.js';

const { create, start } = controllers();
const GLOBAL = 'nginx.mynamespace.myfederation.svc.example.com.';
const inRegions = (...regions: string[]) => ZONES.filter((zone) => regions.includes(regionOf(zone)));

/** The world's memory zone behind a provider that writes routed sets; after each write, whether the global name answered. */
function routedProvider(world: World, routing: RoutingLimits = regionRouting()): { provider: DnsProvider; answered: boolean[] } {
  const inner = world.provider;
  const answered: boolean[] = [];
  const provider: DnsProvider = {
    name: 'routed-test',
    limits: inner.limits,
    zones: () => inner.zones(),
    records: (zone) => inner.records(zone),
    applyChanges: async (zone: DnsZone, changes) => {
      await inner.applyChanges(zone, changes);
      answered.push(inner.snapshot(zone).some((r) => r.name === GLOBAL && ['A', 'AAAA'].includes(r.type)));
    },
    trafficPolicies: ['all', 'failover', 'nearest', 'weighted'],
    routing,
  };
  return { provider, answered };
}

const globalSet = (world: World): RecordSet<string> =>
  world.provider.snapshot(world.zone).find((r) => r.name === GLOBAL && r.type === 'A')!;
const addressesOf = (world: World, zones: readonly string[]) =>
  world.clusters
    .shards('mynamespace', 'nginx')
    .filter((s) => zones.some((zone) => s.cluster === `gce-${zone}`))
    .flatMap((s) => s.ingress.map((i) => i.ip!))
    .sort();

/** Every name but the global one is as the `all` plan has it. */
function othersAsAll(world: World): void {
  expect(published(world).filter((r) => r.name !== GLOBAL)).toEqual(expected(world).filter((r) => r.name !== GLOBAL));
}

describe('routed policies through the controller', () => {
  test('nearest: each region answers its own shards; a region losing its pods loses its member within a pass, and an unchanged world writes nothing', async () => {
    const world = guideWorld();
    const { provider } = routedProvider(world);
    const controller = start(world, {
      federation: { ...federation, trafficPolicy: { type: 'nearest' } },
      dns: { provider, zone: world.zone },
      services: [nginx()],
    });
    await settle(controller);
    podsUp(world, ZONES);
    await settle(controller);
    const set = globalSet(world);
    expect(set.routing).toBe('nearest');
    for (const region of ['asia-east1', 'europe-west1', 'us-central1', 'us-east1'])
      expect([...answer(set, region, GUIDE_LATENCY)].sort()).toEqual(addressesOf(world, inRegions(region)));
    expect([...set.rrdatas].sort()).toEqual(addressesOf(world, ZONES));
    othersAsAll(world);

    podsDown(world, inRegions('us-central1'));
    await settle(controller);
    const after = globalSet(world);
    expect(after.members!.map((m) => m.id)).toEqual(['asia-east1', 'europe-west1', 'us-east1']);
    expect([...answer(after, 'us-central1', GUIDE_LATENCY)].sort()).toEqual(addressesOf(world, inRegions('us-east1')));
    othersAsAll(world);

    const writes = world.provider.requests().writes;
    await controller.resync();
    await settle(controller);
    expect(world.provider.requests().writes).toBe(writes);
  });

  test('weighted: members follow the ready endpoints', async () => {
    const world = guideWorld();
    const { provider } = routedProvider(world);
    const controller = start(world, {
      dns: { provider, zone: world.zone },
      services: [{ ...nginx(), trafficPolicy: { type: 'weighted' } }],
    });
    await settle(controller);
    ZONES.forEach((zone, i) => world.clusters.setReadyEndpoints(`gce-${zone}`, 'mynamespace', 'nginx', i % 3));
    await settle(controller);
    const ready = new Map(world.clusters.shards('mynamespace', 'nginx').map((s) => [s.cluster, s.readyEndpoints]));
    const total = [...ready.values()].reduce((a, b) => a + b, 0);
    const chance = distribution(globalSet(world));
    expect([...chance.keys()]).toEqual(
      [...ready]
        .filter(([, n]) => n > 0)
        .map(([c]) => c)
        .sort(),
    );
    for (const [cluster, share] of chance) expect(share).toBeCloseTo(ready.get(cluster)! / total, 12);
    othersAsAll(world);
  });

  test('switching a service between all, nearest and weighted updates the global name in place: it answers after every write', async () => {
    const world = guideWorld();
    const { provider, answered } = routedProvider(world);
    const controller = start(world, { dns: { provider, zone: world.zone }, services: [nginx()] });
    await settle(controller);
    podsUp(world, ZONES);
    await settle(controller);
    const applied = collect(controller, 'records-applied');
    for (const trafficPolicy of [{ type: 'nearest' }, { type: 'weighted' }, { type: 'all' }, { type: 'weighted' }] as TrafficPolicy[]) {
      controller.applyService({ ...nginx(), trafficPolicy });
      await settle(controller);
      expect(globalSet(world).routing).toBe(trafficPolicy.type === 'all' ? undefined : trafficPolicy.type);
    }
    expect(answered.length).toBeGreaterThan(4);
    expect(answered.every(Boolean)).toBe(true);
    const globalChanges = applied.flatMap((p) => p.changes).filter((c) => c.record.name === GLOBAL);
    expect(globalChanges.map((c) => c.kind)).toEqual(['update', 'update', 'update', 'update']);
  });

  test('with a provider that aliases load balancers, a routed global name answers their resolved addresses; no resolver, the global name answers as with all', async () => {
    const lb = (zone: string, service = 'nginx') => `${service}-${zone}.lb.example.net`;
    const resolvedTo = (zone: string) => `198.51.100.${(ZONES as readonly string[]).indexOf(zone) + 1}`;
    for (const resolver of [true, false]) {
      const world = guideWorld({ canAlias: (hostname) => hostname.endsWith('.lb.example.net.') });
      const { provider } = routedProvider(world);
      const lookups: string[] = [];
      const warnings: object[] = [];
      const none = () => {};
      const controller = start(world, {
        logger: { debug: none, info: none, error: none, warn: (fields: object) => warnings.push(fields) },
        dns: { provider: { ...provider, canAlias: world.provider.canAlias! }, zone: world.zone },
        services: [{ ...nginx(), trafficPolicy: { type: 'nearest' } }, nginx('mynamespace', 'web')],
        ...(resolver
          ? {
              resolveHostname: async (hostname: string) => {
                lookups.push(hostname);
                return [resolvedTo(ZONES.find((zone) => lb(zone) === hostname)!)];
              },
            }
          : {}),
      });
      await settle(controller);
      const zones = inRegions('us-east1', 'asia-east1');
      for (const service of ['nginx', 'web']) {
        for (const zone of zones) world.clusters.setIngress(`gce-${zone}`, 'mynamespace', service, [{ hostname: lb(zone, service) }]);
        podsUp(world, zones, 'mynamespace', service);
      }
      await settle(controller);
      expect(controller.permanentFailures()).toEqual([]);
      const at = (service: string) =>
        world.provider.snapshot(world.zone).filter((r) => r.name === `${service}.mynamespace.myfederation.svc.example.com.`);
      // The `all` service's names alias the load balancers, the routed one's zones and regions too.
      expect(at('web').map((r) => [r.type, [...r.rrdatas].sort()])).toEqual([['ALIAS', zones.map((zone) => `${lb(zone, 'web')}.`).sort()]]);
      const region = world.provider.snapshot(world.zone).find((r) => r.name === 'nginx.mynamespace.myfederation.svc.us-east1.example.com.');
      expect(region?.type).toBe('ALIAS');
      const global = at('nginx');
      if (resolver) {
        expect(global.map((r) => [r.type, r.routing])).toEqual([['A', 'nearest']]);
        for (const region of ['us-east1', 'asia-east1'])
          expect([...answer(global[0]!, region, GUIDE_LATENCY)].sort()).toEqual(inRegions(region).map(resolvedTo).sort());
        // Resolved for the routed service only: every hostname the `all` service alone names was never looked up.
        expect(new Set(lookups)).toEqual(new Set(zones.map((zone) => lb(zone))));
      } else expect(global.map((r) => [r.type, r.routing])).toEqual([['ALIAS', undefined]]);
      // Told once for the routed service, however often it is applied; never with a resolver.
      controller.applyService({ ...nginx(), trafficPolicy: { type: 'nearest' } });
      const told = warnings.filter((fields) => 'trafficPolicy' in fields);
      expect(told).toEqual(resolver ? [] : [{ field: 'services[0].trafficPolicy', trafficPolicy: 'nearest', provider: 'routed-test' }]);
      await controller.stop();
    }
  });

  test('a federation routed on a provider that aliases, with no resolver, is told so once at creation; with one, not', () => {
    for (const resolver of [false, true]) {
      const world = guideWorld({ canAlias: () => true });
      const warnings: object[] = [];
      const none = () => {};
      create(world, {
        logger: { debug: none, info: none, error: none, warn: (fields: object) => warnings.push(fields) },
        dns: { provider: { ...routedProvider(world).provider, canAlias: () => true }, zone: world.zone },
        federation: { ...federation, trafficPolicy: { type: 'weighted' } },
        ...(resolver ? { resolveHostname: async () => [] } : {}),
      });
      const told = warnings.filter((fields) => 'trafficPolicy' in fields);
      expect(told).toEqual(resolver ? [] : [{ field: 'federation.trafficPolicy', trafficPolicy: 'weighted', provider: 'routed-test' }]);
    }
  });

  test('a region that maps to no location fails its services as invalid input, naming the region; the others are written', async () => {
    const world = guideWorld();
    const { provider } = routedProvider(world, regionRouting({ locationOf: (region) => (region === 'europe-west1' ? undefined : region) }));
    const controller = start(world, {
      dns: { provider, zone: world.zone },
      services: [{ ...nginx(), trafficPolicy: { type: 'nearest' } }, nginx('mynamespace', 'web')],
    });
    const failures = collect(controller, 'apply-failed');
    await settle(controller);
    podsUp(world, ZONES);
    ZONES.forEach((zone, i) => world.clusters.setIngress(`gce-${zone}`, 'mynamespace', 'web', [{ ip: `198.51.100.${i + 1}` }]));
    podsUp(world, ZONES, 'mynamespace', 'web');
    await settle(controller);
    const failure = failures.find((f) => f.service === 'mynamespace/nginx')!;
    expect(failure.reason).toBe('invalid-input');
    expect(failure.error).toBeInstanceOf(ValidationError);
    expect([(failure.error as ValidationError).field, (failure.error as ValidationError).value]).toEqual([
      'service.trafficPolicy.locations',
      'europe-west1',
    ]);
    expect(failures.filter((f) => f.service !== 'mynamespace/nginx')).toEqual([]);
    expect(published(world, 'mynamespace', 'web').length).toBeGreaterThan(0);
  });
});
