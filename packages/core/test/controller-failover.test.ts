// The failover policy through the controller: the global name follows the first listed region
// with a healthy shard as pods come and go; the other names are as with `all`.
import { describe, expect, test } from 'vitest';
import { ValidationError } from '../src/errors.js';
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
} from './controller.fixture.js';

const { start } = controllers();
const GLOBAL = 'nginx.mynamespace.myfederation.svc.example.com.';
const inRegions = (...regions: string[]) => ZONES.filter((zone) => regions.includes(regionOf(zone)));

/** The global name's addresses, and every other name as the `all` plan has it. */
function zoneHolds(world: ReturnType<typeof guideWorld>) {
  const records = published(world);
  const all = expected(world);
  expect(records.filter((r) => r.name !== GLOBAL)).toEqual(all.filter((r) => r.name !== GLOBAL));
  return records.filter((r) => r.name === GLOBAL).flatMap((r) => r.rrdatas);
}

const addressesOf = (world: ReturnType<typeof guideWorld>, zones: readonly string[]) =>
  world.clusters
    .shards('mynamespace', 'nginx')
    .filter((s) => zones.some((zone) => s.cluster === `gce-${zone}`))
    .flatMap((s) => s.ingress.map((i) => i.ip!))
    .sort();

describe('failover through the controller', () => {
  test('the global name answers the first listed region with a healthy shard, then the next, then every one', async () => {
    const world = guideWorld();
    const controller = start(world, {
      services: [{ ...nginx(), trafficPolicy: { type: 'failover', regions: ['us-central1', 'us-east1'] } }],
    });
    await settle(controller);
    podsUp(world, ZONES);
    await settle(controller);
    expect(zoneHolds(world)).toEqual(addressesOf(world, inRegions('us-central1')));
    podsDown(world, inRegions('us-central1'));
    await settle(controller);
    expect(zoneHolds(world)).toEqual(addressesOf(world, inRegions('us-east1')));
    podsDown(world, inRegions('us-east1'));
    await settle(controller);
    expect(zoneHolds(world)).toEqual(addressesOf(world, inRegions('asia-east1', 'europe-west1')));
    podsUp(world, inRegions('us-central1'));
    await settle(controller);
    expect(zoneHolds(world)).toEqual(addressesOf(world, inRegions('us-central1')));
  });

  test("the federation's policy applies to services without their own; a region without clusters is passed over, not a failure", async () => {
    const world = guideWorld();
    const controller = start(world, {
      federation: { ...federation, trafficPolicy: { type: 'failover', regions: ['europe-north1', 'us-east1'] } },
      services: [nginx(), { ...nginx('mynamespace', 'web'), trafficPolicy: { type: 'all' } }],
    });
    const failures = collect(controller, 'apply-failed');
    await settle(controller);
    podsUp(world, ZONES);
    ZONES.forEach((zone, i) => world.clusters.setIngress(`gce-${zone}`, 'mynamespace', 'web', [{ ip: `198.51.100.${i + 1}` }]));
    podsUp(world, ZONES, 'mynamespace', 'web');
    await settle(controller);
    expect(failures).toEqual([]);
    expect(zoneHolds(world)).toEqual(addressesOf(world, inRegions('us-east1')));
    const web = published(world, 'mynamespace', 'web');
    expect(web.length).toBeGreaterThan(0);
    expect(web).toEqual(expected(world, 'mynamespace', 'web'));
  });

  test.each([
    { trafficPolicy: { type: 'failover', regions: [] }, field: 'trafficPolicy.regions' },
    { trafficPolicy: { type: 'round-robin' }, field: 'trafficPolicy.type' },
    { trafficPolicy: { type: 'weighted', weights: { 'gce-us-east1-b': 0 } }, field: 'trafficPolicy.weights.gce-us-east1-b' },
  ])('a malformed policy is refused where the service is given: $field', ({ trafficPolicy, field }) => {
    const world = guideWorld();
    const controller = world.controller();
    expect(() => controller.applyService({ ...nginx(), trafficPolicy } as never)).toThrow(
      expect.objectContaining({ name: 'ValidationError', field: `service.${field}` }),
    );
    expect(() => world.controller({ services: [{ ...nginx(), trafficPolicy } as never] })).toThrow(ValidationError);
    expect(() => world.controller({ federation: { ...federation, trafficPolicy } as never })).toThrow(
      expect.objectContaining({ field: `federation.${field}` }),
    );
  });
});
