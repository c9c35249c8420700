// The in-memory DNS provider: the port's reference implementation, with fault injection and
// request counts for tests and benchmarks.
import { applyChangeSet, normalizeName, parseAddress, ProviderError, sleep, ValidationError } from '@fedsvc/core/provider';
import type { Change, DnsProvider, DnsZone, ProviderLimits, RecordSet } from '@fedsvc/core/provider';

export interface MemoryZoneInit {
  /** With or without the trailing dot, any case. */
  readonly dnsName: string;
  /** Defaults to `z1`, `z2`, … by position. Two zones may share a DNS name, not an id. */
  readonly id?: string;
  /** Record sets besides the SOA and NS every zone gets. */
  readonly records?: readonly RecordSet<string>[];
}

export interface MemoryProviderOptions {
  readonly zones: readonly MemoryZoneInit[];
  /** Defaults: Route 53's (1,000 changes, 1,000 rrdatas, 32,000 characters, atomic). */
  readonly limits?: Partial<ProviderLimits>;
  /** Record sets per listing request. Default 100. */
  readonly pageSize?: number;
  /** Every request waits this long before it is answered. Default 0. */
  readonly latencyMs?: number;
  /** Given, the provider writes ALIAS record sets (as Route 53 with `aliases` does) with the hostnames it accepts. */
  readonly canAlias?: (hostname: string) => boolean;
}

/** Requests answered since the provider was made (failed ones included). */
export interface MemoryRequestCounts {
  readonly zones: number;
  /** Listing pages. */
  readonly reads: number;
  /** `applyChanges` calls. */
  readonly writes: number;
}

export type RequestKind = 'zones' | 'read' | 'write';
/** Which requests a fault hits: listing pages, change requests, or any (zone listings included). */
export type FaultTarget = 'read' | 'write' | 'any';

interface Fault {
  readonly on: FaultTarget;
  /** Matching requests to let through before the fault starts. */
  skip: number;
  remaining: number;
  readonly error: () => ProviderError;
}

export const DEFAULT_MEMORY_LIMITS: ProviderLimits = {
  maxChangesPerRequest: 1_000,
  maxRrdatasPerRequest: 1_000,
  maxRrdataCharsPerRequest: 32_000,
  atomic: true,
};

const NAME = 'memory';
const byNameAndType = (a: RecordSet<string>, b: RecordSet<string>): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0;

/**
 * A zone's record sets by name, so that a change request costs what it touches, not the zone's
 * size; the listing order is sorted once after each write, when first read.
 */
class ZoneRecords {
  readonly #byName = new Map<string, RecordSet<string>[]>();
  #sorted: RecordSet<string>[] | undefined;

  constructor(records: readonly RecordSet<string>[]) {
    for (const record of records) this.#add(record);
  }

  sorted(): readonly RecordSet<string>[] {
    this.#sorted ??= [...this.#byName.values()].flat().sort(byNameAndType);
    return this.#sorted;
  }

  /** The record sets at the names `changes` touch: all a change set's checks depend on. */
  touched(changes: readonly Change[]): { names: Set<string>; records: RecordSet<string>[] } {
    const names = new Set(changes.map((change) => normalizeName(change.record.name)));
    return { names, records: [...names].flatMap((name) => this.#byName.get(name) ?? []) };
  }

  /** Replaces every record set at `names` with `records`. */
  replace(names: ReadonlySet<string>, records: readonly RecordSet<string>[]): void {
    for (const name of names) this.#byName.delete(name);
    for (const record of records) this.#add(record);
    this.#sorted = undefined;
  }

  #add(record: RecordSet<string>): void {
    const name = normalizeName(record.name);
    const at = this.#byName.get(name);
    if (at) at.push(record);
    else this.#byName.set(name, [record]);
  }
}

export class MemoryDnsProvider implements DnsProvider {
  readonly name = NAME;
  readonly limits: ProviderLimits;
  readonly pageSize: number;
  latencyMs: number;
  readonly canAlias?: (hostname: string) => boolean;
  readonly #zones: DnsZone[] = [];
  readonly #records = new Map<string, ZoneRecords>();
  readonly #faults: Fault[] = [];
  #partialAfter: number | undefined;
  #counts = { zones: 0, reads: 0, writes: 0 };

