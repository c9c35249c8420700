// The status bodies: decided from the controller's view, stable while nothing a person sees
// changes (so that steady state writes nothing), conditions keeping the time they last flipped.
import { fc, test } from '@fast-check/vitest';
import { type ClusterStatus, ValidationError, createController } from '@fedsvc/core';
import { MemoryClusters, guideClusterName, guideLoadBalancerAddresses, guideShards, guideZones } from '@fedsvc/core/testing';
import { describe, expect } from 'vitest';
import {
  type Condition,
  decodeFederatedService,
  federatedClusterStatus,
  federatedServiceStatus,
  invalidServiceStatus,
  placedClusters,
  statusChanged,
} from '../src/index.js';
import type { ServiceStatusView } from '@fedsvc/core';

const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}[a-z0-9]$/), { maxLength: 8 });
const health = fc.constantFrom('Ready' as const, 'NotReady' as const, 'Offline' as const);
const clusterView = (cluster: string) =>
  fc
    .record({
      health,
      reason: fc.option(fc.constantFrom('API server unreachable: ECONNREFUSED', '/readyz failed'), { nil: undefined }),
      shard: fc.boolean(),
      origin: fc.constantFrom('created' as const, 'adopted' as const),
      readyEndpoints: fc.nat({ max: 5 }),
      ingress: fc.array(
        fc.ipV4().map((ip) => ({ ip })),
        { maxLength: 2 },
      ),
      healthy: fc.boolean(),
      excluded: fc.option(fc.constant('zone us-a is in two regions'), { nil: undefined }),
      refusedAddresses: fc.constantFrom([], [{ address: '127.0.0.1', reason: 'is a loopback address' }]),
    })
    .map(({ shard, origin, excluded, reason, ...rest }) => ({
      cluster,
      shard,
      ...rest,
      ...(shard ? { origin } : {}),
      ...(excluded ? { excluded } : {}),
      ...(reason ? { reason } : {}),
    }));

const view: fc.Arbitrary<ServiceStatusView> = names.chain((clusterNames) =>
  fc.record({
    namespace: fc.constant('mynamespace'),
    name: fc.constant('nginx'),
    clusters: fc.tuple(...clusterNames.map(clusterView)),
    loadBalancer: fc.record({
      ingress: fc.array(
        fc.ipV4().map((ip) => ({ ip })),
        { maxLength: 3 },
      ),
    }),
    failStatic: fc.subarray(clusterNames),
    dns: fc.record(
      {
        state: fc.constantFrom('in-sync' as const, 'pending' as const, 'failed' as const),
        reason: fc.oneof(fc.constantFrom('conflict', 'throttled', 'outside-domain-filter', 'denied'), fc.string({ maxLength: 12 })),
        message: fc.string({ maxLength: 20 }),
        names: fc.array(fc.constant('nginx.mynamespace.myfederation.svc.example.com.'), { maxLength: 2 }),
      },
      { requiredKeys: ['state', 'names'] },
    ),
    deleting: fc.option(fc.record({ waitingFor: fc.subarray(clusterNames) }), { nil: undefined }),
  }),
);
const time = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true });
const generation = fc.integer({ min: 1, max: 1000 });
const wireTime = (time: Date): string => `${time.toISOString().slice(0, 19)}Z`;
const byType = (conditions: readonly Condition[] | undefined) => new Map((conditions ?? []).map((c) => [c.type, c]));

/** Every leaf of a JSON value, with its path, but the timestamps. */
function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, [...path, i]));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value)
      .filter(([key]) => key !== 'lastTransitionTime' && key !== 'lastProbeTime')
      .flatMap(([key, item]) => leaves(item, [...path, key]));
  return [path];
}

function changedAt(value: object, path: (string | number)[]): object {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  const old = at[last];
  at[last] = typeof old === 'number' ? old + 1 : typeof old === 'boolean' ? !old : `${String(old)}x`;
  return copy;
}

