// The Cloud DNS API's operations on the fixture's state: managed zones, record-set listings,
// changes, their status and their sequence. Requests in, JSON bodies out; errors as ApiError.
import { ApiError } from './api-error.js';
import { page } from './paging.js';
import type { Operation } from './routes.js';
import { applyChange } from './change.js';
import { policyJson } from './routing-policy.js';
import { storedRrdata } from './rrset-input.js';
import { compareRrsets, type StoredRrset } from './record-sets.js';
import { type ChangeLimits, type ManagedZone, newZone } from './zones.js';

export interface ApiSettings {
  readonly limits: ChangeLimits;
  /** Record sets (and zones) per page when the request gives no maxResults. */
  readonly defaultPageSize: number;
  /** How many `changes.get` answers report a change `pending` before it is `done`. */
  readonly doneAfterPolls: number;
}

/** A change as created, with the changes.get answers it has had. */
interface StoredChange {
  readonly json: Record<string, unknown>;
  polls: number;
}

/** changes.list's only sort criterion, as the v1 API spells it (and its enum name). */
const SORT_BY = new Set(['changeSequence', 'CHANGE_SEQUENCE']);
const SORT_ORDERS = new Set(['ascending', 'descending']);
/** Page keys that sort as the change sequence does, either way. */
const sequenceKey = (sequence: number, descending: boolean) => String(descending ? 1e12 - sequence : sequence).padStart(13, '0');

const zoneJson = (zone: ManagedZone) => ({
  kind: 'dns#managedZone',
  name: zone.name,
  dnsName: zone.dnsName,
  description: '',
  id: zone.id,
  nameServers: [1, 2, 3, 4].map((i) => `ns-cloud-a${i}.googledomains.com.`),
  creationTime: zone.creationTime,
  visibility: 'public',
});

const rrsetJson = (r: StoredRrset) => ({
  kind: 'dns#resourceRecordSet',
  name: r.name,
  type: r.type,
  ttl: r.ttl,
  rrdatas: r.routingPolicy === undefined ? [...r.rrdatas] : undefined,
  routingPolicy: r.routingPolicy === undefined ? undefined : policyJson(r.routingPolicy),
});

const listKey = (r: StoredRrset) => `${r.name}\u0000${r.type}`;

export class CloudDnsApi {
  readonly #settings: ApiSettings;
  readonly #zones = new Map<string, ManagedZone>();
  /** Each zone's changes in sequence: a change's id is its place (`"0"`, the zone's creation, first). */
  readonly #changes = new Map<string, StoredChange[]>();
  #nextZoneId = 1_000_000_000_000;

  constructor(settings: ApiSettings) {
    this.#settings = settings;
  }

