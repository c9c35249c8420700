// `@fedsvc/dns-rfc2136/wire`: the DNS message codec and TSIG, for code that speaks DNS itself
// (a responder answering queries, a test server).
export * from './wire.js';
export { rdataFromText, rdataToText, typeCode, typeName } from './rdata.js';
export {
  DEFAULT_FUDGE,
  TsigError,
  TsigErrorCode,
  TsigVerifier,
  isTsigAlgorithm,
  parseTsigFields,
  signRequest,
  signResponse,
  tsigErrorName,
  verifyRequest,
  type Signed,
  type SignOptions,
  type TsigAlgorithm,
  type TsigFields,
  type TsigKey,
} from './tsig.js';
