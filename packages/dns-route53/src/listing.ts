// Reading from Route 53: the hosted zones (listed, or the given ones), and a zone's record sets, page by page.
import {
  GetHostedZoneCommand,
  type HostedZone,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { ProviderError, type DnsZone, type RecordSet } from '@fedsvc/core/provider';
import type { RecordsAsRead } from './aliases.js';
import { call } from './call.js';
import { normalizeZoneName } from './names.js';
import { fromResourceRecordSets, stripIdPrefix } from './records.js';

/** Bounds every listing loop: 10 000 pages of 300 is far beyond any hosted zone's record-set quota. */
const MAX_PAGES = 10_000;

type Position = Pick<ListResourceRecordSetsCommandInput, 'StartRecordName' | 'StartRecordType' | 'StartRecordIdentifier'>;

function toZone(zone: HostedZone | undefined): DnsZone {
  return { id: stripIdPrefix(zone?.Id ?? ''), dnsName: normalizeZoneName(zone?.Name ?? '') };
}

/** `hostedZoneIds`: read only these, by GetHostedZone, instead of listing every zone. */
export async function listZones(client: Route53Client, hostedZoneIds: readonly string[] | undefined): Promise<DnsZone[]> {
  if (hostedZoneIds) {
    const found: DnsZone[] = [];
    for (const id of hostedZoneIds) {
      const out = await call(`GetHostedZone ${stripIdPrefix(id)}`, () => client.send(new GetHostedZoneCommand({ Id: stripIdPrefix(id) })));
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

/** Where a truncated page says the next one starts; throws when that does not move on from `start`. */
function nextPosition(out: ListResourceRecordSetsCommandOutput, start: Position, zone: DnsZone): Position {
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
  return next;
}

/** What identifies a record set in a hosted zone: its name, type and (routing policies) set identifier. */
const identity = (rrs: ResourceRecordSet) => JSON.stringify([rrs.Name?.toLowerCase(), rrs.Type, rrs.SetIdentifier ?? null]);

/**
 * Each record set once, where the listing first gave it. Route 53 never lists a set twice, but
 * some emulators start a page with the last set of the page before; taken as two sets, the
 * repeat would look like drift (an ALIAS set's part twice) and plan a change. The copy read last
 * is kept.
 */
function distinct(sets: readonly ResourceRecordSet[]): ResourceRecordSet[] {
  const byIdentity = new Map<string, ResourceRecordSet>();
  for (const rrs of sets) byIdentity.set(identity(rrs), rrs);
  return [...byIdentity.values()];
}

/**
 * `asRead` receives the Route 53 sets each record was read from, for deleting it exactly as read;
 * `pages`, by zone id, how many requests the listing took once it is complete.
 */
export async function listRecords(
  client: Route53Client,
  zone: DnsZone,
  pageSize: number,
  asRead: RecordsAsRead,
  pages: Map<string, number>,
): Promise<RecordSet<string>[]> {
  const sets: ResourceRecordSet[] = [];
  let start: Position = {};
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const input: ListResourceRecordSetsCommandInput = { HostedZoneId: zone.id, MaxItems: pageSize, ...start };
    const out = await call(`ListResourceRecordSets ${zone.id}`, () => client.send(new ListResourceRecordSetsCommand(input)));
    sets.push(...(out.ResourceRecordSets ?? []));
    if (!out.IsTruncated) {
      pages.set(zone.id, page + 1);
      return fromResourceRecordSets(distinct(sets), asRead);
    }
    start = nextPosition(out, start, zone);
  }
  throw new ProviderError('route53', 'transient', `ListResourceRecordSets ${zone.id}: still truncated after ${MAX_PAGES} pages`);
}
