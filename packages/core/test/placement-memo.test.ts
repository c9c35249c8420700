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
import type { ClusterHealth, ClusterStatus, ServiceManifest, ShardAction, ShardStatus } from '../src/types.js';

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

/** A service in three clusters, changed step by step, and what placing it afresh gives. */
class Scene {
  clusters: Map<string, ClusterStatus>;
  shards = new Map<string, ShardStatus>();
  readonly records = new Map<string, ServiceRecord>();
  readonly record: ServiceRecord;

  constructor(health: readonly ClusterHealth[] = CLUSTERS.map(() => 'Ready')) {
    this.clusters = new Map(CLUSTERS.map((name, i) => [name, { name, zones: [`${name}-1`], region: 'r', labels: {}, health: health[i]! }]));
    registerService(this.records, { name: 'fed', domain: 'example.com' }, federated(80, false), 'service', PLAIN);
    this.record = this.records.get(KEY)!;
  }

  shard(name: string, manifest: ServiceManifest): ShardStatus {
    return { cluster: name, namespace: 'ns', name: 'web', manifest, ingress: [], readyEndpoints: 1 };
  }

  /** The shard in a cluster: none, as the federation would apply it (created or adopted), or someone else's. */
  hold(name: string, shard: 'none' | 'created' | 'adopted' | 'foreign'): void {
    this.shards = new Map(this.shards);
    if (shard === 'none') this.shards.delete(name);
    else if (shard === 'foreign') this.shards.set(name, this.shard(name, federated(9, false).manifest));
    else this.shards.set(name, this.shard(name, desiredManifest(this.record.service.manifest, OWNER, shard === 'created')));
  }

  apply(s: Step): void {
    const name = 'cluster' in s ? CLUSTERS[s.cluster]! : '';
    const status = this.clusters.get(name)!;
    if (s.kind === 'health') this.clusters = new Map(this.clusters).set(name, { ...status, health: s.health });
    if (s.kind === 'labels') this.clusters = new Map(this.clusters).set(name, { ...status, labels: s.edge ? { tier: 'edge' } : {} });
    if (s.kind === 'shard') this.hold(name, s.shard);
    if (s.kind === 'apply')
      registerService(this.records, { name: 'fed', domain: 'example.com' }, federated(s.port, s.selector), 'service', PLAIN);
    if (s.kind === 'mutate') {
      (this.record.service.manifest.spec as { ports: unknown[] }).ports = [{ port: s.port, protocol: 'TCP' }];
      registerService(this.records, { name: 'fed', domain: 'example.com' }, this.record.service, 'service', PLAIN);
    }
  }

  world(): ClusterState {
    const split: ServiceShards = { healthy: this.shards, unhealthy: new Map() };
    return { clusters: this.clusters, shards: new Map([[KEY, split]]) };
  }

  view(): string {
    return placementView(this.clusters);
  }

  /** What placing the service afresh gives now, leaves left out. */
  afresh(): ShardAction[] {
    const existing = [...this.shards.values()];
    return placeShards({
      service: this.record.service,
      clusters: [...this.clusters.values()],
      existing,
      created: new Set(existing.filter((x) => x.manifest.metadata.annotations?.['fedsvc.io/created-by'] === OWNER).map((x) => x.cluster)),
      ownerId: OWNER,
    }).filter((action) => action.kind !== 'leave');
  }
}

describe('placing only what may need it', () => {
  test.prop([fc.array(step, { maxLength: 40 }), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 })])(
    'a pass places exactly as placing afresh would, whatever changed since the last',
    (steps, passes) => {
      const scene = new Scene();
      steps.forEach((s, i) => {
        scene.apply(s);
        if (passes[i]) expect(placeService(scene.world(), KEY, scene.record, OWNER, scene.view())).toEqual(scene.afresh());
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
      const scene = new Scene(health);
      for (const s of initial) scene.hold(CLUSTERS[s.cluster]!, s.shard);
      const before = scene.world();
      const view = scene.view();
      const { record } = scene;
      const actions = placeService(before, KEY, record, OWNER, view);
      // The pass carries its actions out; the member clusters answer each as `fates` says.
      const echoes = new Map<string, ServiceManifest>();
      scene.shards = new Map(scene.shards);
      for (const action of actions) {
        const outcome = fates[CLUSTERS.indexOf(action.cluster)]!;
        if (action.kind === 'delete') scene.shards.delete(action.cluster);
        if ((action.kind !== 'create' && action.kind !== 'conform') || outcome === 'unheard') continue;
        const held = scene.shards.get(action.cluster)?.manifest ?? { ...action.manifest, spec: { clusterIP: '10.0.0.1' } };
        const echo = serverSideApply(held, action.manifest);
        scene.shards.set(action.cluster, scene.shard(action.cluster, echo));
        echoes.set(action.cluster, echo);
        if (outcome === 'overwritten') scene.shards.set(action.cluster, scene.shard(action.cluster, federated(9, false).manifest));
      }
      const from = { service: record.service, view, before: before.shards.get(KEY), actions };
      for (const s of after) scene.apply(s);
      // As the pass does: only a service still the one it placed is remembered.
      if (record.service === from.service) record.placed = placedAsWritten(scene.world(), KEY, from, (name) => echoes.get(name));
      const writtenBack =
        actions.length > 0 &&
        after.length === 0 &&
        actions.every(
          (action) => (action.kind === 'create' || action.kind === 'conform') && fates[CLUSTERS.indexOf(action.cluster)] === 'echoed',
        );
      if (writtenBack) expect(record.placed).toBeDefined();
      expect(placeService(scene.world(), KEY, record, OWNER, scene.view())).toEqual(scene.afresh());
    },
  );
});

describe('placed as written, an example', () => {
  test('a shard the pass left, removed once its writes came back, is created again by the next pass', () => {
    const scene = new Scene(['Offline', 'Ready', 'Ready']);
    scene.hold('c', 'adopted');
    const before = scene.world();
    const view = scene.view();
    const actions = placeService(before, KEY, scene.record, OWNER, view);
    expect(actions.map((action) => [action.kind, action.cluster])).toEqual([['create', 'b']]);
    const [create] = actions;
    if (create?.kind !== 'create') throw new Error('expected a create');
    const echo = serverSideApply({ ...create.manifest, spec: { clusterIP: '10.0.0.1' } }, create.manifest);
    scene.shards = new Map(scene.shards).set('b', scene.shard('b', echo));
    scene.hold('c', 'none');
    const from = { service: scene.record.service, view, before: before.shards.get(KEY), actions };
    scene.record.placed = placedAsWritten(scene.world(), KEY, from, (name) => (name === 'b' ? echo : undefined));
    expect(placeService(scene.world(), KEY, scene.record, OWNER, scene.view()).map((action) => [action.kind, action.cluster])).toEqual([
      ['create', 'c'],
    ]);
  });
});
