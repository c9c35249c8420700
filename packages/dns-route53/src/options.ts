// The options of createRoute53Provider, and their validation before anything is built or sent.
import type { Route53Client, Route53ClientConfig } from '@aws-sdk/client-route-53';
import { positiveNumber, ValidationError } from '@fedsvc/core/provider';

export interface WaitForInSyncOptions {
  /** Give up (ProviderError `transient`) when the change is not INSYNC after this long. Default 120 000. */
  readonly timeoutMs?: number;
  /** Pause between GetChange calls; each counts against the account's 5 requests/second. Default 2 000. */
  readonly pollIntervalMs?: number;
}

export interface Route53ProviderOptions {
  /**
   * A client you configured. Give it `maxAttempts: 1`: core's reconcile retries whole batches
   * with jittered backoff, and SDK retries underneath would multiply the attempts.
   */
  readonly client?: Route53Client;
  /** Used to build the client when `client` is absent (default credential chain unless `credentials` given). */
  readonly clientConfig?: Route53ClientConfig;
  /** Only these hosted zones (ids, with or without `/hostedzone/`), read by GetHostedZone: for credentials without ListHostedZones. */
  readonly hostedZoneIds?: readonly string[];
  /** After each change batch, poll GetChange until INSYNC, so a later batch never runs ahead of DNS. Off by default. */
  readonly waitForInSync?: boolean | WaitForInSyncOptions;
  /** Record sets per ListResourceRecordSets page, 1…300 (Route 53's maximum and default). */
  readonly pageSize?: number;
  /**
   * Write AWS load-balancer hostnames as alias targets (weighted alias records) instead of having
   * them resolved to addresses: the provider then has `canAlias`. Off by default.
   */
  readonly aliases?: boolean;
  /**
   * When the provider builds the client and `clientConfig` has no `requestHandler`: each request
   * fails (ProviderError `transient`) when it has had no response after this long, or its socket
   * has been idle this long; connecting may take at most 5 000 of it. Core's reconcile retries.
   * Default 10 000; a positive number of milliseconds.
   */
  readonly requestTimeoutMs?: number;
  /**
   * The account's Route 53 API rate, in requests per second: every request of every client of the
   * account counts against it. Route 53 documents 5. Default 5; a positive number.
   */
  readonly requestsPerSecond?: number;
  /**
   * The share of `requestsPerSecond` that full reads of a zone may use, so that writes and other
   * tools keep the rest: `readInterval` spreads a zone's full reads to stay within it. Default 0.2
   * (one fifth); above 0, at most 1.
   */
  readonly listingShare?: number;
}

/** Route 53's documented API rate per account: 5 requests per second. */
export const DEFAULT_REQUESTS_PER_SECOND = 5;
/** The share of the account's rate full reads may use by default: one fifth. */
export const DEFAULT_LISTING_SHARE = 0.2;

/** Route 53's largest ListResourceRecordSets page, and the default page size. */
export const MAX_PAGE = 300;

function validateClientOptions(options: Route53ProviderOptions): void {
  if (options.client !== undefined && options.clientConfig !== undefined) {
    throw new ValidationError('clientConfig', '(client config)', 'give either client or clientConfig, not both');
  }
  if (
    options.requestTimeoutMs !== undefined &&
    (typeof options.requestTimeoutMs !== 'number' || !Number.isFinite(options.requestTimeoutMs) || options.requestTimeoutMs <= 0)
  ) {
    throw new ValidationError('requestTimeoutMs', options.requestTimeoutMs, 'must be a positive number of milliseconds');
  }
  if (options.requestTimeoutMs !== undefined && (options.client !== undefined || options.clientConfig?.requestHandler !== undefined)) {
    throw new ValidationError(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      'applies only to the request handler the provider builds: set the timeouts on your own client or requestHandler',
    );
  }
}

function validateWaitForInSync(wait: Route53ProviderOptions['waitForInSync']): void {
  if (typeof wait !== 'object') return;
  for (const field of ['timeoutMs', 'pollIntervalMs'] as const) {
    const value = wait[field];
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new ValidationError(`waitForInSync.${field}`, value, 'must be a non-negative number of milliseconds');
    }
  }
}

/** Throws ValidationError for the first malformed option. */
export function validateOptions(options: Route53ProviderOptions): void {
  if (options.pageSize !== undefined && (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > MAX_PAGE)) {
    throw new ValidationError('pageSize', options.pageSize, `must be an integer from 1 to ${MAX_PAGE}`);
  }
  if (options.aliases !== undefined && typeof options.aliases !== 'boolean') {
    throw new ValidationError('aliases', options.aliases, 'must be true or false');
  }
  validateClientOptions(options);
  options.hostedZoneIds?.forEach((id, i) => {
    if (typeof id !== 'string' || !/^(\/hostedzone\/)?[A-Z0-9]+$/.test(id)) {
      throw new ValidationError(`hostedZoneIds[${i}]`, id, 'must be a Route 53 hosted zone id such as Z1D633PJN98FT9');
    }
  });
  validateWaitForInSync(options.waitForInSync);
  if (options.requestsPerSecond !== undefined) positiveNumber('requestsPerSecond', options.requestsPerSecond);
  const share = options.listingShare;
  if (share !== undefined && (typeof share !== 'number' || !(share > 0 && share <= 1))) {
    throw new ValidationError('listingShare', share, 'must be a number above 0 and at most 1');
  }
}
