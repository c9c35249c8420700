// A federated service's own TTL: its records carry it, the others keep the federation's, and a
// TTL DNS cannot carry is refused where the service is given.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DEFAULT_TTL, MAX_TTL } from '../src/dns/ttl.js';
import { ValidationError } from '../src/errors.js';
import { ZONES, clusterOf, controllers, guideWorld, nginx, podsUp, published, settle } from './controller.fixture.js';

const { start } = controllers();

describe("a service's TTL", () => {
  test("its records carry its TTL; another service's keep the federation's", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: MAX_TTL }), async (ttl) => {
        const world = guideWorld();
        const controller = start(world, { services: [{ ...nginx(), ttl }, nginx('mynamespace', 'web')] });
        await settle(controller);
        podsUp(world, ZONES);
        // Each cluster's pool holds one address, which nginx took.
        ZONES.forEach((zone, i) => world.clusters.setIngress(clusterOf(zone), 'mynamespace', 'web', [{ ip: `198.51.100.${i + 1}` }]));
        podsUp(world, ZONES, 'mynamespace', 'web');
        await settle(controller);
        await controller.stop();
        const own = published(world);
        const other = published(world, 'mynamespace', 'web');
        expect(own.length).toBeGreaterThan(0);
        expect(other.length).toBe(own.length);
        expect(new Set(own.map((record) => record.ttl))).toEqual(new Set([ttl]));
        expect(new Set(other.map((record) => record.ttl))).toEqual(new Set([DEFAULT_TTL]));
      }),
      { numRuns: 4 },
    );
  });

  test('a TTL changed by applying the service again reaches its records', async () => {
    const world = guideWorld();
    const controller = start(world, { services: [{ ...nginx(), ttl: 30 }] });
    await settle(controller);
    podsUp(world, ZONES);
    await settle(controller);
    controller.applyService({ ...nginx(), ttl: 600 });
    await settle(controller);
    expect(new Set(published(world).map((record) => record.ttl))).toEqual(new Set([600]));
  });

  test.each([-1, 1.5, MAX_TTL + 1, '60', Number.NaN])('%s is refused naming the field', (ttl) => {
    const world = guideWorld();
    const controller = world.controller();
    try {
      controller.applyService({ ...nginx(), ttl } as never);
      expect.unreachable('applyService accepted a bad TTL');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('service.ttl');
    }
    try {
      world.controller({ services: [nginx('mynamespace', 'web'), { ...nginx(), ttl } as never] });
      expect.unreachable('the services option accepted a bad TTL');
    } catch (error) {
      expect((error as ValidationError).field).toBe('services[1].ttl');
    }
  });
});
