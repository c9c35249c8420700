// Converging one zone to the desired record sets through the provider port: one full read,
// a diff, and the change set written batch by batch.
import { parseAddress } from './addresses.js';
import { applyChangeSet } from './apply.js';
import { batchChanges, changeGroups } from './batch.js';
import { diffRecords } from './diff.js';
import { ProviderError, ValidationError } from './errors.js';
import { normalizeName } from './names.js';
import { ownershipSubject } from './ownership.js';
import { withRetry, type RetryOptions, type RetryPolicy } from './retry.js';
import type { Change, DnsProvider, DnsZone, Logger, RecordConflict, RecordSet } from './types.js';

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
   * an ownership marker counts as being at the name it marks.
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

const RECORD_TYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'ALIAS', 'CNAME', 'TXT']);

/**
 * Reads the zone once, diffs it against `desired`, and writes the change set in batches that
 * fit the provider's limits. Throttled and transient answers are retried with backoff; a
 * conflict (the zone changed since the read) re-reads and re-plans, at most MAX_REPLANS
 * times; a batch the provider rejects as invalid is split down to the name at fault, the
 * rest is written, and the rejection is thrown at the end, naming the record.
 */
export async function reconcileZone(options: ReconcileOptions): Promise<ReconcileReport> {
  const { provider, zone, ownerId, logger } = options;
  validateDesired(zone, options.desired, provider);
  const inScope = options.scope ?? (() => true);
  const desired = options.desired.filter((record) => inScope(record.name));
  const counts = { reads: 0, writes: 0, retries: 0, replans: 0 };
  const retry: RetryOptions = {
    ...(options.retry ? { policy: options.retry } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.random ? { random: options.random } : {}),
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
    const current = (known ?? read ?? []).filter((record) => inScope(ownershipSubject(record.name)));
    known = undefined;
    const plan = diffRecords(current, desired, { ownerId });
    logger?.debug({ zone: zone.dnsName, changes: plan.changes.length, conflicts: plan.conflicts.length, dryRun: options.dryRun === true }, 'planned zone');
    const seen = read === undefined ? {} : { read };
    if (options.dryRun) return { changes: plan.changes, conflicts: plan.conflicts, ...counts, ...seen, records: current };

    const writer = new BatchWriter(provider, zone, retry, counts, logger);
    const sinceRead: Change[] = [];
    try {
      for (const batch of batchChanges(plan.changes, provider.limits)) sinceRead.push(...await writer.write(batch));
    } catch (error) {
      written.push(...sinceRead);
      if (error instanceof ProviderError && error.kind === 'conflict' && counts.replans < MAX_REPLANS) {
        counts.replans++;
        logger?.warn({ zone: zone.dnsName, replan: counts.replans, error: error.message }, 'zone changed under us; re-reading');
        continue;
      }
      throw error;
    }
    written.push(...sinceRead);
    writer.throwRejections();
    const after = applyChangeSet(current, sinceRead);
    return { changes: written, conflicts: plan.conflicts, ...counts, ...seen, ...(after.ok ? { records: after.records } : {}) };
  }
}

interface Rejection {
  readonly group: readonly Change[];
  readonly error: ProviderError;
}

/** Writes batches; on an `invalid` answer, halves the batch by name group to find the culprit. */
class BatchWriter {
  readonly #rejected: Rejection[] = [];
  /** Names whose change was rejected or skipped: a later CNAME to them could dangle. */
  readonly #missing = new Set<string>();
  /** Targets of CNAMEs whose move or delete was rejected or skipped: deleting them would dangle those CNAMEs. */
  readonly #pinned = new Set<string>();
  #skipped = 0;

  constructor(
    private readonly provider: DnsProvider,
    private readonly zone: DnsZone,
    private readonly retry: RetryOptions,
    private readonly counts: { writes: number },
    private readonly logger: Logger | undefined,
  ) {}

