// A cluster's status as the port reports it, from its health and its topology.
import type { ClusterStatus } from '@fedsvc/core/provider';
import type { HealthState } from './health.js';
import type { Topology } from './topology.js';

/**
 * Undefined while health is unknown, or topology while the cluster can be reached. A cluster
 * without usable topology is NotReady (or Offline) with the topology's reason and no zones, so
 * planning leaves it out; one Offline before its topology was known is reported too, since the
 * controller must know it is out of sight (it may hold shards, and serve).
 */
export function clusterStatus(
  name: string,
  labels: Readonly<Record<string, string>>,
  health: HealthState,
  topology: Topology | { readonly reason: string } | undefined,
): ClusterStatus | undefined {
  if (health.health === undefined) return undefined;
  if (topology === undefined) {
    return health.health === 'Offline' ? { name, zones: [], region: '', labels, health: 'Offline', reason: health.reason! } : undefined;
  }
  if ('reason' in topology) {
    const offline = health.health === 'Offline';
    return {
      name,
      zones: [],
      region: '',
      labels,
      health: offline ? 'Offline' : 'NotReady',
      reason: offline ? health.reason! : topology.reason,
    };
  }
  return {
    name,
    zones: topology.zones,
    region: topology.region,
    labels,
    health: health.health,
    reason: health.health === 'Ready' ? undefined : health.reason,
  };
}
