// @fedsvc/core/provider: the kit for authors of adapters (a DNS provider, member clusters,
// leader election): the ports, the errors they answer with, and the helpers that keep names,
// addresses and record data in the one form core compares.
export type {
  RecordType,
  RecordSet,
  Routing,
  RoutedMember,
  RoutingLimits,
  Change,
  DnsZone,
  DnsProvider,
  ProviderLimits,
  RequestCost,
  ProviderErrorKind,
  TrafficPolicy,
  TrafficPolicyType,
  MemberClusters,
  ClusterEvent,
  ClusterStatus,
  ClusterHealth,
  ShardStatus,
  ShardAction,
  ServiceManifest,
  LoadBalancerIngress,
  Logger,
} from './types.js';
export type { LeaderElection } from './controller/types.js';
export { ValidationError, ProviderError } from './errors.js';
export { normalizeName, MAX_RECORD_NAME_LENGTH, isDns1123Label, isDns1035Label, isDns1123Subdomain } from './dns/names.js';
export { validateSelector, type LabelSelector } from './placement/selector.js';
export { parseAddress, parseIPv4, parseIPv6, formatIPv6, type Address } from './dns/addresses.js';
export { canonicalRdata, sameRecordSet, sameRdatas, sameRouting } from './dns/rdata.js';
export { batchChanges, changeCost } from './zone/batch.js';
export { applyChangeSet, type ApplyResult } from './zone/apply.js';
export { ADOPTED_BY_ANNOTATION, APPLIED_ANNOTATION, CREATED_BY_ANNOTATION } from './placement/manifest.js';
export { TRANSIENT_NETWORK_CODES, isTransientNetworkError } from './network.js';
export { backoffDelay, backoffStep, sleep, type Backoff, type Jitter } from './backoff.js';
export { positiveInteger, positiveNumber, nonNegativeNumber, fraction } from './numbers.js';
export { DEFAULT_TTL, MAX_TTL, isTtl } from './dns/ttl.js';
export { TRAFFIC_POLICY_TYPES, PLAIN_TRAFFIC_POLICIES, validateTrafficPolicy } from './planning/traffic-policy.js';
