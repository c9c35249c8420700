import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { planFederation, planServiceRecords, ValidationError, type TrafficPolicy } from '@fedsvc/core';
import { topology, type Topology } from './topology.arbitrary.js';

const regionsOf = (t: Topology) => [...new Set(t.clusters.map((c) => c.region))].sort();

function thrown(plan: () => unknown): ValidationError {
  try {
    plan();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('planned without a ValidationError');
}

/** A topology with a policy given by the federation, by the service, or both (the service's wins). */
const withPolicy = (t: Topology, policy: TrafficPolicy, where: 'federation' | 'service'): Topology =>
  where === 'federation'
    ? { ...t, federation: { ...t.federation, trafficPolicy: policy } }
    : { ...t, federation: { ...t.federation, trafficPolicy: { type: 'weighted' } }, service: { ...t.service, trafficPolicy: policy } };

describe('traffic policies as data', () => {
  test.prop([topology(), fc.constantFrom('federation' as const, 'service' as const)])(
    '`all`, given or not, plans what planning without a policy plans',
    (t, where) => {
      expect(planServiceRecords(withPolicy(t, { type: 'all' }, where))).toEqual(planServiceRecords(t));
    },
  );

  const notAPolicyType = fc.oneof(
    fc.string().filter((s) => !['all', 'failover', 'nearest', 'weighted'].includes(s)),
    fc.constantFrom(undefined, null, 1, 'ALL', 'Failover', ['all']),
  );
  test.prop([topology({ maxClusters: 4 }), notAPolicyType])('an unknown policy is refused, naming it', (t, type) => {
    const error = thrown(() => planServiceRecords(withPolicy(t, { type } as unknown as TrafficPolicy, 'federation')));
    expect(error.field).toBe('federation.trafficPolicy.type');
    expect(error.value).toBe(type);
    const overridden = thrown(() =>
      planFederation({
        federation: t.federation,
        clusters: t.clusters,
        services: [{ service: { ...t.service, trafficPolicy: { type } as unknown as TrafficPolicy }, shards: t.shards }],
      }),
    );
    expect(overridden.field).toBe('services[0].service.trafficPolicy.type');
  });

  test.prop([topology({ maxClusters: 4 })])('an empty failover list is refused', (t) => {
    const error = thrown(() => planServiceRecords(withPolicy(t, { type: 'failover', regions: [] }, 'service')));
    expect(error.field).toBe('service.trafficPolicy.regions');
    expect(error.value).toEqual([]);
  });

  test.prop([topology({ maxClusters: 6 }), fc.nat(), fc.constantFrom('federation' as const, 'service' as const)])(
    'a failover region that no cluster is in is refused, naming it',
    (t, at, where) => {
      const regions = regionsOf(t);
      const listed = [...regions.slice(0, at % (regions.length + 1)), 'region-elsewhere', ...regions.slice(at % (regions.length + 1))];
      const error = thrown(() => planServiceRecords(withPolicy(t, { type: 'failover', regions: listed }, where)));
      expect(error.field).toBe(`${where}.trafficPolicy.regions[${listed.indexOf('region-elsewhere')}]`);
      expect(error.value).toBe('region-elsewhere');
    },
  );

  test.prop([topology({ maxClusters: 4 }), fc.constantFrom('', 'US-CENTRAL1', 'us central1', '-a', 7)])(
    'a failover region that is not a DNS label, or listed twice, is refused',
    (t, bad) => {
      const [first] = regionsOf(t) as [string];
      const notALabel = thrown(() => planServiceRecords(withPolicy(t, { type: 'failover', regions: [first, bad as string] }, 'service')));
      expect([notALabel.field, notALabel.value]).toEqual(['service.trafficPolicy.regions[1]', bad]);
      const twice = thrown(() => planServiceRecords(withPolicy(t, { type: 'failover', regions: [first, first] }, 'service')));
      expect([twice.field, twice.value]).toEqual(['service.trafficPolicy.regions[1]', first]);
    },
  );

  const notAWeight = fc.oneof(
    fc.integer({ max: 0 }),
    fc.double({ noInteger: true }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '3', null, true),
  );
  test.prop([topology({ maxClusters: 4 }), notAWeight])(
    'a weight that is not a positive integer is refused, naming the cluster',
    (t, weight) => {
      const policy = { type: 'weighted', weights: { 'cluster-0': 3, 'cluster-1': weight } } as unknown as TrafficPolicy;
      const error = thrown(() => planServiceRecords(withPolicy(t, policy, 'federation')));
      expect(error.field).toBe('federation.trafficPolicy.weights.cluster-1');
      expect(error.value).toBe(weight);
    },
  );

  test.prop([topology({ maxClusters: 8 }), fc.nat()])(
    'with `nearest`, a region that maps to no location is refused, naming it',
    (t, pick) => {
      const regions = regionsOf(t);
      const unmapped = regions[pick % regions.length]!;
      const locations = Object.fromEntries(regions.filter((r) => r !== unmapped).map((r) => [r, `loc-${r}`]));
      const routing = { locationOf: () => undefined, isLocation: () => true, maxWeight: 255, maxMembers: 100 };
      const error = thrown(() => planServiceRecords({ ...withPolicy(t, { type: 'nearest', locations }, 'service'), routing }));
      expect(error.field).toBe('service.trafficPolicy.locations');
      expect(error.value).toBe(unmapped);
    },
  );

  test.prop([topology({ maxClusters: 4 }), fc.constantFrom('nearest' as const, 'weighted' as const)])(
    "a routed policy is refused without the provider's routing limits, not planned as another",
    (t, type) => {
      const locations = Object.fromEntries(regionsOf(t).map((r) => [r, r]));
      const policy: TrafficPolicy = type === 'nearest' ? { type, locations } : { type };
      const error = thrown(() => planServiceRecords(withPolicy(t, policy, 'service')));
      expect([error.field, error.value]).toEqual(['service.trafficPolicy.type', type]);
    },
  );

  test.prop([topology({ maxClusters: 4 }), fc.constantFrom('regions', 'weights', 'locations', 'region')])(
    'a field the policy does not have is refused',
    (t, key) => {
      const error = thrown(() =>
        planServiceRecords(withPolicy(t, { type: 'all', [key]: ['x'] } as unknown as TrafficPolicy, 'federation')),
      );
      expect([error.field, error.value]).toEqual([`federation.trafficPolicy.${key}`, ['x']]);
    },
  );
});
