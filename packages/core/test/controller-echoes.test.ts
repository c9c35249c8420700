// The watch events that echo the controller's own shard writes: an echo showing the shard as
// written, heard while its pass is still placing, asks for no second pass; anything else (a
// shard someone else changed before or after the echo, a write that landed otherwise, an echo
// heard once the pass has planned) is acted on as any event is.
import { fc } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { placeShards } from '../src/placement/placement.js';
import type { MemoryClusters } from '../src/testing/memory-clusters.js';
import type { ClusterEvent, MemberClusters, ServiceManifest, ShardAction } from '../src/types.js';
import {
  canonical,
  clusterOf,
  collect,
  controllers,
  expected,
  guideWorld,
  nginx,
  OWNER,
  published,
  settle,
  ZONES,
} from './controller.fixture.js';

const { create, start } = controllers();

/** How a write to one cluster meets the watch. */
type Meeting =
  /** Its echo is heard in the write's turn. */
  | 'echo'
  /** Its echo, and every later event of the cluster, are heard only after the controller was idle. */
  | 'late'
  /** Someone else changes the Service's selector right after the write, before its echo is reduced. */
  | 'changed'
  /** As `changed`, the change heard only after the controller was idle. */
  | 'changed-late'
  /** The shard's pods become ready right after the write: its endpoints change, its Service does not. */
  | 'endpoints'
  /** As `endpoints`, heard only after the controller was idle. */
  | 'endpoints-late'
  /** The write lands otherwise than written (a webhook changes its selector, once): the echo itself differs. */
  | 'differs';

const MEETINGS: readonly Meeting[] = ['echo', 'late', 'changed', 'changed-late', 'endpoints', 'endpoints-late', 'differs'];

const othersSelector = (manifest: ServiceManifest): ServiceManifest => ({
  ...manifest,
  spec: { ...manifest.spec, selector: { run: 'other' } },
});

/**
 * The in-memory clusters behind a watch that holds back the events of the clusters whose
 * meeting is late until `release()`, and a write path that does what each cluster's meeting says
 * on the first write there.
 */
class Meetings implements MemberClusters {
  readonly #held: ClusterEvent[] = [];
  readonly #written = new Set<string>();
  #holding = true;
  #onEvent: ((event: ClusterEvent) => void) | undefined;

  constructor(
    readonly inner: MemoryClusters,
    readonly meeting: (cluster: string) => Meeting,
  ) {}

  watch(onEvent: (event: ClusterEvent) => void): { stop(): Promise<void> } {
    this.#onEvent = onEvent;
    return this.inner.watch((event) => {
      const cluster = event.type === 'shard' ? event.shard.cluster : event.type === 'shard-removed' ? event.cluster : undefined;
      if (this.#holding && cluster !== undefined && this.meeting(cluster).endsWith('late')) this.#held.push(event);
      else onEvent(event);
    });
  }

  async applyShard(action: ShardAction): Promise<void> {
    const first = action.kind === 'create' && !this.#written.has(action.cluster);
    this.#written.add(action.cluster);
    const meeting = first ? this.meeting(action.cluster) : 'echo';
    if (action.kind !== 'create' || meeting === 'echo' || meeting === 'late') return this.inner.applyShard(action);
    if (meeting === 'differs') return this.inner.applyShard({ ...action, manifest: othersSelector(action.manifest) });
    await this.inner.applyShard(action);
    const { namespace, name } = action.manifest.metadata;
    if (meeting === 'endpoints' || meeting === 'endpoints-late') this.inner.setReadyEndpoints(action.cluster, namespace, name, 1);
    else this.inner.putService(action.cluster, othersSelector(this.inner.shard(action.cluster, namespace, name)!.manifest));
  }

  /** Hands the controller every event held back, in order; from now on none is held. */
  release(): void {
    this.#holding = false;
    for (const event of this.#held.splice(0)) this.#onEvent?.(event);
  }
}

/** Every shard of nginx conforms to what the federation applies (placement would leave each), in `only` or in every cluster. */
function conforming(world: ReturnType<typeof guideWorld>, only?: ReadonlySet<string>): boolean {
  const shards = world.clusters.shards('mynamespace', 'nginx');
  const actions = placeShards({
    service: nginx(),
    clusters: world.clusters.clusters(),
    existing: shards,
    created: new Set(shards.map((shard) => shard.cluster)),
    ownerId: OWNER,
  });
  return (
    (only !== undefined || shards.length === ZONES.length) &&
    actions.every((action) => action.kind === 'leave' || (only !== undefined && !only.has(action.cluster)))
  );
}

describe("the controller's own shard writes, echoed by the watch", () => {
  test('start-up: each service is passed once; the echoes of the shards its pass created ask for no second pass', async () => {
    const world = guideWorld();
    const controller = create(world, { services: [nginx(), nginx('mynamespace', 'web')] });
    const synced = collect(controller, 'service-synced');
    controller.start();
    await settle(controller);
    expect(world.clusters.shards('mynamespace', 'nginx')).toHaveLength(ZONES.length);
    expect(synced.map((event) => event.service).sort()).toEqual(['mynamespace/nginx', 'mynamespace/web']);
    expect(synced.every((event) => event.shards === ZONES.length)).toBe(true);
  });

  test.each(MEETINGS.filter((meeting) => meeting !== 'echo'))(
    'a write met by %s in one cluster: every shard ends conforming, and the records are those of the shards as they are',
    async (meeting) => {
      const world = guideWorld();
      const odd = clusterOf(ZONES[3]!);
      const clusters = new Meetings(world.clusters, (cluster) => (cluster === odd ? meeting : 'echo'));
      const controller = start(world, { clusters, services: [nginx()] });
      await settle(controller);
      clusters.release();
      await settle(controller);
      expect(conforming(world)).toBe(true);
      expect(world.clusters.shard(odd, 'mynamespace', 'nginx')!.manifest.spec['selector']).toEqual({ run: 'nginx' });
      expect(canonical(published(world))).toEqual(canonical(expected(world)));
      if (meeting.startsWith('endpoints')) expect(published(world).length).toBeGreaterThan(0);
    },
  );

  test('any interleaving of echoes, late echoes, and others’ changes: the shards conform and the zone holds the plan', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...MEETINGS), { minLength: ZONES.length, maxLength: ZONES.length }), async (meetings) => {
        const world = guideWorld();
        const byCluster = new Map(ZONES.map((zone, i) => [clusterOf(zone), meetings[i]!]));
        const clusters = new Meetings(world.clusters, (cluster) => byCluster.get(cluster) ?? 'echo');
        const controller = create(world, { clusters, services: [nginx()] });
        controller.start();
        await settle(controller);
        // Before anything late is heard, every write whose echo or change was heard is conformed.
        const heard = new Set([...byCluster].filter(([, meeting]) => !meeting.endsWith('late')).map(([cluster]) => cluster));
        expect(conforming(world, heard)).toBe(true);
        clusters.release();
        await settle(controller);
        await controller.stop();
        expect(conforming(world)).toBe(true);
        expect(canonical(published(world))).toEqual(canonical(expected(world)));
      }),
      { numRuns: 25 },
    );
  });
});
