export { createRoute53Provider, ROUTE53_LIMITS, ROUTE53_TRAFFIC_POLICIES, type Route53Provider } from './provider.js';
export { LATENCY_REGIONS, ROUTE53_ROUTING } from './routed.js';
export type { Route53ProviderOptions, WaitForInSyncOptions } from './options.js';
export { translateError } from './errors.js';
export { aliasRequestCost } from './aliases.js';