describe('federatedServiceStatus', () => {
  test.prop([view, generation, time, time])('only time moving changes nothing, not even lastTransitionTime', (v, g, t1, t2) => {
    const first = federatedServiceStatus(v, g, undefined, t1);
    const again = federatedServiceStatus(v, g, first, t2);
    expect(statusChanged(first, again)).toBe(false);
    expect(again).toEqual(first);
    expect(statusChanged(first, federatedServiceStatus(v, g, undefined, t2))).toBe(false);
  });

  test.prop([view, view, generation, time, time])("a condition's lastTransitionTime stays unless its status flips", (v1, v2, g, t1, t2) => {
    fc.pre(wireTime(t1) !== wireTime(t2));
    const first = federatedServiceStatus(v1, g, undefined, t1);
    const next = federatedServiceStatus(v2, g + 1, first, t2);
    const before = byType(first.conditions);
    for (const condition of next.conditions) {
      const old = before.get(condition.type)!;
      expect(condition.lastTransitionTime).toBe(old.status === condition.status ? old.lastTransitionTime : wireTime(t2));
      expect(condition.observedGeneration).toBe(g + 1);
    }
  });

  test.prop([view, generation, time])('any change a person sees but a timestamp is a change', (v, g, t) => {
    const status = federatedServiceStatus(v, g, undefined, t);
    for (const path of leaves(status)) expect(statusChanged(status, changedAt(status, path)), path.join('.')).toBe(true);
    const reordered = { ...structuredClone(status), conditions: [...status.conditions].reverse() };
    expect(statusChanged(reordered, status)).toBe(false);
  });

  test.prop([view, generation, time])('healthyClusters counts the healthy clusters of all; each cluster has its row', (v, g, t) => {
    const status = federatedServiceStatus(v, g, undefined, t);
    expect(status.healthyClusters).toBe(`${v.clusters.filter((c) => c.healthy).length}/${v.clusters.length}`);
    expect(status.clusters?.map((row) => [row.name, row.shard])).toEqual(
      v.clusters.map((c) => [c.cluster, c.shard ? (c.origin === 'adopted' ? 'Adopted' : 'Created') : 'Missing']),
    );
    expect(status.dns).toBe({ 'in-sync': 'InSync', pending: 'Pending', failed: 'Failed' }[v.dns.state]);
    for (const condition of status.conditions) expect(condition.reason).toMatch(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/);
  });

  test.prop([view.chain((v) => fc.tuple(fc.constant(v), fc.subarray(v.clusters.map((c) => c.cluster)))), generation, time])(
    'with a placement, healthyClusters counts the placed clusters, and rows are the placed ones and those holding a shard',
    ([v, placed], g, t) => {
      const status = federatedServiceStatus(v, g, undefined, t, placed);
      const inPlacement = v.clusters.filter((c) => placed.includes(c.cluster));
      expect(status.healthyClusters).toBe(`${inPlacement.filter((c) => c.healthy).length}/${inPlacement.length}`);
      expect(status.clusters?.map((row) => row.name)).toEqual(
        v.clusters.filter((c) => placed.includes(c.cluster) || c.shard).map((c) => c.cluster),
      );
      const shardsPlaced = byType(status.conditions).get('ShardsPlaced')!;
      const missing = inPlacement.filter((c) => !c.shard).map((c) => c.cluster);
      expect(shardsPlaced.status).toBe(!v.deleting && inPlacement.length > 0 && missing.length === 0 ? 'True' : 'False');
      if (!v.deleting && missing.length > 0 && missing.length <= 5)
        for (const name of missing) expect(shardsPlaced.message).toContain(name);
    },
  );

  test.prop([view, generation, time])('FailStatic and Deleting name the clusters they hold for', (v, g, t) => {
    const conditions = byType(federatedServiceStatus(v, g, undefined, t).conditions);
    expect(conditions.get('FailStatic')!.status).toBe(v.failStatic.length > 0 ? 'True' : 'False');
    for (const name of v.failStatic.slice(0, 5)) expect(conditions.get('FailStatic')!.message).toContain(name);
    expect(conditions.get('Deleting')!.status).toBe(v.deleting ? 'True' : 'False');
    for (const name of v.deleting?.waitingFor.slice(0, 5) ?? []) expect(conditions.get('Deleting')!.message).toContain(name);
  });

  test("the guide's nginx in 13 clusters: 13 rows, the union of ingress, 8 of 13 healthy", () => {
    const clusters = guideShards.map((shard) => ({
      cluster: shard.cluster,
      health: 'Ready' as const,
      shard: true,
      origin: 'created' as const,
      readyEndpoints: shard.readyEndpoints,
      ingress: shard.addresses.map((ip) => ({ ip })),
      healthy: shard.readyEndpoints > 0,
      refusedAddresses: [],
    }));
    const guideView: ServiceStatusView = {
      namespace: 'mynamespace',
      name: 'nginx',
      clusters,
      loadBalancer: { ingress: clusters.flatMap((c) => c.ingress) },
      failStatic: [],
      dns: { state: 'in-sync', names: ['nginx.mynamespace.myfederation.svc.example.com.'] },
    };
    const placed = placedClusters(
      {},
      guideZones.map((zone) => ({ name: guideClusterName(zone), labels: {} })),
    );
    const status = federatedServiceStatus(guideView, 1, undefined, new Date('2026-12-04T23:00:00Z'), placed);
    expect(status.clusters).toHaveLength(13);
    expect(status.loadBalancer?.ingress.map((entry) => entry.ip).sort()).toEqual(Object.values(guideLoadBalancerAddresses).sort());
    expect(status.healthyClusters).toBe('8/13');
    expect(byType(status.conditions).get('ShardsPlaced')).toMatchObject({ status: 'True', reason: 'AllPlaced' });
    expect(byType(status.conditions).get('DNSInSync')).toMatchObject({ status: 'True', reason: 'InSync' });
  });
});

