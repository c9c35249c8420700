// The fixture's hosted zones, as the operations and the test's backdoor writes share them.
import { randomUUID } from 'node:crypto';
import { randomId } from './ids.js';
import { ApiError } from './responses.js';
import type { Routing } from './routing.js';
import { type AliasTarget, canonicalName, compareRecordSets, type HostedZone, recordKey, type StoredRecordSet } from './zones.js';

/**
 * A record set written behind the adapter's back; with `setIdentifier`, a routing-policy record:
 * the policy field given (`weight`, `region`, `geoLocation`, `failover`, `multiValueAnswer`), or
 * weighted with weight 0 when none is.
 */
export interface RecordSetInput extends Routing {
  name: string;
  type: string;
  ttl?: number;
  values?: readonly string[];
  alias?: AliasTarget;
}

/** A new hosted zone as Route 53 creates one: its NS and SOA sets only. */
function newHostedZone(id: string, zoneName: string, privateZone: boolean): HostedZone {
  const ns = ['ns-101.awsdns-12.com.', 'ns-702.awsdns-23.net.', 'ns-1301.awsdns-34.org.', 'ns-1902.awsdns-45.co.uk.'];
  const zone: HostedZone = { id, name: zoneName, callerReference: randomUUID(), privateZone, records: new Map() };
  zone.records.set(recordKey(zoneName, 'NS'), { name: zoneName, type: 'NS', ttl: 172_800, values: ns });
  zone.records.set(recordKey(zoneName, 'SOA'), {
    name: zoneName,
    type: 'SOA',
    ttl: 900,
    values: [`${ns[0]} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`],
  });
  return zone;
}

function storedRecordSet(r: RecordSetInput): StoredRecordSet {
  const name = canonicalName(r.name);
  const { setIdentifier, weight, region, geoLocation, failover, multiValueAnswer, healthCheckId } = r;
  const given = { setIdentifier, weight, region, geoLocation, failover, multiValueAnswer, healthCheckId };
  const policyGiven = [weight, region, geoLocation, failover, multiValueAnswer].some((field) => field !== undefined);
  const routing = Object.fromEntries(
    Object.entries(setIdentifier === undefined || policyGiven ? given : { ...given, weight: 0 }).filter(([, v]) => v !== undefined),
  ) as Routing;
  return r.alias
    ? { name, type: r.type, values: [], alias: r.alias, ...routing }
    : { name, type: r.type, ttl: r.ttl ?? 300, values: [...(r.values ?? [])], ...routing };
}

export class ZoneRegistry {
  private readonly zones = new Map<string, HostedZone>();
  // Listing order, cached per record map (change batches swap the map; backdoor writes drop the cache).
  private readonly sortedCache = new WeakMap<Map<string, StoredRecordSet>, StoredRecordSet[]>();

  /** `id`: the zone's id (default: a random `Z…`); an id already in use is an error. */
  create(name: string, options: { privateZone?: boolean; id?: string } = {}): HostedZone {
    const id = options.id ?? randomId('Z', 20);
    if (this.zones.has(id)) throw new Error(`fixture: hosted zone id ${id} is already in use`);
    const zone = newHostedZone(id, canonicalName(name), options.privateZone ?? false);
    this.zones.set(id, zone);
    return zone;
  }

  /** The zone with this id (with or without `/hostedzone/`), or Route 53's NoSuchHostedZone. */
  get(id: string): HostedZone {
    const zone = this.zones.get(id.replace(/^\/hostedzone\//, ''));
    if (!zone) throw new ApiError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
    return zone;
  }

  /** In creation order. */
  all(): HostedZone[] {
    return [...this.zones.values()];
  }

  /** Nothing is validated. */
  put(zoneId: string, r: RecordSetInput): void {
    const zone = this.get(zoneId);
    const stored = storedRecordSet(r);
    zone.records.set(recordKey(stored.name, r.type, r.setIdentifier), stored);
    this.sortedCache.delete(zone.records);
  }

  remove(zoneId: string, name: string, type: string, setIdentifier?: string): void {
    const zone = this.get(zoneId);
    zone.records.delete(recordKey(canonicalName(name), type, setIdentifier));
    this.sortedCache.delete(zone.records);
  }

  /** The zone's record sets in listing order; the array is shared, not to be changed. */
  sorted(zone: HostedZone): StoredRecordSet[] {
    let sorted = this.sortedCache.get(zone.records);
    if (!sorted) {
      sorted = [...zone.records.values()].sort(compareRecordSets);
      this.sortedCache.set(zone.records, sorted);
    }
    return sorted;
  }
}
