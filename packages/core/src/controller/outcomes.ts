// What a pass did, as the host is told it: the change a shard action made, and the state of a
// service's records after the pass wrote them (or could not). Pure.
import { canonicalJson } from '../placement/json.js';
import { adoptedBy, createdBy } from '../placement/manifest.js';
import type { RecordConflict, RecordSet, ShardAction, ShardStatus } from '../types.js';
import type { ServiceDnsView, ShardChange } from './types.js';

/** What a successful action did to the shard `held` before it (undefined: nothing to tell). */
export function shardChange(action: ShardAction, held: ShardStatus | undefined, ownerId: string): ShardChange | undefined {
  switch (action.kind) {
    case 'create':
      return 'created';
    case 'conform':
      // A Service without either mark is someone else's until this first conform.
      return held && (createdBy(held.manifest, ownerId) || adoptedBy(held.manifest, ownerId)) ? 'conformed' : 'adopted';
    case 'delete':
      return 'deleted';
    case 'release':
      return 'released';
    case 'leave':
      return undefined;
  }
}

/** The conflicts of a service as one string: the same set, the same string. */
export const conflictsKey = (conflicts: readonly RecordConflict[]): string =>
  conflicts.length === 0 ? '' : canonicalJson([...conflicts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));

/**
 * The service's records after a pass that wrote them: the names planned less those left alone;
 * `failed` when any were (conflicts first: someone must act), `in-sync` otherwise.
 */
export function writtenRecords(
  planned: readonly RecordSet[],
  conflicts: readonly RecordConflict[],
  outside: readonly string[],
): ServiceDnsView {
  const left = new Set([...conflicts.map((conflict) => conflict.name), ...outside]);
  const names = [...new Set(planned.map((record) => record.name))].filter((name) => !left.has(name)).sort();
  if (conflicts.length > 0) return { state: 'failed', reason: 'conflict', message: conflictMessage(conflicts), names };
  if (outside.length > 0)
    return {
      state: 'failed',
      reason: 'outside-domain-filter',
      message: `names outside the controller's domainFilter were not written: ${[...outside].sort().join(', ')}; widen domainFilter to write them`,
      names,
    };
  return { state: 'in-sync', names };
}

/** The service's records after a pass that could not write them: the names written before stay. */
export function failedRecords(previous: ServiceDnsView | undefined, reason: string, error: Error): ServiceDnsView {
  return { state: 'failed', reason, message: error.message, names: previous?.names ?? [] };
}

function conflictMessage(conflicts: readonly RecordConflict[]): string {
  const each = conflicts.map((conflict) => {
    if (conflict.target !== undefined) return `${conflict.name} (its CNAME would lead to ${conflict.target}, itself held)`;
    const holder = conflict.owner === null ? 'unmarked records' : `records of owner "${conflict.owner}"`;
    return `${conflict.name} (${conflict.types.join(', ')}: ${holder})`;
  });
  return `names held by records this federation does not own were left alone: ${each.join('; ')}. Remove those records, or rename the service, for the federation to write them`;
}