  /** Answers one routed request: the JSON body, and for changes.create how many changes it carried. */
  serve(
    operation: Operation,
    zone: string | undefined,
    change: string | undefined,
    query: URLSearchParams,
    body: string,
  ): { body: unknown; changes?: number } {
    switch (operation) {
      case 'managedZones.list':
        return { body: this.#listZones(query) };
      case 'managedZones.get':
        return { body: zoneJson(this.zoneNamed(zone ?? '')) };
      case 'rrsets.list':
        return { body: this.#listRrsets(this.zoneNamed(zone ?? ''), query) };
      case 'changes.create':
        return this.#createChange(this.zoneNamed(zone ?? ''), body);
      case 'changes.get':
        return { body: this.#getChange(this.zoneNamed(zone ?? ''), change ?? '') };
      case 'changes.list':
        return { body: this.#listChanges(this.zoneNamed(zone ?? ''), query) };
      case 'token':
        throw new Error('token requests are served before routing');
    }
  }

  zoneNamed(name: string): ManagedZone {
    const zone = this.#zones.get(name);
    if (!zone)
      throw new ApiError(404, [{ reason: 'notFound', message: `The 'parameters.managedZone' resource named '${name}' does not exist.` }]);
    return zone;
  }

  createZone(name: string, dnsName: string): ManagedZone {
    const lower = dnsName.toLowerCase();
    const zone = newZone(name, lower.endsWith('.') ? lower : `${lower}.`, String(this.#nextZoneId++));
    this.#zones.set(name, zone);
    // As Cloud DNS does, the zone's creation is its first change: its NS and SOA added.
    this.#changes.set(name, []);
    this.#record(zone, zone.records.list(), [], this.#settings.doneAfterPolls);
    return zone;
  }

  /**
   * Writes a record set as given (TXT data stored as Cloud DNS stores it), unchecked, as another
   * client's change (done): the record set held there before, if any, is its deletion.
   */
  putRecordSet(zoneName: string, rrset: StoredRrset): void {
    const stored: StoredRrset = {
      name: rrset.name.toLowerCase(),
      type: rrset.type,
      ttl: rrset.ttl,
      rrdatas: rrset.rrdatas.map((d) => storedRrdata(rrset.type, d)),
      routingPolicy: rrset.routingPolicy,
    };
    const zone = this.zoneNamed(zoneName);
    const held = zone.records.get(stored.name, stored.type);
    zone.records.set(stored);
    this.#record(zone, [stored], held === undefined ? [] : [held], this.#settings.doneAfterPolls);
  }

  /** Removes a record set, unchecked, as another client's change (done). */
  removeRecordSet(zoneName: string, name: string, type: string): void {
    const zone = this.zoneNamed(zoneName);
    const held = zone.records.get(name, type);
    if (held === undefined) return;
    zone.records.delete(name, type);
    this.#record(zone, [], [held], this.#settings.doneAfterPolls);
  }

  /** Appends a change to the zone's sequence; `polls`: changes.get answers it counts as having had. */
  #record(zone: ManagedZone, additions: readonly StoredRrset[], deletions: readonly StoredRrset[], polls: number): StoredChange {
    const sequence = this.#changes.get(zone.name) ?? [];
    const change: StoredChange = {
      json: {
        kind: 'dns#change',
        id: String(sequence.length),
        startTime: new Date().toISOString(),
        additions: additions.map(rrsetJson),
        deletions: deletions.map(rrsetJson),
      },
      polls,
    };
    sequence.push(change);
    this.#changes.set(zone.name, sequence);
    return change;
  }

  #listZones(query: URLSearchParams) {
    const sorted = [...this.#zones.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const listed = page(sorted, (z) => z.name, query, this.#settings.defaultPageSize);
    return { kind: 'dns#managedZonesListResponse', managedZones: listed.items.map(zoneJson), nextPageToken: listed.nextPageToken };
  }

  #listRrsets(zone: ManagedZone, query: URLSearchParams) {
    const name = query.get('name')?.toLowerCase();
    const type = query.get('type');
    const named = name === undefined ? zone.records.list() : [...zone.records.at(name).values()].sort(compareRrsets);
    const listed = page(type === null ? named : named.filter((r) => r.type === type), listKey, query, this.#settings.defaultPageSize);
    return { kind: 'dns#resourceRecordSetsListResponse', rrsets: listed.items.map(rrsetJson), nextPageToken: listed.nextPageToken };
  }

  #createChange(zone: ManagedZone, body: string): { body: unknown; changes: number } {
    let parsed: { additions?: unknown; deletions?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      throw new ApiError(400, [{ reason: 'parseError', message: 'Parse Error' }]);
    }
    const additions = Array.isArray(parsed.additions) ? parsed.additions : [];
    const deletions = Array.isArray(parsed.deletions) ? parsed.deletions : [];
    const applied = applyChange(zone, additions, deletions, this.#settings.limits);
    const change = this.#record(zone, applied.additions, applied.deletions, 0);
    return { body: this.#changeJson(change), changes: additions.length + deletions.length };
  }

  #getChange(zone: ManagedZone, changeId: string) {
    const sequence = this.#changes.get(zone.name) ?? [];
    const change = /^(0|[1-9]\d*)$/.test(changeId) ? sequence[Number(changeId)] : undefined;
    if (!change)
      throw new ApiError(404, [{ reason: 'notFound', message: `The 'parameters.changeId' resource named '${changeId}' does not exist.` }]);
    change.polls += 1;
    return this.#changeJson(change);
  }

  /**
   * changes.list: the zone's changes by change sequence (`sortBy`, the only criterion), ascending
   * unless `sortOrder=descending`, paged by maxResults and pageToken. Listing polls nothing.
   */
  #listChanges(zone: ManagedZone, query: URLSearchParams) {
    const sortBy = query.get('sortBy');
    if (sortBy !== null && !SORT_BY.has(sortBy))
      throw new ApiError(400, [{ reason: 'invalid', message: `Invalid value for 'parameters.sortBy': '${sortBy}'` }]);
    const order = query.get('sortOrder');
    if (order !== null && !SORT_ORDERS.has(order))
      throw new ApiError(400, [{ reason: 'invalid', message: `Invalid value for 'parameters.sortOrder': '${order}'` }]);
    const descending = order === 'descending';
    const sequence = (this.#changes.get(zone.name) ?? []).map((change, i) => ({ change, key: sequenceKey(i, descending) }));
    if (descending) sequence.reverse();
    const listed = page(sequence, (entry) => entry.key, query, this.#settings.defaultPageSize);
    return {
      kind: 'dns#changesListResponse',
      changes: listed.items.map((entry) => this.#changeJson(entry.change)),
      nextPageToken: listed.nextPageToken,
    };
  }

  #changeJson(change: StoredChange) {
    return { ...change.json, status: change.polls >= this.#settings.doneAfterPolls ? 'done' : 'pending' };
  }
}
