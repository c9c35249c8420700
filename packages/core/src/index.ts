export type * from './types.js';
export { ValidationError, ProviderError } from './errors.js';

// -- planning (pure): names, validation, plan, in-cluster resolution, status
export { normalizeName, MAX_RECORD_NAME_LENGTH, type ServiceNames } from './names.js';
export { DEFAULT_TTL } from './validate.js';
export { planServiceRecords, planFederation, recordNames, isShardHealthy } from './plan.js';
export { resolveFederatedQuery, type FederatedQueryContext, type FederatedAnswer } from './resolve.js';
export { aggregateServiceStatus, type FederatedServiceStatus } from './status.js';
// -- diff (pure): ownership, diff, batching, applying a change set to a record list
// -- providers: zone lookup, retry, reconcile
// -- controller: placement (pure), controller, in-memory member clusters