describe('placedClusters', () => {
  test.prop([fc.uniqueArray(fc.stringMatching(/^[a-z]{1,4}$/), { maxLength: 6 }), fc.subarray(['a', 'b', 'c'])])(
    'listed clusters are the members listed, in the members order; a selector matches labels',
    (members, listed) => {
      const clusters = members.map((name, i) => ({ name, labels: { tier: i % 2 === 0 ? 'edge' : 'core' } }));
      expect(placedClusters({ clusters: listed }, clusters)).toEqual(members.filter((name) => listed.includes(name)));
      expect(placedClusters({ clusterSelector: { matchLabels: { tier: 'edge' } } }, clusters)).toEqual(
        members.filter((_, i) => i % 2 === 0),
      );
    },
  );
});

describe('invalidServiceStatus', () => {
  const error = new ValidationError('spec.template.spec.ports[0].port', 0, 'must be an integer from 1 to 65535');

  test.prop([view, generation, time, time])('Valid is False naming the field and value; what ran stays shown', (v, g, t1, t2) => {
    fc.pre(wireTime(t1) !== wireTime(t2));
    const valid = federatedServiceStatus(v, g, undefined, t1);
    const invalid = invalidServiceStatus(error, g + 1, valid, t2);
    const condition = byType(invalid.conditions).get('Valid')!;
    expect(condition).toMatchObject({
      status: 'False',
      reason: 'InvalidSpec',
      lastTransitionTime: wireTime(t2),
      observedGeneration: g + 1,
    });
    expect(condition.message).toContain('spec.template.spec.ports[0].port');
    expect(condition.message).toContain('got 0');
    expect(invalid).toMatchObject({
      observedGeneration: g + 1,
      clusters: valid.clusters,
      loadBalancer: valid.loadBalancer,
      dns: valid.dns,
    });
    expect(byType(invalid.conditions).get('ShardsPlaced')).toEqual(byType(valid.conditions).get('ShardsPlaced'));
    expect(statusChanged(invalid, invalidServiceStatus(error, g + 1, invalid, new Date(t2.getTime() + 60_000)))).toBe(false);
  });

  test('a field applyService refuses is named as in the FederatedService', () => {
    const domain = `${'x'.repeat(60)}.${'y'.repeat(60)}.example.com`;
    const controller = createController({
      federation: { name: 'myfederation', domain },
      ownerId: 'fed',
      clusters: new MemoryClusters(),
      dns: {
        provider: {
          name: 'none',
          limits: { maxChangesPerRequest: 10, maxRrdatasPerRequest: 10, maxRrdataCharsPerRequest: 1000, atomic: true },
          zones: async () => [],
          records: async () => [],
          applyChanges: async () => {},
        },
        zone: { id: 'z', dnsName: `${domain}.` },
      },
    });
    // Each name is valid alone; together they make a record name longer than DNS allows, which only applyService knows.
    const name = `n${'a'.repeat(61)}z`;
    const service = decodeFederatedService({ metadata: { name, namespace: 'b'.repeat(63) }, spec: { template: { spec: {} } } });
    let refused: unknown;
    try {
      controller.applyService(service);
    } catch (caught) {
      refused = caught;
    }
    expect(refused).toBeInstanceOf(ValidationError);
    const valid = byType(invalidServiceStatus(refused as ValidationError, 1, undefined, new Date()).conditions).get('Valid')!;
    expect(valid.message).toMatch(new RegExp(`^metadata\\.name: makes a record name .*\\(got "${name}"\\)\\. Correct metadata\\.name `));
  });

  test.prop([fc.jsonValue(), time])('from any previous status, the body has observedGeneration and a False Valid', (previous, t) => {
    const invalid = invalidServiceStatus(error, 2, previous, t);
    expect(invalid.observedGeneration).toBe(2);
    expect(byType(invalid.conditions).get('Valid')?.status).toBe('False');
  });
});

