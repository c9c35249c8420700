// A pass skips placing a service whose placement inputs are those it last found nothing to do
// with: differentially, it gives exactly the actions placing afresh gives, whatever happens between passes.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { ClusterState, ServiceShards } from '../src/controller/cluster-state.js';
import { placementView, placeService } from '../src/controller/plan-service.js';
import { registerService, type ServiceRecord } from '../src/controller/services.js';
import { PLAIN_TRAFFIC_POLICIES } from '../src/planning/traffic-policy.js';

/** What a provider that says nothing of traffic policies writes. */
const PLAIN = { provider: 'memory', policies: PLAIN_TRAFFIC_POLICIES };
import { desiredManifest } from '../src/placement/manifest.js';
import { placeShards, type FederatedService } from '../src/placement/placement.js';
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