  constructor(options: MemoryProviderOptions) {
    this.limits = { ...DEFAULT_MEMORY_LIMITS, ...options.limits };
    for (const field of ['maxChangesPerRequest', 'maxRrdatasPerRequest', 'maxRrdataCharsPerRequest'] as const) {
      const value = this.limits[field];
      if (!Number.isInteger(value) || value < 1) throw new ValidationError(`limits.${field}`, value, 'must be an integer of at least 1');
    }
    this.pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1)
      throw new ValidationError('pageSize', options.pageSize, 'must be an integer of at least 1');
    this.latencyMs = options.latencyMs ?? 0;
    if (options.canAlias) this.canAlias = options.canAlias;
    if (!Number.isFinite(this.latencyMs) || this.latencyMs < 0)
      throw new ValidationError('latencyMs', options.latencyMs, 'must be 0 or more');
    options.zones.forEach((init, i) => {
      const id = init.id ?? `z${i + 1}`;
      if (this.#records.has(id)) throw new ValidationError(`zones[${i}].id`, id, 'is already the id of another zone');
      if (typeof init.dnsName !== 'string' || init.dnsName === '')
        throw new ValidationError(`zones[${i}].dnsName`, init.dnsName, 'must be a DNS name');
      const dnsName = normalizeName(init.dnsName);
      this.#zones.push({ id, dnsName });
      const apex: RecordSet<string>[] = [
        { name: dnsName, type: 'SOA', ttl: 900, rrdatas: [`ns1.${dnsName} hostmaster.${dnsName} 1 7200 900 1209600 86400`] },
        { name: dnsName, type: 'NS', ttl: 172_800, rrdatas: [`ns1.${dnsName}`, `ns2.${dnsName}`] },
      ];
      this.#records.set(id, new ZoneRecords([...apex, ...(init.records ?? [])]));
    });
  }

  // ---- the port ---------------------------------------------------------------------------

  async zones(): Promise<readonly DnsZone[]> {
    await this.#request('zones');
    return this.#zones.map((zone) => ({ ...zone }));
  }

  async records(zone: DnsZone): Promise<readonly RecordSet<string>[]> {
    const all: RecordSet<string>[] = [];
    // Each page starts after the last record set of the previous one, read live, as a
    // paginated API does: writes between pages show up in the later pages only.
    let after: RecordSet<string> | undefined;
    for (;;) {
      await this.#request('read');
      const held = this.#held(zone).sorted();
      const start = after === undefined ? 0 : firstAfter(held, after);
      const page = held.slice(start, start + this.pageSize);
      all.push(...page);
      if (start + this.pageSize >= held.length) return all;
      after = page[page.length - 1];
    }
  }

  async applyChanges(zone: DnsZone, changes: readonly Change[]): Promise<void> {
    await this.#request('write');
    const held = this.#held(zone);
    this.#validate(zone, changes);
    const partialAfter = this.#partialAfter;
    this.#partialAfter = undefined;
    if (this.limits.atomic) {
      const { names, records } = held.touched(changes);
      const result = applyChangeSet(records, changes);
      if (!result.ok) throw this.#conflict(changes, result.index, result.reason);
      held.replace(names, result.records);
      return;
    }
    // Non-atomic: each change lands on its own; a failure leaves the earlier ones applied.
    for (const [index, change] of changes.entries()) {
      if (index === partialAfter) {
        throw new ProviderError(NAME, 'transient', `request failed after ${index} of ${changes.length} changes were applied (injected)`);
      }
      const { names, records } = held.touched([change]);
      const result = applyChangeSet(records, [change]);
      if (!result.ok) throw this.#conflict(changes, index, result.reason);
      held.replace(names, result.records);
    }
  }

  // ---- for tests: around the port ---------------------------------------------------------

