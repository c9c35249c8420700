export {
  createRoute53Provider,
  ROUTE53_LIMITS,
  type Route53Provider,
  type Route53ProviderOptions,
  type WaitForInSyncOptions,
} from './provider.js';
export { translateError } from './errors.js';
export { aliasRequestCost } from './aliases.js';
