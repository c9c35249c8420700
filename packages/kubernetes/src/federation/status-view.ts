// What the controller reports of a service, as this package codes against it: core's
// ServiceStatusView with the fields the federation's resources need (`dns`, `deleting`, and each
// cluster's shard `origin`). Once core's view carries them, these become aliases of core's types.
import type { ClusterView, LabelSelector, ServiceStatusView } from '@fedsvc/core';
import { selectorMatches } from '@fedsvc/core';

/** A cluster's row, with whether its shard was created or adopted. */
export interface FederatedClusterView extends ClusterView {
  /** Present when `shard` is true. */
  readonly origin?: 'created' | 'adopted';
}

/** The DNS side of a service: whether its records are written, and the names it answers to. */
export interface DnsStatusView {
  readonly state: 'in-sync' | 'pending' | 'failed';
  /** The ProviderError kind, `conflict`, `outside-domain-filter`, `invalid-input`…; set when failed. */
  readonly reason?: string;
  readonly message?: string;
  readonly names: readonly string[];
}

/** The controller's status of a service (core's ServiceStatusView with `dns` and `deleting`). */
export interface FederatedStatusView extends ServiceStatusView {
  readonly clusters: readonly FederatedClusterView[];
  readonly dns: DnsStatusView;
  /** Present while a deleted service is not yet forgotten; `waitingFor`: clusters out of sight that may hold a shard. */
  readonly deleting?: { readonly waitingFor: readonly string[] };
}

/**
 * The member clusters a service's placement selects, in the order given: the listed `clusters`
 * that are members, else those whose labels match `clusterSelector`, else every one. Pure.
 *
 * @param service - The decoded FederatedService (its `clusters` or `clusterSelector`).
 * @param clusters - The member clusters with their labels (the FederatedClusters').
 */
export function placedClusters(
  service: { readonly clusters?: readonly string[]; readonly clusterSelector?: LabelSelector },
  clusters: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[],
): string[] {
  const listed = service.clusters ? new Set(service.clusters) : undefined;
  return clusters
    .filter((cluster) => (listed ? listed.has(cluster.name) : selectorMatches(service.clusterSelector, cluster.labels)))
    .map((cluster) => cluster.name);
}
