// A member cluster's status, health x topology, reported once its shard lists are in, or when it
// is Offline, so that the controller never sees a Ready cluster whose shards are still on their way.
import type { ClusterEvent } from '@fedsvc/core/provider';
import { type HealthState, type HealthThresholds, type ProbeResult, UNKNOWN_HEALTH, observeProbe } from './health.js';
import type { ResolvedCluster } from './options.js';
import { clusterStatus } from './status.js';
import type { Topology } from './topology.js';

export type ShardList = 'services' | 'slices';

export class ClusterStatusReporter {
  private readonly synced: Record<ShardList, boolean> = { services: false, slices: false };
  private health: HealthState = UNKNOWN_HEALTH;
  private topology: Topology | { reason: string } | undefined;
  /** The status last reported, as JSON. */
  private reported: string | undefined;
  private heard = false;

  /** `settled` is called once, when the cluster has been heard from. */
  constructor(
    private readonly cluster: ResolvedCluster,
    private readonly emit: (event: ClusterEvent) => void,
    private readonly settled: () => void,
  ) {
    this.topology = cluster.topology;
  }

  /** Both shard lists are in. */
  get shardsSynced(): boolean {
    return this.synced.services && this.synced.slices;
  }

  /** One shard list is in; true when that made both. */
  listed(which: ShardList): boolean {
    const first = !this.shardsSynced;
    this.synced[which] = true;
    return first && this.shardsSynced;
  }

  /** The cluster's health as the probes have judged it so far. */
  get probed(): HealthState {
    return this.health;
  }

  observeProbe(result: ProbeResult, thresholds: HealthThresholds): void {
    this.health = observeProbe(this.health, result, thresholds);
    this.publish();
  }

  setTopology(topology: Topology | { reason: string }): void {
    this.topology = topology;
    this.publish();
  }

  // Heard from once its status went out with its shards, or once it is Offline (status first, when it has one).
  publish(): void {
    const offline = this.health.health === 'Offline';
    if (!this.shardsSynced && !offline) return;
    const status = clusterStatus(this.cluster.name, this.cluster.labels, this.health, this.topology);
    const json = status === undefined ? undefined : JSON.stringify(status);
    if (status !== undefined && json !== this.reported) {
      this.reported = json;
      this.emit({ type: 'cluster', cluster: status });
    }
    if (offline || status !== undefined) this.hear();
  }

  private hear(): void {
    if (this.heard) return;
    this.heard = true;
    this.settled();
  }
}
