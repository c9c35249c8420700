// The in-memory DNS provider: the port's reference implementation, with fault injection and
// request counts for tests and benchmarks.
import {
  applyChangeSet,
  nonNegativeNumber,
  normalizeName,
  positiveInteger,
  ProviderError,
  sleep,
  ValidationError,
} from '@fedsvc/core/provider';
import type { Change, DnsProvider, DnsZone, ProviderLimits, RecordSet } from '@fedsvc/core/provider';
import { checkChanges, checkLimits, conflictError, PROVIDER } from './checks.js';
import { type FaultAnswer, type FaultTarget, Faults, type RequestKind } from './faults.js';
import { apexRecords, firstAfter, ZoneRecords } from './zone-records.js';

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
  /**
   * Called between two pages of a listing: after page `page` (1 = the first) was answered and
   * before the next one is asked for, where another writer may change the zone (with
   * `writeBehind`), as one can between two requests of a paginated API. Default: none.
   */
  readonly betweenPages?: (zone: DnsZone, page: number) => void;
  /**
   * Called after every change request that applied any change, before it is answered: one
   * applied whole, a non-atomic one applied in part before it failed, one whose answer is lost
   * (`loseAnswerNext`). Not called for `writeBehind`. Default: none.
   */
  readonly onWrite?: (write: MemoryWrite) => void;
}

/** A change request as the zone took it, told to `onWrite`. */
export interface MemoryWrite {
  readonly zone: DnsZone;
  /** The changes applied, in order: all of the request's, or those before a non-atomic one failed. */
  readonly changes: readonly Change[];
  /** Every record set the zone holds after them, sorted by name and type. */
  readonly records: readonly RecordSet<string>[];
}

/** Requests answered since the provider was made (failed ones included). */
export interface MemoryRequestCounts {
  readonly zones: number;
  /** Listing pages. */
  readonly reads: number;
  /** `applyChanges` calls. */
  readonly writes: number;
  /** `zoneVersion` calls. */
  readonly versions: number;
}

export const DEFAULT_MEMORY_LIMITS: ProviderLimits = {
  maxChangesPerRequest: 1_000,
  maxRrdatasPerRequest: 1_000,
  maxRrdataCharsPerRequest: 32_000,
  atomic: true,
};

export class MemoryDnsProvider implements DnsProvider {
  readonly name = PROVIDER;
  readonly limits: ProviderLimits;
  readonly pageSize: number;
  latencyMs: number;
  readonly canAlias?: (hostname: string) => boolean;
  readonly #betweenPages: MemoryProviderOptions['betweenPages'];
  readonly #onWrite: MemoryProviderOptions['onWrite'];
  readonly #zones: DnsZone[] = [];
  readonly #records = new Map<string, ZoneRecords>();
  readonly #faults = new Faults();
  #partialAfter: number | undefined;
  #counts = { zones: 0, reads: 0, writes: 0, versions: 0 };
  /** Each zone's version: moves with every write to it, through the port or around it. */
  readonly #versions = new Map<string, number>();

