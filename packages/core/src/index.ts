export type * from './types.js';
export { ValidationError, ProviderError } from './errors.js';

// -- planning (pure): names, validation, plan, in-cluster resolution, status
export { parseAddress, parseIPv4, parseIPv6, formatIPv6, type Address } from './addresses.js';
export { normalizeName, MAX_RECORD_NAME_LENGTH, type ServiceNames } from './names.js';
export { DEFAULT_TTL } from './validate.js';
export { planServiceRecords, planFederation, recordNames, isShardHealthy } from './plan.js';
export { resolveFederatedQuery, type FederatedQueryContext, type FederatedAnswer } from './resolve.js';
export { aggregateServiceStatus, type FederatedServiceStatus } from './status.js';
// -- diff (pure): ownership, diff, batching, applying a change set to a record list
export { ownershipRecord, ownershipRecordName, ownershipSubject, markerOwner, validateOwnerId } from './ownership.js';
export { diffRecords, type DiffOptions } from './diff.js';
export { batchChanges, changeCost, changeGroups } from './batch.js';
export { applyChangeSet, type ApplyResult } from './apply.js';
export { canonicalRdata, sameRecordSet, sameRdatas } from './rdata.js';
// -- providers: zone lookup, retry, reconcile
export { findZone, AmbiguousZoneError, type ZoneSelector } from './zones.js';
export { withRetry, backoffDelay, retryPolicy, DEFAULT_RETRY_POLICY, RETRYABLE_KINDS, type RetryPolicy, type RetryOptions } from './retry.js';
export { reconcileZone, UnwrittenRecordsError, MAX_REPLANS, type ReconcileOptions, type ReconcileReport } from './reconcile.js';
// -- controller: placement (pure), controller, in-memory member clusters
export {
  placeShards, selectorMatches, validateSelector, createdBy, desiredManifest, changedFields, APPLIED_ANNOTATION, CREATED_BY_ANNOTATION, CLUSTER_OWNED_FIELDS,
  type FederatedService, type LabelSelector, type PlacementInput,
} from './placement.js';
export { MemoryClusters, serverSideApply, type MemoryClusterInit } from './memory-clusters.js';
export { createController, FederationController } from './controller/controller.js';
export { decideFailStatic, type FailStaticInput, type FailStaticDecision } from './controller/fail-static.js';
export { formatChanges } from './controller/format.js';
export { dnsResolver } from './controller/system-resolver.js';
export type {
  LeaderElection, ControllerOptions, ControllerEvents, ServiceKey, ClusterView, ServiceStatusView,
} from './controller/types.js';
