// One watch of the member clusters: a watch of each member, and 'synced' once every member has
// been heard from, or at the sync timeout.
import type { ClusterEvent } from '@fedsvc/core/provider';
import { watchCluster } from './cluster-watch.js';
import type { ResolvedCluster, ResolvedOptions } from './options.js';

export class WatchSession {
  private readonly watches = new Map<string, { stop(): Promise<void> }>();
  /** The shards reported of each cluster (`namespace/name`), carried over when a cluster is watched again. */
  private readonly shards = new Map<string, Set<string>>();
  /** The latest settings of clusters being watched again. */
  private readonly pending = new Map<string, ResolvedCluster>();
  /** Clusters not heard from yet; 'synced' goes out once, when none is left or at the sync timeout. */
  private readonly unheard = new Set<string>();
  private synced = false;
  private syncTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly onEvent: (event: ClusterEvent) => void,
    private readonly options: ResolvedOptions,
  ) {}

  emit(event: ClusterEvent): void {
    const { onEvent } = this;
    try {
      onEvent(event);
    } catch (error) {
      // A throwing listener must not stop the watch of any cluster.
      this.options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'member-clusters listener threw');
    }
  }

  watch(cluster: ResolvedCluster): void {
    // Events of a cluster that left are dropped, even those already on their way while it stops.
    let watch: { stop(): Promise<void> } | undefined;
    const shards = this.shards.get(cluster.name) ?? new Set<string>();
    this.shards.set(cluster.name, shards);
    const emit = (event: ClusterEvent): void => {
      if (watch === undefined || this.watches.get(cluster.name) !== watch) return;
      if (event.type === 'shard') shards.add(shardKey(event.shard.namespace, event.shard.name));
      if (event.type === 'shard-removed') shards.delete(shardKey(event.namespace, event.name));
      this.emit(event);
    };
    if (!this.synced) this.unheard.add(cluster.name);
    watch = watchCluster(cluster, this.options, emit, () => this.heard(cluster.name), [...shards]);
    this.watches.set(cluster.name, watch);
  }

  /**
   * Watches a cluster again through its new settings, reporting nothing in between: its shards
   * reported so far are carried over to the new watch, which reports those gone once it has listed.
   */
  async rewatch(cluster: ResolvedCluster): Promise<void> {
    const previous = this.watches.get(cluster.name);
    this.pending.set(cluster.name, cluster);
    // Not watched: removed, or another rewatch is stopping the old watch and takes the latest settings.
    if (previous === undefined) return;
    this.watches.delete(cluster.name);
    await previous.stop();
    const latest = this.pending.get(cluster.name);
    this.pending.delete(cluster.name);
    if (latest !== undefined && this.shards.has(cluster.name)) this.watch(latest);
  }

  /** 'synced' now when every cluster has been heard from, else when they have or at the sync timeout. */
  awaitSync(): void {
    this.announceSynced();
    if (this.synced) return;
    this.syncTimer = setTimeout(() => {
      this.options.logger.warn(
        { clusters: [...this.unheard], syncTimeoutMs: this.options.syncTimeoutMs },
        'member clusters not heard from within syncTimeoutMs; going on without them until they are',
      );
      this.unheard.clear();
      this.announceSynced();
    }, this.options.syncTimeoutMs);
  }

  /** Stops watching a cluster that left and reports 'cluster-removed'. */
  async unwatch(name: string): Promise<void> {
    const watch = this.watches.get(name);
    this.watches.delete(name);
    this.shards.delete(name);
    this.pending.delete(name);
    await watch?.stop();
    this.emit({ type: 'cluster-removed', name });
    // A cluster that leaves before it was heard from is no longer waited for.
    this.heard(name);
  }

  async stop(): Promise<void> {
    clearTimeout(this.syncTimer);
    const watches = [...this.watches.values()];
    this.watches.clear();
    await Promise.all(watches.map((w) => w.stop()));
  }

  private heard(cluster: string): void {
    this.unheard.delete(cluster);
    this.announceSynced();
  }

  private announceSynced(): void {
    if (this.synced || this.unheard.size > 0) return;
    this.synced = true;
    clearTimeout(this.syncTimer);
    this.emit({ type: 'synced' });
  }
}

function shardKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
