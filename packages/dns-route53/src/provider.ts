// The Route 53 adapter of the DnsProvider port: translation only; core decides and retries.
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  type HostedZone,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
  Route53Client,
  type Route53ClientConfig,
} from '@aws-sdk/client-route-53';
import {
  ProviderError,
  ValidationError,
  sleep,
  type Change,
  type DnsProvider,
  type DnsZone,
  type ProviderLimits,
  type RecordSet,
} from '@fedsvc/core/provider';
import { translateError } from './errors.js';
import { aliasRequestCost, type RecordsAsRead } from './aliases.js';
import { loadBalancerTarget } from './load-balancers.js';
import { normalizeZoneName } from './names.js';
import { fromResourceRecordSets, stripIdPrefix, toRoute53Changes } from './records.js';

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
}

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

const MAX_PAGE = 300;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const MAX_CONNECT_MS = 5_000;
/** Bounds every listing loop: 10 000 pages of 300 is far beyond any hosted zone's record-set quota. */
const MAX_PAGES = 10_000;

function validate(options: Route53ProviderOptions): void {
  if (options.pageSize !== undefined && (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > MAX_PAGE)) {
    throw new ValidationError('pageSize', options.pageSize, `must be an integer from 1 to ${MAX_PAGE}`);
  }
  if (options.aliases !== undefined && typeof options.aliases !== 'boolean') {
    throw new ValidationError('aliases', options.aliases, 'must be true or false');
  }
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
  options.hostedZoneIds?.forEach((id, i) => {
    if (typeof id !== 'string' || !/^(\/hostedzone\/)?[A-Z0-9]+$/.test(id)) {
      throw new ValidationError(`hostedZoneIds[${i}]`, id, 'must be a Route 53 hosted zone id such as Z1D633PJN98FT9');
    }
  });
  const wait = options.waitForInSync;
  if (typeof wait === 'object') {
    for (const field of ['timeoutMs', 'pollIntervalMs'] as const) {
      const value = wait[field];
      if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
        throw new ValidationError(`waitForInSync.${field}`, value, 'must be a non-negative number of milliseconds');
      }
    }
  }
}

function toZone(zone: HostedZone | undefined): DnsZone {
  return { id: stripIdPrefix(zone?.Id ?? ''), dnsName: normalizeZoneName(zone?.Name ?? '') };
}

