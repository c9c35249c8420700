// ListHostedZones, ListHostedZonesByName and GetHostedZone: the hosted zones as Route 53 pages
// and describes them.
import { LIMITS } from './limits.js';
import { document, invalidInput } from './responses.js';
import { el, type Markup } from './xml.js';
import { canonicalName, compareRecordSets, escapeName, type HostedZone, recordKey } from './zones.js';

function hostedZoneXml(zone: HostedZone): Markup {
  return el(
    'HostedZone',
    el('Id', `/hostedzone/${zone.id}`),
    el('Name', escapeName(zone.name)),
    el('CallerReference', zone.callerReference),
    el('Config', el('PrivateZone', zone.privateZone)),
    el('ResourceRecordSetCount', zone.records.size),
  );
}

/** `zones` in creation order, which is the order of this listing; `marker` is a zone id. */
export function listHostedZones(zones: readonly HostedZone[], q: URLSearchParams): string {
  const max = Math.min(Number(q.get('maxitems') ?? LIMITS.zonesPage), LIMITS.zonesPage);
  if (!Number.isInteger(max) || max < 1) throw invalidInput(`Invalid maxitems ${q.get('maxitems')}`);
  const marker = q.get('marker');
  const start = marker === null ? 0 : zones.findIndex((z) => z.id === marker);
  if (start < 0) throw invalidInput(`Invalid marker ${marker}`);
  const page = zones.slice(start, start + max);
  const next = zones[start + max];
  return document(
    'ListHostedZonesResponse',
    el('HostedZones', page.map(hostedZoneXml)),
    marker === null ? el('Marker', '') : el('Marker', marker),
    el('IsTruncated', next !== undefined),
    next ? el('NextMarker', next.id) : undefined,
    el('MaxItems', max),
  );
}

/** Ordered by name (labels reversed), then id; starts at `dnsname` (and `hostedzoneid`) when given. */
export function listHostedZonesByName(zones: readonly HostedZone[], q: URLSearchParams): string {
  const max = Math.min(Number(q.get('maxitems') ?? LIMITS.zonesPage), LIMITS.zonesPage);
  const dnsName = q.get('dnsname');
  const hostedZoneId = q.get('hostedzoneid');
  if (hostedZoneId !== null && dnsName === null) throw invalidInput('HostedZoneId requires DNSName');
  const all = [...zones].sort((a, b) => compareRecordSets({ name: a.name, type: a.id }, { name: b.name, type: b.id }));
  const from =
    dnsName === null
      ? all
      : all.filter((z) => compareRecordSets({ name: z.name, type: z.id }, { name: canonicalName(dnsName), type: hostedZoneId ?? '' }) >= 0);
  const page = from.slice(0, max);
  const next = from[max];
  return document(
    'ListHostedZonesByNameResponse',
    el('HostedZones', page.map(hostedZoneXml)),
    dnsName === null ? undefined : el('DNSName', dnsName),
    hostedZoneId === null ? undefined : el('HostedZoneId', hostedZoneId),
    el('IsTruncated', next !== undefined),
    next ? [el('NextDNSName', escapeName(next.name)), el('NextHostedZoneId', next.id)] : undefined,
    el('MaxItems', max),
  );
}

/** The zone and its delegation set: the name servers of its apex NS set, without the trailing dot. */
export function getHostedZone(zone: HostedZone): string {
  const ns = zone.records.get(recordKey(zone.name, 'NS'))?.values ?? [];
  return document(
    'GetHostedZoneResponse',
    hostedZoneXml(zone),
    el(
      'DelegationSet',
      el(
        'NameServers',
        ns.map((n) => el('NameServer', n.replace(/\.$/, ''))),
      ),
    ),
  );
}
