// The controller under a marker prefix of its own: every marker there, the zone cache keeps
// each name with its marker, and deleting the service leaves nothing behind.
import { expect, test } from 'vitest';
import { ValidationError } from '../src/errors.js';
import {
  ADDRESSES,
  expected,
  guideWorld,
  nginx,
  podsDown,
  podsUp,
  published,
  type World,
  controllers,
  settle,
} from './controller.fixture.js';

const { start } = controllers({ markerPrefix: '_fed.' });

const ours = (world: World) => world.provider.snapshot(world.zone).filter((r) => r.name.includes('nginx.mynamespace.myfederation.svc.'));

test('markers go under the prefix given; passes planned from the cache and the deletion of the service keep them with their names', async () => {
  const world = guideWorld();
  const controller = start(world);
  controller.applyService(nginx());
  await settle(controller);
  podsUp(
    world,
    Object.keys(ADDRESSES).filter((zone) => !ADDRESSES[zone]!.startsWith('203.')),
  );
  await settle(controller);
  const markers = ours(world).filter((r) => r.type === 'TXT');
  expect(markers.length).toBeGreaterThan(0);
  expect(markers.every((r) => r.name.startsWith('_fed.nginx.'))).toBe(true);
  // Passes for one service work from what the controller last read and wrote, markers included.
  podsDown(world, ['us-central1-a', 'asia-east1-a']);
  await settle(controller);
  expect(published(world)).toEqual(expected(world));
  controller.deleteService('mynamespace', 'nginx');
  await settle(controller);
  expect(ours(world)).toEqual([]);
});

test('a malformed marker prefix is refused, naming it', () => {
  const world = guideWorld();
  expect(() => world.controller({ markerPrefix: 'fedsvc.' })).toThrow(ValidationError);
  expect(() => world.controller({ markerPrefix: 'fedsvc.' })).toThrow(expect.objectContaining({ field: 'markerPrefix', value: 'fedsvc.' }));
});
