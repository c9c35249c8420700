// A pass skips placing a service whose placement inputs are those it last found nothing to do
// with: differentially, it gives exactly the actions placing afresh gives, whatever happens between passes.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { ClusterState, ServiceShards } from '../src/controller/cluster-state.js';
import { placedAsWritten, placementView, placeService } from '../src/controller/plan-service.js';
import { registerService, type ServiceRecord } from '../src/controller/services.js';
import { PLAIN_TRAFFIC_POLICIES } from '../src/planning/traffic-policy.js';

/** What a provider that says nothing of traffic policies writes. */
const PLAIN = { provider: 'memory', policies: PLAIN_TRAFFIC_POLICIES };
import { desiredManifest } from '../src/placement/manifest.js';
import { placeShards, type FederatedService } from '../src/placement/placement.js';
import { serverSideApply } from '../src/testing/memory-clusters.js';
import type { ClusterHealth, ClusterStatus, ServiceManifest, ShardStatus } from '../src/types.js';

const OWNER = 'fed-owner';
const CLUSTERS = ['a', 'b', 'c'];
const KEY = 'ns/web';

const federated = (port: number, selector: boolean): FederatedService => ({
  manifest: { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: 'web' }, spec: { ports: [{ port, protocol: 'TCP' }] } },
  ...(selector ? { clusterSelector: { matchLabels: { tier: 'edge' } } } : {}),
});

type Step =
  | { readonly kind: 'health'; readonly cluster: number; readonly health: ClusterHealth }
  | { readonly kind: 'labels'; readonly cluster: number; readonly edge: boolean }
  /** The shard in a cluster: none, as the federation would apply it (created or adopted), or someone else's. */
  | { readonly kind: 'shard'; readonly cluster: number; readonly shard: 'none' | 'created' | 'adopted' | 'foreign' }
  | { readonly kind: 'apply'; readonly port: number; readonly selector: boolean }
  /** The host changes the manifest it gave before in place, and applies it again. */
  | { readonly kind: 'mutate'; readonly port: number };

const cluster = fc.integer({ min: 0, max: CLUSTERS.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('health' as const), cluster, health: fc.constantFrom<ClusterHealth>('Ready', 'NotReady', 'Offline') }),
  fc.record({ kind: fc.constant('labels' as const), cluster, edge: fc.boolean() }),
  fc.record({ kind: fc.constant('shard' as const), cluster, shard: fc.constantFrom('none', 'created', 'adopted', 'foreign') }),
  fc.record({ kind: fc.constant('apply' as const), port: fc.constantFrom(80, 443), selector: fc.boolean() }),
  fc.record({ kind: fc.constant('mutate' as const), port: fc.constantFrom(80, 443, 8080) }),
);

describe('placing only what may need it', () => {
  test.prop([fc.array(step, { maxLength: 40 }), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 })])(
    'a pass places exactly as placing afresh would, whatever changed since the last',
    (steps, passes) => {
      let clusters = new Map<string, ClusterStatus>(
        CLUSTERS.map((name) => [name, { name, zones: [`${name}-1`], region: 'r', labels: {}, health: 'Ready' }]),
      );
      let shards = new Map<string, ShardStatus>();
      const records = new Map<string, ServiceRecord>();
      registerService(records, { name: 'fed', domain: 'example.com' }, federated(80, false), 'service', PLAIN);
      const record = records.get(KEY)!;
      const shard = (name: string, manifest: ServiceManifest): ShardStatus => ({
        cluster: name,
        namespace: 'ns',
        name: 'web',
        manifest,
        ingress: [],
        readyEndpoints: 1,
      });
      steps.forEach((s, i) => {
        const name = 'cluster' in s ? CLUSTERS[s.cluster]! : '';
        const status = clusters.get(name)!;
        if (s.kind === 'health') clusters = new Map(clusters).set(name, { ...status, health: s.health });
        if (s.kind === 'labels') clusters = new Map(clusters).set(name, { ...status, labels: s.edge ? { tier: 'edge' } : {} });
        if (s.kind === 'shard') {
          shards = new Map(shards);
          if (s.shard === 'none') shards.delete(name);
          else if (s.shard === 'foreign') shards.set(name, shard(name, federated(9, false).manifest));
          else shards.set(name, shard(name, desiredManifest(record.service.manifest, OWNER, s.shard === 'created')));
        }
        if (s.kind === 'apply')
          registerService(records, { name: 'fed', domain: 'example.com' }, federated(s.port, s.selector), 'service', PLAIN);
        if (s.kind === 'mutate') {
          (record.service.manifest.spec as { ports: unknown[] }).ports = [{ port: s.port, protocol: 'TCP' }];
          registerService(records, { name: 'fed', domain: 'example.com' }, record.service, 'service', PLAIN);
        }
        if (!passes[i]) return;
        const split: ServiceShards = { healthy: shards, unhealthy: new Map() };
        const world: ClusterState = { clusters, shards: new Map([[KEY, split]]) };
        const existing = [...shards.values()];
        const afresh = placeShards({
          service: record.service,
          clusters: [...clusters.values()],
          existing,
          created: new Set(
            existing.filter((x) => x.manifest.metadata.annotations?.['fedsvc.io/created-by'] === OWNER).map((x) => x.cluster),
          ),
          ownerId: OWNER,
        }).filter((action) => action.kind !== 'leave');
        expect(placeService(world, KEY, record, OWNER, placementView(clusters))).toEqual(afresh);
      });
    },
  );
});

