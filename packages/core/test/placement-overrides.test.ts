// Placement by a list of clusters and per-cluster overrides: each listed cluster gets the
// template with its own override applied, the others get nothing of the federation's, and
// placing again after the actions are carried out finds nothing to do.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { registerService, type ServiceRecord } from '../src/controller/services.js';
import { ValidationError } from '../src/errors.js';
import { APPLIED_ANNOTATION, desiredManifest } from '../src/placement/manifest.js';
import { overriddenManifest, type ShardOverride } from '../src/placement/overrides.js';
import { placeShards, type FederatedService } from '../src/placement/placement.js';
import { PLAIN_TRAFFIC_POLICIES } from '../src/planning/traffic-policy.js';
import { serverSideApply } from '../src/testing/memory-clusters.js';
import type { ClusterHealth, ClusterStatus, ServiceManifest, ShardAction, ShardStatus } from '../src/types.js';

/** What a provider that says nothing of traffic policies writes. */
const PLAIN = { provider: 'memory', policies: PLAIN_TRAFFIC_POLICIES };

const OWNER = 'fed-a';
const NAMES = ['a', 'b', 'c', 'd', 'e'];

const template: ServiceManifest = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns', annotations: { team: 'x', 'lb.example.com/scheme': 'internet-facing' } },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], loadBalancerSourceRanges: ['0.0.0.0/0'] },
};

const override: fc.Arbitrary<ShardOverride> = fc.record(
  {
    annotations: fc.dictionary(
      fc.constantFrom('team', 'lb.example.com/scheme', 'lb.example.com/tier'),
      fc.constantFrom('y', 'internal', ''),
    ),
    loadBalancerSourceRanges: fc.array(fc.constantFrom('10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32'), { maxLength: 3 }),
    externalTrafficPolicy: fc.constantFrom('Cluster' as const, 'Local' as const),
  },
  { requiredKeys: [] },
);

const world = fc.record({
  health: fc.array(fc.constantFrom<ClusterHealth>('Ready', 'NotReady', 'Offline'), { minLength: NAMES.length, maxLength: NAMES.length }),
  listed: fc.subarray(NAMES),
  overrides: fc.dictionary(fc.constantFrom(...NAMES), override),
  /** What each cluster holds: nothing, a Service the federation created, or someone's to adopt. */
  held: fc.array(fc.constantFrom('none', 'created', 'foreign'), { minLength: NAMES.length, maxLength: NAMES.length }),
});

const shardOf = (cluster: string, manifest: ServiceManifest): ShardStatus => ({
  cluster,
  namespace: 'ns',
  name: 'web',
  manifest,
  ingress: [],
  readyEndpoints: 0,
});

const foreign: ServiceManifest = {
  ...template,
  metadata: { name: 'web', namespace: 'ns' },
  spec: { type: 'ClusterIP', ports: [{ port: 8080 }] },
};

/** The Service a listed cluster should end up with, computed from the inputs independently of placement's memo. */
function expectedManifest(service: FederatedService, cluster: string, created: boolean): ServiceManifest {
  const own = service.overrides?.[cluster];
  return desiredManifest(own ? overriddenManifest(service.manifest, own) : service.manifest, OWNER, created);
}

describe('placement by a list of clusters, with overrides', () => {
  test.prop([world])('listed clusters get their own Service, unlisted ones keep nothing the federation created', (w) => {
    const clusters: ClusterStatus[] = NAMES.map((name, i) => ({ name, zones: ['z'], region: 'r', labels: {}, health: w.health[i]! }));
    const service: FederatedService = { manifest: template, clusters: w.listed, overrides: w.overrides };
    const created = new Set(NAMES.filter((_, i) => w.held[i] === 'created'));
    const existing = NAMES.flatMap((name, i) =>
      w.held[i] === 'none' ? [] : [shardOf(name, w.held[i] === 'created' ? desiredManifest(template, OWNER, true) : foreign)],
    );
    const actions = placeShards({ service, clusters, existing, created, ownerId: OWNER });
    const held = new Map(existing.map((shard) => [shard.cluster, shard]));
    actions.forEach((action, i) => {
      const cluster = clusters[i]!;
      expect(action.cluster).toBe(cluster.name);
      if (cluster.health === 'Offline') return expect(action.kind).toBe('leave');
      if (!w.listed.includes(cluster.name)) return expect(action.kind).toBe(created.has(cluster.name) ? 'delete' : 'leave');
      const want = expectedManifest(service, cluster.name, !held.has(cluster.name) || created.has(cluster.name));
      if (action.kind === 'create' || action.kind === 'conform') expect(action.manifest).toEqual(want);
      else expect(action.kind).toBe('leave');
      // What the cluster's Service says where an override says something.
      const own = w.overrides[cluster.name];
      const spec = want.spec;
      expect(spec['loadBalancerSourceRanges']).toEqual(own?.loadBalancerSourceRanges ?? template.spec['loadBalancerSourceRanges']);
      expect(spec['externalTrafficPolicy']).toEqual(own?.externalTrafficPolicy);
      for (const [key, value] of Object.entries({ ...template.metadata.annotations, ...own?.annotations }))
        expect(want.metadata.annotations?.[key]).toBe(value);
    });
    // Carried out, the actions leave nothing to do.
    const after = new Map(held);
    for (const action of actions) apply(after, action);
    const again = placeShards({
      service,
      clusters,
      existing: [...after.values()],
      created: new Set([...created, ...actions.filter((a) => a.kind === 'create').map((a) => a.cluster)]),
      ownerId: OWNER,
    });
    expect(again.filter((action) => action.kind !== 'leave' && action.kind !== 'delete')).toEqual([]);
  });

  test.prop([fc.dictionary(fc.constantFrom(...NAMES), override)])(
    'clusters without an override share one Service per origin; an override that changes the Service changes its digest',
    (overrides) => {
      const clusters: ClusterStatus[] = NAMES.map((name) => ({ name, zones: ['z'], region: 'r', labels: {}, health: 'Ready' }));
      const actions = placeShards({
        service: { manifest: template, overrides },
        clusters,
        existing: [],
        created: new Set(),
        ownerId: OWNER,
      });
      const manifests = actions.map((action) => (action as Extract<ShardAction, { kind: 'create' }>).manifest);
      const plain = manifests.filter((_, i) => !(NAMES[i]! in overrides));
      expect(new Set(plain).size).toBeLessThanOrEqual(1);
      const digestOf = (m: ServiceManifest) => m.metadata.annotations?.[APPLIED_ANNOTATION];
      const templateDigest = digestOf(desiredManifest(template, OWNER, true));
      manifests.forEach((manifest, i) => {
        const changed = JSON.stringify(overriddenManifest(template, overrides[NAMES[i]!] ?? {})) !== JSON.stringify(template);
        expect(digestOf(manifest) !== templateDigest).toBe(changed);
      });
    },
  );
});

