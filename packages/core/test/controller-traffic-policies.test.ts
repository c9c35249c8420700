// A provider states the traffic policies it writes; the controller refuses, when it is created
// and when a service is applied, one its provider does not write.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { TRAFFIC_POLICY_TYPES, type RoutingLimits, type TrafficPolicy, type TrafficPolicyType } from '../src/index.js';
import { ValidationError } from '../src/errors.js';
import { federation, guideWorld, nginx } from './controller.fixture.js';

const policyOf = (type: TrafficPolicyType): TrafficPolicy =>
  type === 'failover' ? { type, regions: ['us-central1'] } : type === 'nearest' ? { type, locations: { 'us-central1': 'x' } } : { type };

/** Routing limits that accept every location but `nowhere`, and map every region to itself. */
const routing: RoutingLimits = {
  locationOf: (region) => region,
  isLocation: (location) => location !== 'nowhere',
  maxWeight: 255,
  maxMembers: 100,
};

/** The guide's world with the memory provider stating `stated` (absent: it says nothing), and routing limits when a routed policy is among them. */
function worldStating(stated: readonly TrafficPolicyType[] | undefined) {
  const world = guideWorld();
  const routed = stated?.includes('nearest') === true || stated?.includes('weighted') === true;
  const provider =
    stated === undefined
      ? world.provider
      : Object.assign(Object.create(world.provider), { trafficPolicies: stated, ...(routed ? { routing } : {}) });
  return { world, provider };
}

function refusal(create: () => unknown): ValidationError {
  try {
    create();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('accepted');
}

const stated = fc.option(fc.subarray([...TRAFFIC_POLICY_TYPES]), { nil: undefined });

describe("the provider's traffic policies", () => {
  test.prop([stated, fc.constantFrom(...TRAFFIC_POLICY_TYPES)])(
    'a federation policy is accepted exactly when the provider writes it (all and failover when it says nothing)',
    (policies, type) => {
      const { world, provider } = worldStating(policies);
      const writes = (policies ?? ['all', 'failover']).includes(type);
      const create = () =>
        world.controller({ federation: { ...federation, trafficPolicy: policyOf(type) }, dns: { provider, zone: world.zone } });
      if (writes) {
        expect(create).not.toThrow();
        return;
      }
      const error = refusal(create);
      expect([error.field, error.value]).toEqual(['federation.trafficPolicy.type', type]);
      expect(error.message).toContain(`the ${provider.name} DNS provider does not write the ${type} traffic policy`);
      expect(error.message).toContain(`it writes ${(policies ?? ['all', 'failover']).join(', ') || 'none'}`);
    },
  );

  test.prop([stated, fc.constantFrom(...TRAFFIC_POLICY_TYPES)])(
    "a service's own policy is refused, in the services option and by applyService, when the provider does not write it",
    (policies, type) => {
      const { world, provider } = worldStating(policies);
      const writes = (policies ?? ['all', 'failover']).includes(type);
      const service = { ...nginx(), trafficPolicy: policyOf(type) };
      const create = () => world.controller({ services: [nginx('mynamespace', 'web'), service], dns: { provider, zone: world.zone } });
      const controller = world.controller({ dns: { provider, zone: world.zone } });
      if (writes) {
        expect(create).not.toThrow();
        expect(() => controller.applyService(service)).not.toThrow();
        return;
      }
      expect(refusal(create).field).toBe('services[1].trafficPolicy.type');
      const error = refusal(() => controller.applyService(service));
      expect([error.field, error.value]).toEqual(['service.trafficPolicy.type', type]);
    },
  );

  test('memory writes no routed policy: nearest and weighted are refused, naming the provider', () => {
    for (const type of ['nearest', 'weighted'] as const) {
      const world = guideWorld();
      const error = refusal(() => world.controller({ federation: { ...federation, trafficPolicy: policyOf(type) } }));
      expect(error.message).toContain(`the memory DNS provider does not write the ${type} traffic policy; it writes all, failover`);
    }
  });

  test.each([['all', 'round-robin'], 'failover', [1], null])('a malformed trafficPolicies member is refused: %j', (bad) => {
    const world = guideWorld();
    const provider = Object.assign(Object.create(world.provider), { trafficPolicies: bad });
    expect(refusal(() => world.controller({ dns: { provider, zone: world.zone } })).field).toBe('dns.provider.trafficPolicies');
  });

  test.each(['nearest', 'weighted'] as const)(
    'a provider listing %s without routing limits is refused, naming dns.provider.routing',
    (type) => {
      const world = guideWorld();
      const provider = Object.assign(Object.create(world.provider), { trafficPolicies: ['all', type] });
      const error = refusal(() => world.controller({ dns: { provider, zone: world.zone } }));
      expect([error.field, error.value]).toEqual(['dns.provider.routing', undefined]);
      const bad = Object.assign(Object.create(world.provider), { trafficPolicies: [type], routing: { ...routing, maxWeight: 0 } });
      expect(refusal(() => world.controller({ dns: { provider: bad, zone: world.zone } })).field).toBe('dns.provider.routing.maxWeight');
    },
  );

  test('a nearest location the provider does not accept is refused at creation and by applyService, naming the region', () => {
    const { world, provider } = worldStating(['all', 'nearest']);
    const policy: TrafficPolicy = { type: 'nearest', locations: { 'us-central1': 'us-central1', 'us-east1': 'nowhere' } };
    const created = refusal(() =>
      world.controller({ federation: { ...federation, trafficPolicy: policy }, dns: { provider, zone: world.zone } }),
    );
    expect([created.field, created.value]).toEqual(['federation.trafficPolicy.locations.us-east1', 'nowhere']);
    const controller = world.controller({ dns: { provider, zone: world.zone } });
    const applied = refusal(() => controller.applyService({ ...nginx(), trafficPolicy: policy }));
    expect([applied.field, applied.value]).toEqual(['service.trafficPolicy.locations.us-east1', 'nowhere']);
    expect(() =>
      controller.applyService({ ...nginx(), trafficPolicy: { type: 'nearest', locations: { 'us-east1': 'elsewhere' } } }),
    ).not.toThrow();
  });
});
