// The Google Cloud DNS adapter of the DnsProvider port: translation only; core decides and retries.
import { createRequire } from 'node:module';
import { DNS, type DNSOptions, type Zone } from '@google-cloud/dns';
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
import { type CloudDnsRrset, fromRrset, normalizeName, toChangeBody, type ChangeBody } from './records.js';

export interface WaitForDoneOptions {
  /** Give up (ProviderError `transient`) when the change is not `done` after this long. Default 120 000. */
  readonly timeoutMs?: number;
  /** Pause between `changes.get` calls; each counts against the project's read quota. Default 2 000. */
  readonly pollIntervalMs?: number;
}

export interface GoogleProviderOptions {
  /** The project holding the managed zones. Default: the credentials' project, then `GOOGLE_CLOUD_PROJECT` / `GCLOUD_PROJECT`. */
  readonly projectId?: string;
  /** A service-account key or external-account (workload identity federation) JSON file. */
  readonly keyFilename?: string;
  /** The contents of such a file. Without this and `keyFilename`: Application Default Credentials. */
  readonly credentials?: DNSOptions['credentials'];
  /**
   * The API host (default `dns.googleapis.com`; the SDK prefixes `https://`). A URL with a scheme,
   * such as `http://127.0.0.1:8080` for a local server, is used as given.
   */
  readonly apiEndpoint?: string;
  /** Record sets per `rrsets.list` page (`maxResults`). Default: as many as the server gives. */
  readonly pageSize?: number;
  /** After each change, poll `changes.get` until it is `done`, so a later change never runs ahead of DNS. Off by default. */
  readonly waitForDone?: boolean | WaitForDoneOptions;
}

export interface GoogleProvider extends DnsProvider {
  readonly dns: DNS;
}

/**
 * Cloud DNS's documented per-change limits: 1,000 additions and 1,000 deletions per change,
 * 100,000 bytes of rrdata per change (and 100 rrdatas per record set). Core counts additions and
 * deletions together, so 1,000 changes per request keeps both lists within their limits; the
 * rrdata count is bounded only through the byte limit. A change is applied all or nothing.
 */
export const GOOGLE_LIMITS: ProviderLimits = {
  maxChangesPerRequest: 1000,
  maxRrdatasPerRequest: 100_000,
  maxRrdataCharsPerRequest: 100_000,
  atomic: true,
};

/** What the SDK's change object (not exported by the package) offers: the status it was created with, and a fresh read. */
interface CreatedChange {
  readonly id?: string;
  readonly metadata?: { readonly status?: string };
  getMetadata(): Promise<[{ readonly status?: string }, ...unknown[]]>;
}

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

/** Bounds every listing loop: far beyond the 10,000 record sets a managed zone may hold. */
const MAX_PAGES = 100_000;

function validate(options: GoogleProviderOptions): void {
  const { pageSize, apiEndpoint, projectId } = options;
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1)) {
    throw new ValidationError('pageSize', pageSize, 'must be a positive integer');
  }
  if (apiEndpoint !== undefined && (typeof apiEndpoint !== 'string' || !/^(https?:\/\/)?[\w.-]+(:\d+)?\/?$/.test(apiEndpoint))) {
    throw new ValidationError('apiEndpoint', apiEndpoint, 'must be a host[:port], or an http(s) URL with no path');
  }
  if (projectId !== undefined && (typeof projectId !== 'string' || !/^[a-z][-a-z0-9.:]{4,62}$/.test(projectId))) {
    throw new ValidationError('projectId', projectId, 'must be a Google Cloud project id such as my-project-123');
  }
  const wait = options.waitForDone;
  if (wait !== undefined && typeof wait !== 'boolean' && (typeof wait !== 'object' || wait === null)) {
    throw new ValidationError('waitForDone', wait, 'must be a boolean or { timeoutMs, pollIntervalMs }');
  }
  if (typeof wait === 'object') {
    for (const field of ['timeoutMs', 'pollIntervalMs'] as const) {
      const value = wait[field];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
        throw new ValidationError(`waitForDone.${field}`, value, 'must be a non-negative number of milliseconds');
      }
    }
  }
}

