// ListResourceRecordSets: a hosted zone's record sets in Route 53's listing order, a page at a
// time from a position (name, then type, then set identifier).
import { LIMITS } from './limits.js';
import { document, invalidInput } from './responses.js';
import { type Content, el, type Markup } from './xml.js';
import { canonicalName, compareRecordSets, escapeName, type StoredRecordSet, SUPPORTED_TYPES } from './zones.js';

const optional = (name: string, value: string | number | boolean | undefined) => (value === undefined ? undefined : el(name, value));

/** The routing elements, in the order of the API's ResourceRecordSet shape. */
function routingXml(r: StoredRecordSet): Content {
  const g = r.geoLocation;
  return [
    optional('SetIdentifier', r.setIdentifier),
    optional('Weight', r.weight),
    optional('Region', r.region),
    g === undefined
      ? undefined
      : el(
          'GeoLocation',
          optional('ContinentCode', g.continentCode),
          optional('CountryCode', g.countryCode),
          optional('SubdivisionCode', g.subdivisionCode),
        ),
    optional('Failover', r.failover),
    optional('MultiValueAnswer', r.multiValueAnswer),
  ];
}

function recordSetXml(r: StoredRecordSet): Markup {
  return el(
    'ResourceRecordSet',
    el('Name', escapeName(r.name)),
    el('Type', r.type),
    routingXml(r),
    r.alias
      ? el(
          'AliasTarget',
          el('HostedZoneId', r.alias.hostedZoneId),
          el('DNSName', escapeName(canonicalName(r.alias.dnsName))),
          el('EvaluateTargetHealth', r.alias.evaluateTargetHealth),
        )
      : [
          el('TTL', r.ttl ?? 0),
          el(
            'ResourceRecords',
            r.values.map((v) => el('ResourceRecord', el('Value', v))),
          ),
        ],
    optional('HealthCheckId', r.healthCheckId),
  );
}

/** Binary search: the index of the first set at or after `position` in listing order. */
function firstAtOrAfter(sorted: readonly StoredRecordSet[], position: { name: string; type: string; setIdentifier?: string }): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareRecordSets(sorted[mid] as StoredRecordSet, position) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The page size asked for (`maxitems`), capped at Route 53's maximum. */
function pageSize(q: URLSearchParams): number {
  const requested = q.get('maxitems') === null ? LIMITS.listPage : Number(q.get('maxitems'));
  if (!Number.isInteger(requested) || requested < 1) throw invalidInput(`Invalid maxitems ${q.get('maxitems')}`);
  return Math.min(requested, LIMITS.listPage);
}

/**
 * `sorted`: the zone's record sets in listing order. `repeatAcrossPages`: a truncated page's next
 * position is its own last set rather than the first set after it, so the next page starts by
 * repeating that set (as some emulators page); Route 53 itself never repeats one.
 */
export function listRecordSets(sorted: readonly StoredRecordSet[], q: URLSearchParams, repeatAcrossPages = false): string {
  const name = q.get('name');
  const type = q.get('type');
  if (type !== null && name === null) throw invalidInput('The input is not valid: type specified without name');
  if (type !== null && !SUPPORTED_TYPES.has(type)) throw invalidInput(`Invalid type ${type}`);
  const identifier = q.get('identifier');
  if (identifier !== null && type === null) throw invalidInput('The input is not valid: identifier specified without name and type');
  const max = pageSize(q);
  const position = { name: canonicalName(name ?? ''), type: type ?? '', setIdentifier: identifier ?? undefined };
  const start = name === null ? 0 : firstAtOrAfter(sorted, position);
  const page = sorted.slice(start, start + max);
  const next = sorted[start + max] === undefined ? undefined : sorted[start + max - (repeatAcrossPages ? 1 : 0)];
  return document(
    'ListResourceRecordSetsResponse',
    el('ResourceRecordSets', page.map(recordSetXml)),
    el('IsTruncated', next !== undefined),
    next
      ? [
          el('NextRecordName', escapeName(next.name)),
          el('NextRecordType', next.type),
          next.setIdentifier === undefined ? undefined : el('NextRecordIdentifier', next.setIdentifier),
        ]
      : undefined,
    el('MaxItems', max),
  );
}
