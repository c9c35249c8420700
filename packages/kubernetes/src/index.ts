export { createKubernetesClusters, type KubernetesClusters } from './clusters.js';
export type { ClusterSource, ContextCluster, KubeConfigCluster, KubernetesClustersOptions, ServerCluster } from './options.js';
export { inClusterKubeConfig } from './in-cluster.js';
export {
  watchMemberObjects,
  type MemberObjectHandlers,
  type MemberObjectsOptions,
  type MemberObjectWatches,
} from './member-objects.js';
export type { WatchEventType } from './watch-once.js';
export { ClusterApiError, FIELD_MANAGER, applyConfiguration } from './apply.js';
export type { BackoffOptions } from './backoff.js';
export type { Topology } from './topology.js';
export { LEGACY_REGION_LABEL, LEGACY_ZONE_LABEL, REGION_LABEL, ZONE_LABEL } from './topology.js';
export { createLeaseElection } from './lease.js';
export type { LeaseElectionOptions } from './lease-options.js';
export { createHostFederation, type HostFederation, type HostMemberClusters } from './host/federation.js';
export type { HostFederationOptions } from './host/options.js';
export { SHARDS_FINALIZER } from './host/host-api.js';
// The federation's own resources in a host cluster: decoding them and the status they carry (pure).
export { decodeFederatedService } from './federation/federated-service.js';
export { decodeFederatedCluster, type FederatedClusterSpec } from './federation/federated-cluster.js';
export { memberKubeConfig } from './federation/member-kubeconfig.js';
export { type FederatedMember, type MemberSecret, federatedMember } from './federation/member-cluster.js';
export {
  federatedServiceStatus,
  invalidServiceStatus,
  type FederatedServiceStatusBody,
  type ServiceClusterStatus,
} from './federation/service-status.js';
export { federatedClusterStatus, type FederatedClusterStatusBody } from './federation/cluster-status.js';
export { placedClusters } from './federation/status-view.js';
export { statusChanged } from './federation/status-changed.js';
export type { Condition } from './federation/conditions.js';
export {
  recordEvent,
  type EventHistory,
  type EventWrite,
  type InvolvedObject,
  type KubernetesEvent,
} from './federation/event-history.js';
export type { EventGist, FederationOccurrence } from './federation/occurrences.js';
export { type CrdManifest, crdManifests } from './crds.js';
