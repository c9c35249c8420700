// The Google Cloud DNS adapter of the DnsProvider port: translation only; core decides and retries.
import type { DNS, Zone } from '@google-cloud/dns';
import {
  ProviderError,
  sleep,
  type Change,
  type DnsProvider,
  type DnsZone,
  type ProviderLimits,
  type RecordSet,
  type TrafficPolicyType,
} from '@fedsvc/core/provider';
import { translateError } from './errors.js';
import { type GoogleProviderOptions, validate, type WaitForDoneOptions } from './options.js';
import { type CloudDnsRrset, fromRrset, normalizeName, toChangeBody, toSdkRrset, type ChangeBody } from './records.js';
import { GOOGLE_ROUTING } from './locations.js';
import { requestCost } from './routing.js';
import { createDns } from './sdk.js';

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

/**
 * Every traffic policy: `all` and `failover` as plain record sets, `nearest` as a `geo` routing
 * policy (one item per region, by location), `weighted` as a `wrr` routing policy (one item per
 * cluster, by weight). See {@link GOOGLE_ROUTING} for what their routed sets accept.
 */
export const GOOGLE_TRAFFIC_POLICIES: readonly TrafficPolicyType[] = Object.freeze(['all', 'failover', 'nearest', 'weighted']);

/** What the SDK's change object (not exported by the package) offers: the status it was created with, and a fresh read. */
interface CreatedChange {
  readonly id?: string;
  readonly metadata?: { readonly status?: string };
  getMetadata(): Promise<[{ readonly status?: string }, ...unknown[]]>;
}

/** Bounds every listing loop: far beyond the 10,000 record sets a managed zone may hold. */
const MAX_PAGES = 100_000;

async function call<T>(operation: string, run: () => Promise<T>, body?: ChangeBody): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw translateError(e, operation, body);
  }
}

async function listZones(dns: DNS): Promise<DnsZone[]> {
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

async function listRecords(dns: DNS, zone: DnsZone, pageSize: number | undefined): Promise<RecordSet<string>[]> {
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

/**
 * The id of the zone's newest change: one changes.list request, newest first, one result. Every
 * change to a managed zone, by anyone, is a Change with the next id in the zone's sequence.
 */
async function newestChange(dns: DNS, zone: DnsZone): Promise<string> {
  const query = { autoPaginate: false, maxResults: 1, sortBy: 'changeSequence', sort: 'desc' as const };
  const [changes] = await call(`changes.list ${zone.id}`, () => dns.zone(zone.id).getChanges(query));
  // A managed zone always has its creation's change; none listed reads as no version at all.
  return String(changes[0]?.id ?? '');
}

/** Per zone id, the id of the change this provider created last, until zoneVersion hands it out. */
type OwnChanges = Map<string, string>;

/**
 * Right after our own write, its change's id, without a request: the newest change then may
 * already be someone else's, made after ours, and taking it for ours would hide it. Otherwise
 * the newest change's id.
 */
async function zoneVersion(dns: DNS, zone: DnsZone, own: OwnChanges): Promise<string> {
  const ours = own.get(zone.id);
  if (ours === undefined) return newestChange(dns, zone);
  own.delete(zone.id);
  return ours;
}

async function applyChanges(
  dns: DNS,
  zone: DnsZone,
  changes: readonly Change[],
  wait: WaitForDoneOptions | undefined,
  own: OwnChanges,
): Promise<void> {
  if (changes.length === 0) return;
  const managed = dns.zone(zone.id);
  const body = toChangeBody(changes);
  const record = (r: RecordSet<string>) => managed.record(r.type, toSdkRrset(r));
  const [change] = await call(
    `changes.create ${zone.id}`,
    () => managed.createChange({ add: body.additions.map(record), delete: body.deletions.map(record) }),
    body,
  );
  if (change.id !== undefined) own.set(zone.id, String(change.id));
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

/**
 * The Google Cloud DNS adapter of the `DnsProvider` port, on `@google-cloud/dns`. It
 * translates; core decides (diff, batching, retries, conflicts). Zone ids are managed-zone
 * names. Each request is sent once (core retries) and aborted after `requestTimeoutMs`. No
 * credential, token or key is ever logged or put in an error. It writes every traffic policy
 * ({@link GOOGLE_TRAFFIC_POLICIES}): routed record sets as `geo` and `wrr` routing policies, read
 * back as routed sets ({@link GOOGLE_ROUTING}), each counted as one addition or deletion with
 * every member's rrdatas (`requestCost`).
 *
 * @param options - `projectId`, `keyFilename` or `credentials` (default: Application Default
 *   Credentials), `apiEndpoint`, `pageSize`, `requestTimeoutMs`, `waitForDone`.
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
  const wait = options.waitForDone === true ? {} : options.waitForDone || undefined;
  const dns = createDns(options);
  const own: OwnChanges = new Map();
  return {
    name: 'google',
    limits: GOOGLE_LIMITS,
    requestCost,
    trafficPolicies: GOOGLE_TRAFFIC_POLICIES,
    routing: GOOGLE_ROUTING,
    dns,
    zones: () => listZones(dns),
    records: (zone) => listRecords(dns, zone, options.pageSize),
    applyChanges: (zone, changes) => applyChanges(dns, zone, changes, wait, own),
    zoneVersion: (zone) => zoneVersion(dns, zone, own),
  };
}