/**
 * The Google Cloud DNS adapter of the `DnsProvider` port, on `@google-cloud/dns`. It
 * translates; core decides (diff, batching, retries, conflicts). Zone ids are managed-zone
 * names. Every automatic retry of the SDK is turned off: core retries. No credential, token or
 * key is ever logged or put in an error.
 *
 * @param options - `projectId`, `keyFilename` or `credentials` (default: Application Default
 *   Credentials), `apiEndpoint`, `pageSize`, `waitForDone`.
 * @returns The provider, with the SDK's `dns` object it uses.
 * @throws ValidationError (from `@fedsvc/core`) when an option is malformed. Requests fail with
 *   ProviderError, never with SDK errors.
 * @example
 * ```ts
 * const provider = createGoogleProvider({ projectId: 'my-project-123' });
 * const zone = await findZone(provider, { dnsName: 'example.com' });   // or { id: 'example-com' }
 * await reconcileZone({ provider, zone, desired, ownerId: 'prod-federation' });
 * ```
 */
export function createGoogleProvider(options: GoogleProviderOptions = {}): GoogleProvider {
  validate(options);
  const { apiEndpoint, pageSize } = options;
  const wait = options.waitForDone === true ? {} : options.waitForDone || undefined;
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

  async function call<T>(operation: string, run: () => Promise<T>, body?: ChangeBody): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw translateError(e, operation, body);
    }
  }

  async function zones(): Promise<DnsZone[]> {
    const found: DnsZone[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const [list, next] = await call('managedZones.list', () => dns.getZones({ autoPaginate: false, pageToken }));
      found.push(...list.map((zone: Zone) => ({ id: zone.name, dnsName: normalizeName(String(zone.metadata?.dnsName ?? '')) })));
      pageToken = next?.pageToken ?? undefined;
      if (pageToken === undefined) return found;
    }
    throw new ProviderError('google', 'transient', `managedZones.list: still paging after ${MAX_PAGES} pages`);
  }

  async function records(zone: DnsZone): Promise<RecordSet<string>[]> {
    const managed = dns.zone(zone.id);
    const found: RecordSet<string>[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const query = { autoPaginate: false, maxResults: pageSize, pageToken };
      // With autoPaginate off the SDK answers [records, next query or null, API response].
      const [list, next] = (await call(`rrsets.list ${zone.id}`, () => managed.getRecords(query))) as unknown as [
        { metadata: CloudDnsRrset }[],
        { pageToken?: string } | null,
      ];
      found.push(...list.map((record) => fromRrset(record.metadata)));
      const token = next?.pageToken;
      if (token === undefined) return found;
      if (token === pageToken) throw new ProviderError('google', 'transient', `rrsets.list ${zone.id}: the same page token twice`);
      pageToken = token;
    }
    throw new ProviderError('google', 'transient', `rrsets.list ${zone.id}: still paging after ${MAX_PAGES} pages`);
  }

  async function applyChanges(zone: DnsZone, changes: readonly Change[]): Promise<void> {
    if (changes.length === 0) return;
    const managed = dns.zone(zone.id);
    const body = toChangeBody(changes);
    const record = (r: RecordSet<string>) => managed.record(r.type, { name: r.name, ttl: r.ttl, data: [...r.rrdatas] });
    const [change] = await call(
      `changes.create ${zone.id}`,
      () => managed.createChange({ add: body.additions.map(record), delete: body.deletions.map(record) }),
      body,
    );
    if (wait) await waitDone(change, zone, wait);
  }

  async function waitDone(change: CreatedChange, zone: DnsZone, settings: WaitForDoneOptions): Promise<void> {
    const timeoutMs = settings.timeoutMs ?? 120_000;
    const interval = settings.pollIntervalMs ?? 2_000;
    const deadline = Date.now() + timeoutMs;
    let status = change.metadata?.status;
    for (;;) {
      if (status === 'done') return;
      if (Date.now() + interval > deadline) {
        // The change is applied but not yet served everywhere; stopping here keeps a later change
        // (say, a CNAME to a name this one created) from being published ahead of it.
        throw new ProviderError('google', 'transient', `change ${String(change.id)} to zone ${zone.id} not done after ${timeoutMs} ms`);
      }
      await sleep(interval);
      const [metadata] = await call(`changes.get ${zone.id}/${String(change.id)}`, () => change.getMetadata());
      status = metadata.status;
    }
  }

  return { name: 'google', limits: GOOGLE_LIMITS, dns, zones, records, applyChanges };
}
