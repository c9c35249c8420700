// Placement: which member cluster gets which Service, decided purely from data.
// The caller carries the actions out (server-side apply in the kubernetes package).
import type { ClusterStatus, ServiceManifest, ShardAction, ShardStatus, TrafficPolicy } from '../types.js';
import { changedFields } from './changed-fields.js';
import { adoptedBy, desiredManifest } from './manifest.js';
import { overriddenManifest, type ShardOverride } from './overrides.js';
import { selectorMatches, type LabelSelector } from './selector.js';

/** A federated Service: the Service every selected member cluster gets. */
export interface FederatedService {
  readonly manifest: ServiceManifest;
  /** Narrows the member clusters; absent (and `clusters` absent), every cluster is selected. */
  readonly clusterSelector?: LabelSelector;
  /**
   * Only these member clusters, by name (no name twice); exclusive with `clusterSelector`
   * (a ValidationError when both are given). Default: as `clusterSelector` says.
   */
  readonly clusters?: readonly string[];
  /**
   * Per-cluster changes to the Service a cluster gets, keyed by cluster name; a cluster without
   * one gets the template as it is. Default: none.
   */
  readonly overrides?: Readonly<Record<string, ShardOverride>>;
  /**
   * TTL of this service's records, seconds: an integer from 0 to 2^31−1 (`MAX_TTL`). Default:
   * the federation's TTL.
   */
  readonly ttl?: number;
  /**
   * How this service's global name answers (see {@link TrafficPolicy}). Default: the
   * federation's `trafficPolicy`, itself `{ type: 'all' }` by default. A `failover` region in
   * which the federation has no cluster at the time of a pass is passed over, as one without a
   * healthy shard: member clusters come and go.
   */
  readonly trafficPolicy?: TrafficPolicy;
}

export interface PlacementInput {
  readonly service: FederatedService;
  readonly clusters: readonly ClusterStatus[];
  /** What each cluster holds for this service now; clusters holding nothing are absent. */
  readonly existing: readonly ShardStatus[];
  /** Clusters whose shard the federation created (the others' were adopted). */
  readonly created: ReadonlySet<string>;
  /** Marks the Services it creates, so that "created, not adopted" survives restarts. */
  readonly ownerId: string;
  /** The federated Service is being deleted. */
  readonly deleting?: boolean;
  /** Delete adopted shards (rather than release them) when the service is deleted or a cluster is deselected. Default false. */
  readonly deleteAdopted?: boolean;
}

/** Whether the service selects a member cluster: listed in `clusters`, or else matched by `clusterSelector`. */
export function clusterSelection(
  service: Pick<FederatedService, 'clusters' | 'clusterSelector'>,
): (cluster: Pick<ClusterStatus, 'name' | 'labels'>) => boolean {
  if (service.clusters === undefined) return (cluster) => selectorMatches(service.clusterSelector, cluster.labels);
  const listed = new Set(service.clusters);
  return (cluster) => listed.has(cluster.name);
}

/**
 * Placement: one action per member cluster, in the clusters' order: in each selected cluster
 * (see {@link FederatedService.clusters}), the Service with that cluster's override applied is
 * created where missing, conformed (with the exact fields that change) where different, left
 * where it already conforms or the cluster cannot be reached (Offline; it is placed again when
 * seen). Where the service is deleted or the cluster is no longer selected, what the federation
 * created is deleted, and what it adopted (marked `fedsvc.io/adopted-by` with `ownerId`)
 * released, or deleted with `deleteAdopted`; others' Services are left. Pure; the caller carries the actions
 * out (`MemberClusters.applyShard`).
 *
 * Nothing is validated here: the controller checks the selector and the manifest when a
 * service is applied.
 *
 * @returns A {@link ShardAction} per cluster of `input.clusters`.
 * @example
 * ```ts
 * const actions = placeShards({
 *   service: { manifest: nginxService, clusterSelector: { matchLabels: { tier: 'edge' } } },
 *   clusters,                       // ClusterStatus[], with labels and health
 *   existing: shardsOfNginx,        // ShardStatus[] of the clusters that hold one
 *   created: new Set(['gce-us-central1-a']),
 *   ownerId: 'prod-federation',
 * });
 * for (const action of actions) await memberClusters.applyShard(action);
 * ```
 * @see {@link desiredManifest} for the Service a create or conform applies.
 */
export function placeShards(input: PlacementInput): ShardAction[] {
  const { service, created, ownerId } = input;
  const existing = new Map(input.existing.map((shard) => [shard.cluster, shard]));
  const { name, namespace } = service.manifest.metadata;
  const selects = clusterSelection(service);
  // Without an override, the Service a cluster gets depends only on whether the federation created it there: two at most, not one per cluster.
  const desired = new Map<boolean, ServiceManifest>();
  const desiredFor = (cluster: string, created: boolean): ServiceManifest => {
    const override = service.overrides && Object.hasOwn(service.overrides, cluster) ? service.overrides[cluster] : undefined;
    if (override) return desiredManifest(overriddenManifest(service.manifest, override), ownerId, created);
    let manifest = desired.get(created);
    if (!manifest) desired.set(created, (manifest = desiredManifest(service.manifest, ownerId, created)));
    return manifest;
  };
  return input.clusters.map((cluster): ShardAction => {
    const shard = existing.get(cluster.name);
    if (cluster.health === 'Offline') return { kind: 'leave', cluster: cluster.name };
    const selected = !input.deleting && selects(cluster);
    if (!selected) {
      if (shard && (created.has(cluster.name) || input.deleteAdopted)) return { kind: 'delete', cluster: cluster.name, namespace, name };
      // Only a Service this owner marked as adopted is let go; someone else's of the same name is not touched.
      if (shard && adoptedBy(shard.manifest, ownerId)) return { kind: 'release', cluster: cluster.name, namespace, name };
      return { kind: 'leave', cluster: cluster.name };
    }
    if (!shard) return { kind: 'create', cluster: cluster.name, manifest: desiredFor(cluster.name, true) };
    const manifest = desiredFor(cluster.name, created.has(cluster.name));
    const fields = changedFields(manifest, shard.manifest);
    return fields.length === 0 ? { kind: 'leave', cluster: cluster.name } : { kind: 'conform', cluster: cluster.name, manifest, fields };
  });
}
