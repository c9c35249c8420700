// The routed global name against a plain construction of it from the `all` plans of parts of the
// federation, over random topologies: the planner's whole output, deep-equal. And the arrays a
// plan shares between record sets (a weighted member's and its zone's, a nearest member's and its
// region's) are never written by the diff, the checks before writing, batching or a provider.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { applyChangeSet, sameRecordSet } from '@fedsvc/core/provider';
import {
  diffRecords,
  formatChanges,
  planServiceRecords,
  reconcileZone,
  recordNames,
  type Cluster,
  type RecordSet,
  type RoutedMember,
  type Shard,
  type TrafficPolicy,
} from '@fedsvc/core';
import { validateDesired } from '../src/zone/validate-desired.js';
import { regionRouting } from './routing.evaluator.js';
import { routedProvider } from './routed-provider.fixture.js';
import { topology, type Topology } from './topology.arbitrary.js';

const sorted = (values: Iterable<string>) => [...values].sort();
const clusterOf = (t: Topology, shard: Shard) => t.clusters.find((c) => c.name === shard.cluster)!;
const isHealthy = (t: Topology, s: Shard) =>
  clusterOf(t, s).ready && s.readyEndpoints > 0 && (s.addresses.length > 0 || (s.hostnames ?? []).length > 0);

/** A shard as a routed member answers it: its load-balancer hostnames by the addresses they resolve to. */
const routable = (shard: Shard): Shard => {
  const { hostnames, hostnameAddresses, ...rest } = shard;
  if ((hostnames ?? []).length === 0) return shard;
  return { ...rest, addresses: [...shard.addresses, ...(hostnameAddresses ?? [])] };
};

/** What `all` answers at the global name for these clusters and shards alone (routable), as data of `type`. */
function answerOf(t: Topology, clusters: readonly Cluster[], shards: readonly Shard[], type: string): readonly string[] {
  const global = recordNames(t.federation, t.service).global;
  const sets = planServiceRecords({ ...t, clusters: [...clusters], shards: shards.map(routable) }).filter((r) => r.name === global);
  return sets.find((r) => r.type === type)?.rrdatas ?? [];
}

/** `weighted`: a member per healthy shard in cluster name order, with what `all` answers for it alone. */
function weightedReference(t: Topology, weights: Record<string, number> | undefined, maxWeight: number) {
  const healthy = t.shards.filter((s) => isHealthy(t, s)).sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
  const raw = (s: Shard) => (weights !== undefined && Object.hasOwn(weights, s.cluster) ? weights[s.cluster]! : s.readyEndpoints);
  const top = Math.max(0, ...healthy.map(raw));
  const weight = (s: Shard) => (top <= maxWeight ? raw(s) : Math.max(1, Math.round((raw(s) / top) * maxWeight)));
  return (type: string): RoutedMember[] =>
    healthy
      .map((s) => ({ id: s.cluster, weight: weight(s), rrdatas: answerOf(t, [clusterOf(t, s)], [s], type) }))
      .filter((m) => m.rrdatas.length > 0);
}

/** `nearest`: a member per location, with what `all` answers for the regions there; its id the first of them with data of the type. */
function nearestReference(t: Topology, locationOf: (region: string) => string) {
  return (type: string): RoutedMember[] => {
    const byLocation = new Map<string, string[]>();
    for (const region of sorted(new Set(t.clusters.map((c) => c.region)))) {
      byLocation.set(locationOf(region), [...(byLocation.get(locationOf(region)) ?? []), region]);
    }
    const members: RoutedMember[] = [];
    const within = (regions: readonly string[], type: string) =>
      answerOf(
        t,
        t.clusters.filter((c) => regions.includes(c.region)),
        t.shards.filter((s) => regions.includes(clusterOf(t, s).region)),
        type,
      );
    for (const [location, regions] of byLocation) {
      const first = regions.find((region) => within([region], type).length > 0);
      if (first !== undefined) members.push({ id: first, location, rrdatas: within(regions, type) });
    }
    return members.sort((a, b) => (a.id < b.id ? -1 : 1));
  };
}

