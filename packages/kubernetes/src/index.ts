export { createKubernetesClusters, type KubernetesClusters } from './clusters.js';
export type { ClusterSource, ContextCluster, KubeConfigCluster, KubernetesClustersOptions, ServerCluster } from './options.js';
export { inClusterKubeConfig } from './in-cluster.js';
export { ClusterApiError, FIELD_MANAGER, applyConfiguration } from './apply.js';
export type { BackoffOptions } from './backoff.js';
export type { Topology } from './topology.js';
export { LEGACY_REGION_LABEL, LEGACY_ZONE_LABEL, REGION_LABEL, ZONE_LABEL } from './topology.js';
export { createLeaseElection } from './lease.js';
export type { LeaseElectionOptions } from './lease-options.js';