function apply(held: Map<string, ShardStatus>, action: ShardAction): void {
  if (action.kind === 'delete') held.delete(action.cluster);
  else if (action.kind === 'create' || action.kind === 'conform') {
    const current = held.get(action.cluster);
    held.set(action.cluster, shardOf(action.cluster, current ? serverSideApply(current.manifest, action.manifest) : action.manifest));
  }
}

describe('a list of clusters and overrides are checked when the service is given', () => {
  const register = (extra: Record<string, unknown>): void => {
    registerService(
      new Map<string, ServiceRecord>(),
      { name: 'fed', domain: 'example.com' },
      { manifest: template, ...extra },
      'service',
      PLAIN,
    );
  };
  test.each([
    ['service.clusters', { clusters: 'a' }],
    ['service.clusters[1]', { clusters: ['a', 3] }],
    ['service.clusters[2]', { clusters: ['a', 'b', 'a'] }],
    ['service.clusters', { clusters: ['a'], clusterSelector: { matchLabels: { tier: 'edge' } } }],
    ['service.overrides', { overrides: ['a'] }],
    ['service.overrides.a', { overrides: { a: 'Local' } }],
    ['service.overrides.a.selector', { overrides: { a: { selector: {} } } }],
    ['service.overrides.a.annotations', { overrides: { a: { annotations: ['x'] } } }],
    ['service.overrides.a.annotations.team', { overrides: { a: { annotations: { team: 1 } } } }],
    ['service.overrides.a.loadBalancerSourceRanges', { overrides: { a: { loadBalancerSourceRanges: '10.0.0.0/8' } } }],
    ['service.overrides.b.loadBalancerSourceRanges[1]', { overrides: { b: { loadBalancerSourceRanges: ['10.0.0.0/8', '10.0.0.0'] } } }],
    ['service.overrides.b.loadBalancerSourceRanges[0]', { overrides: { b: { loadBalancerSourceRanges: ['10.0.0.0/33'] } } }],
    ['service.overrides.b.loadBalancerSourceRanges[0]', { overrides: { b: { loadBalancerSourceRanges: ['2001:db8::/129'] } } }],
    ['service.overrides.b.loadBalancerSourceRanges[0]', { overrides: { b: { loadBalancerSourceRanges: ['10.0.0.256/8'] } } }],
    ['service.overrides.b.loadBalancerSourceRanges[0]', { overrides: { b: { loadBalancerSourceRanges: ['10.0.0.0/08'] } } }],
    ['service.overrides.b.externalTrafficPolicy', { overrides: { b: { externalTrafficPolicy: 'local' } } }],
  ])('%s: %j is refused', (field, extra) => {
    try {
      register(extra);
      expect.unreachable('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  test('well-formed lists and overrides are taken, as copies', () => {
    const records = new Map<string, ServiceRecord>();
    const ranges = ['0.0.0.0/0', '10.1.2.3/8', '::/0', '2001:db8::/32'];
    const service = {
      manifest: template,
      clusters: ['a', 'b'],
      overrides: { a: { loadBalancerSourceRanges: ranges, externalTrafficPolicy: 'Local' as const } },
    };
    registerService(records, { name: 'fed', domain: 'example.com' }, service, 'service', PLAIN);
    service.clusters.push('c');
    ranges.pop();
    const held = records.get('ns/web')!.service;
    expect(held.clusters).toEqual(['a', 'b']);
    expect(held.overrides?.['a']?.loadBalancerSourceRanges).toHaveLength(4);
  });
});
