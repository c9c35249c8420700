export { createGoogleProvider, GOOGLE_LIMITS, type GoogleProvider } from './provider.js';
export type { GoogleProviderOptions, WaitForDoneOptions } from './options.js';
export { translateError } from './errors.js';
