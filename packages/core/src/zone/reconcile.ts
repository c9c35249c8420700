// Converging one zone to the desired record sets through the provider port: one full read,
// a diff, and the change set written batch by batch.
import { parseAddress } from '../dns/addresses.js';
import { applyChangeSet } from './apply.js';
import { changeCost, changeGroups, planBatches, type OversizedGroup } from './batch.js';
import { diffRecords } from './diff.js';
import { ProviderError, ValidationError } from '../errors.js';
import { normalizeName } from '../dns/names.js';
import { ownershipSubject } from '../dns/ownership.js';
import { RECORD_TYPES, isRecordType } from '../dns/record-types.js';
import { withRetry, type RetryOptions, type RetryPolicy } from './retry.js';
import type { Change, DnsProvider, DnsZone, Logger, RecordConflict, RecordSet } from '../types.js';

/** How many times a zone that changed under us is re-read and re-planned before giving up. */
export const MAX_REPLANS = 3;

export interface ReconcileOptions {
  readonly provider: DnsProvider;
  readonly zone: DnsZone;
  /** Every record set the federation wants in the zone (within `scope`), ownership markers excluded. */
  readonly desired: readonly RecordSet[];
  readonly ownerId: string;
  /**
   * The names this pass may touch. Records at other names are neither created nor deleted;
   * an ownership marker counts as being at the name it marks. It is given names normalized
   * (lower case, trailing dot), however the provider spells them.
   */
  readonly scope?: (name: string) => boolean;
  /**
   * What the zone holds within `scope`, as the caller knows it from its last pass (`records`
   * of that report): the first diff uses it instead of reading the zone. If the zone changed
   * since, the provider refuses the write as a conflict, and the pass re-reads.
   */
  readonly current?: readonly RecordSet<string>[];
  /** Plan only: read the zone and return the change set without writing. */
  readonly dryRun?: boolean;
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: RetryOptions['sleep'];
  readonly random?: RetryOptions['random'];
  readonly logger?: Logger;
}

export interface ReconcileReport {
  /** The changes written, in order (dry run: the changes that would be written). */
  readonly changes: readonly Change[];
  /** Desired names held by records the federation does not own; left alone. */
  readonly conflicts: readonly RecordConflict[];
  /** Full reads of the zone (`records` calls, retries included). */
  readonly reads: number;
  /** Change requests (`applyChanges` calls, retries included). */
  readonly writes: number;
  /** Requests repeated after a throttled or transient answer. */
  readonly retries: number;
  /** Times the zone changed under us and was re-read and re-planned. */
  readonly replans: number;
  /** The zone as this pass last read it, every record set; absent when the pass did not read. */
  readonly read?: readonly RecordSet<string>[];
  /**
   * What the zone holds within `scope` after the pass: what was read or given, with the writes
   * applied. Absent when the writes do not apply to what was given (it was out of date).
   */
  readonly records?: readonly RecordSet<string>[];
}

/** "A, AAAA, ALIAS, CNAME or TXT", for the error refusing any other type. */
const RECORD_TYPES_IN_WORDS = `${RECORD_TYPES.slice(0, -1).join(', ')} or ${RECORD_TYPES[RECORD_TYPES.length - 1]}`;

