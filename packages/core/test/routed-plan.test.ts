// The routed policies as planned: `nearest` answers each client the healthy shards of the
// nearest region that has any, `weighted` each healthy shard in proportion to its weight; the
// union of a routed set's members is what `all` answers, and every other name is as with `all`.
import { isIPv4 } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { planServiceRecords, recordNames, ValidationError, type RecordSet, type Shard, type TrafficPolicy } from '@fedsvc/core';
import {
  guideClusters,
  guideFederation,
  guideHealthyAddresses,
  guideService,
  guideShards,
  guideZones,
  regionOfZone,
} from '@fedsvc/core/testing';
import { answer, distribution, GUIDE_LATENCY, latency, regionRouting } from './routing.evaluator.js';
import { topology, type Topology } from './topology.arbitrary.js';
import { scaleWeight } from '../src/planning/routed.js';

const canonical = (a: string) => (isIPv4(a) ? a : new URL(`http://[${a}]`).hostname.slice(1, -1));
const familyOf = (type: string) => (type === 'A' ? 4 : 6);
const sorted = (values: Iterable<string>) => [...values].sort();

// ---- the guide's 13 clusters --------------------------------------------------------------

const GLOBAL = recordNames(guideFederation, guideService).global;
const REGIONS = sorted(new Set(guideZones.map(regionOfZone)));

function guidePlan(trafficPolicy: TrafficPolicy, shards: readonly Shard[], routing = regionRouting()): RecordSet[] {
  return planServiceRecords({
    federation: guideFederation,
    service: { ...guideService, trafficPolicy },
    clusters: guideClusters,
    shards,
    routing,
  });
}
const globalA = (records: readonly RecordSet[]) => records.find((r) => r.name === GLOBAL && r.type === 'A')!;
const zoneOf = (cluster: string) => cluster.slice('gce-'.length);
/** The guide's shards with no ready pod in `regions`. */
const withoutPods = (regions: readonly string[]): Shard[] =>
  guideShards.map((s) => (regions.includes(regionOfZone(zoneOf(s.cluster))) ? { ...s, readyEndpoints: 0 } : s));

/** The guide's healthy addresses by region, from its listing rather than the planner. */
function healthyByRegion(down: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [zone, address] of Object.entries(guideHealthyAddresses)) {
    const region = regionOfZone(zone);
    if (!down.includes(region)) out.set(region, sorted([...(out.get(region) ?? []), address]));
  }
  return out;
}

/** The region with healthy shards nearest `client`, by the latency table alone. */
function nearestHealthy(client: string, healthy: ReadonlyMap<string, unknown>): string {
  return [...healthy.keys()].sort((a, b) => latency(GUIDE_LATENCY, client, a) - latency(GUIDE_LATENCY, client, b))[0]!;
}

describe("nearest, the guide's federation", () => {
  test('a client in a region with healthy shards gets that region’s; one in europe-west1 (none) the nearest that has any', () => {
    const set = globalA(guidePlan({ type: 'nearest' }, guideShards));
    const healthy = healthyByRegion([]);
    for (const client of REGIONS) {
      const want = healthy.get(client) ?? healthy.get(nearestHealthy(client, healthy))!;
      expect(sorted(answer(set, client, GUIDE_LATENCY))).toEqual(want);
    }
    expect(healthy.has('europe-west1')).toBe(false);
    expect(sorted(answer(set, 'europe-west1', GUIDE_LATENCY))).toEqual(healthy.get('us-east1'));
  });

  test('after us-central1 loses its pods, its clients get the next nearest region; the others keep theirs', () => {
    const before = globalA(guidePlan({ type: 'nearest' }, guideShards));
    const after = globalA(guidePlan({ type: 'nearest' }, withoutPods(['us-central1'])));
    const healthy = healthyByRegion(['us-central1']);
    expect(after.members!.map((m) => m.id)).not.toContain('us-central1');
    expect(sorted(answer(after, 'us-central1', GUIDE_LATENCY))).toEqual(healthy.get(nearestHealthy('us-central1', healthy)));
    expect(nearestHealthy('us-central1', healthy)).toBe('us-east1');
    for (const client of ['us-east1', 'asia-east1'])
      expect(answer(after, client, GUIDE_LATENCY)).toEqual(answer(before, client, GUIDE_LATENCY));
  });

  test('a location given in `locations` wins over the provider’s name for the region', () => {
    const set = globalA(guidePlan({ type: 'nearest', locations: { 'us-east1': 'us-east-1' } }, guideShards));
    expect(set.members!.map((m) => [m.id, m.location])).toEqual([
      ['asia-east1', 'asia-east1'],
      ['us-central1', 'us-central1'],
      ['us-east1', 'us-east-1'],
    ]);
  });
});

