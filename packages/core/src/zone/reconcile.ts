// Converging one zone to the desired record sets through the provider port: one full read,
// a diff, and the change set written batch by batch; a conflict re-reads and plans again.
import { ProviderError, ValidationError } from '../errors.js';
import { normalizeName } from '../dns/names.js';
import { DEFAULT_MARKER_PREFIX, ownershipSubject, validateMarkerPrefix, validateOwnerId } from '../dns/ownership.js';
import type { Change, ChangeSet, DnsProvider, DnsZone, Logger, RecordSet } from '../types.js';
import { applyChangeSet } from './apply.js';
import { changeCost, planBatches } from './batch.js';
import { BatchWriter, maxSplits } from './batch-writer.js';
import { diffListing } from './diff.js';
import { checkListing } from './listing.js';
import { applyPolicy, POLICIES, type Policy, type PolicyOutcome } from './policy.js';
import { unwrittenRecordsError, type ReconcileReport } from './report.js';
import { withRetry, type RetryOptions, type RetryPolicy } from './retry.js';
import { validateDesired } from './validate-desired.js';

/** How many times a zone that changed under us is re-read and re-planned before giving up. */
export const MAX_REPLANS = 3;

export interface ReconcileOptions {
  readonly provider: DnsProvider;
  readonly zone: DnsZone;
  /** Every record set the federation wants in the zone (within `scope`), ownership markers excluded. */
  readonly desired: readonly RecordSet[];
  readonly ownerId: string;
  /**
   * The prefix of ownership marker names: the marker of `x.example.com.` is at
   * `<markerPrefix>x.example.com.`. Default `_fedsvc.`. `_`, then 1 to 6 lower-case letters,
   * digits or `-`, then a dot; a zone written with one prefix is not the federation's under another.
   */
  readonly markerPrefix?: string;
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
  /**
   * What the pass may do, as external-dns's policies: `sync` (default) creates, updates and
   * deletes; `upsert-only` never deletes; `create-only` only creates. The changes withheld are
   * reported in `suppressed` and `held` (see {@link applyPolicy}); a dry run shows the changes
   * the policy lets through.
   */
  readonly policy?: Policy;
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: RetryOptions['sleep'];
  readonly random?: RetryOptions['random'];
  readonly logger?: Logger;
}

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
 *   {@link planFederation}), this federation's `ownerId`; optionally its `markerPrefix` (default
 *   `_fedsvc.`), a `scope` of names, what the
 *   zone is known to hold (`current`), `dryRun`, a `retry` policy and a logger.
 * @returns What the pass did: the changes written (dry run: that would be written), the
 *   conflicts left alone (names others hold), and its reads, writes, retries and re-plans.
 * @throws {@link ValidationError} when `desired` holds a name outside the zone or a malformed
 *   record set, `ownerId` or `markerPrefix` is malformed, or the provider does not apply a
 *   request all or nothing (`limits.atomic` is not true); nothing is read or written then.
 * @throws {@link UnwrittenRecordsError} (a {@link ProviderError} of kind `invalid`) after writing
 *   everything else, when the provider rejected some record sets or they fit no request; its
 *   `unwritten` names them and its `report` says what was written.
 * @throws {@link ProviderError} of kind `invalid` naming the record set, when the provider's
 *   listing holds something that is not a record set; nothing is written then.
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
  validateDesired(options.zone, options.desired, options.provider);
  const { scope } = options;
  return reconcilePlanned(scope ? { ...options, desired: options.desired.filter((record) => scope(record.name)) } : options);
}

/**
 * {@link reconcileZone} of record sets a planner made (planServiceRecords over input it
 * validated, in a zone that holds the federation's domain), all within `scope`: they are neither
 * checked nor filtered again. The controller passes every set of the services in a pass, a
 * quarter of a million at a first convergence of 100,000 shards, and the planner already made
 * each one well formed.
 */