  /** Writes one batch; answers the changes that were written. */
  async write(batch: readonly Change[]): Promise<Change[]> {
    const groups = changeGroups(batch).filter((group) => {
      if (!this.#couldDangle(group)) return true;
      this.#skipped++;
      for (const change of group) this.#missing.add(change.record.name);
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
      return changes;
    } catch (error) {
      if (!(error instanceof ProviderError) || error.kind !== 'invalid') throw error;
      const [only] = groups;
      if (groups.length === 1 && only) {
        this.logger?.warn({ zone: this.zone.dnsName, name: only[0]?.record.name, error: error.message }, 'provider rejected record set');
        this.#rejected.push({ group: only, error });
        for (const change of only) if (change.kind !== 'delete') this.#missing.add(change.record.name);
        this.#pin(only);
        return [];
      }
      const half = Math.ceil(groups.length / 2);
      return [...await this.write(groups.slice(0, half).flat()), ...await this.write(groups.slice(half).flat())];
    }
  }

  /** Whether writing the group could leave a CNAME dangling: one to a missing name, or a pinned name removed. */
  #couldDangle(group: readonly Change[]): boolean {
    return group.some((change) => (change.kind === 'delete'
      ? this.#pinned.has(change.record.name) && !group.some((other) => other.kind !== 'delete' && other.record.name === change.record.name)
      : change.record.type === 'CNAME' && change.record.rrdatas.some((target) => this.#missing.has(target))));
  }

  /** A group left unwritten leaves its old CNAMEs in place, so their targets must stay. */
  #pin(group: readonly Change[]): void {
    for (const change of group) {
      const old = change.kind === 'update' ? change.before : change.kind === 'delete' ? change.record : undefined;
      if (old?.type === 'CNAME') for (const target of old.rrdatas) this.#pinned.add(target);
    }
  }

  /** Throws when any group was rejected, naming the record sets at fault. */
  throwRejections(): void {
    const [first] = this.#rejected;
    if (!first) return;
    const names = this.#rejected.map(({ group, error }) => {
      const record = error.record ?? group[0]?.record;
      return `${record?.name} ${record?.type} (${error.message})`;
    });
    const skipped = this.#skipped > 0 ? `; ${this.#skipped} name(s) whose change could dangle a CNAME because of them were left for the next pass` : '';
    const record = first.error.record ?? (first.group[0] ? { name: first.group[0].record.name, type: first.group[0].record.type } : undefined);
    throw new ProviderError(this.provider.name, 'invalid', `rejected ${names.join('; ')}${skipped}; the rest of the change set was written`, {
      cause: first.error,
      attempts: first.error.attempts,
      ...(record ? { record } : {}),
    });
  }
}

/** Only a provider that writes aliases gets an ALIAS set, and only with hostnames it accepts. */
function validateAliasTargets(record: RecordSet, field: string, provider: DnsProvider): void {
  if (!provider.canAlias) throw new ValidationError(`${field}.type`, record.type, `provider ${provider.name} does not write alias record sets`);
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
    if (!RECORD_TYPES.has(record.type)) throw new ValidationError(`${field}.type`, record.type, 'must be A, AAAA, ALIAS, CNAME or TXT');
    if (!Number.isInteger(record.ttl) || record.ttl < 0 || record.ttl > 2_147_483_647) {
      throw new ValidationError(`${field}.ttl`, record.ttl, 'must be an integer from 0 to 2^31-1');
    }
    if (!Array.isArray(record.rrdatas) || record.rrdatas.length === 0 || record.rrdatas.some((rrdata) => typeof rrdata !== 'string' || rrdata === '')) {
      throw new ValidationError(`${field}.rrdatas`, record.rrdatas, 'must be one or more non-empty strings');
    }
    if (record.type === 'ALIAS') validateAliasTargets(record, field, provider);
    const key = `${record.name} ${record.type}`;
    if (seen.has(key)) throw new ValidationError(`${field}`, key, 'a name and type may occur only once');
    // An ALIAS set is the name's addresses: Route 53 could not hold it beside an A, AAAA or CNAME.
    const beside = record.type === 'ALIAS' ? ['A', 'AAAA', 'CNAME'] : record.type === 'TXT' ? [] : ['ALIAS'];
    const clash = beside.find((type) => seen.has(`${record.name} ${type}`));
    if (clash !== undefined) throw new ValidationError(`${field}`, key, `an ALIAS set and ${clash === 'ALIAS' ? record.type : clash} may not share a name`);
    seen.add(key);
  });
}
