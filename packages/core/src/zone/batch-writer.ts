// Writing a pass's batches in order. A batch the provider rejects as invalid is halved, name
// group by name group, down to the name at fault; what is left unwritten (rejected, too large
// for any request, or past the bound on halving) holds back every later group that could then
// dangle a CNAME. The writer keeps what it wrote and what it left out; the report says it.
import { ProviderError } from '../errors.js';
import { normalizeName } from '../dns/names.js';
import type { Change, DnsProvider, DnsZone, Logger } from '../types.js';
import { changeCost, changeGroups, groupRecord, isGuard, isMarker, onceEach, type BatchPlan, type OversizedGroup } from './batch.js';
import { withRetry, type RetryOptions } from './retry.js';

/**
 * How many times one pass may halve a rejected request: twice per batch, plus twice the
 * number of halvings that take a batch of `groups` name groups down to one group.
 */
export function maxSplits(batches: number, groups: number): number {
  return 2 * batches + 2 * Math.ceil(Math.log2(groups + 1));
}

export interface Rejection {
  readonly group: readonly Change[];
  readonly error: ProviderError;
  /** Not sent at all: too large for one request. */
  readonly unsent?: boolean;
}

/** Requests rejected after the split bound was spent: their groups were not written. */
export interface Unsplit {
  readonly groups: readonly (readonly Change[])[];
  readonly error: ProviderError;
}

/** What a writer did: the changes it wrote, and the groups it left unwritten and why. */
export interface WriteOutcome {
  /** Every change written, in order. */
  readonly written: readonly Change[];
  /** Groups the provider rejected one by one, or that were too large to send. */
  readonly rejected: readonly Rejection[];
  readonly unsplit: readonly Unsplit[];
  /** Groups held back because writing them could dangle a CNAME. */
  readonly skipped: readonly (readonly Change[])[];
  /** Times a rejected request was halved. */
  readonly splits: number;
}

export interface BatchWriterOptions {
  readonly provider: DnsProvider;
  readonly zone: DnsZone;
  readonly retry: RetryOptions;
  /** The pass's count of change requests, retries included. */
  readonly counts: { writes: number };
  readonly logger: Logger | undefined;
  /** How many times rejected requests may be halved in this pass (see maxSplits). */
  readonly splitBound: number;
  /** The prefix of ownership marker names, `_fedsvc.` by default: a marker goes with its name. */
  readonly markerPrefix?: string;
}

/**
 * The error that leaves out a group too large for any request, as if the provider had rejected
 * it. It names the record set that weighs most (not the marker), so that the reason reads true.
 */
export function oversizedError(provider: string, oversized: OversizedGroup, prefix?: string): ProviderError {
  const { changes } = oversized;
  let heaviest: Change | undefined;
  for (const change of changes) {
    if (isMarker(change, prefix)) continue;
    if (!heaviest || changeCost(change).rrdatas > changeCost(heaviest).rrdatas) heaviest = change;
  }
  const record = heaviest ? { name: heaviest.record.name, type: heaviest.record.type } : groupRecord(changes, prefix)!;
  const updates = changes.some((change) => change.kind === 'update') ? '; an update counts its old and its new record set' : '';
  return new ProviderError(
    provider,
    'invalid',
    `not sent: the changes at ${oversized.name} need ${oversized.reason} in one request${updates}`,
    {
      record,
      attempts: 0,
    },
  );
}

/** Writes batches; on an `invalid` answer, halves the batch by name group to find the culprit. */
export class BatchWriter {
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

  constructor(private readonly options: BatchWriterOptions) {}

