// What an adapter's test hands the conformance suite: the adapter, a zone, and a way around it.
import type { Change, DnsProvider, DnsZone, RecordSet } from '../types.js';

/** Requests the backend answered, as the backend (or the transport under the adapter) counted them. */
export interface RequestCounts {
  /** Record listing requests: one per page. Zone listings are not counted. */
  readonly reads: number;
  /** Change requests (`applyChanges` calls that reached the backend, failed ones included). */
  readonly writes: number;
}

/**
 * One adapter under test, with a fresh zone. Made anew for every case (`makeTarget`), closed
 * after it; a target may share a server with others as long as its zone is its own.
 *
 * Configure the adapter with small limits (e.g. 10 changes per request, 8 record sets per
 * page): the suite sizes its cases from `provider.limits` and `pageSize`, so large limits
 * make it slow.
 */
export interface ConformanceTarget {
  /** The adapter, talking to the backend the way users' code does. */
  readonly provider: DnsProvider;
  /** The zone under test; it holds nothing but what the backend puts in every zone (SOA, NS). */
  readonly zone: DnsZone;
  /** Record sets per page of the backend's listing; `Infinity` when it lists in one request. */
  readonly pageSize: number;
  /**
   * Changes the backend directly, not through the adapter: another writer, or a person.
   * Creates add a record set, updates replace one (`before` need not match), deletes remove one.
   * Not counted in `requests()`.
   */
  writeBehind(changes: readonly Change[]): Promise<void>;
  /** Every record set the backend holds in the zone, read around the adapter. Not counted in `requests()`. */
  state(): Promise<readonly RecordSet<string>[]>;
  /** Requests made to the backend since the target was made. */
  requests(): RequestCounts | Promise<RequestCounts>;
  /**
   * The backend answers the next `n` requests (reads or writes) with its rate-limit error.
   * Leave it out when the backend can't (and say why in `ConformanceOptions.cannot.throttle`).
   */
  throttleNext?(n: number): void;
  /** The backend answers the next `n` requests with a temporary failure (HTTP 5xx, SERVFAIL). */
  failNext?(n: number): void;
  close(): Promise<void>;
}

export interface ConformanceOptions {
  /**
   * Faults the backend can't be made to produce, each with the reason. Those cases, and only
   * those, are skipped, with the reason in the test name.
   */
  readonly cannot?: {
    readonly throttle?: string;
    readonly transient?: string;
  };
  /**
   * For a provider with `canAlias`: three or more hostnames it accepts (lower-case FQDNs).
   * Given, the ALIAS cases run; left out, the suite checks that the provider has no `canAlias`
   * and that an ALIAS record set is refused before anything is written.
   */
  readonly aliasTargets?: readonly string[];
}
