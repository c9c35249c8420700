export { createKubernetesClusters, type KubernetesClusters } from './clusters.js';
export type { ClusterSource, ContextCluster, KubernetesClustersOptions, ServerCluster } from './options.js';
export { ClusterApiError, FIELD_MANAGER, applyConfiguration } from './apply.js';
export type { BackoffOptions } from './backoff.js';
export type { Topology } from './topology.js';
export { LEGACY_REGION_LABEL, LEGACY_ZONE_LABEL, REGION_LABEL, ZONE_LABEL } from './topology.js';
export { createLeaseElection } from './lease.js';
export type { LeaseElectionOptions } from './lease-options.js';
export { type CrdManifest, crdManifests } from './crds.js';