/**
 * Reads the zone once, diffs it against `desired`, and writes the change set in batches that
 * fit the provider's limits. Throttled and transient answers are retried with backoff; a
 * conflict (the zone changed since the read) re-reads and re-plans, at most MAX_REPLANS
 * times; a batch the provider rejects as invalid is split down to the name at fault, the
 * rest is written, and the rejection is thrown at the end, naming the record.
 *
 * A name whose changes alone exceed the provider's limits (say a global A set of 600 addresses
 * replaced by 600 others: an update counts both sides, 1,200 rrdatas) is treated as a name
 * the provider rejected: it is not sent, and it is named, with the numbers and the limits, in
 * an `UnwrittenRecordsError` (a ProviderError of kind `invalid`) that ends the pass after
 * everything else was written, naming what was not and carrying the report of what was.
 *
 * Splitting is bounded: each plan (the first, and each re-plan after a conflict, at most
 * MAX_REPLANS) halves rejected requests at most `maxSplits(batches, groups)`
 * times (two per batch planned, plus twice the depth of halving one batch down to one name:
 * enough to isolate two bad names anywhere and a few more, one per batch). Once the bound is
 * spent a rejected request is not split any more: its names are reported as not written. So a
 * provider that rejects every request costs at most `batches + 2 × maxSplits` requests
 * (1,000 new names in batches of 1,000 changes: 2 batches, at most 50 requests, not 1,998).
 *
 * Whatever a pass leaves unwritten (rejected, too large, or past the bound), it also leaves
 * unwritten every group that could then dangle a CNAME: a CNAME to a name not written, and
 * the removal of a name an unwritten CNAME still points at.
 *
 * @param options - The provider and zone, the `desired` record sets (from
 *   {@link planFederation}), this federation's `ownerId`; optionally a `scope` of names, what the
 *   zone is known to hold (`current`), `dryRun`, a `retry` policy and a logger.
 * @returns What the pass did: the changes written (dry run: that would be written), the
 *   conflicts left alone (names others hold), and its reads, writes, retries and re-plans.
 * @throws {@link ValidationError} when `desired` holds a name outside the zone or a malformed
 *   record set, or `ownerId` is malformed; nothing is read or written then.
 * @throws {@link UnwrittenRecordsError} (a {@link ProviderError} of kind `invalid`) after writing
 *   everything else, when the provider rejected some record sets or they fit no request; its
 *   `unwritten` names them and its `report` says what was written.
 * @throws {@link ProviderError} when a request still fails once retries are spent (`throttled`,
 *   `transient`, with `attempts`), on `denied` or `not-found` at once, and on a `conflict` that
 *   outlasts MAX_REPLANS re-plans.
 * @example
 * ```ts
 * const zone = await findZone(provider, { dnsName: 'example.com' });
 * const report = await reconcileZone({ provider, zone, desired: planFederation(input), ownerId: 'prod-federation' });
 * console.log(report.changes.length, 'changes;', report.conflicts.length, 'names held by others');
 * // A plan a person can read, without writing:
 * const plan = await reconcileZone({ provider, zone, desired, ownerId: 'prod-federation', dryRun: true });
 * console.log(formatChanges(plan.changes));
 * ```
 */
export async function reconcileZone(options: ReconcileOptions): Promise<ReconcileReport> {
  const { provider, zone, ownerId, logger } = options;
  validateDesired(zone, options.desired, provider);
  const inScope = options.scope ?? (() => true);
  const desired = options.desired.filter((record) => inScope(record.name));
  const counts = { reads: 0, writes: 0, retries: 0, replans: 0 };
  const retry: RetryOptions = {
    policy: options.retry,
    sleep: options.sleep,
    random: options.random,
    onRetry: ({ attempt, delayMs, error }) => {
      counts.retries++;
      logger?.warn({ zone: zone.dnsName, attempt, delayMs, kind: error.kind, error: error.message }, 'retrying DNS request');
    },
  };
  const written: Change[] = [];
  let known = options.current;

  for (;;) {
    let read: readonly RecordSet<string>[] | undefined;
    if (known === undefined) {
      read = await withRetry(() => {
        counts.reads++;
        return provider.records(zone);
      }, retry);
    }
    const current = (known ?? read ?? []).filter((record) => inScope(ownershipSubject(normalizeName(record.name))));
    known = undefined;
    const plan = diffRecords(current, desired, { ownerId });
    logger?.debug(
      { zone: zone.dnsName, changes: plan.changes.length, conflicts: plan.conflicts.length, dryRun: options.dryRun === true },
      'planned zone',
    );
    if (options.dryRun) return { changes: plan.changes, conflicts: plan.conflicts, ...counts, read, records: current };

    const { batches, oversized, groups } = planBatches(
      plan.changes,
      provider.limits,
      (change) => provider.requestCost?.(change) ?? changeCost(change),
    );
    const writer = new BatchWriter({ provider, zone, retry, counts, logger, splitBound: maxSplits(batches.length, groups) });
    try {
      let next = 0;
      for (const [i, batch] of batches.entries()) {
        // A group too large for any request is refused where it stands in the order, so that
        // the groups after it see it missing, as they would a rejected one.
        for (; next < oversized.length && oversized[next]!.before <= i; next++) writer.refuse(oversized[next]!);
        await writer.write(batch);
      }
      for (; next < oversized.length; next++) writer.refuse(oversized[next]!);
    } catch (error) {
      written.push(...writer.written);
      if (error instanceof ProviderError && error.kind === 'conflict' && counts.replans < MAX_REPLANS) {
        counts.replans++;
        logger?.warn({ zone: zone.dnsName, replan: counts.replans, error: error.message }, 'zone changed under us; re-reading');
        continue;
      }
      throw error;
    }
    written.push(...writer.written);
    const after = applyChangeSet(current, writer.written);
    const report: ReconcileReport = {
      changes: written,
      conflicts: plan.conflicts,
      ...counts,
      read,
      records: after.ok ? after.records : undefined,
    };
    writer.throwRejections(report);
    return report;
  }
}

