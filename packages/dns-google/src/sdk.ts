// The @google-cloud/dns SDK as the adapter uses it: a client for the options given, with every
// automatic retry of the SDK's own turned off.
import { createRequire } from 'node:module';
import { DNS } from '@google-cloud/dns';
import type { GoogleProviderOptions } from './options.js';

/** The request options the SDK's interceptors see (it always sets `uri`). */
type SdkRequest = ReturnType<DNS['interceptors'][number]['request']>;

/** The part of `@google-cloud/common` (the SDK's transport) used to build a request function without retries. */
interface SdkCommon {
  readonly util: {
    makeAuthenticatedRequestFactory(config: {
      readonly projectId: string;
      readonly projectIdRequired: boolean;
      readonly authClient: DNS['authClient'];
      readonly retryOptions: { readonly autoRetry: false };
    }): DNS['makeAuthenticatedRequest'];
  };
}

/** The copy of `@google-cloud/common` that `@google-cloud/dns` itself loads (not a dependency of ours). */
function sdkCommon(): SdkCommon {
  const dnsEntry = createRequire(import.meta.url).resolve('@google-cloud/dns');
  return createRequire(dnsEntry)('@google-cloud/common') as SdkCommon;
}

/**
 * Turns off every automatic retry of the SDK, for reads and writes, after an error status or
 * with no answer at all. The SDK (`@google-cloud/common`'s `util.makeRequest`) retries through
 * `retry-request` — `retries` after a 429/5xx and `noResponseRetries` after a connection error,
 * each 3 by default with 2 s, 4 s, 8 s waits — and only `retryOptions.autoRetry: false` in the
 * request function's config sets both to 0. `new DNS({ autoRetry, maxRetries, retryOptions })`
 * never reaches that config (common's `Service` constructor copies only the auth fields of the
 * options), and a request's own `maxRetries` sets `retries` alone. So the request function is
 * rebuilt with the same auth client and project, plus `retryOptions: { autoRetry: false }`.
 */
function disableSdkRetries(dns: DNS): void {
  const projectIdRequired = (dns as unknown as { projectIdRequired?: unknown }).projectIdRequired !== false;
  const request = sdkCommon().util.makeAuthenticatedRequestFactory({
    projectId: dns.projectId,
    projectIdRequired,
    authClient: dns.authClient,
    retryOptions: { autoRetry: false },
  });
  // Same credentials: the factory takes a GoogleAuth as is, unless it is from another copy of
  // google-auth-library than common's, when it would build a second one. Refuse that.
  if ((request as { authClient?: unknown }).authClient !== dns.authClient) {
    throw new Error("@google-cloud/dns: cannot turn the SDK's retries off (its auth client is not the one common expects)");
  }
  dns.makeAuthenticatedRequest = request;
  // A request's own `maxRetries` overrides the status retries again: keep it 0 as well.
  dns.interceptors.push({ request: (options) => Object.assign(options as SdkRequest, { maxRetries: 0 }) });
}

/** The SDK's client for `options`: their credentials and project, at their API endpoint, without retries. */
export function createDns(options: GoogleProviderOptions): DNS {
  const { apiEndpoint } = options;
  const url = apiEndpoint !== undefined && /^https?:\/\//.test(apiEndpoint) ? apiEndpoint.replace(/\/$/, '') : undefined;
  const dns = new DNS({
    projectId: options.projectId,
    keyFilename: options.keyFilename,
    credentials: options.credentials,
    apiEndpoint: url === undefined ? apiEndpoint : new URL(url).host,
  });
  // The SDK always prefixes https://; a local server is reached over plain http.
  if (url !== undefined) dns.baseUrl = `${url}/dns/v1`;
  // SDK retries are off: core's reconcile retries throttled/transient requests with jittered
  // exponential backoff in a bounded budget, and retries underneath would multiply that (and
  // would blindly resend a change whose answer was lost).
  disableSdkRetries(dns);
  return dns;
}