describe("weighted, the guide's federation", () => {
  const endpoints = (i: number) => 1 + ((i * 37) % 23);
  const shards = guideShards.map((s, i) => (s.readyEndpoints > 0 ? { ...s, readyEndpoints: endpoints(i) } : s));
  const healthy = shards.filter((s) => s.readyEndpoints > 0);
  const total = healthy.reduce((sum, s) => sum + s.readyEndpoints, 0);

  test('each healthy shard answers in proportion to its ready endpoints', () => {
    const chance = distribution(globalA(guidePlan({ type: 'weighted' }, shards)));
    expect(sorted(chance.keys())).toEqual(sorted(healthy.map((s) => s.cluster)));
    for (const s of healthy) expect(chance.get(s.cluster)).toBeCloseTo(s.readyEndpoints / total, 12);
  });

  test('a `weights` entry replaces the ready endpoints of its cluster', () => {
    const [first] = healthy as [Shard];
    const chance = distribution(globalA(guidePlan({ type: 'weighted', weights: { [first.cluster]: 40 } }, shards)));
    const weighted = total - first.readyEndpoints + 40;
    expect(chance.get(first.cluster)).toBeCloseTo(40 / weighted, 12);
  });

  test('endpoints beyond the provider’s range are scaled into it, each within rounding of its share, none silenced', () => {
    const many = guideShards.map((s, i) => (s.readyEndpoints > 0 ? { ...s, readyEndpoints: i === 0 ? 1 : 400 + i * 50 } : s));
    const set = globalA(guidePlan({ type: 'weighted' }, many, regionRouting({ maxWeight: 10 })));
    const top = Math.max(...many.map((s) => s.readyEndpoints));
    for (const m of set.members!) {
      const ready = many.find((s) => s.cluster === m.id)!.readyEndpoints;
      expect(m.weight).toBeGreaterThanOrEqual(1);
      expect(m.weight).toBeLessThanOrEqual(10);
      expect(Math.abs(m.weight! - (ready / top) * 10)).toBeLessThanOrEqual(m.weight === 1 ? 1 : 0.5);
    }
  });
});

describe('failover [us-central1, us-east1] through the evaluator', () => {
  const central = guideShards.filter((s) => regionOfZone(zoneOf(s.cluster)) === 'us-central1' && s.readyEndpoints > 0);
  const east = new Set(healthyByRegion([]).get('us-east1'));
  test.prop([fc.subarray(central.map((s) => s.cluster)), fc.constantFrom(...REGIONS)])(
    'us-east1 answers only while us-central1 has no healthy shard, whatever region the client is in',
    (down, client) => {
      const shards = guideShards.map((s) => (down.includes(s.cluster) ? { ...s, readyEndpoints: 0 } : s));
      const got = answer(globalA(guidePlan({ type: 'failover', regions: ['us-central1', 'us-east1'] }, shards)), client, GUIDE_LATENCY);
      const centralUp = central.some((s) => !down.includes(s.cluster));
      expect(got.some((a) => east.has(a))).toBe(!centralUp);
      if (!centralUp) expect(sorted(got)).toEqual(sorted(east));
    },
  );
});

// ---- random topologies ---------------------------------------------------------------------

/** A topology with a `nearest` mapping: some regions share a location given in `locations`, the others are the provider's own names. */
const nearestWorld = topology({ hostnames: true, hostnameAddresses: true }).chain((t) => {
  const regions = sorted(new Set(t.clusters.map((c) => c.region)));
  return fc
    .record({ shared: fc.subarray(regions), pick: fc.array(fc.nat(1), { minLength: regions.length, maxLength: regions.length }) })
    .map(({ shared, pick }) => ({
      t,
      locations: Object.fromEntries(shared.map((region) => [region, `shared-${pick[regions.indexOf(region)]}`])) as Record<string, string>,
    }));
});
const ownLocation = (region: string) => `own-${region}`;

/** Healthy addresses of each region (canonical, by family), stated without the planner. */
function healthy(t: Topology): { byRegion: Map<string, string[]>; byCluster: Map<string, { addresses: string[]; ready: number }> } {
  const byRegion = new Map<string, string[]>();
  const byCluster = new Map<string, { addresses: string[]; ready: number }>();
  for (const s of t.shards) {
    const c = t.clusters.find((x) => x.name === s.cluster)!;
    if (!c.ready || s.readyEndpoints === 0 || (s.addresses.length === 0 && (s.hostnames ?? []).length === 0)) continue;
    // A routed member is one record: hostnames answer there by what they resolve to.
    const resolved = (s.hostnames ?? []).length > 0 ? (s.hostnameAddresses ?? []) : [];
    const addresses = [...s.addresses, ...resolved].map(canonical);
    byRegion.set(c.region, [...(byRegion.get(c.region) ?? []), ...addresses]);
    byCluster.set(c.name, { addresses, ready: s.readyEndpoints });
  }
  return { byRegion, byCluster };
}

