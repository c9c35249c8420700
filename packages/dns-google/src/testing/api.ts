// The Cloud DNS API's operations on the fixture's state: managed zones, record-set listings,
// changes and their status. Requests in, JSON bodies out; errors as ApiError.
import { ApiError } from './api-error.js';
import { page } from './paging.js';
import type { Operation } from './routes.js';
import { applyChange } from './change.js';
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
  routingPolicy: r.routingPolicy,
});

const listKey = (r: StoredRrset) => `${r.name}\u0000${r.type}`;

export class CloudDnsApi {
  readonly #settings: ApiSettings;
  readonly #zones = new Map<string, ManagedZone>();
  /** Changes by `<zone>/<id>`. */
  readonly #changes = new Map<string, StoredChange>();
  #nextZoneId = 1_000_000_000_000;
  #nextChangeId = 1;

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
    return zone;
  }

  /** Writes a record set as given (TXT data stored as Cloud DNS stores it), unchecked. */
  putRecordSet(zoneName: string, rrset: StoredRrset): void {
    const stored: StoredRrset = {
      name: rrset.name.toLowerCase(),
      type: rrset.type,
      ttl: rrset.ttl,
      rrdatas: rrset.rrdatas.map((d) => storedRrdata(rrset.type, d)),
      routingPolicy: rrset.routingPolicy,
    };
    this.zoneNamed(zoneName).records.set(stored);
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
    const change: StoredChange = {
      json: {
        kind: 'dns#change',
        id: String(this.#nextChangeId++),
        startTime: new Date().toISOString(),
        additions: applied.additions.map(rrsetJson),
        deletions: applied.deletions.map(rrsetJson),
      },
      polls: 0,
    };
    this.#changes.set(`${zone.name}/${String(change.json.id)}`, change);
    return { body: this.#changeJson(change), changes: additions.length + deletions.length };
  }

  #getChange(zone: ManagedZone, changeId: string) {
    const change = this.#changes.get(`${zone.name}/${changeId}`);
    if (!change)
      throw new ApiError(404, [{ reason: 'notFound', message: `The 'parameters.changeId' resource named '${changeId}' does not exist.` }]);
    change.polls += 1;
    return this.#changeJson(change);
  }

  #changeJson(change: StoredChange) {
    return { ...change.json, status: change.polls >= this.#settings.doneAfterPolls ? 'done' : 'pending' };
  }
}
