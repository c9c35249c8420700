// One service in a pass: the shard actions it needs, and its records with fail static applied.
import { createdBy } from '../placement/manifest.js';
import { clusterSelection, type FederatedService, placeShards } from '../placement/placement.js';
import { planServiceRecords } from '../planning/plan.js';
import { ALL_POLICY } from '../planning/traffic-policy.js';
import type {
  Cluster,
  ClusterStatus,
  Federation,
  RecordSet,
  RoutingLimits,
  ServiceManifest,
  Shard,
  ShardAction,
  ShardStatus,
  TrafficPolicy,
} from '../types.js';
import { allShards, shardIn, type ClusterState, type ServiceShards } from './cluster-state.js';
import { hasTopology } from './exclusions.js';
import { decideFailStatic, type FailStaticDecision } from './fail-static.js';
import type { Placed, ServiceRecord } from './services.js';
import type { PlannedTargets } from './targets.js';
import type { ServiceKey } from './types.js';

/**
 * What placement reads of the clusters (names, labels, whether in sight), as one string: a
 * pass over many services computes it once.
 */
export function placementView(clusters: ReadonlyMap<string, ClusterStatus>): string {
  return [...clusters.values()].map((cluster) => JSON.stringify([cluster.name, cluster.health === 'Offline', cluster.labels])).join('\n');
}

/**
 * The shard actions a service needs now (leave excluded). Placement is pure: when the service,
 * the clusters' `view` (placementView) and its shards' manifests are those it last found
 * nothing to do with, there is still nothing to do, and it is not run again. A cluster's
 * health changing between Ready and NotReady, which re-plans every service's records, places
 * nothing.
 */
export function placeService(world: ClusterState, key: ServiceKey, record: ServiceRecord, ownerId: string, view: string): ShardAction[] {
  const existing = allShards(world.shards.get(key)).filter((shard) => world.clusters.has(shard.cluster));
  if (record.placed && placedAlike(record.placed, record, view, existing)) return [];
  const actions = place(world, record, existing, ownerId);
  record.placed =
    actions.length === 0 && record.deleting === undefined
      ? { service: record.service, view, manifests: existing.map((shard) => shard.manifest) }
      : undefined;
  return actions;
}

/** What a pass placed a service from: the service, the clusters' view, the shards it found, and the actions it carried out. */
export interface PlacedFrom {
  readonly service: FederatedService;
  readonly view: string;
  readonly before: ServiceShards | undefined;
  readonly actions: readonly ShardAction[];
}

/**
 * The memo placeService keeps when it finds nothing to do, for a service whose shard writes all
 * came back: when every shard the service has now is the echo heard of what was written to its
 * cluster (`echo`, see isEcho) or, in a cluster the pass left, the very shard it found there,
 * placing again would find nothing to do. Undefined when anything else happened, a deleted or
 * released shard included (no echo is awaited of those). A start-up writes every shard, and its
 * next pass would otherwise compare every one of them again.
 */
export function placedAsWritten(
  world: ClusterState,
  key: ServiceKey,
  from: PlacedFrom,
  echo: (cluster: string) => ServiceManifest | undefined,
): Placed | undefined {
  const acted = new Set(from.actions.map((action) => action.cluster));
  const present = (shard: ShardStatus) => world.clusters.has(shard.cluster);
  const now = allShards(world.shards.get(key)).filter(present);
  let echoed = 0;
  for (const shard of now) {
    const wrote = acted.has(shard.cluster);
    if (shard.manifest !== (wrote ? echo(shard.cluster) : shardIn(from.before, shard.cluster)?.manifest)) return undefined;
    if (wrote) echoed++;
  }
  // Every shard it wrote came back, and none it left has gone since.
  const left = allShards(from.before).filter((shard) => present(shard) && !acted.has(shard.cluster)).length;
  return echoed === acted.size && now.length === echoed + left
    ? { service: from.service, view: from.view, manifests: now.map((shard) => shard.manifest) }
    : undefined;
}

function placedAlike(placed: Placed, record: ServiceRecord, view: string, existing: readonly ShardStatus[]): boolean {
  if (placed.service !== record.service || record.deleting !== undefined || placed.view !== view) return false;
  if (placed.manifests.length !== existing.length) return false;
  const manifests = new Set(placed.manifests);
  return existing.every((shard) => manifests.has(shard.manifest));
}

