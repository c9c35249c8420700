// A service placed by a list of clusters, with an override for one of them, through the
// controller: shards only where listed, each with its own Service, and records from them alone.
import { describe, expect, test } from 'vitest';
import { APPLIED_ANNOTATION } from '../src/placement/manifest.js';
import { ADDRESSES, ZONES, clusterOf, controllers, guideWorld, nginx, podsUp, published, settle } from './controller.fixture.js';

const { start } = controllers();

describe('placement by a list of clusters', () => {
  test('shards only in the listed clusters, the overridden one with its own Service, records from them alone', async () => {
    const world = guideWorld();
    const listed = ZONES.slice(0, 3).map(clusterOf);
    const [first, second] = listed as [string, string];
    const service = {
      ...nginx(),
      clusters: listed,
      overrides: { [first]: { annotations: { 'lb.example.com/internal': 'true' }, externalTrafficPolicy: 'Local' as const } },
    };
    const controller = start(world, { services: [service] });
    await settle(controller);
    podsUp(world, ZONES.slice(0, 3));
    await settle(controller);
    expect(world.clusters.shards('mynamespace', 'nginx').map((shard) => shard.cluster)).toEqual(listed);
    const own = world.clusters.shard(first, 'mynamespace', 'nginx')!.manifest;
    const plain = world.clusters.shard(second, 'mynamespace', 'nginx')!.manifest;
    expect(own.metadata.annotations?.['lb.example.com/internal']).toBe('true');
    expect(own.spec['externalTrafficPolicy']).toBe('Local');
    expect(plain.spec['externalTrafficPolicy']).toBeUndefined();
    expect(own.metadata.annotations?.[APPLIED_ANNOTATION]).not.toBe(plain.metadata.annotations?.[APPLIED_ANNOTATION]);
    const global = published(world).find(
      (record) => record.name === 'nginx.mynamespace.myfederation.svc.example.com.' && record.type === 'A',
    );
    expect(global?.rrdatas).toEqual(
      ZONES.slice(0, 3)
        .map((zone) => ADDRESSES[zone]!)
        .sort(),
    );

    // Dropped from the list, a cluster loses the shard the federation created there.
    controller.applyService({ ...service, clusters: [first, second] });
    await settle(controller);
    expect(world.clusters.shards('mynamespace', 'nginx').map((shard) => shard.cluster)).toEqual([first, second]);
  });
});
