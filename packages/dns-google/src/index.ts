export { createGoogleProvider, GOOGLE_LIMITS, GOOGLE_TRAFFIC_POLICIES, type GoogleProvider } from './provider.js';
export { CLOUD_DNS_GEO_LOCATIONS, GOOGLE_ROUTING } from './locations.js';
export type { GoogleProviderOptions, WaitForDoneOptions } from './options.js';
export { translateError } from './errors.js';
