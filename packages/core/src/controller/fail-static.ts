// Fail static (docs/design.md, Fail static): losing sight of clusters must not withdraw a service's addresses
// wholesale. Pure: the controller keeps `lastGood` between calls.
import { isShardHealthy } from '../planning/plan.js';
import type { Cluster, ClusterStatus, Shard } from '../types.js';

export interface FailStaticInput {
  readonly clusters: readonly ClusterStatus[];
  /** The service's shards as last reported, addresses resolved (load-balancer hostnames kept where the provider aliases them). */
  readonly shards: readonly Shard[];
  /** Per cluster, the shard last seen healthy while the cluster could be seen. */
  readonly lastGood: ReadonlyMap<string, Shard>;
  /**
   * Clusters seen (Ready or NotReady) by an earlier call. One Offline and not in here, say
   * after a restart or a change of leader, may be serving: what it serves is not known here.
   */
  readonly seen: ReadonlySet<string>;
  /** Share of the last good healthy shards that may be withdrawn because their clusters went Offline. */
  readonly maxWithdrawFraction: number;
}

export interface FailStaticDecision {
  /** What planning should see. */
  readonly clusters: Cluster[];
  readonly shards: Shard[];
  /** Offline clusters whose last good shard is kept in service; empty when not engaged. */
  readonly held: string[];
  /**
   * Engaged with clusters never seen among those out of sight: their last good shards are
   * not known, so nothing can be planned; the service's records stay as the zone holds them.
   */
  readonly keepRecords: boolean;
  /** `lastGood` and `seen` for the next call. */
  readonly lastGood: Map<string, Shard>;
  readonly seen: Set<string>;
}

/**
 * A cluster that is seen (Ready or NotReady) reports truthfully and replaces its last good
 * shard. An Offline one is withdrawn, unless the Offline clusters together held more than
 * `maxWithdrawFraction` of the last good healthy shards, or all of them: then all of them stay
 * as last seen. An Offline cluster never seen counts as one that held a healthy shard.
 */
export function decideFailStatic(input: FailStaticInput): FailStaticDecision {
  const members = new Set(input.clusters.map((cluster) => cluster.name));
  const current = new Map(input.shards.map((shard) => [shard.cluster, shard]));
  const lastGood = new Map([...input.lastGood].filter(([cluster]) => members.has(cluster)));
  const seen = new Set([...input.seen].filter((cluster) => members.has(cluster)));
  for (const cluster of input.clusters) {
    if (cluster.health === 'Offline') continue;
    seen.add(cluster.name);
    const shard = current.get(cluster.name);
    if (shard && isShardHealthy({ ready: cluster.health === 'Ready' }, shard)) lastGood.set(cluster.name, shard);
    else lastGood.delete(cluster.name);
  }
  const lost = input.clusters
    .filter((cluster) => cluster.health === 'Offline' && lastGood.has(cluster.name))
    .map((cluster) => cluster.name);
  const unknown = input.clusters
    .filter((cluster) => cluster.health === 'Offline' && !seen.has(cluster.name))
    .map((cluster) => cluster.name);
  const good = lastGood.size + unknown.length;
  const out = lost.length + unknown.length;
  // Losing all of it is held whatever the fraction: 1 must not turn fail static off.
  const engaged = good > 0 && (out === good || out / good > input.maxWithdrawFraction);
  const keepRecords = engaged && unknown.length > 0;
  const held = keepRecords ? [...lost, ...unknown] : engaged ? lost : [];
  // Withdrawn, they are no longer last good: a later outage must neither count them nor bring their old addresses back.
  if (!engaged) for (const cluster of lost) lastGood.delete(cluster);
  const holding = new Set(held);
  return {
    clusters: input.clusters.map((cluster) => ({
      name: cluster.name,
      zones: cluster.zones,
      region: cluster.region,
      ready: cluster.health === 'Ready' || holding.has(cluster.name),
    })),
    shards: [
      ...input.shards.filter((shard) => members.has(shard.cluster) && !holding.has(shard.cluster)),
      ...held.map((cluster) => lastGood.get(cluster)!),
    ],
    held,
    keepRecords,
    lastGood,
    seen,
  };
}
