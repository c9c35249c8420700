export { createRoute53Provider, ROUTE53_LIMITS, type Route53Provider } from './provider.js';
export type { Route53ProviderOptions, WaitForInSyncOptions } from './options.js';
export { translateError } from './errors.js';
export { aliasRequestCost } from './aliases.js';