/**
 * How many times one pass may halve a rejected request: twice per batch, plus twice the
 * number of halvings that take a batch of `groups` name groups down to one group.
 */
export function maxSplits(batches: number, groups: number): number {
  return 2 * batches + 2 * Math.ceil(Math.log2(groups + 1));
}

/** How many rejected record sets a pass's error describes one by one. */
const MAX_LISTED = 20;

/**
 * The pass wrote what it could, but the provider refused some record sets, or they could not
 * be sent (too large for one request), or were held back so that no CNAME dangles: `unwritten`
 * names them, `report` is what the pass did. A ProviderError of kind `invalid`.
 */
export class UnwrittenRecordsError extends ProviderError {
  readonly report: ReconcileReport;
  readonly unwritten: readonly { readonly name: string; readonly type: string }[];

  constructor(
    provider: string,
    message: string,
    options: ConstructorParameters<typeof ProviderError>[3] & {
      readonly report: ReconcileReport;
      readonly unwritten: readonly { readonly name: string; readonly type: string }[];
    },
  ) {
    super(provider, 'invalid', message, options);
    this.report = options.report;
    this.unwritten = options.unwritten;
  }
}

interface Rejection {
  readonly group: readonly Change[];
  readonly error: ProviderError;
  /** Not sent at all: too large for one request. */
  readonly unsent?: boolean;
}

/** Requests rejected after the split bound was spent: their groups were not written. */
interface Unsplit {
  readonly groups: readonly (readonly Change[])[];
  readonly error: ProviderError;
}

/** Whether a change is to an ownership marker (`_fedsvc.<name>`), however the name is spelled. */
const isMarker = (change: Change): boolean => {
  const name = normalizeName(change.record.name);
  return ownershipSubject(name) !== name;
};

/** The record set a group is about: its first change that is not to an ownership marker. */
function groupRecord(group: readonly Change[]): { name: string; type: string } | undefined {
  const change = group.find((candidate) => !isMarker(candidate)) ?? group[0];
  return change ? { name: change.record.name, type: change.record.type } : undefined;
}

/** Writes batches; on an `invalid` answer, halves the batch by name group to find the culprit. */
class BatchWriter {
  /** Every change written so far, in order: kept here so that a request failing after others loses none of them. */
  readonly written: Change[] = [];
  readonly #rejected: Rejection[] = [];
  readonly #unsplit: Unsplit[] = [];
  /** Names (normalized) whose change was rejected or skipped: a later CNAME to them could dangle. */
  readonly #missing = new Set<string>();
  /** Targets (normalized) of CNAMEs whose move or delete was rejected or skipped: deleting them would dangle those CNAMEs. */
  readonly #pinned = new Set<string>();
  /** Groups held back because writing them could dangle a CNAME. */
  readonly #skipped: (readonly Change[])[] = [];
  #splits = 0;

  private readonly provider: DnsProvider;
  private readonly zone: DnsZone;
  private readonly retry: RetryOptions;
  private readonly counts: { writes: number };
  private readonly logger: Logger | undefined;
  /** How many times rejected requests may be halved in this pass (see maxSplits). */
  private readonly splitBound: number;

  constructor(options: {
    provider: DnsProvider;
    zone: DnsZone;
    retry: RetryOptions;
    counts: { writes: number };
    logger: Logger | undefined;
    splitBound: number;
  }) {
    ({
      provider: this.provider,
      zone: this.zone,
      retry: this.retry,
      counts: this.counts,
      logger: this.logger,
      splitBound: this.splitBound,
    } = options);
  }

