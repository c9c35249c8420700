// The Route 53 adapter of the DnsProvider port: translation only; core decides and retries.
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Change, DnsProvider, ProviderLimits, TrafficPolicyType } from '@fedsvc/core/provider';
import type { RecordsAsRead } from './aliases.js';
import { applyChanges } from './change-batches.js';
import { buildClient } from './client.js';
import { listRecords, listZones } from './listing.js';
import { loadBalancerTarget } from './load-balancers.js';
import { normalizeZoneName } from './names.js';
import { route53RequestCost } from './request-cost.js';
import { ROUTE53_ROUTING } from './routed.js';
import { DEFAULT_LISTING_SHARE, DEFAULT_REQUESTS_PER_SECOND, MAX_PAGE, type Route53ProviderOptions, validateOptions } from './options.js';

export interface Route53Provider extends DnsProvider {
  readonly client: Route53Client;
  /** Releases the client's connections when the provider built the client. */
  close(): void;
}

/**
 * Route 53's documented request limits: 1,000 ResourceRecord elements and 32,000 value
 * characters per ChangeResourceRecordSets. Updates are sent as DELETE + CREATE, which is what
 * core's cost model counts (two changes, both sides' rrdatas); no UPSERT is ever sent.
 */
export const ROUTE53_LIMITS: ProviderLimits = {
  maxChangesPerRequest: 1000,
  maxRrdatasPerRequest: 1000,
  maxRrdataCharsPerRequest: 32_000,
  atomic: true,
};

/**
 * The traffic policies Route 53 writes: the plain ones, `nearest` as latency records and
 * `weighted` as weighted records.
 */
export const ROUTE53_TRAFFIC_POLICIES: readonly TrafficPolicyType[] = Object.freeze(['all', 'failover', 'nearest', 'weighted']);

/**
 * The AWS Route 53 adapter of the `DnsProvider` port, on `@aws-sdk/client-route-53`. It
 * translates; core decides (diff, batching, retries, conflicts). Updates are sent as DELETE
 * (as read) + CREATE in one atomic batch, never UPSERT, so a record someone changed since the
 * read fails the batch as a conflict instead of being overwritten. SDK retries are off: core
 * retries. It writes every traffic policy (`ROUTE53_TRAFFIC_POLICIES`): `nearest` as latency
 * records and `weighted` as weighted records, one per member of a routed set (`routing`:
 * `ROUTE53_ROUTING`), and `requestCost` counts each member record as Route 53 does.
 *
 * @param options - `clientConfig` or your own `client`, `requestTimeoutMs`, `hostedZoneIds`
 *   (for credentials without ListHostedZones), `waitForInSync`, `pageSize`, `aliases`
 *   (publish AWS load-balancer hostnames as weighted alias records instead of addresses), and
 *   `requestsPerSecond` and `listingShare` (the account's API rate, and the share of it full
 *   reads may use: `readInterval`).
 * @returns The provider, with the `client` it uses and `close()` to release the client's
 *   connections when it built the client.
 * @throws ValidationError (from `@fedsvc/core`) when an option is malformed, or `client` and
 *   `clientConfig` are both given. Requests fail with ProviderError, never with SDK errors.
 * @example
 * ```ts
 * // Credentials and region from the SDK's default chain.
 * const provider = createRoute53Provider({ waitForInSync: true });
 * const zone = await findZone(provider, { dnsName: 'example.com' });
 * await reconcileZone({ provider, zone, desired, ownerId: 'prod-federation' });
 * provider.close();
 * ```
 */
export function createRoute53Provider(options: Route53ProviderOptions = {}): Route53Provider {
  validateOptions(options);
  const ownsClient = options.client === undefined;
  const client = options.client ?? buildClient(options.clientConfig ?? {}, options.requestTimeoutMs);
  const pageSize = options.pageSize ?? MAX_PAGE;
  const wait = options.waitForInSync === true ? {} : options.waitForInSync || undefined;
  const asRead: RecordsAsRead = new WeakMap();
  const pages = new Map<string, number>();
  const listingRate = (options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND) * (options.listingShare ?? DEFAULT_LISTING_SHARE);
  return {
    name: 'route53',
    limits: ROUTE53_LIMITS,
    client,
    zones: () => listZones(client, options.hostedZoneIds),
    records: (zone) => listRecords(client, zone, pageSize, asRead, pages),
    // The pages of the zone's last full read, at the listing's share of the account's rate; 0
    // before any read (the first read is not held back: nothing is known of the zone's size).
    readInterval: (zone) => ((pages.get(zone.id) ?? 0) / listingRate) * 1000,
    applyChanges: (zone, changes) => applyChanges(client, zone, changes, asRead, wait),
    requestCost: (change: Change) => route53RequestCost(change, asRead, options.aliases === true),
    trafficPolicies: ROUTE53_TRAFFIC_POLICIES,
    routing: ROUTE53_ROUTING,
    // Without aliases there is no canAlias key at all, not one holding undefined (`'canAlias' in provider` is false).
    ...(options.aliases === true ? { canAlias: (hostname: string) => loadBalancerTarget(normalizeZoneName(hostname)) !== undefined } : {}),
    close() {
      if (ownsClient) client.destroy();
    },
  };
}