describe('placed as written: the memo a pass keeps once its shard writes come back', () => {
  /** What became of each shard write: heard as written, not heard (yet), or heard and then changed by someone else. */
  const fate = fc.constantFrom('echoed', 'unheard', 'overwritten');
  test.prop(
    [
      fc.array(fc.record({ cluster, shard: fc.constantFrom('none', 'created', 'adopted', 'foreign') }), { maxLength: 6 }),
      fc.array(fc.constantFrom<ClusterHealth>('Ready', 'NotReady', 'Offline'), { minLength: 3, maxLength: 3 }),
      fc.array(fate, { minLength: 3, maxLength: 3 }),
      fc.array(step, { maxLength: 4 }),
    ],
    { numRuns: 1000 },
  )(
    'the next pass places exactly as placing afresh would, and skips placing when every write came back and nothing else changed',
    (initial, health, fates, after) => {
      let clusters = new Map<string, ClusterStatus>(
        CLUSTERS.map((name, i) => [name, { name, zones: [`${name}-1`], region: 'r', labels: {}, health: health[i]! }]),
      );
      const records = new Map<string, ServiceRecord>();
      registerService(records, { name: 'fed', domain: 'example.com' }, federated(80, false), 'service', PLAIN);
      const record = records.get(KEY)!;
      const shard = (name: string, manifest: ServiceManifest): ShardStatus => ({
        cluster: name,
        namespace: 'ns',
        name: 'web',
        manifest,
        ingress: [],
        readyEndpoints: 1,
      });
      let shards = new Map<string, ShardStatus>();
      for (const s of initial) {
        const name = CLUSTERS[s.cluster]!;
        if (s.shard === 'none') shards.delete(name);
        else if (s.shard === 'foreign') shards.set(name, shard(name, federated(9, false).manifest));
        else shards.set(name, shard(name, desiredManifest(record.service.manifest, OWNER, s.shard === 'created')));
      }
      const worldOf = (): ClusterState => ({ clusters, shards: new Map([[KEY, { healthy: shards, unhealthy: new Map() }]]) });
      const before = worldOf();
      const view = placementView(clusters);
      const actions = placeService(before, KEY, record, OWNER, view);
      // The pass carries its actions out; the member clusters answer each as `fates` says.
      const echoes = new Map<string, ServiceManifest>();
      shards = new Map(shards);
      for (const action of actions) {
        const outcome = fates[CLUSTERS.indexOf(action.cluster)]!;
        if (action.kind === 'delete') shards.delete(action.cluster);
        if (action.kind !== 'create' && action.kind !== 'conform') continue;
        if (outcome === 'unheard') continue;
        const held = shards.get(action.cluster)?.manifest ?? { ...action.manifest, spec: { clusterIP: '10.0.0.1' } };
        const echo = serverSideApply(held, action.manifest);
        shards.set(action.cluster, shard(action.cluster, echo));
        echoes.set(action.cluster, echo);
        if (outcome === 'overwritten') shards.set(action.cluster, shard(action.cluster, federated(9, false).manifest));
      }
      const from = { service: record.service, view, before: before.shards.get(KEY), actions };
      for (const s of after) {
        const name = 'cluster' in s ? CLUSTERS[s.cluster]! : '';
        const status = clusters.get(name)!;
        if (s.kind === 'health') clusters = new Map(clusters).set(name, { ...status, health: s.health });
        if (s.kind === 'labels') clusters = new Map(clusters).set(name, { ...status, labels: s.edge ? { tier: 'edge' } : {} });
        if (s.kind === 'shard') {
          shards = new Map(shards);
          if (s.shard === 'none') shards.delete(name);
          else if (s.shard === 'foreign') shards.set(name, shard(name, federated(9, false).manifest));
          else shards.set(name, shard(name, desiredManifest(record.service.manifest, OWNER, s.shard === 'created')));
        }
        if (s.kind === 'apply')
          registerService(records, { name: 'fed', domain: 'example.com' }, federated(s.port, s.selector), 'service', PLAIN);
        if (s.kind === 'mutate') {
          (record.service.manifest.spec as { ports: unknown[] }).ports = [{ port: s.port, protocol: 'TCP' }];
          registerService(records, { name: 'fed', domain: 'example.com' }, record.service, 'service', PLAIN);
        }
      }
      const world = worldOf();
      // As the pass does: only a service still the one it placed is remembered.
      if (record.service === from.service) record.placed = placedAsWritten(world, KEY, from, (name) => echoes.get(name));
      const writtenBack =
        actions.length > 0 &&
        after.length === 0 &&
        actions.every(
          (action) => (action.kind === 'create' || action.kind === 'conform') && fates[CLUSTERS.indexOf(action.cluster)] === 'echoed',
        );
      if (writtenBack) expect(record.placed).toBeDefined();
      const existing = [...shards.values()];
      const afresh = placeShards({
        service: record.service,
        clusters: [...clusters.values()],
        existing,
        created: new Set(existing.filter((x) => x.manifest.metadata.annotations?.['fedsvc.io/created-by'] === OWNER).map((x) => x.cluster)),
        ownerId: OWNER,
      }).filter((action) => action.kind !== 'leave');
      expect(placeService(world, KEY, record, OWNER, placementView(clusters))).toEqual(afresh);
    },
  );
});