  constructor(options: MemoryProviderOptions) {
    this.limits = { ...DEFAULT_MEMORY_LIMITS, ...options.limits };
    checkLimits(this.limits);
    this.pageSize = positiveInteger('pageSize', options.pageSize, 100);
    this.latencyMs = nonNegativeNumber('latencyMs', options.latencyMs, 0);
    if (options.canAlias) this.canAlias = options.canAlias;
    this.#betweenPages = options.betweenPages;
    this.#onWrite = options.onWrite;
    options.zones.forEach((init, i) => this.#addZone(init, i));
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
    for (let pages = 0; ; pages++) {
      if (pages > 0) this.#betweenPages?.(zone, pages);
      await this.#request('read');
      const held = this.#held(zone).sorted();
      const start = after === undefined ? 0 : firstAfter(held, after);
      const page = held.slice(start, start + this.pageSize);
      all.push(...page);
      if (start + this.pageSize >= held.length) return all;
      after = page[page.length - 1];
    }
  }

  /**
   * The zone's version: a counter that every change to the zone moves (`applyChanges`, each
   * change that lands of a request that fails part-way, `writeBehind`). One request.
   */
  async zoneVersion(zone: DnsZone): Promise<string> {
    await this.#request('version');
    this.#held(zone);
    return String(this.#versions.get(zone.id) ?? 0);
  }

  async applyChanges(zone: DnsZone, changes: readonly Change[]): Promise<void> {
    const lost = await this.#request('write');
    const held = this.#held(zone);
    checkChanges(this.#zone(zone.id).dnsName, changes, this.limits, this.canAlias);
    const partialAfter = this.#partialAfter;
    this.#partialAfter = undefined;
    if (this.limits.atomic) {
      const { names, records } = held.touched(changes);
      const result = applyChangeSet(records, changes);
      if (!result.ok) throw conflictError(changes, result.index, result.reason);
      held.replace(names, result.records);
      this.#moved(zone);
      this.#tell(zone, changes);
    } else {
      this.#applyEach(zone, held, changes, partialAfter);
    }
    if (lost) throw lost.error;
  }

  /** Non-atomic: each change lands on its own; a failure leaves the earlier ones applied. */
  #applyEach(zone: DnsZone, held: ZoneRecords, changes: readonly Change[], partialAfter: number | undefined): void {
    let index = 0;
    try {
      for (; index < changes.length; index++) {
        if (index === partialAfter) {
          throw new ProviderError(
            PROVIDER,
            'transient',
            `request failed after ${index} of ${changes.length} changes were applied (injected)`,
          );
        }
        const { names, records } = held.touched([changes[index]!]);
        const result = applyChangeSet(records, [changes[index]!]);
        if (!result.ok) throw conflictError(changes, index, result.reason);
        held.replace(names, result.records);
        this.#moved(zone);
      }
    } finally {
      if (index > 0) this.#tell(zone, changes.slice(0, index));
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
    const target = typeof zone === 'string' ? this.#zone(zone) : zone;
    const held = this.#held(target);
    if (changes.length > 0) this.#moved(target);
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
      () => new ProviderError(PROVIDER, 'throttled', 'rate exceeded (injected)', { retryAfterMs: options.retryAfterMs }),
    );
  }

  /** The next `n` matching requests fail with a transient error. */
  failNext(n: number, options: { on?: FaultTarget } = {}): void {
    this.#addFault(options.on ?? 'any', 0, n, () => new ProviderError(PROVIDER, 'transient', 'internal error (injected)'));
  }

  /** The `n`-th matching request from now (1 = the next one) fails with a transient error. */
  failCall(n: number, options: { on?: FaultTarget } = {}): void {
    this.#addFault(options.on ?? 'any', n - 1, 1, () => new ProviderError(PROVIDER, 'transient', 'internal error (injected)'));
  }

  /**
   * The next `n` matching requests time out: each is answered `transient` after `afterMs`
   * (default 30,000, an SDK's usual request timeout), and nothing is read or written.
   */
  timeoutNext(n: number, options: { on?: FaultTarget; afterMs?: number } = {}): void {
    const afterMs = nonNegativeNumber('afterMs', options.afterMs, 30_000);
    this.#addFault(
      options.on ?? 'any',
      0,
      n,
      () => new ProviderError(PROVIDER, 'transient', `request timed out after ${afterMs} ms (injected)`),
      { afterMs },
    );
  }

  /**
   * The next `n` change requests answer `conflict` and write nothing, as when the zone changed
   * since it was read (Cloud DNS's failed precondition), whether or not it did.
   */
  conflictNext(n: number): void {
    this.#addFault('write', 0, n, () => new ProviderError(PROVIDER, 'conflict', 'the zone changed since it was read (injected)'));
  }

  /**
   * The next `n` change requests are carried out as usual (checked, applied or refused), but
   * the answer of each one that succeeds is lost: the caller gets `transient` after `afterMs`
   * (default 0), as when a connection drops after the server applied the request.
   */
  loseAnswerNext(n: number, options: { afterMs?: number } = {}): void {
    const afterMs = nonNegativeNumber('afterMs', options.afterMs, 0);
    this.#addFault('write', 0, n, () => new ProviderError(PROVIDER, 'transient', 'the connection was reset before the answer (injected)'), {
      afterMs,
      applied: true,
    });
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
    this.#faults.clear();
    this.#partialAfter = undefined;
  }

  // ---- inside -----------------------------------------------------------------------------

  #addZone(init: MemoryZoneInit, i: number): void {
    const id = init.id ?? `z${i + 1}`;
    if (this.#records.has(id)) throw new ValidationError(`zones[${i}].id`, id, 'is already the id of another zone');
    if (typeof init.dnsName !== 'string' || init.dnsName === '')
      throw new ValidationError(`zones[${i}].dnsName`, init.dnsName, 'must be a DNS name');
    const dnsName = normalizeName(init.dnsName);
    this.#zones.push({ id, dnsName });
    this.#records.set(id, new ZoneRecords([...apexRecords(dnsName), ...(init.records ?? [])]));
  }

  #addFault(
    on: FaultTarget,
    skip: number,
    remaining: number,
    error: () => ProviderError,
    answer: { afterMs?: number; applied?: boolean } = {},
  ): void {
    positiveInteger('n', remaining);
    this.#faults.arm(on, skip, remaining, () => ({ error: error(), afterMs: answer.afterMs ?? 0, applied: answer.applied === true }));
  }

  /**
   * Counts the request, waits, and throws the fault that fires on it, if any; answers the fault
   * whose error comes only once the request was carried out.
   */
  async #request(kind: RequestKind): Promise<FaultAnswer | undefined> {
    if (kind === 'zones') this.#counts.zones++;
    else if (kind === 'read') this.#counts.reads++;
    else if (kind === 'version') this.#counts.versions++;
    else this.#counts.writes++;
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const fired = this.#faults.fire(kind);
    if (!fired) return undefined;
    if (fired.afterMs > 0) await sleep(fired.afterMs);
    if (!fired.applied) throw fired.error;
    return fired;
  }

  #tell(zone: DnsZone, changes: readonly Change[]): void {
    this.#onWrite?.({ zone: { ...zone }, changes, records: [...this.#held(zone).sorted()] });
  }

  #moved(zone: DnsZone): void {
    this.#versions.set(zone.id, (this.#versions.get(zone.id) ?? 0) + 1);
  }

  #zone(id: string): DnsZone {
    const zone = this.#zones.find((candidate) => candidate.id === id);
    if (!zone) throw new ProviderError(PROVIDER, 'not-found', `no zone has id ${JSON.stringify(id)}`);
    return zone;
  }

  #held(zone: DnsZone): ZoneRecords {
    const records = this.#records.get(zone.id);
    if (!records) throw new ProviderError(PROVIDER, 'not-found', `no zone has id ${JSON.stringify(zone.id)}`);
    return records;
  }
}

/**
 * An in-memory DNS provider: the reference implementation of the `DnsProvider` port (it passes
 * the conformance suite of `@fedsvc/core/testing/conformance`), the quick start's provider, and
 * a zone tests can break on purpose (`throttleNext`, `failNext`, `failCall`, `timeoutNext`,
 * `conflictNext`, `loseAnswerNext`, `partialFailureNext`, `writeBehind`, `betweenPages`) and
 * watch (`onWrite`). Its `zoneVersion` is a counter every write moves. It checks requests as a real provider does: the
 * `limits` (Route 53's by default), names inside the zone, CNAME exclusivity, exact-match
 * deletes and updates.
 *
 * @param options - `zones` (each a `dnsName`, an optional `id` and initial `records`; every zone
 *   also gets an SOA and an NS set at its apex), and optionally `limits`, `pageSize`,
 *   `latencyMs`, `canAlias`, `betweenPages` and `onWrite`.
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