describe('federatedClusterStatus', () => {
  const cluster = fc.record({
    name: fc.constant('gce-us-central1-a'),
    zones: fc.array(fc.constantFrom('us-central1-a', 'us-central1-b'), { maxLength: 2 }),
    region: fc.constantFrom('', 'us-central1'),
    labels: fc.constant({}),
    health,
    reason: fc.option(fc.constant('API server unreachable: ECONNREFUSED'), { nil: undefined }),
  }) as fc.Arbitrary<ClusterStatus>;

  test.prop([cluster, cluster, time, time, time])(
    'Ready follows health, keeps its transition time, ignores the probe time',
    (a, b, t1, t2, probe) => {
      fc.pre(wireTime(t1) !== wireTime(t2));
      const first = federatedClusterStatus(a, t1, undefined, t1);
      expect(first.conditions[0]).toMatchObject({
        type: 'Ready',
        status: { Ready: 'True', NotReady: 'False', Offline: 'Unknown' }[a.health],
      });
      expect(statusChanged(first, federatedClusterStatus(a, probe, first, t2))).toBe(false);
      const next = federatedClusterStatus(b, t2, first, t2);
      const flipped = first.conditions[0]!.status !== next.conditions[0]!.status;
      expect(next.conditions[0]!.lastTransitionTime).toBe(flipped ? wireTime(t2) : first.conditions[0]!.lastTransitionTime);
      expect(next).toMatchObject({ health: b.health, zones: b.zones, lastProbeTime: wireTime(t2) });
    },
  );

  const override = fc.record(
    { region: fc.constant('us-central1'), zones: fc.constant(['us-central1-a', 'us-central1-b']) },
    { requiredKeys: [] },
  );

  test.prop([cluster, fc.option(override, { nil: undefined }), time])(
    'TopologyOverride: absent without spec.topology, True when it gives region and zones, False naming the one field given alone',
    (a, topology, now) => {
      const status = federatedClusterStatus(a, now, undefined, now, topology);
      const found = status.conditions.find((c) => c.type === 'TopologyOverride');
      expect(status.conditions[0]?.type).toBe('Ready');
      if (topology === undefined || (topology.region === undefined && topology.zones === undefined)) {
        expect(found).toBeUndefined();
        return;
      }
      const whole = topology.region !== undefined && topology.zones !== undefined;
      expect(found).toMatchObject({ status: whole ? 'True' : 'False', reason: whole ? 'Applied' : 'Incomplete' });
      if (topology.region !== undefined && !whole) expect(found?.message).toMatch(/^spec\.topology\.region: .*"us-central1"/);
      if (topology.zones !== undefined && !whole) expect(found?.message).toMatch(/^spec\.topology\.zones: .*us-central1-a/);
      expect(found?.reason).toMatch(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/);
    },
  );
});