/**
 * The `all` plan with its global sets those of the routable shards' `all` plan, routed, members
 * made by `membersOf`; the `all` plan as it is while no healthy shard has an address that way.
 */
function reference(t: Topology, routing: 'nearest' | 'weighted', membersOf: (type: string) => RoutedMember[]): RecordSet[] {
  const global = recordNames(t.federation, t.service).global;
  const plain = planServiceRecords(t);
  const routed = planServiceRecords({ ...t, shards: t.shards.map(routable) })
    .filter((set) => set.name === global)
    .map((set) => ({ ...set, routing, members: membersOf(set.type) }));
  if (routed.length === 0) return plain;
  const at = plain.findIndex((set) => set.name === global);
  return [...plain.slice(0, at), ...routed, ...plain.filter((set, i) => i > at && set.name !== global)];
}

const weights = fc.option(fc.dictionary(fc.constantFrom('cluster-0', 'cluster-1', 'cluster-11'), fc.integer({ min: 1, max: 20 })), {
  nil: undefined,
});
const sharedLocations = (t: Topology) => {
  const regions = sorted(new Set(t.clusters.map((c) => c.region)));
  return fc
    .subarray(regions)
    .chain((shared) =>
      fc.tuple(...shared.map(() => fc.nat(1))).map((picks) => new Map(shared.map((region, i) => [region, `shared-${picks[i]}`]))),
    );
};

describe('routed plans against a plain construction', () => {
  test.prop([topology({ hostnames: true, hostnameAddresses: true }), fc.integer({ min: 1, max: 6 }), weights])(
    'weighted: deep-equal to the `all` plan whose global sets hold one member per healthy shard, with what `all` answers for it alone',
    (t, maxWeight, given) => {
      const trafficPolicy: TrafficPolicy = given === undefined ? { type: 'weighted' } : { type: 'weighted', weights: given };
      const planned = planServiceRecords({ ...t, service: { ...t.service, trafficPolicy }, routing: regionRouting({ maxWeight }) });
      expect(planned).toStrictEqual(reference(t, 'weighted', weightedReference(t, given, maxWeight)));
    },
  );

  test.prop([topology({ hostnames: true, hostnameAddresses: true }).chain((t) => sharedLocations(t).map((shared) => ({ t, shared })))])(
    'nearest: deep-equal to the `all` plan whose global sets hold one member per location, with what `all` answers for its regions',
    ({ t, shared }) => {
      const locations = Object.fromEntries(shared);
      const planned = planServiceRecords({
        ...t,
        service: { ...t.service, trafficPolicy: { type: 'nearest', locations } },
        routing: regionRouting({ locationOf: (region) => `own-${region}` }),
      });
      expect(planned).toStrictEqual(
        reference(
          t,
          'nearest',
          nearestReference(t, (region) => shared.get(region) ?? `own-${region}`),
        ),
      );
    },
  );
});

// ---- shared data arrays ---------------------------------------------------------------------

/** Every object and array of `value`, frozen: a write to any of them throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

const OWNER = 'fed-a';
const ZONE = { id: 'z', dnsName: 'example.com.' };
const planned = (t: Topology, trafficPolicy: TrafficPolicy) =>
  planServiceRecords({
    ...t,
    federation: { ...t.federation, domain: 'example.com' },
    service: { ...t.service, trafficPolicy },
    routing: regionRouting({ maxWeight: 4 }),
  });
/** Pairs of record sets of one plan holding the same data array. */
function sharedArrays(plan: readonly RecordSet[]): number {
  const holders = new Map<readonly string[], number>();
  for (const set of plan)
    for (const data of [set.rrdatas, ...(set.members ?? []).map((m) => m.rrdatas)]) holders.set(data, (holders.get(data) ?? 0) + 1);
  return [...holders.values()].filter((n) => n > 1).length;
}

