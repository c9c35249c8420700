export {
  createGoogleProvider,
  GOOGLE_LIMITS,
  type GoogleProvider,
  type GoogleProviderOptions,
  type WaitForDoneOptions,
} from './provider.js';
export { translateError } from './errors.js';