const ofFamily = (addresses: readonly string[], type: string) =>
  sorted(new Set(addresses.filter((a) => (isIPv4(a) ? 4 : 6) === familyOf(type))));
const globalSets = (t: Topology, records: readonly RecordSet[]) =>
  records.filter((r) => r.name === recordNames(t.federation, t.service).global);

/** Whether no healthy shard answers an address (hostnames alone, none resolved); then the global name is a plain ALIAS set, as with `all`. */
function unresolved(t: Topology, records: readonly RecordSet[]): boolean {
  if ([...healthy(t).byRegion.values()].flat().length > 0) return false;
  expect(globalSets(t, records)).toEqual(globalSets(t, planServiceRecords(t)));
  return true;
}

describe('routed sets over random topologies', () => {
  test.prop([nearestWorld])(
    'nearest: one member per location with healthy shards, holding exactly the healthy shards of the regions there; no id or location twice',
    ({ t, locations }) => {
      const records = planServiceRecords({
        ...t,
        service: { ...t.service, trafficPolicy: { type: 'nearest', locations } },
        routing: regionRouting({ locationOf: ownLocation }),
      });
      const { byRegion } = healthy(t);
      const locationOf = (region: string) => locations[region] ?? ownLocation(region);
      if (unresolved(t, records)) return;
      for (const set of globalSets(t, records)) {
        expect(set.routing).toBe('nearest');
        const want = new Map<string, { id: string; rrdatas: string[] }>();
        for (const region of sorted(byRegion.keys())) {
          const data = ofFamily(byRegion.get(region)!, set.type);
          if (data.length === 0) continue;
          const held = want.get(locationOf(region));
          want.set(locationOf(region), { id: held?.id ?? region, rrdatas: sorted(new Set([...(held?.rrdatas ?? []), ...data])) });
        }
        const got = set.members!.map((m) => [m.location, m.id, sorted(m.rrdatas.map(canonical))]);
        expect(got).toEqual([...want].map(([location, m]) => [location, m.id, m.rrdatas]).sort((a, b) => (a[1]! < b[1]! ? -1 : 1)));
        expect(new Set(set.members!.map((m) => m.location)).size).toBe(set.members!.length);
        expect(set.members!.map((m) => m.id)).toEqual(sorted(new Set(set.members!.map((m) => m.id))));
      }
    },
  );

  test.prop([
    topology({ hostnames: true, hostnameAddresses: true }),
    fc.integer({ min: 1, max: 6 }),
    fc.option(fc.dictionary(fc.constantFrom('cluster-0', 'cluster-1', 'cluster-2'), fc.integer({ min: 1, max: 20 })), { nil: undefined }),
  ])(
    'weighted: one member per healthy shard with its addresses; weights in 1..maxWeight, as given when they fit, in proportion otherwise',
    (t, maxWeight, weights) => {
      const records = planServiceRecords({
        ...t,
        service: { ...t.service, trafficPolicy: weights === undefined ? { type: 'weighted' } : { type: 'weighted', weights } },
        routing: regionRouting({ maxWeight }),
      });
      const { byCluster } = healthy(t);
      const raw = (cluster: string) => weights?.[cluster] ?? byCluster.get(cluster)!.ready;
      const top = Math.max(0, ...[...byCluster.keys()].map(raw));
      if (unresolved(t, records)) return;
      for (const set of globalSets(t, records)) {
        expect(set.routing).toBe('weighted');
        const want = sorted([...byCluster].filter(([, s]) => ofFamily(s.addresses, set.type).length > 0).map(([c]) => c));
        expect(set.members!.map((m) => m.id)).toEqual(want);
        for (const m of set.members!) {
          expect(sorted(m.rrdatas.map(canonical))).toEqual(ofFamily(byCluster.get(m.id)!.addresses, set.type));
          expect(Number.isInteger(m.weight) && m.weight! >= 1 && m.weight! <= maxWeight).toBe(true);
          if (top <= maxWeight) expect(m.weight).toBe(raw(m.id));
          else expect(Math.abs(m.weight! - (raw(m.id) / top) * maxWeight)).toBeLessThanOrEqual(m.weight === 1 ? 1 : 0.5);
        }
      }
    },
  );

  test.prop([
    topology({ hostnames: true, hostnameAddresses: true }),
    fc.constantFrom<TrafficPolicy>({ type: 'nearest' }, { type: 'weighted' }),
  ])(
    "the union over a routed set's members is what `all` answers, hostnames by what they resolve to, and its own rrdatas; with nothing resolved, the global name is `all`'s; every other name is as with `all`",
    (t, policy) => {
      const routed = planServiceRecords({ ...t, service: { ...t.service, trafficPolicy: policy }, routing: regionRouting() });
      const all = planServiceRecords(t);
      const global = recordNames(t.federation, t.service).global;
      expect(routed.filter((r) => r.name !== global)).toEqual(all.filter((r) => r.name !== global));
      const answers = [...healthy(t).byRegion.values()].flat();
      const sets = globalSets(t, routed);
      if (answers.length === 0) {
        expect(sets).toEqual(globalSets(t, all));
        return;
      }
      expect(sets.map((s) => [s.type, s.ttl, s.routing])).toEqual(
        ['A', 'AAAA']
          .filter((type) => ofFamily(answers, type).length > 0)
          .map((type) => [type, t.service.ttl ?? t.federation.ttl ?? 180, policy.type]),
      );
      for (const set of sets) {
        expect(sorted(set.rrdatas.map(canonical))).toEqual(ofFamily(answers, set.type));
        const union = new Set(set.members!.flatMap((m) => m.rrdatas));
        expect(sorted(union)).toEqual(sorted(set.rrdatas));
        for (const m of set.members!) expect(m.rrdatas.length).toBeGreaterThan(0);
      }
    },
  );

  test.prop([topology({ maxClusters: 12 }), fc.constantFrom<TrafficPolicy>({ type: 'nearest' }, { type: 'weighted' })])(
    'more members than the provider takes is refused, naming the policy; as many is planned',
    (t, policy) => {
      const input = { ...t, service: { ...t.service, trafficPolicy: policy } };
      const sets = globalSets(t, planServiceRecords({ ...input, routing: regionRouting() }));
      const most = Math.max(0, ...sets.map((s) => s.members!.length));
      fc.pre(most > 1);
      expect(() => planServiceRecords({ ...input, routing: regionRouting({ maxMembers: most }) })).not.toThrow();
      try {
        planServiceRecords({ ...input, routing: regionRouting({ maxMembers: most - 1 }) });
        expect.unreachable('planned more members than maxMembers');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect([(error as ValidationError).field, (error as ValidationError).value]).toEqual(['service.trafficPolicy.type', policy.type]);
      }
    },
  );

  test.prop([topology({ maxClusters: 8 }), fc.constantFrom('nearest' as const, 'weighted' as const)])(
    'routing limits that are not of their shape are refused, naming the member',
    (t, type) => {
      const bad = [
        [{ ...regionRouting(), maxWeight: 0 }, 'routing.maxWeight'],
        [{ ...regionRouting(), maxMembers: 1.5 }, 'routing.maxMembers'],
        [{ ...regionRouting(), locationOf: 'us' }, 'routing.locationOf'],
      ] as const;
      for (const [routing, field] of bad) {
        expect(() => planServiceRecords({ ...t, service: { ...t.service, trafficPolicy: { type } }, routing: routing as never })).toThrow(
          expect.objectContaining({ field }),
        );
      }
    },
  );

  test.prop([topology({ maxClusters: 8 })])(
    'a `locations` value the provider does not accept is refused, naming the region and the value',
    (t) => {
      const [region] = sorted(new Set(t.clusters.map((c) => c.region))) as [string];
      const routing = regionRouting({ isLocation: (location) => location !== 'atlantis' });
      const policy: TrafficPolicy = { type: 'nearest', locations: { [region]: 'atlantis' } };
      expect(() => planServiceRecords({ ...t, service: { ...t.service, trafficPolicy: policy }, routing })).toThrow(
        expect.objectContaining({ field: `service.trafficPolicy.locations.${region}`, value: 'atlantis' }),
      );
    },
  );
});

describe('scaling weights into the provider’s range', () => {
  test.prop([fc.array(fc.nat({ max: 1_000_000 }), { maxLength: 120 }), fc.integer({ min: 1, max: 1000 })])(
    'every weight in 0..max; 0 only where it was 0, so no positive weight is silenced, and all 0 stay all equal; order kept',
    (raw, max) => {
      const top = Math.max(0, ...raw);
      const scaled = raw.map((weight) => scaleWeight(weight, top, max));
      expect(scaled.length).toBe(raw.length);
      scaled.forEach((weight, i) => {
        expect(Number.isInteger(weight) && weight >= 0 && weight <= max).toBe(true);
        expect(weight === 0).toBe(raw[i] === 0);
        for (let j = 0; j < raw.length; j++) if (raw[i]! <= raw[j]!) expect(weight).toBeLessThanOrEqual(scaled[j]!);
      });
      if (Math.max(0, ...raw) <= max) expect(scaled).toEqual(raw);
    },
  );
});
