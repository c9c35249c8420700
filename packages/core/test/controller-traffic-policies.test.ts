// A provider states the traffic policies it writes; the controller refuses, when it is created
// and when a service is applied, one its provider does not write.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { TRAFFIC_POLICY_TYPES, type TrafficPolicy, type TrafficPolicyType } from '../src/index.js';
import { ValidationError } from '../src/errors.js';
import { federation, guideWorld, nginx } from './controller.fixture.js';

const policyOf = (type: TrafficPolicyType): TrafficPolicy =>
  type === 'failover' ? { type, regions: ['us-central1'] } : type === 'nearest' ? { type, locations: { 'us-central1': 'x' } } : { type };

/** The guide's world with the memory provider stating `stated` (absent: it says nothing). */
function worldStating(stated: readonly TrafficPolicyType[] | undefined) {
  const world = guideWorld();
  const provider = stated === undefined ? world.provider : Object.assign(Object.create(world.provider), { trafficPolicies: stated });
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
});