function place(world: ClusterState, record: ServiceRecord, existing: readonly ShardStatus[], ownerId: string): ShardAction[] {
  const created = new Set(existing.filter((shard) => createdBy(shard.manifest, ownerId)).map((shard) => shard.cluster));
  return placeShards({
    service: record.service,
    clusters: [...world.clusters.values()],
    existing,
    created,
    ownerId,
    deleting: record.deleting !== undefined,
    deleteAdopted: record.deleting?.deleteAdopted === true,
  }).filter((action) => action.kind !== 'leave');
}

export interface PlanInput {
  readonly federation: Federation;
  readonly world: ClusterState;
  readonly key: ServiceKey;
  readonly record: ServiceRecord;
  readonly maxWithdrawFraction: number;
  /** Clusters left out of DNS (exclusions.ts). */
  readonly excluded: ReadonlyMap<string, unknown>;
  /** A shard's addresses and aliased hostnames, as the planner takes them. */
  readonly targets: (shard: ShardStatus) => PlannedTargets;
  /** What the DNS provider's routed record sets accept, when it writes any. */
  readonly routing: RoutingLimits | undefined;
}

/** Fail static's decision for the service: what planning should see, and its memory for the next pass. */
export function judgeService(input: PlanInput): FailStaticDecision {
  const { world, record } = input;
  // A Service of the same name in a cluster the federated service does not select is not one of its shards.
  const clusters = [...world.clusters.values()].filter(clusterSelection(record.service));
  const members = new Set(clusters.map((cluster) => cluster.name));
  const shards: Shard[] = allShards(world.shards.get(input.key))
    .filter((status) => members.has(status.cluster))
    .map((status) => ({ cluster: status.cluster, readyEndpoints: status.readyEndpoints, ...input.targets(status) }));
  return decideFailStatic({
    clusters,
    shards,
    lastGood: record.lastGood,
    seen: record.seen,
    maxWithdrawFraction: input.maxWithdrawFraction,
  });
}

/**
 * The service's records as fail static decided. Every zone and region of the federation gets the
 * service's names, the clusters it does not select included (they serve none of it). A cluster
 * without a known topology cannot be placed in DNS; it is left out until it has one, and so is
 * one whose topology is malformed or clashes with another's (`excluded`).
 */
export function planRecords(input: Omit<PlanInput, 'targets' | 'maxWithdrawFraction' | 'key'>, decision: FailStaticDecision): RecordSet[] {
  const judged = new Map(decision.clusters.map((cluster) => [cluster.name, cluster]));
  const placed = [...input.world.clusters.values()]
    .filter((cluster) => hasTopology(cluster) && !input.excluded.has(cluster.name))
    .map((cluster) => judged.get(cluster.name) ?? { name: cluster.name, zones: cluster.zones, region: cluster.region, ready: false });
  const named = new Set(placed.map((cluster) => cluster.name));
  const { namespace, name } = input.record.service.manifest.metadata;
  const { ttl } = input.record.service;
  const trafficPolicy = placedPolicy(input.record.service.trafficPolicy ?? input.federation.trafficPolicy, placed);
  return planServiceRecords({
    federation: input.federation,
    service: { namespace, name, ...(ttl === undefined ? {} : { ttl }), ...(trafficPolicy === undefined ? {} : { trafficPolicy }) },
    clusters: placed,
    shards: decision.shards.filter((shard) => named.has(shard.cluster)),
    ...(input.routing === undefined ? {} : { routing: input.routing }),
  });
}

/**
 * The traffic policy over the clusters placed now: a failover region without one (its clusters
 * removed, excluded or not yet heard from) is passed over, as a region without a healthy shard
 * would be, rather than failing every pass of the service.
 */
function placedPolicy(policy: TrafficPolicy | undefined, placed: readonly Cluster[]): TrafficPolicy | undefined {
  if (policy?.type !== 'failover') return policy;
  const regions = new Set(placed.map((cluster) => cluster.region));
  const present = policy.regions.filter((region) => regions.has(region));
  return present.length === 0 ? ALL_POLICY : { type: 'failover', regions: present };
}