  /** What the writer did so far. */
  get outcome(): WriteOutcome {
    return { written: this.written, rejected: this.#rejected, unsplit: this.#unsplit, skipped: this.#skipped, splits: this.#splits };
  }

  /** Writes the batches in order, leaving out the oversized groups where they stand. */
  async writeAll({ batches, oversized }: Pick<BatchPlan, 'batches' | 'oversized'>): Promise<void> {
    let next = 0;
    for (const [i, batch] of batches.entries()) {
      // A group too large for any request is refused where it stands in the order, so that
      // the groups after it see it missing, as they would a rejected one.
      for (; next < oversized.length && oversized[next]!.before <= i; next++) this.#refuse(oversized[next]!);
      await this.#write(batch);
    }
    for (; next < oversized.length; next++) this.#refuse(oversized[next]!);
  }

  /**
   * A name's changes as the provider would take them. A change that costs the provider no
   * change (see DnsProvider.requestCost) is none: not sent, not counted, not written; and the
   * markers rewritten as they stand (guards, see isGuard), there only to hold the other changes
   * to them, go with those when none is left.
   */
  #effective(group: readonly Change[]): readonly Change[] {
    const { requestCost } = this.options.provider;
    if (!requestCost) return group;
    const left = group.filter((change) => requestCost(change).changes !== 0);
    return left.every((change) => isGuard(change, this.options.markerPrefix)) ? [] : left;
  }

  /** Writes one batch; answers the changes that were written. */
  async #write(batch: readonly Change[]): Promise<Change[]> {
    const { provider, zone, retry, counts, logger } = this.options;
    // Until something is left out, and where every change costs the provider one, the batch goes
    // as it is: its groups are needed only to halve it if the provider rejects it.
    const whole = this.#missing.size + this.#pinned.size === 0 && !provider.requestCost;
    const groups = whole ? undefined : this.#writable(batch);
    const changes = onceEach(groups ? groups.flatMap((group) => this.#effective(group)) : batch, this.options.markerPrefix);
    if (changes.length === 0) return [];
    try {
      await withRetry(() => {
        counts.writes++;
        return provider.applyChanges(zone, changes);
      }, retry);
      logger?.debug({ zone: zone.dnsName, changes: changes.length }, 'wrote batch');
      // One by one: a provider with roomy limits takes a batch too long to spread into a call.
      for (const change of changes) this.written.push(change);
      return changes;
    } catch (error) {
      if (!(error instanceof ProviderError) || error.kind !== 'invalid') throw error;
      return this.#rejectedRequest(groups ?? changeGroups(batch, this.options.markerPrefix), error);
    }
  }

  /** The batch's name groups less those that could dangle a CNAME, which are held back. */
  #writable(batch: readonly Change[]): Change[][] {
    return changeGroups(batch, this.options.markerPrefix).filter((group) => {
      if (!this.#couldDangle(group)) return true;
      this.#skipped.push(group);
      for (const change of group) this.#missing.add(normalizeName(change.record.name));
      this.#pin(group);
      return false;
    });
  }

  /** Leaves out a group too large for any request, as if the provider had rejected it. */
  #refuse(oversized: OversizedGroup): void {
    const error = oversizedError(this.options.provider.name, oversized, this.options.markerPrefix);
    this.options.logger?.warn(
      { zone: this.options.zone.dnsName, name: oversized.name, error: error.message },
      'record set too large for one request',
    );
    this.#rejected.push({ group: oversized.changes, error, unsent: true });
    this.#leaveOut(oversized.changes);
  }

  /** A request rejected as invalid: one group is at fault; more are halved, while the bound allows. */
  async #rejectedRequest(groups: readonly (readonly Change[])[], error: ProviderError): Promise<Change[]> {
    const { zone, logger, splitBound } = this.options;
    const [only] = groups;
    if (groups.length === 1 && only) {
      logger?.warn(
        { zone: zone.dnsName, name: (error.record ?? groupRecord(only, this.options.markerPrefix))?.name, error: error.message },
        'provider rejected record set',
      );
      this.#rejected.push({ group: only, error });
      this.#leaveOut(only);
      return [];
    }
    if (this.#splits >= splitBound) {
      logger?.warn(
        { zone: zone.dnsName, names: groups.length, splits: this.#splits, error: error.message },
        'provider rejected a request; split bound reached, not splitting it',
      );
      this.#unsplit.push({ groups, error });
      for (const group of groups) this.#leaveOut(group);
      return [];
    }
    this.#splits++;
    const half = Math.ceil(groups.length / 2);
    return [...(await this.#write(groups.slice(0, half).flat())), ...(await this.#write(groups.slice(half).flat()))];
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
}
