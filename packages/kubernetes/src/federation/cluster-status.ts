// The status a FederatedCluster carries: what `kubectl get federatedclusters` shows (health,
// region, zones), a Ready condition saying since when and why, and, when the spec overrides the
// topology, whether the override was taken.
import type { ClusterStatus } from '@fedsvc/core';
import { type Condition, type ConditionDecision, condition, previousConditions, wireTime } from './conditions.js';
import { type FederatedClusterSpec, incompleteTopology } from './federated-cluster.js';

/** A FederatedCluster's `status`. */
export interface FederatedClusterStatusBody {
  readonly health: 'Ready' | 'NotReady' | 'Offline';
  /** Why the cluster is not Ready; absent when it is. */
  readonly reason?: string;
  /** When the member's API server was last probed (RFC 3339); absent before the first probe. */
  readonly lastProbeTime?: string;
  readonly zones: readonly string[];
  /** Absent while no node says. */
  readonly region?: string;
  /**
   * `Ready`: True, False (NotReady) or Unknown (Offline), as a Node's Ready condition; then
   * `TopologyOverride` when `spec.topology` is given: True (`Applied`), or False (`Incomplete`)
   * naming the field given without the other.
   */
  readonly conditions: readonly Condition[];
}

/**
 * The status a FederatedCluster should carry now, from the cluster as the source observes it.
 * Pure; `Ready` keeps `previous`'s `lastTransitionTime` while its status holds.
 *
 * @param lastProbe - When the member's API server was last probed; undefined before the first.
 * @param previous - The object's current `status` (anything; ill-formed parts are ignored).
 * @param topology - The FederatedCluster's `spec.topology`; default none (no `TopologyOverride` condition).
 */
export function federatedClusterStatus(
  cluster: ClusterStatus,
  lastProbe: Date | undefined,
  previous: unknown,
  now: Date,
  topology?: FederatedClusterSpec['topology'],
): FederatedClusterStatusBody {
  const before = previousConditions(previous);
  const override = topologyOverride(topology);
  return {
    health: cluster.health,
    ...(cluster.health !== 'Ready' && cluster.reason ? { reason: cluster.reason } : {}),
    ...(lastProbe ? { lastProbeTime: wireTime(lastProbe) } : {}),
    zones: [...cluster.zones],
    ...(cluster.region ? { region: cluster.region } : {}),
    conditions: [condition(ready(cluster), before, now), ...(override ? [condition(override, before, now)] : [])],
  };
}

function topologyOverride(topology: FederatedClusterSpec['topology']): ConditionDecision | undefined {
  const type = 'TopologyOverride';
  const ignored = incompleteTopology(topology);
  if (ignored) return { type, status: 'False', reason: 'Incomplete', message: ignored.message };
  const { region, zones } = topology ?? {};
  if (region === undefined || zones === undefined) return undefined;
  return {
    type,
    status: 'True',
    reason: 'Applied',
    message: `Region ${region} and zones ${zones.join(', ')} are spec.topology's; the nodes' labels are not read.`,
  };
}

function ready(cluster: ClusterStatus): ConditionDecision {
  const type = 'Ready';
  const why = cluster.reason ?? 'no reason given';
  switch (cluster.health) {
    case 'Ready':
      return {
        type,
        status: 'True',
        reason: 'ClusterReady',
        message: `The API server answers and its nodes are ready (region ${cluster.region || 'unknown'}).`,
      };
    case 'NotReady':
      return {
        type,
        status: 'False',
        reason: 'ClusterNotReady',
        message: `${why}. Its shards leave DNS until it is Ready; check the cluster's API server and nodes.`,
      };
    case 'Offline':
      return {
        type,
        status: 'Unknown',
        reason: 'ClusterOffline',
        message: `${why}. Fail static keeps its last healthy shards in DNS; check the network path, spec.server and the credentials Secret.`,
      };
  }
}