/**
 * The AWS Route 53 adapter of the `DnsProvider` port, on `@aws-sdk/client-route-53`. It
 * translates; core decides (diff, batching, retries, conflicts). Updates are sent as DELETE
 * (as read) + CREATE in one atomic batch, never UPSERT, so a record someone changed since the
 * read fails the batch as a conflict instead of being overwritten. SDK retries are off: core
 * retries.
 *
 * @param options - `clientConfig` or your own `client`, `requestTimeoutMs`, `hostedZoneIds`
 *   (for credentials without ListHostedZones), `waitForInSync`, `pageSize`, and `aliases`
 *   (publish AWS load-balancer hostnames as weighted alias records instead of addresses).
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
  validate(options);
  const ownsClient = options.client === undefined;
  const config = options.clientConfig ?? {};
  // Route 53 is a global service signed in us-east-1 unless the caller says otherwise.
  // SDK retries are off: core's reconcile already retries throttled/transient batches with
  // jittered exponential backoff in a bounded budget; the SDK's own retries would multiply that.
  // The SDK's handler has no connect or request timeout of its own, and its `requestTimeout` only
  // warns unless `throwOnRequestTimeout` is set: one stalled call would hold the zone's pass (and
  // every DNS write queued behind it) until the OS gave up on the socket.
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const requestHandler = config.requestHandler ?? {
    connectionTimeout: Math.min(timeoutMs, MAX_CONNECT_MS),
    requestTimeout: timeoutMs,
    throwOnRequestTimeout: true,
    // The request timeout ends with the response's headers; a body that stalls is caught here.
    socketTimeout: timeoutMs,
  };
  const client = options.client ?? new Route53Client({ region: 'us-east-1', ...config, requestHandler, maxAttempts: 1 });
  const pageSize = options.pageSize ?? MAX_PAGE;
  const wait = options.waitForInSync === true ? {} : options.waitForInSync || undefined;
  const asRead: RecordsAsRead = new WeakMap();

  async function call<T>(operation: string, run: () => Promise<T>, batch: readonly RecordSet<string>[] = []): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw translateError(e, operation, batch);
    }
  }

  async function listZones(): Promise<DnsZone[]> {
    if (options.hostedZoneIds) {
      const found: DnsZone[] = [];
      for (const id of options.hostedZoneIds) {
        const out = await call(`GetHostedZone ${stripIdPrefix(id)}`, () =>
          client.send(new GetHostedZoneCommand({ Id: stripIdPrefix(id) })),
        );
        found.push(toZone(out.HostedZone));
      }
      return found;
    }
    const zones: DnsZone[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const out = await call('ListHostedZones', () => client.send(new ListHostedZonesCommand({ Marker: marker })));
      zones.push(...(out.HostedZones ?? []).map(toZone));
      if (!out.IsTruncated || !out.NextMarker) return zones;
      marker = out.NextMarker;
    }
    throw new ProviderError('route53', 'transient', `ListHostedZones: still truncated after ${MAX_PAGES} pages`);
  }

  async function listRecords(zone: DnsZone): Promise<RecordSet<string>[]> {
    const sets: ResourceRecordSet[] = [];
    let start: Pick<ListResourceRecordSetsCommandInput, 'StartRecordName' | 'StartRecordType' | 'StartRecordIdentifier'> = {};
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const input: ListResourceRecordSetsCommandInput = { HostedZoneId: zone.id, MaxItems: pageSize, ...start };
      const out = await call(`ListResourceRecordSets ${zone.id}`, () => client.send(new ListResourceRecordSetsCommand(input)));
      sets.push(...(out.ResourceRecordSets ?? []));
      if (!out.IsTruncated) return fromResourceRecordSets(sets, asRead);
      const next = {
        StartRecordName: out.NextRecordName,
        StartRecordType: out.NextRecordType,
        StartRecordIdentifier: out.NextRecordIdentifier,
      };
      // Routing-policy sets share a name and type, so a page may end between two of them: the
      // identifier alone then moves the position on.
      const same =
        next.StartRecordName === start.StartRecordName &&
        next.StartRecordType === start.StartRecordType &&
        next.StartRecordIdentifier === start.StartRecordIdentifier;
      if (next.StartRecordName === undefined || same) {
        throw new ProviderError(
          'route53',
          'transient',
          `ListResourceRecordSets ${zone.id}: truncated page without a new position to continue from`,
        );
      }
      start = next;
    }
    throw new ProviderError('route53', 'transient', `ListResourceRecordSets ${zone.id}: still truncated after ${MAX_PAGES} pages`);
  }

  async function waitInSync(changeId: string, zone: DnsZone, settings: WaitForInSyncOptions): Promise<void> {
    const timeoutMs = settings.timeoutMs ?? 120_000;
    const interval = settings.pollIntervalMs ?? 2_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const out = await call(`GetChange ${changeId}`, () => client.send(new GetChangeCommand({ Id: changeId })));
      if (out.ChangeInfo?.Status === 'INSYNC') return;
      if (Date.now() + interval > deadline) {
        // The batch is applied but not yet served everywhere; stopping here keeps a later batch
        // (say, a CNAME to a name this one created) from being published ahead of it.
        throw new ProviderError('route53', 'transient', `change ${changeId} to zone ${zone.id} not INSYNC after ${timeoutMs} ms`);
      }
      await sleep(interval);
    }
  }

  async function applyChanges(zone: DnsZone, changes: readonly Change[]): Promise<void> {
    const batch = changes.flatMap((c) => (c.kind === 'update' ? [c.before, c.record] : [c.record]));
    const body = toRoute53Changes(changes, asRead);
    // An ALIAS update that changes only what Route 53 does not store (its ttl, with no addresses) is no change.
    if (body.length === 0) return;
    const out = await call(
      `ChangeResourceRecordSets ${zone.id}`,
      () =>
        client.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zone.id,
            ChangeBatch: { Comment: 'fedsvc', Changes: body },
          }),
        ),
      batch,
    );
    if (wait && out.ChangeInfo?.Id) await waitInSync(stripIdPrefix(out.ChangeInfo.Id), zone, wait);
  }

  return {
    name: 'route53',
    limits: ROUTE53_LIMITS,
    client,
    zones: listZones,
    records: listRecords,
    applyChanges,
    // Without aliases there is no canAlias key at all, not one holding undefined (`'canAlias' in provider` is false).
    ...(options.aliases === true
      ? { canAlias: (hostname: string) => loadBalancerTarget(normalizeZoneName(hostname)) !== undefined, requestCost: aliasRequestCost }
      : {}),
    close() {
      if (ownsClient) client.destroy();
    },
  };
}
