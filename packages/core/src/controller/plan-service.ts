// One service in a pass: the shard actions it needs, and its records with fail static applied.
import { createdBy } from '../placement/manifest.js';
import { placeShards } from '../placement/placement.js';
import { selectorMatches } from '../placement/selector.js';
import { planServiceRecords } from '../planning/plan.js';
import type { Federation, RecordSet, Shard, ShardAction, ShardStatus } from '../types.js';
import { allShards, type ClusterState } from './cluster-state.js';
import { hasTopology } from './exclusions.js';
import { decideFailStatic, type FailStaticDecision } from './fail-static.js';
import type { ServiceRecord } from './services.js';
import type { ServiceKey } from './types.js';

/** The shard actions a service needs now (leave excluded). */
export function placeService(world: ClusterState, key: ServiceKey, record: ServiceRecord, ownerId: string): ShardAction[] {
  const existing = allShards(world.shards.get(key)).filter((shard) => world.clusters.has(shard.cluster));
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
  readonly targets: (shard: ShardStatus) => Pick<Shard, 'addresses' | 'hostnames'>;
}

/** Fail static's decision for the service: what planning should see, and its memory for the next pass. */
export function judgeService(input: PlanInput): FailStaticDecision {
  const { world, record } = input;
  // A Service of the same name in a cluster the federated service does not select is not one of its shards.
  const clusters = [...world.clusters.values()].filter((cluster) => selectorMatches(record.service.clusterSelector, cluster.labels));
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
  return planServiceRecords({
    federation: input.federation,
    service: { namespace, name },
    clusters: placed,
    shards: decision.shards.filter((shard) => named.has(shard.cluster)),
  });
}
