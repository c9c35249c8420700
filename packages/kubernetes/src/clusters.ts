// The kubernetes implementation of core's MemberClusters port.
import { CoreV1Api } from '@kubernetes/client-node';
import { type ClusterEvent, type MemberClusters, type ShardAction, ValidationError } from '@fedsvc/core/provider';
import { applyShardAction } from './apply.js';
import { type ClusterSource, type KubernetesClustersOptions, type ResolvedCluster, resolveCluster, resolveOptions } from './options.js';
import { WatchSession } from './watch-session.js';

export interface KubernetesClusters extends MemberClusters {
  /** The member clusters' names, in the order they joined. */
  readonly clusters: readonly string[];
  /** A cluster joins the federation; running watches start watching it. */
  addCluster(source: ClusterSource): void;
  /** A cluster leaves the federation; running watches stop watching it and report 'cluster-removed'. */
  removeCluster(name: string): Promise<void>;
  /**
   * A member cluster's connection changes (new credentials, a new server): running watches of it
   * start again through the new KubeConfig. Nothing is withdrawn meanwhile: no 'cluster-removed',
   * its shards stay as last reported until the new watch has listed them (then those gone are
   * reported removed), so records do not flap.
   *
   * @throws ValidationError when the source is malformed or names no member cluster.
   */
  updateCluster(source: ClusterSource): Promise<void>;
}

/**
 * Member clusters from kubeconfig contexts or explicit settings: core's `MemberClusters` port.
 * `watch` reports each cluster's topology (zones and region from its nodes' labels) and health
 * (`/readyz` probes), every Service joined with its EndpointSlices as a shard, and `synced` once
 * every cluster has been heard from; `applyShard` carries out placement's decisions by
 * server-side apply. Clusters can join, change and leave while watching (`addCluster`,
 * `updateCluster`, `removeCluster`).
 *
 * @throws ValidationError (from `@fedsvc/core`) when an option is malformed or a kubeconfig
 *   context cannot be found, naming the field.
 * @example
 * ```ts
 * const clusters = createKubernetesClusters({
 *   clusters: [{ context: 'gce-us-central1-a' }, { context: 'gce-us-east1-b' }],
 *   namespace: 'mynamespace',
 * });
 * const controller = createController({ federation, ownerId: 'prod-federation', clusters, dns });
 * ```
 * @see createLeaseElection for leader election among controller replicas.
 */
export function createKubernetesClusters(options: KubernetesClustersOptions): KubernetesClusters {
  const resolved = resolveOptions(options);
  const members = new Map<string, { cluster: ResolvedCluster; api: CoreV1Api }>();
  const join = (cluster: ResolvedCluster): void => {
    members.set(cluster.name, { cluster, api: cluster.kubeConfig.makeApiClient(CoreV1Api) });
  };
  resolved.clusters.forEach(join);
  const sessions = new Set<WatchSession>();
  const notAMember = (field: string, value: unknown): ValidationError =>
    new ValidationError(field, value, `is not a member cluster (members: ${[...members.keys()].join(', ')})`);

  return {
    get clusters() {
      return [...members.keys()];
    },
    watch(onEvent: (event: ClusterEvent) => void) {
      const session = new WatchSession(onEvent, resolved);
      sessions.add(session);
      for (const { cluster } of members.values()) session.watch(cluster);
      session.awaitSync();
      return {
        async stop() {
          sessions.delete(session);
          await session.stop();
        },
      };
    },
    addCluster(source: ClusterSource) {
      const cluster = resolveCluster(source, 'source');
      if (members.has(cluster.name)) throw new ValidationError('source', cluster.name, 'is a member cluster already');
      join(cluster);
      for (const session of sessions) session.watch(cluster);
    },
    async removeCluster(name: string) {
      if (!members.delete(name)) throw notAMember('name', name);
      await Promise.all([...sessions].map((session) => session.unwatch(name)));
    },
    async updateCluster(source: ClusterSource) {
      const cluster = resolveCluster(source, 'source');
      if (!members.has(cluster.name)) throw notAMember('source', cluster.name);
      join(cluster);
      await Promise.all([...sessions].map((session) => session.rewatch(cluster)));
    },
    async applyShard(action: ShardAction) {
      const member = members.get(action?.cluster);
      if (!member) throw notAMember('action.cluster', action?.cluster);
      await applyShardAction(member.api, action, { requestTimeoutMs: resolved.requestTimeoutMs, fieldManager: resolved.fieldManager });
    },
  };
}
