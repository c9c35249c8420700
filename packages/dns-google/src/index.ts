export { createGoogleProvider, GOOGLE_LIMITS, type GoogleProvider, type GoogleProviderOptions } from './provider.js';
export { translateError } from './errors.js';
