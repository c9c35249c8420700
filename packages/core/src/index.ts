// @fedsvc/core for application code: plan a federation's records, reconcile a zone, run the
// controller. Adapter authors import `@fedsvc/core/provider`; tests import `@fedsvc/core/testing`.
export type * from './types.js';
export { ValidationError, ProviderError } from './errors.js';

// -- planning (pure): names, validation, plan, in-cluster resolution, status
export { normalizeName, MAX_RECORD_NAME_LENGTH, type ServiceNames } from './dns/names.js';
export {
  ownershipRecord,
  ownershipRecordName,
  ownershipSubject,
  markerOwner,
  readMarker,
  DEFAULT_MARKER_PREFIX,
  type MarkerContent,
} from './dns/ownership.js';
export { DEFAULT_TTL, MAX_TTL, isTtl } from './dns/ttl.js';
export {
  planServiceRecords,
  planFederation,
  recordNames,
  parseRecordName,
  isShardHealthy,
  type RecordNameParts,
} from './planning/plan.js';
export { TRAFFIC_POLICY_TYPES } from './planning/traffic-policy.js';
export { aggregateServiceStatus, type FederatedServiceStatus } from './planning/status.js';
// -- the zone: diff (pure), zone lookup, reconcile with retry
export { diffRecords, type DiffOptions } from './zone/diff.js';
export { applyPolicy, POLICIES, type Policy, type PolicyOutcome } from './zone/policy.js';
export { findZone, AmbiguousZoneError, type ZoneSelector } from './zone/find-zone.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './zone/retry.js';
export { reconcileZone, type ReconcileOptions } from './zone/reconcile.js';
export { UnwrittenRecordsError, type ReconcileReport } from './zone/report.js';
// -- placement (pure) and the controller
export { placeShards, clusterSelection, type FederatedService, type PlacementInput } from './placement/placement.js';
export type { ShardOverride } from './placement/overrides.js';
export { selectorMatches, type LabelSelector } from './placement/selector.js';
export { desiredManifest, ADOPTED_BY_ANNOTATION, APPLIED_ANNOTATION, CREATED_BY_ANNOTATION } from './placement/manifest.js';
export { createController, FederationController } from './controller/controller.js';
export { formatChanges } from './controller/format.js';
export { dnsResolver } from './controller/system-resolver.js';
export type {
  LeaderElection,
  ControllerOptions,
  ControllerEvents,
  ServiceKey,
  ClusterView,
  ServiceStatusView,
  ServiceDnsView,
  ShardChange,
  ResyncStatusView,
} from './controller/types.js';
export type { ResyncPeriod } from './controller/resync.js';
