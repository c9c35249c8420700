// What the commands see of the member clusters' events, besides the controller: whether they
// have synced, and which clusters have been heard from (for progress and readiness).
import type { ClusterEvent, MemberClusters } from '@fedsvc/core/provider';

/** `clusters` with `onEvent` told of every event after the controller has been. */
export function observeClusters(clusters: MemberClusters, onEvent: (event: ClusterEvent) => void): MemberClusters {
  return {
    watch: (controllerOnEvent) =>
      clusters.watch((event) => {
        controllerOnEvent(event);
        onEvent(event);
      }),
    applyShard: (action) => clusters.applyShard(action),
  };
}
