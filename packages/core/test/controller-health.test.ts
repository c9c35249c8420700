// Shard health as the controller reports it (events, status, service-synced) follows the
// planner's rule: a shard whose only load-balancer hostname nothing turns into an address is
// not healthy, since DNS gives it no address. And an event outside the port is ignored, as it always was.
import { afterEach, expect, test } from 'vitest';
import type { FederationController } from '../src/controller/controller.js';
import type { ControllerEvents } from '../src/controller/types.js';
import { clusterOf, guideWorld, nginx, podsUp, within } from './controller.fixture.js';

const running: FederationController[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

const HOST = 'a1b2-123.us-east-1.elb.amazonaws.com';

async function hostnameOnlyShard(dns: { canAlias?: (hostname: string) => boolean } = {}) {
  const world = guideWorld(dns);
  const controller = world.controller({ services: [nginx()] });
  running.push(controller);
  const flips: ControllerEvents['shard-health-changed'][0][] = [];
  const synced: ControllerEvents['service-synced'][0][] = [];
  controller.on('shard-health-changed', (event) => flips.push(event));
  controller.on('service-synced', (event) => synced.push(event));
  controller.start();
  await within(controller.idle(), 10_000, 'controller idle');
  world.clusters.setIngress(clusterOf('us-east1-b'), 'mynamespace', 'nginx', [{ hostname: HOST }]);
  podsUp(world, ['us-east1-b', 'us-east1-c']);
  await within(controller.idle(), 10_000, 'controller idle');
  const view = (zone: string) => controller.status('mynamespace', 'nginx').clusters.find((c) => c.cluster === clusterOf(zone))!;
  return { flips, synced, view };
}

test('a shard whose load balancer has only a hostname that nothing resolves or aliases is not healthy', async () => {
  const { flips, synced, view } = await hostnameOnlyShard();
  expect(view('us-east1-b')).toMatchObject({ shard: true, readyEndpoints: 1, healthy: false });
  expect(view('us-east1-c').healthy).toBe(true);
  expect(flips.filter((f) => f.cluster === clusterOf('us-east1-b') && f.healthy)).toEqual([]);
  expect(flips).toContainEqual({ service: 'mynamespace/nginx', cluster: clusterOf('us-east1-c'), healthy: true });
  expect(synced.at(-1)).toMatchObject({ service: 'mynamespace/nginx', healthyShards: 1 });
});

test('the same shard is healthy when the provider aliases its hostname', async () => {
  const { flips, synced, view } = await hostnameOnlyShard({ canAlias: (hostname) => hostname === `${HOST}.` });
  expect(view('us-east1-b').healthy).toBe(true);
  expect(flips).toContainEqual({ service: 'mynamespace/nginx', cluster: clusterOf('us-east1-b'), healthy: true });
  expect(synced.at(-1)).toMatchObject({ service: 'mynamespace/nginx', healthyShards: 2 });
});

test('an event of a type the port does not have (a member-clusters implementation in plain JavaScript) is ignored', async () => {
  const world = guideWorld();
  const watch = world.clusters.watch.bind(world.clusters);
  const clusters = {
    applyShard: world.clusters.applyShard.bind(world.clusters),
    watch: (onEvent: Parameters<typeof watch>[0]) =>
      watch((event) => {
        if (event.type === 'synced') onEvent({ type: 'cluster-resized', cluster: 'x' } as never);
        onEvent(event);
      }),
  };
  const controller = world.controller({ services: [nginx()], clusters });
  running.push(controller);
  controller.start();
  await within(controller.idle(), 10_000, 'controller idle');
  podsUp(world, ['us-east1-b']);
  await within(controller.idle(), 10_000, 'controller idle');
  expect(controller.status('mynamespace', 'nginx').clusters.find((c) => c.cluster === clusterOf('us-east1-b'))?.healthy).toBe(true);
});