  /** Requests answered so far. */
  requests(): MemoryRequestCounts {
    return { ...this.#counts };
  }

  /** Every record set the zone holds, sorted by name and type. Not a request. */
  snapshot(zone: DnsZone | string): RecordSet<string>[] {
    return [...this.#held(typeof zone === 'string' ? this.#zone(zone) : zone).sorted()];
  }

  /**
   * Changes the zone as another writer would, around the port: no limits, no faults, not
   * counted. Creates and updates set the record set at its name and type (`before` is not
   * checked); deletes remove it.
   */
  writeBehind(zone: DnsZone | string, changes: readonly Change[]): void {
    const held = this.#held(typeof zone === 'string' ? this.#zone(zone) : zone);
    for (const change of changes) {
      const { names, records } = held.touched([change]);
      const { name, type } = change.record;
      const kept = records.filter((record) => record.name !== name || record.type !== type);
      held.replace(names, change.kind === 'delete' ? kept : [...kept, change.record]);
    }
  }

  /** The next `n` matching requests are answered `throttled` (with a Retry-After when given). */
  throttleNext(n: number, options: { on?: FaultTarget; retryAfterMs?: number } = {}): void {
    this.#addFault(
      options.on ?? 'any',
      0,
      n,
      () => new ProviderError(NAME, 'throttled', 'rate exceeded (injected)', { retryAfterMs: options.retryAfterMs }),
    );
  }

  /** The next `n` matching requests fail with a transient error. */
  failNext(n: number, options: { on?: FaultTarget } = {}): void {
    this.#addFault(options.on ?? 'any', 0, n, () => new ProviderError(NAME, 'transient', 'internal error (injected)'));
  }

  /** The `n`-th matching request from now (1 = the next one) fails with a transient error. */
  failCall(n: number, options: { on?: FaultTarget } = {}): void {
    this.#addFault(options.on ?? 'any', n - 1, 1, () => new ProviderError(NAME, 'transient', 'internal error (injected)'));
  }

  /**
   * Non-atomic providers only: the next change request applies its first `k` changes, then
   * fails with a transient error.
   */
  partialFailureNext(k: number): void {
    if (this.limits.atomic) throw new ValidationError('partialFailureNext', k, 'an atomic provider never applies part of a request');
    if (!Number.isInteger(k) || k < 0) throw new ValidationError('partialFailureNext', k, 'must be an integer of at least 0');
    this.#partialAfter = k;
  }

  /** Forgets every fault not yet fired. */
  clearFaults(): void {
    this.#faults.length = 0;
    this.#partialAfter = undefined;
  }

  // ---- inside -----------------------------------------------------------------------------

  #addFault(on: FaultTarget, skip: number, remaining: number, error: () => ProviderError): void {
    if (!Number.isInteger(remaining) || remaining < 1) throw new ValidationError('n', remaining, 'must be an integer of at least 1');
    this.#faults.push({ on, skip, remaining, error });
  }

  async #request(kind: RequestKind): Promise<void> {
    if (kind === 'zones') this.#counts.zones++;
    else if (kind === 'read') this.#counts.reads++;
    else this.#counts.writes++;
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    let fired: ProviderError | undefined;
    for (const fault of this.#faults) {
      if (fault.remaining === 0 || (fault.on !== 'any' && fault.on !== kind)) continue;
      if (fault.skip > 0) {
        fault.skip--;
        continue;
      }
      if (fired === undefined) {
        fault.remaining--;
        fired = fault.error();
      }
    }
    this.#faults.splice(0, this.#faults.length, ...this.#faults.filter((fault) => fault.remaining > 0));
    if (fired) throw fired;
  }

