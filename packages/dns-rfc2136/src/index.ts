export { createRfc2136Provider, RFC2136_LIMITS, type Rfc2136ProviderOptions } from './provider.js';
export { translateError } from './errors.js';
export { TsigError, type TsigAlgorithm, type TsigKey } from './tsig.js';
