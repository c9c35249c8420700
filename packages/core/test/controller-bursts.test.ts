// The member clusters' events that arrive in one turn are reduced together, after the turn or
// as soon as something reads the clusters' state: what the host sees is as if each were taken
// on arrival.
import { afterEach, expect, test } from 'vitest';
import type { FederationController } from '../src/controller/controller.js';
import type { ControllerEvents } from '../src/controller/types.js';
import { canonical, clusterOf, expected, guideWorld, nginx, podsDown, podsUp, published, settle } from './controller.fixture.js';

const running: FederationController[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

test('events of one turn: status() sees them at once, each flip is told in order, and idle() waits for their pass', async () => {
  const world = guideWorld();
  const controller = world.controller({ services: [nginx()] });
  running.push(controller);
  controller.start();
  await settle(controller);
  const flips: ControllerEvents['shard-health-changed'][0][] = [];
  controller.on('shard-health-changed', (event) => flips.push(event));
  const healthy = (zone: string) => controller.status('mynamespace', 'nginx').clusters.find((c) => c.cluster === clusterOf(zone))?.healthy;

  podsUp(world, ['us-east1-b', 'us-east1-c']);
  expect([healthy('us-east1-b'), healthy('us-east1-c')]).toEqual([true, true]);
  podsDown(world, ['us-east1-b']);
  podsUp(world, ['us-east1-b']);
  podsDown(world, ['us-east1-c']);
  const flip = (zone: string, up: boolean) => ({ service: 'mynamespace/nginx', cluster: clusterOf(zone), healthy: up });
  await settle(controller);
  expect(flips).toEqual([
    flip('us-east1-b', true),
    flip('us-east1-c', true),
    flip('us-east1-b', false),
    flip('us-east1-b', true),
    flip('us-east1-c', false),
  ]);
  expect([healthy('us-east1-b'), healthy('us-east1-c')]).toEqual([true, false]);
  expect(canonical(published(world))).toEqual(canonical(expected(world)));

  // Nothing else under way: idle() itself must see the turn's event and wait for its pass.
  podsUp(world, ['us-east1-c']);
  await settle(controller);
  expect(canonical(published(world))).toEqual(canonical(expected(world)));
  expect(flips.at(-1)).toEqual(flip('us-east1-c', true));
});