  /** Writes one batch; answers the changes that were written. */
  async write(batch: readonly Change[]): Promise<Change[]> {
    const groups = changeGroups(batch).filter((group) => {
      if (!this.#couldDangle(group)) return true;
      this.#skipped.push(group);
      for (const change of group) this.#missing.add(normalizeName(change.record.name));
      this.#pin(group);
      return false;
    });
    if (groups.length === 0) return [];
    const changes = groups.flat();
    try {
      await withRetry(() => {
        this.counts.writes++;
        return this.provider.applyChanges(this.zone, changes);
      }, this.retry);
      this.logger?.debug({ zone: this.zone.dnsName, changes: changes.length }, 'wrote batch');
      this.written.push(...changes);
      return changes;
    } catch (error) {
      if (!(error instanceof ProviderError) || error.kind !== 'invalid') throw error;
      const [only] = groups;
      if (groups.length === 1 && only) {
        this.logger?.warn(
          { zone: this.zone.dnsName, name: (error.record ?? groupRecord(only))?.name, error: error.message },
          'provider rejected record set',
        );
        this.#rejected.push({ group: only, error });
        this.#leaveOut(only);
        return [];
      }
      if (this.#splits >= this.splitBound) {
        this.logger?.warn(
          { zone: this.zone.dnsName, names: groups.length, splits: this.#splits, error: error.message },
          'provider rejected a request; split bound reached, not splitting it',
        );
        this.#unsplit.push({ groups, error });
        for (const group of groups) this.#leaveOut(group);
        return [];
      }
      this.#splits++;
      const half = Math.ceil(groups.length / 2);
      return [...(await this.write(groups.slice(0, half).flat())), ...(await this.write(groups.slice(half).flat()))];
    }
  }

  /** Leaves out a group too large for any request, as if the provider had rejected it. */
  refuse(oversized: OversizedGroup): void {
    const { changes } = oversized;
    // Name the record set that weighs most (not the marker), so that the reason reads true.
    let heaviest: Change | undefined;
    for (const change of changes) {
      if (isMarker(change)) continue;
      if (!heaviest || changeCost(change).rrdatas > changeCost(heaviest).rrdatas) heaviest = change;
    }
    const record = heaviest ? { name: heaviest.record.name, type: heaviest.record.type } : groupRecord(changes)!;
    const updates = changes.some((change) => change.kind === 'update') ? '; an update counts its old and its new record set' : '';
    const error = new ProviderError(
      this.provider.name,
      'invalid',
      `not sent: the changes at ${oversized.name} need ${oversized.reason} in one request${updates}`,
      { record, attempts: 0 },
    );
    this.logger?.warn({ zone: this.zone.dnsName, name: oversized.name, error: error.message }, 'record set too large for one request');
    this.#rejected.push({ group: changes, error, unsent: true });
    this.#leaveOut(changes);
  }

  /** A group left unwritten: a CNAME to its names could dangle, and its old CNAMEs' targets must stay. */
  #leaveOut(group: readonly Change[]): void {
    for (const change of group) if (change.kind !== 'delete') this.#missing.add(normalizeName(change.record.name));
    this.#pin(group);
  }

  /** Whether writing the group could leave a CNAME dangling: one to a missing name, or a pinned name removed. */
  #couldDangle(group: readonly Change[]): boolean {
    return group.some((change) => {
      if (change.kind !== 'delete')
        return change.record.type === 'CNAME' && change.record.rrdatas.some((target) => this.#missing.has(normalizeName(target)));
      const name = normalizeName(change.record.name);
      return this.#pinned.has(name) && !group.some((other) => other.kind !== 'delete' && normalizeName(other.record.name) === name);
    });
  }

  /** A group left unwritten leaves its old CNAMEs in place, so their targets must stay. */
  #pin(group: readonly Change[]): void {
    for (const change of group) {
      const old = change.kind === 'update' ? change.before : change.kind === 'delete' ? change.record : undefined;
      if (old?.type === 'CNAME') for (const target of old.rrdatas) this.#pinned.add(normalizeName(target));
    }
  }