describe('data arrays shared within a plan', () => {
  test('a weighted member holds the very array of the zone whose one shard it is', () => {
    const clusters: Cluster[] = ['a', 'b', 'c'].map((z, i) => ({
      name: `c-${z}`,
      zones: [`r${i % 2}-${z}`],
      region: `r${i % 2}`,
      ready: true,
    }));
    const shards: Shard[] = clusters.map((c, i) => ({ cluster: c.name, addresses: [`192.0.2.${i + 1}`], readyEndpoints: i + 1 }));
    const t = { federation: { name: 'fed', domain: 'example.com' }, service: { namespace: 'ns', name: 'web' }, clusters, shards };
    const plan = planned(t, { type: 'weighted' });
    const names = recordNames(t.federation, t.service);
    const members = plan.find((r) => r.name === names.global)!.members!;
    expect(members.map((m) => m.id)).toEqual(['c-a', 'c-b', 'c-c']);
    for (const [i, member] of members.entries()) {
      const cluster = clusters[i]!;
      const zone = plan.find((r) => r.name === names.zone(cluster.zones[0]!, cluster.region))!;
      expect(member.rrdatas).toBe(zone.rrdatas);
    }
  });

  test('a nearest member holds the very array of the region it stands for', () => {
    const clusters: Cluster[] = ['a', 'b', 'c', 'd'].map((z, i) => ({
      name: `c-${z}`,
      zones: [`r${i % 2}-${z}`],
      region: `r${i % 2}`,
      ready: true,
    }));
    const shards: Shard[] = clusters.map((c, i) => ({ cluster: c.name, addresses: [`192.0.2.${i + 1}`], readyEndpoints: 1 }));
    const t = { federation: { name: 'fed', domain: 'example.com' }, service: { namespace: 'ns', name: 'web' }, clusters, shards };
    const plan = planned(t, { type: 'nearest' });
    const names = recordNames(t.federation, t.service);
    const members = plan.find((r) => r.name === names.global)!.members!;
    expect(members.map((m) => m.id)).toEqual(['r0', 'r1']);
    for (const member of members) expect(member.rrdatas).toBe(plan.find((r) => r.name === names.region(member.id))!.rrdatas);
  });

  test.prop(
    [topology({ maxClusters: 12, hostnames: true }), topology({ maxClusters: 12 }), fc.constantFrom('weighted', 'nearest', 'all')],
    {
      numRuns: 60,
    },
  )(
    'a plan frozen whole goes through the diff, the checks before writing, formatting, batching and a provider unchanged',
    async (t, before, type) => {
      const policy = { type } as TrafficPolicy;
      const plan = planned(t, policy);
      const copy = structuredClone(plan);
      deepFreeze(plan);
      const provider = routedProvider({ canAlias: true });
      await reconcileZone({ provider, zone: ZONE, desired: planned(before, { type: 'weighted' }), ownerId: OWNER });
      validateDesired(ZONE, plan, provider);
      const listing = await provider.records(ZONE);
      const { changes } = diffRecords(listing, plan, { ownerId: OWNER });
      formatChanges(changes);
      const applied = applyChangeSet(listing, changes);
      expect(applied.ok).toBe(true);
      await reconcileZone({ provider, zone: ZONE, desired: plan, ownerId: OWNER });
      const written = await provider.records(ZONE);
      for (const set of plan) expect(written.some((r) => sameRecordSet(r, set))).toBe(true);
      expect((await reconcileZone({ provider, zone: ZONE, desired: plan, ownerId: OWNER })).changes).toEqual([]);
      expect(plan).toStrictEqual(copy);
    },
  );

  test.prop([topology({ maxClusters: 12 })], { numRuns: 30 })(
    'weighted plans do share arrays where a zone holds one healthy shard',
    (t) => {
      const healthyIn = new Map<string, number>();
      for (const s of t.shards)
        if (isHealthy(t, s)) for (const zone of clusterOf(t, s).zones) healthyIn.set(zone, (healthyIn.get(zone) ?? 0) + 1);
      fc.pre([...healthyIn.values()].includes(1));
      expect(sharedArrays(planned(t, { type: 'weighted' }))).toBeGreaterThan(0);
    },
  );
});
