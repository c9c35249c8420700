// The @google-cloud/dns SDK as the adapter uses it: a client for the options given, each request
// sent once by the adapter's transport, with a deadline.
import { createRequire } from 'node:module';
import { DNS } from '@google-cloud/dns';
import type { GoogleProviderOptions } from './options.js';
import { withDeadline } from './transport.js';

/** The part of `@google-cloud/common` (the SDK's transport) the adapter uses: its answer to a response. */
interface SdkCommon {
  readonly util: { readonly handleResp: Parameters<typeof withDeadline>[1] };
}

/** The copy of `@google-cloud/common` that `@google-cloud/dns` itself loads (not a dependency of ours). */
function sdkCommon(): SdkCommon {
  const dnsEntry = createRequire(import.meta.url).resolve('@google-cloud/dns');
  return createRequire(dnsEntry)('@google-cloud/common') as SdkCommon;
}

/** Default of `requestTimeoutMs`: how long one request may take, its authorisation included. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The SDK's client for `options`: their credentials and project, at their API endpoint, each
 * request sent once and given `requestTimeoutMs`.
 *
 * Every request is sent by the adapter's own transport (`withDeadline`), once. The SDK would
 * retry through `retry-request` (3 times after a 429/5xx or a connection error, with 2 s, 4 s,
 * 8 s waits); core's reconcile already retries throttled and transient requests with jittered
 * backoff in a bounded budget, and retries underneath would multiply that, and blindly resend a
 * change whose answer was lost.
 */
export function createDns(options: GoogleProviderOptions): DNS {
  const { apiEndpoint } = options;
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const url = apiEndpoint !== undefined && /^https?:\/\//.test(apiEndpoint) ? apiEndpoint.replace(/\/$/, '') : undefined;
  const dns = new DNS({
    projectId: options.projectId,
    keyFilename: options.keyFilename,
    credentials: options.credentials,
    apiEndpoint: url === undefined ? apiEndpoint : new URL(url).host,
  });
  // The SDK puts this on every request (its constructor's types leave it out), and hands it to a
  // fetch that ignores it; the transport below makes it each request's deadline.
  dns.timeout = timeoutMs;
  // The SDK always prefixes https://; a local server is reached over plain http.
  if (url !== undefined) dns.baseUrl = `${url}/dns/v1`;
  const { util } = sdkCommon();
  dns.makeAuthenticatedRequest = withDeadline(dns.makeAuthenticatedRequest, util.handleResp.bind(util), timeoutMs);
  return dns;
}
