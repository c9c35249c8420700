// What a reconcile pass reports, and the error that ends a pass which left record sets
// unwritten: it carries the report, and names what was not written and why.
import { ProviderError } from '../errors.js';
import type { Change, RecordConflict, RecordSet } from '../types.js';
import { groupRecord } from './batch.js';
import type { WriteOutcome } from './batch-writer.js';

export interface ReconcileReport {
  /** The changes written, in order (dry run: the changes that would be written). */
  readonly changes: readonly Change[];
  /** Desired names held by records the federation does not own; left alone. */
  readonly conflicts: readonly RecordConflict[];
  /** Changes the pass's policy withheld (none under `sync`): see {@link applyPolicy}. */
  readonly suppressed: readonly Change[];
  /** Names left as the zone holds them because their change needs one the policy forbids. */
  readonly held: readonly string[];
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

/**
 * The pass wrote what it could, but the provider refused some record sets, or they could not
 * be sent (too large for one request), or were held back so that no CNAME dangles: `unwritten`
 * names them, `report` is what the pass did. A ProviderError of kind `invalid`.
 */
export class UnwrittenRecordsError extends ProviderError {
  readonly report: ReconcileReport;
  readonly unwritten: readonly { readonly name: string; readonly type: string }[];
  /**
   * The record sets of `unwritten` the provider refused, or that were too large to send: the
   * others were left out because of these (held back so that no CNAME dangles, or in a request
   * rejected past the bound on halving), and may be written once these are not in the pass.
   */
  readonly refused: readonly { readonly name: string; readonly type: string }[];

  constructor(
    provider: string,
    message: string,
    options: ConstructorParameters<typeof ProviderError>[3] & {
      readonly report: ReconcileReport;
      readonly unwritten: readonly { readonly name: string; readonly type: string }[];
      readonly refused: readonly { readonly name: string; readonly type: string }[];
    },
  ) {
    super(provider, 'invalid', message, options);
    this.report = options.report;
    this.unwritten = options.unwritten;
    this.refused = options.refused;
  }
}

/** How many rejected record sets a pass's error describes one by one. */
const MAX_LISTED = 20;

/** The first five names, and an ellipsis when there are more. */
const firstNames = (names: readonly (string | undefined)[]): string => names.slice(0, 5).join(', ') + (names.length > 5 ? ', …' : '');

/**
 * The error naming the record sets `outcome` left unwritten, or undefined when it left none;
 * `report` is what the pass did; `prefix` is the ownership markers', so that a group is named by its record set.
 */
export function unwrittenRecordsError(
  provider: string,
  outcome: WriteOutcome,
  report: ReconcileReport,
  prefix?: string,
): UnwrittenRecordsError | undefined {
  const { rejected, unsplit, skipped } = outcome;
  const firstUnsplit = unsplit[0];
  const first = rejected[0] ?? (firstUnsplit ? { group: firstUnsplit.groups[0]!, error: firstUnsplit.error } : undefined);
  if (!first) return undefined;
  // At most MAX_LISTED record sets are described; the rest are counted.
  const parts = rejected.slice(0, MAX_LISTED).map(({ group, error, unsent }) => {
    const record = error.record ?? groupRecord(group, prefix);
    return `${unsent ? 'did not send' : 'rejected'} ${record?.name} ${record?.type} (${error.message})`;
  });
  if (rejected.length > MAX_LISTED) parts.push(`${rejected.length - MAX_LISTED} more record set(s) rejected or not sent`);
  if (firstUnsplit) {
    const names = unsplit.flatMap(({ groups }) => groups.map((group) => groupRecord(group, prefix)?.name));
    parts.push(
      `${names.length} name(s) in requests the provider rejected were not written, because the pass had split rejected requests ${outcome.splits} times, its bound (${firstNames(names)}; ${firstUnsplit.error.message})`,
    );
  }
  const held =
    skipped.length > 0
      ? `; ${skipped.length} name(s) whose change could dangle a CNAME because of them were left for the next pass (${firstNames(skipped.map((group) => groupRecord(group, prefix)?.name))})`
      : '';
  // A request rejected past the bound holds good names too: name one only if the provider did.
  const record = first.error.record ?? (rejected[0] ? groupRecord(first.group, prefix) : undefined);
  const rest = outcome.written.length > 0 ? 'the rest of the change set was written' : 'nothing was written';
  const refs = (groups: readonly (readonly Change[])[]) =>
    groups.map((group) => groupRecord(group, prefix)).filter((ref): ref is { name: string; type: string } => ref !== undefined);
  const refused = refs(rejected.map(({ group }) => group));
  const unwritten = [...refused, ...refs([...unsplit.flatMap(({ groups }) => groups), ...skipped])];
  return new UnwrittenRecordsError(provider, `${parts.join('; ')}${held}; ${rest}`, {
    cause: first.error,
    attempts: first.error.attempts,
    record,
    report,
    unwritten,
    refused,
  });
}
