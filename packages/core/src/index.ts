export type * from './types.js';
export { ValidationError, ProviderError } from './errors.js';

// -- planning (pure): names, validation, plan, in-cluster resolution, status
// -- diff (pure): ownership, diff, batching, applying a change set to a record list
// -- providers: zone lookup, retry, reconcile
// -- controller: placement (pure), controller, in-memory member clusters
