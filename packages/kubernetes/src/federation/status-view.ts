// Which member clusters a FederatedService's placement selects, by core's rule of selection.
import { type FederatedService, clusterSelection } from '@fedsvc/core';

/**
 * The member clusters a service's placement selects, in the order given: the listed `clusters`
 * that are members, else those whose labels match `clusterSelector`, else every one. Pure.
 *
 * @param service - The decoded FederatedService (its `clusters` or `clusterSelector`).
 * @param clusters - The member clusters with their labels (the FederatedClusters').
 */
export function placedClusters(
  service: Pick<FederatedService, 'clusters' | 'clusterSelector'>,
  clusters: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[],
): string[] {
  return clusters.filter(clusterSelection(service)).map((cluster) => cluster.name);
}
