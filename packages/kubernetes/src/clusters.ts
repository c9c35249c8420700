// The kubernetes implementation of core's MemberClusters port.
import { CoreV1Api } from '@kubernetes/client-node';
import { type ClusterEvent, type MemberClusters, type ShardAction, ValidationError } from '@fedsvc/core';
import { applyShardAction } from './apply.js';
import { watchCluster } from './cluster-watch.js';
import { type KubernetesClustersOptions, resolveOptions } from './options.js';

export interface KubernetesClusters extends MemberClusters {
  /** The member clusters' names, in the order given. */
  readonly clusters: readonly string[];
}

/** Member clusters from kubeconfig contexts or explicit settings. Options are checked here (ValidationError). */
export function createKubernetesClusters(options: KubernetesClustersOptions): KubernetesClusters {
  const resolved = resolveOptions(options);
  const apis = new Map(resolved.clusters.map((c) => [c.name, c.kubeConfig.makeApiClient(CoreV1Api)]));
  return {
    clusters: resolved.clusters.map((c) => c.name),
    watch(onEvent: (event: ClusterEvent) => void) {
      const emit = (event: ClusterEvent): void => {
        try {
          onEvent(event);
        } catch (error) {
          // A throwing listener must not stop the watch of any cluster.
          resolved.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'member-clusters listener threw');
        }
      };
      const watches = resolved.clusters.map((cluster) => watchCluster(cluster, resolved, emit));
      return {
        async stop() {
          await Promise.all(watches.map((w) => w.stop()));
        },
      };
    },
    async applyShard(action: ShardAction) {
      const api = apis.get(action?.cluster);
      if (!api) throw new ValidationError('action.cluster', action?.cluster, `is not a member cluster (members: ${[...apis.keys()].join(', ')})`);
      await applyShardAction(api, action);
    },
  };
}
