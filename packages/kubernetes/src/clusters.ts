// The kubernetes implementation of core's MemberClusters port.
import { CoreV1Api } from '@kubernetes/client-node';
import { type ClusterEvent, type MemberClusters, type ShardAction, ValidationError } from '@fedsvc/core/provider';
import { applyShardAction } from './apply.js';
import { watchCluster } from './cluster-watch.js';
import { type ClusterSource, type KubernetesClustersOptions, type ResolvedCluster, resolveCluster, resolveOptions } from './options.js';

export interface KubernetesClusters extends MemberClusters {
  /** The member clusters' names, in the order they joined. */
  readonly clusters: readonly string[];
  /** A cluster joins the federation; running watches start watching it. */
  addCluster(source: ClusterSource): void;
  /** A cluster leaves the federation; running watches stop watching it and report 'cluster-removed'. */
  removeCluster(name: string): Promise<void>;
}

interface Session {
  readonly emit: (event: ClusterEvent) => void;
  readonly watches: Map<string, { stop(): Promise<void> }>;
  /** Clusters not heard from yet; 'synced' goes out once, when none is left or at the sync timeout. */
  readonly unheard: Set<string>;
  synced: boolean;
  syncTimer?: ReturnType<typeof setTimeout>;
}

function heard(session: Session, cluster: string): void {
  session.unheard.delete(cluster);
  announceSynced(session);
}

function announceSynced(session: Session): void {
  if (session.synced || session.unheard.size > 0) return;
  session.synced = true;
  clearTimeout(session.syncTimer);
  session.emit({ type: 'synced' });
}

/**
 * Member clusters from kubeconfig contexts or explicit settings: core's `MemberClusters` port.
 * `watch` reports each cluster's topology (zones and region from its nodes' labels) and health
 * (`/readyz` probes), every Service joined with its EndpointSlices as a shard, and `synced` once
 * every cluster has been heard from; `applyShard` carries out placement's decisions by
 * server-side apply. Clusters can join and leave while watching (`addCluster`, `removeCluster`).
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
  const sessions = new Set<Session>();

  const startWatch = (session: Session, cluster: ResolvedCluster): void => {
    // Events of a cluster that left are dropped, even those already on their way while it stops.
    let watch: { stop(): Promise<void> } | undefined;
    const emit = (event: ClusterEvent): void => {
      if (watch !== undefined && session.watches.get(cluster.name) === watch) session.emit(event);
    };
    if (!session.synced) session.unheard.add(cluster.name);
    watch = watchCluster(cluster, resolved, emit, () => heard(session, cluster.name));
    session.watches.set(cluster.name, watch);
  };

  return {
    get clusters() {
      return [...members.keys()];
    },
    watch(onEvent: (event: ClusterEvent) => void) {
      const session: Session = {
        emit(event) {
          try {
            onEvent(event);
          } catch (error) {
            // A throwing listener must not stop the watch of any cluster.
            resolved.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'member-clusters listener threw');
          }
        },
        watches: new Map(),
        unheard: new Set(),
        synced: false,
      };
      sessions.add(session);
      for (const { cluster } of members.values()) startWatch(session, cluster);
      announceSynced(session);
      if (!session.synced) {
        session.syncTimer = setTimeout(() => {
          resolved.logger.warn(
            { clusters: [...session.unheard] },
            'member clusters not heard from within syncTimeoutMs; going on without them until they are',
          );
          session.unheard.clear();
          announceSynced(session);
        }, resolved.syncTimeoutMs);
      }
      return {
        async stop() {
          clearTimeout(session.syncTimer);
          sessions.delete(session);
          const watches = [...session.watches.values()];
          session.watches.clear();
          await Promise.all(watches.map((w) => w.stop()));
        },
      };
    },
    addCluster(source: ClusterSource) {
      const cluster = resolveCluster(source, 'source');
      if (members.has(cluster.name)) throw new ValidationError('source', cluster.name, 'is a member cluster already');
      join(cluster);
      for (const session of sessions) startWatch(session, cluster);
    },
    async removeCluster(name: string) {
      if (!members.delete(name))
        throw new ValidationError('name', name, `is not a member cluster (members: ${[...members.keys()].join(', ')})`);
      await Promise.all(
        [...sessions].map(async (session) => {
          const watch = session.watches.get(name);
          session.watches.delete(name);
          await watch?.stop();
          session.emit({ type: 'cluster-removed', name });
          // A cluster that leaves before it was heard from is no longer waited for.
          heard(session, name);
        }),
      );
    },
    async applyShard(action: ShardAction) {
      const member = members.get(action?.cluster);
      if (!member)
        throw new ValidationError(
          'action.cluster',
          action?.cluster,
          `is not a member cluster (members: ${[...members.keys()].join(', ')})`,
        );
      await applyShardAction(member.api, action, { requestTimeoutMs: resolved.requestTimeoutMs, fieldManager: resolved.fieldManager });
    },
  };
}