export async function reconcilePlanned(options: ReconcileOptions): Promise<ReconcileReport> {
  const { provider, zone, logger } = options;
  const markerPrefix = validateMarkerPrefix(options.markerPrefix ?? DEFAULT_MARKER_PREFIX, 'markerPrefix');
  const ownerId = validateOwnerId(options.ownerId, 'ownerId');
  requireAtomic(provider);
  const policy = options.policy ?? 'sync';
  if (!POLICIES.includes(policy)) throw new ValidationError('policy', policy, `must be one of ${POLICIES.join(', ')}`);
  const inScope = options.scope ?? (() => true);
  const { desired } = options;
  const counts = { reads: 0, writes: 0, retries: 0, replans: 0 };
  const retry = retryOptions(options, counts);
  const written: Change[] = [];
  let known = options.current;
  if (known !== undefined) checkListing(known, 'zone listing');

  for (;;) {
    const read = known === undefined ? await readZone(provider, zone, retry, counts) : undefined;
    if (read) checkListing(read, provider.name);
    // What the caller knows is within scope by contract (`current`): only what was read is filtered.
    const current = known ?? (read ?? []).filter((record) => inScope(ownershipSubject(normalizeName(record.name), markerPrefix)));
    known = undefined;
    const plan = planChanges(current, desired, { ownerId, markerPrefix, policy }, options);
    const withheld = { suppressed: plan.suppressed, held: plan.held };
    if (options.dryRun) return { changes: plan.changes, conflicts: plan.conflicts, ...withheld, ...counts, read, records: current };

    const batches = planBatches(
      plan.changes,
      provider.limits,
      (change) => provider.requestCost?.(change) ?? changeCost(change),
      markerPrefix,
    );
    const writer = new BatchWriter({
      provider,
      zone,
      retry,
      counts,
      logger,
      splitBound: maxSplits(batches.batches.length, batches.groups),
      markerPrefix,
    });
    try {
      await writer.writeAll(batches);
    } catch (error) {
      keep(written, writer.written);
      if (error instanceof ProviderError && error.kind === 'conflict' && counts.replans < MAX_REPLANS) {
        counts.replans++;
        logger?.warn({ zone: zone.dnsName, replan: counts.replans, error: error.message }, 'zone changed under us; re-reading');
        continue;
      }
      throw error;
    }
    keep(written, writer.written);
    const after = applyChangeSet(current, writer.written);
    const report: ReconcileReport = {
      changes: written,
      conflicts: plan.conflicts,
      ...withheld,
      ...counts,
      read,
      records: after.ok ? after.records : undefined,
    };
    const unwritten = unwrittenRecordsError(provider.name, writer.outcome, report, markerPrefix);
    if (unwritten) throw unwritten;
    return report;
  }
}

/** The change set from `current` to `desired` that `policy` lets through, with what it withheld; a held name is logged. */
function planChanges(
  current: readonly RecordSet<string>[],
  desired: readonly RecordSet[],
  { ownerId, markerPrefix, policy }: { readonly ownerId: string; readonly markerPrefix: string; readonly policy: Policy },
  options: ReconcileOptions,
): PolicyOutcome & { readonly conflicts: ChangeSet['conflicts'] } {
  const { zone, logger } = options;
  const diff = diffListing(current, desired, ownerId, markerPrefix);
  const plan = { ...applyPolicy(diff.changes, policy, markerPrefix), conflicts: diff.conflicts };
  logger?.debug(
    {
      zone: zone.dnsName,
      changes: plan.changes.length,
      conflicts: plan.conflicts.length,
      dryRun: options.dryRun === true,
      ...(policy === 'sync' ? {} : { policy, suppressed: plan.suppressed.length, held: plan.held.length }),
    },
    'planned zone',
  );
  if (plan.held.length > 0) {
    logger?.warn(
      { zone: zone.dnsName, policy, names: plan.held },
      'names left as they are: their change needs a delete or update the policy forbids',
    );
  }
  return plan;
}

/** The pass's retry policy; each retry is counted in the report and logged. */
function retryOptions(options: ReconcileOptions, counts: { retries: number }): RetryOptions {
  return {
    policy: options.retry,
    sleep: options.sleep,
    random: options.random,
    onRetry: ({ attempt, delayMs, error }) => {
      counts.retries++;
      options.logger?.warn(
        { zone: options.zone.dnsName, attempt, delayMs, kind: error.kind, error: error.message },
        'retrying DNS request',
      );
    },
  };
}

/** One full read of the zone, retried as `retry` says; every attempt is counted. */
function readZone(
  provider: DnsProvider,
  zone: DnsZone,
  retry: RetryOptions,
  counts: { reads: number },
): Promise<readonly RecordSet<string>[]> {
  return withRetry(() => {
    counts.reads++;
    return provider.records(zone);
  }, retry);
}

/**
 * Core writes a name's record sets and its marker in one request, and relies on the provider to
 * apply it whole: applied change by change, a failure part-way could leave a marker naming a
 * type someone else then writes (and the federation would take their record set for its own), or
 * a name emptied between deleting its A set and creating its CNAME.
 */
function requireAtomic(provider: DnsProvider): void {
  if (provider.limits.atomic !== true) {
    throw new ValidationError(
      'provider.limits.atomic',
      provider.limits.atomic,
      `must be true: provider ${provider.name} does not apply a request all or nothing, and reconcileZone writes only to providers that do`,
    );
  }
}

/** Appends one by one: a spread of a whole zone's changes (hundreds of thousands) overflows the call stack. */
function keep(written: Change[], changes: readonly Change[]): void {
  for (const change of changes) written.push(change);
}
