export { createRfc2136Provider, RFC2136_LIMITS } from './provider.js';
export type { Rfc2136ProviderOptions } from './options.js';
export { translateError } from './errors.js';
export { TsigError, type TsigAlgorithm, type TsigKey } from './tsig.js';
