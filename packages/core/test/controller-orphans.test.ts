// Shards whose service the host no longer has: once the host has given every service it has,
// those this owner created are deleted and those it adopted released (its marks removed, nothing
// else); other owners' and people's Services are never touched, and nothing goes before.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ADOPTED_BY_ANNOTATION, APPLIED_ANNOTATION, desiredManifest } from '../src/placement/manifest.js';
import { serverSideApply } from '../src/testing/memory-clusters.js';
import type { ServiceManifest } from '../src/types.js';
import { OWNER, ZONES, clusterOf, collect, controllers, guideWorld, nginx, settle, type World } from './controller.fixture.js';

const { create } = controllers();

const service = (name: string, annotations: Record<string, string> = {}): ServiceManifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop', labels: { app: name }, annotations: { team: 'shop', ...annotations } },
  spec: { type: 'ClusterIP', selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }] },
});

/** Who holds a Service in a cluster: this owner (created or adopted), another federation, or a person. */
type Holder = 'created' | 'adopted' | 'other-owner' | 'person';

const held = (holder: Holder, name: string): ServiceManifest => {
  switch (holder) {
    case 'created':
      return desiredManifest(service(name), OWNER, true);
    case 'adopted':
      // A person's Service the federation conformed: their annotation stays beside the federation's.
      return serverSideApply(service(name, { 'made-by': 'person' }), desiredManifest(service(name), OWNER, false));
    case 'other-owner':
      return desiredManifest(service(name), 'other-federation', true);
    case 'person':
      return service(name);
  }
};

/** Puts a Service of `name` held by `holders[i]` in the i-th cluster (undefined: none). */
function populate(world: World, name: string, holders: readonly (Holder | undefined)[]): void {
  holders.forEach((holder, i) => {
    if (holder) world.clusters.putService(clusterOf(ZONES[i]!), held(holder, name));
  });
}

/** The Service as the federation would leave it when releasing it. */
const released = (manifest: ServiceManifest): ServiceManifest => {
  const { [ADOPTED_BY_ANNOTATION]: _a, [APPLIED_ANNOTATION]: _b, ...annotations } = manifest.metadata.annotations ?? {};
  return { ...manifest, metadata: { ...manifest.metadata, annotations } };
};

const holders = fc.array(fc.option(fc.constantFrom<Holder>('created', 'adopted', 'other-owner', 'person'), { nil: undefined }), {
  minLength: ZONES.length,
  maxLength: ZONES.length,
});

/** What every cluster should hold of `name` once orphans are gone (undefined: nothing). */
const afterOrphans = (holders: readonly (Holder | undefined)[], name: string) =>
  holders.map((holder) => {
    if (holder === undefined || holder === 'created') return undefined;
    return holder === 'adopted' ? released(held(holder, name)) : held(holder, name);
  });

const holdings = (world: World, name: string) => ZONES.map((zone) => world.clusters.shard(clusterOf(zone), 'shop', name)?.manifest);

describe('orphan shards', () => {
  test('on start with `services`: created ones deleted, adopted ones released, others untouched, and the service told deleted', async () => {
    await fc.assert(
      fc.asyncProperty(holders, async (holders) => {
        const world = guideWorld();
        populate(world, 'gone', holders);
        const controller = create(world, { services: [nginx()] });
        const forgotten = collect(controller, 'service-deleted');
        const changes = collect(controller, 'shard-changed');
        controller.start();
        await settle(controller);
        await controller.stop();
        expect(holdings(world, 'gone')).toEqual(afterOrphans(holders, 'gone'));
        const ours = holders.some((holder) => holder === 'created' || holder === 'adopted');
        expect(forgotten).toEqual(ours ? [{ service: 'shop/gone' }] : []);
        const told = changes.filter((change) => change.service === 'shop/gone');
        const expected = holders.flatMap((holder, i) =>
          holder === 'created'
            ? [{ cluster: clusterOf(ZONES[i]!), action: 'deleted' }]
            : holder === 'adopted'
              ? [{ cluster: clusterOf(ZONES[i]!), action: 'released' }]
              : [],
        );
        const byCluster = (a: { cluster: string }, b: { cluster: string }) => (a.cluster < b.cluster ? -1 : 1);
        expect(told.map(({ cluster, action }) => ({ cluster, action })).sort(byCluster)).toEqual(expected.sort(byCluster));
      }),
      { numRuns: 15 },
    );
  });

  test('without `services`, nothing is touched until resync() says the services are complete', async () => {
    const world = guideWorld();
    const holders: Holder[] = ['created', 'adopted', 'other-owner', 'person', 'created'];
    populate(world, 'gone', holders);
    const before = holdings(world, 'gone');
    const controller = create(world);
    controller.start();
    controller.applyService(nginx());
    await settle(controller);
    expect(holdings(world, 'gone')).toEqual(before);
    expect(controller.status('shop', 'gone').deleting).toBeUndefined();

    controller.resync();
    await settle(controller);
    expect(holdings(world, 'gone')).toEqual(afterOrphans([...holders, ...new Array(ZONES.length - holders.length)], 'gone'));
  });

  test('a shard this owner created after the services were complete is removed at the next resync', async () => {
    const world = guideWorld();
    const controller = create(world, { services: [nginx()] });
    controller.start();
    await settle(controller);
    populate(world, 'late', ['created', 'adopted']);
    await settle(controller);
    expect(holdings(world, 'late').filter(Boolean)).toHaveLength(2);
    controller.resync();
    await settle(controller);
    expect(holdings(world, 'late')).toEqual(afterOrphans(['created', 'adopted', ...new Array(ZONES.length - 2)], 'late'));
  });

  test('an orphan applied again before its pass is served, not deleted', async () => {
    const world = guideWorld();
    populate(world, 'back', ['created']);
    const controller = create(world, { services: [nginx()] });
    controller.start();
    controller.applyService({ manifest: service('back') });
    await settle(controller);
    expect(world.clusters.shards('shop', 'back')).toHaveLength(ZONES.length);
  });
});
