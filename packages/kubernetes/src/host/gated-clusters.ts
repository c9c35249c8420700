// The member clusters the host source hands to the controller: the clusters its FederatedClusters
// name, watched only once the host's lists are in, so that the first 'synced' covers every
// member then known and the controller plans nothing before the federation's intent is read.
// Every event also goes to `observe` (cluster statuses make the FederatedClusters' status; statuses
// of FederatedServices wait for 'synced').
import type { ClusterEvent, MemberClusters, ShardAction } from '@fedsvc/core/provider';
import type { KubernetesClusters } from '../clusters.js';

export class GatedClusters implements MemberClusters {
  #hostSynced = false;
  readonly #waiting = new Set<() => void>();

  constructor(
    private readonly members: KubernetesClusters,
    private readonly observe: (event: ClusterEvent) => void,
  ) {}

  /** The member clusters' names, in the order they joined. */
  get clusters(): readonly string[] {
    return this.members.clusters;
  }

  /** The host's lists are in and every member then known has joined: watches may start. */
  hostSynced(): void {
    this.#hostSynced = true;
    for (const start of this.#waiting) start();
    this.#waiting.clear();
  }

  watch(onEvent: (event: ClusterEvent) => void): { stop(): Promise<void> } {
    let running: { stop(): Promise<void> } | undefined;
    let stopped = false;
    const start = (): void => {
      if (stopped) return;
      running = this.members.watch((event) => {
        this.observe(event);
        onEvent(event);
      });
    };
    if (this.#hostSynced) start();
    else this.#waiting.add(start);
    return {
      stop: async () => {
        stopped = true;
        this.#waiting.delete(start);
        await running?.stop();
      },
    };
  }

  applyShard(action: ShardAction): Promise<void> {
    return this.members.applyShard(action);
  }
}