  /** Throws when any group was rejected or left unwritten, naming the record sets at fault; `report` is what the pass did. */
  throwRejections(report: ReconcileReport): void {
    const firstUnsplit = this.#unsplit[0];
    const first = this.#rejected[0] ?? (firstUnsplit ? { group: firstUnsplit.groups[0]!, error: firstUnsplit.error } : undefined);
    if (!first) return;
    // At most MAX_LISTED record sets are described; the rest are counted.
    const parts = this.#rejected.slice(0, MAX_LISTED).map(({ group, error, unsent }) => {
      const record = error.record ?? groupRecord(group);
      return `${unsent ? 'did not send' : 'rejected'} ${record?.name} ${record?.type} (${error.message})`;
    });
    if (this.#rejected.length > MAX_LISTED) parts.push(`${this.#rejected.length - MAX_LISTED} more record set(s) rejected or not sent`);
    if (firstUnsplit) {
      const names = this.#unsplit.flatMap(({ groups }) => groups.map((group) => groupRecord(group)?.name));
      const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ', …' : '');
      parts.push(
        `${names.length} name(s) in requests the provider rejected were not written, because the pass had split rejected requests ${this.#splits} times, its bound (${shown}; ${firstUnsplit.error.message})`,
      );
    }
    const skipped =
      this.#skipped.length > 0
        ? `; ${this.#skipped.length} name(s) whose change could dangle a CNAME because of them were left for the next pass (${this.#skipped
            .slice(0, 5)
            .map((group) => groupRecord(group)?.name)
            .join(', ')}${this.#skipped.length > 5 ? ', …' : ''})`
        : '';
    // A request rejected past the bound holds good names too: name one only if the provider did.
    const record = first.error.record ?? (this.#rejected[0] ? groupRecord(first.group) : undefined);
    const rest = this.written.length > 0 ? 'the rest of the change set was written' : 'nothing was written';
    const unwritten = [...this.#rejected.map(({ group }) => group), ...this.#unsplit.flatMap(({ groups }) => groups), ...this.#skipped]
      .map((group) => groupRecord(group))
      .filter((ref): ref is { name: string; type: string } => ref !== undefined);
    throw new UnwrittenRecordsError(this.provider.name, `${parts.join('; ')}${skipped}; ${rest}`, {
      cause: first.error,
      attempts: first.error.attempts,
      record,
      report,
      unwritten,
    });
  }
}

/** Only a provider that writes aliases gets an ALIAS set, and only with hostnames it accepts. */
function validateAliasTargets(record: RecordSet, field: string, provider: DnsProvider): void {
  if (!provider.canAlias)
    throw new ValidationError(`${field}.type`, record.type, `provider ${provider.name} does not write alias record sets`);
  record.rrdatas.forEach((target, j) => {
    if (parseAddress(target) === null && provider.canAlias?.(normalizeName(target)) !== true) {
      throw new ValidationError(`${field}.rrdatas[${j}]`, target, `is not an alias target provider ${provider.name} accepts`);
    }
  });
}

function validateDesired(zone: DnsZone, desired: readonly RecordSet[], provider: DnsProvider): void {
  const seen = new Set<string>();
  desired.forEach((record, i) => {
    const field = `desired[${i}]`;
    if (typeof record.name !== 'string' || record.name === '' || normalizeName(record.name) !== record.name) {
      throw new ValidationError(`${field}.name`, record.name, 'must be a lower-case name ending with a dot');
    }
    if (record.name !== zone.dnsName && !record.name.endsWith(`.${zone.dnsName}`)) {
      throw new ValidationError(`${field}.name`, record.name, `must be inside zone ${zone.dnsName}`);
    }
    if (!isRecordType(record.type)) throw new ValidationError(`${field}.type`, record.type, `must be ${RECORD_TYPES_IN_WORDS}`);
    if (!Number.isInteger(record.ttl) || record.ttl < 0 || record.ttl > 2_147_483_647) {
      throw new ValidationError(`${field}.ttl`, record.ttl, 'must be an integer from 0 to 2^31-1');
    }
    if (
      !Array.isArray(record.rrdatas) ||
      record.rrdatas.length === 0 ||
      record.rrdatas.some((rrdata) => typeof rrdata !== 'string' || rrdata === '')
    ) {
      throw new ValidationError(`${field}.rrdatas`, record.rrdatas, 'must be one or more non-empty strings');
    }
    if (record.type === 'ALIAS') validateAliasTargets(record, field, provider);
    const key = `${record.name} ${record.type}`;
    if (seen.has(key)) throw new ValidationError(`${field}`, key, 'a name and type may occur only once');
    // An ALIAS set is the name's addresses: Route 53 could not hold it beside an A, AAAA or CNAME.
    const beside = record.type === 'ALIAS' ? ['A', 'AAAA', 'CNAME'] : record.type === 'TXT' ? [] : ['ALIAS'];
    const clash = beside.find((type) => seen.has(`${record.name} ${type}`));
    if (clash !== undefined)
      throw new ValidationError(`${field}`, key, `an ALIAS set and ${clash === 'ALIAS' ? record.type : clash} may not share a name`);
    seen.add(key);
  });
}
