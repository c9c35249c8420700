// Dry run output: record changes as a person reads them.
import type { Change, RecordSet } from '../types.js';

/** The data as a person reads it; a routed set's member by member: `nearest us-east1 @us-east1: 192.0.2.1; …`. */
function data(record: RecordSet): string {
  if (record.routing === undefined) return record.rrdatas.join(', ');
  const members = (record.members ?? []).map((member) => {
    const place = member.location !== undefined ? ` @${member.location}` : member.weight !== undefined ? ` weight ${member.weight}` : '';
    return `${member.id}${place}: ${member.rrdatas.join(', ')}`;
  });
  return `${record.routing} ${members.join('; ')}`;
}

const line = (record: RecordSet): string => `${record.name} ${record.type} ${record.ttl} ${data(record)}`;

/**
 * One line per change: `+` create, `-` delete, `~` update (old data → new data), then a
 * count. Ownership markers are shown too: they are written like any record. A routed record
 * set's data is shown member by member: `nearest us-east1 @us-east1: 192.0.2.1; …`,
 * `weighted gce-us-east1-b weight 3: 192.0.2.1; …`.
 *
 * @returns The lines, ending with `N to create, N to update, N to delete`; `no changes` for an
 * empty change set.
 * @example
 * ```ts
 * // What a pass would write, without writing it:
 * const report = await reconcileZone({ provider, zone, desired, ownerId: 'prod-federation', dryRun: true });
 * console.log(formatChanges(report.changes));
 * // or, from a controller with `dryRun: true`:
 * controller.on('records-planned', ({ service, changes }) => console.log(service, formatChanges(changes)));
 * ```
 */
export function formatChanges(changes: readonly Change[]): string {
  if (changes.length === 0) return 'no changes';
  const counts = { create: 0, update: 0, delete: 0 };
  const lines = changes.map((change) => {
    counts[change.kind]++;
    if (change.kind === 'create') return `+ ${line(change.record)}`;
    if (change.kind === 'delete') return `- ${line(change.record)}`;
    const { before, record } = change;
    const ttl = before.ttl === record.ttl ? `${record.ttl}` : `${before.ttl} → ${record.ttl}`;
    return `~ ${record.name} ${record.type} ${ttl} ${data(before)} → ${data(record)}`;
  });
  lines.push(`${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete`);
  return lines.join('\n');
}