  #zone(id: string): DnsZone {
    const zone = this.#zones.find((candidate) => candidate.id === id);
    if (!zone) throw new ProviderError(NAME, 'not-found', `no zone has id ${JSON.stringify(id)}`);
    return zone;
  }

  #held(zone: DnsZone): ZoneRecords {
    const records = this.#records.get(zone.id);
    if (!records) throw new ProviderError(NAME, 'not-found', `no zone has id ${JSON.stringify(zone.id)}`);
    return records;
  }

  #validate(zone: DnsZone, changes: readonly Change[]): void {
    const apex = this.#zone(zone.id).dnsName;
    if (changes.length === 0) throw new ProviderError(NAME, 'invalid', 'a change request must carry at least one change');
    let count = 0;
    let rrdatas = 0;
    let chars = 0;
    for (const change of changes) {
      const sides = change.kind === 'update' ? [change.before, change.record] : [change.record];
      count += sides.length;
      for (const side of sides) {
        rrdatas += side.rrdatas.length;
        chars += side.rrdatas.reduce((sum, rrdata) => sum + rrdata.length, 0);
        const { name, type } = side;
        const record = { name, type };
        if (name !== apex && !name.endsWith(`.${apex}`)) {
          throw new ProviderError(NAME, 'invalid', `${name} ${type} is not in zone ${apex}`, { record });
        }
        if (name !== normalizeName(name))
          throw new ProviderError(NAME, 'invalid', `${name} ${type}: the name must be lower-case and end with a dot`, { record });
        if (!Number.isInteger(side.ttl) || side.ttl < 0 || side.ttl > 2_147_483_647) {
          throw new ProviderError(NAME, 'invalid', `${name} ${type}: TTL ${side.ttl} is not an integer from 0 to 2^31-1`, { record });
        }
        if (side.rrdatas.length === 0)
          throw new ProviderError(NAME, 'invalid', `${name} ${type}: a record set needs at least one rrdata`, { record });
        if (type === 'CNAME' && side.rrdatas.length > 1)
          throw new ProviderError(NAME, 'invalid', `${name} CNAME: a CNAME holds exactly one rrdata`, { record });
        if (type === 'ALIAS') this.#checkAlias(side);
      }
    }
    const over = (what: string, value: number, limit: number) =>
      new ProviderError(NAME, 'invalid', `the request carries ${value} ${what}, more than the limit of ${limit}`);
    if (count > this.limits.maxChangesPerRequest) throw over('changes', count, this.limits.maxChangesPerRequest);
    if (rrdatas > this.limits.maxRrdatasPerRequest) throw over('rrdatas', rrdatas, this.limits.maxRrdatasPerRequest);
    if (chars > this.limits.maxRrdataCharsPerRequest) throw over('characters of rrdata', chars, this.limits.maxRrdataCharsPerRequest);
  }

  #checkAlias(side: RecordSet<string>): void {
    const record = { name: side.name, type: side.type };
    if (!this.canAlias) throw new ProviderError(NAME, 'invalid', `${side.name} ALIAS: this provider was made without canAlias`, { record });
    for (const target of side.rrdatas) {
      if (!parseAddress(target) && !this.canAlias(normalizeName(target)))
        throw new ProviderError(NAME, 'invalid', `${side.name} ALIAS: ${target} is not an alias target`, { record });
    }
  }

  #conflict(changes: readonly Change[], index: number, reason: string): ProviderError {
    const change = changes[index];
    const record = change ? { name: change.record.name, type: change.record.type } : undefined;
    return new ProviderError(
      NAME,
      'conflict',
      `change ${index} (${change?.kind ?? '?'} ${record?.name ?? ''} ${record?.type ?? ''}) does not match the zone: ${reason}`,
      { record },
    );
  }
}

/**
 * An in-memory DNS provider: the reference implementation of the `DnsProvider` port (it passes
 * the conformance suite of `@fedsvc/core/testing/conformance`), the quick start's provider, and
 * a zone tests can break on purpose (`throttleNext`, `failNext`, `failCall`,
 * `partialFailureNext`, `writeBehind`). It checks requests as a real provider does: the
 * `limits` (Route 53's by default), names inside the zone, CNAME exclusivity, exact-match
 * deletes and updates.
 *
 * @param options - `zones` (each a `dnsName`, an optional `id` and initial `records`; every zone
 *   also gets an SOA and an NS set at its apex), and optionally `limits`, `pageSize`,
 *   `latencyMs` and `canAlias`.
 * @throws ValidationError (from `@fedsvc/core`) when an option is malformed or two zones share an id.
 * @example
 * ```ts
 * const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com' }] });
 * const zone = await findZone(provider, { dnsName: 'example.com' });
 * await reconcileZone({ provider, zone, desired, ownerId: 'my-controller' });
 * provider.snapshot(zone);   // every record set the zone holds, sorted
 * ```
 */
export function createMemoryProvider(options: MemoryProviderOptions): MemoryDnsProvider {
  return new MemoryDnsProvider(options);
}

/** Index of the first record set sorted after `after` (binary search). */
function firstAfter(sorted: readonly RecordSet<string>[], after: RecordSet<string>): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (byNameAndType(sorted[middle]!, after) > 0) high = middle;
    else low = middle + 1;
  }
  return low;
}
