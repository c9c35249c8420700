// `fedsvc records`: the federation's record sets in the zone, as `gcloud dns record-sets list` lists them.
import { type Federation, type RecordSet, parseRecordName } from '@fedsvc/core';
import { columns } from '../columns.js';
import type { Setup } from '../config/setup.js';
import { resolveZone } from '../zone.js';

/** The record sets of `federation` among `records` (ownership markers included), in a `NAME TYPE TTL DATA` table sorted by name and type. */
export function recordsTable(federation: Federation, records: readonly RecordSet<string>[]): string {
  const rows = records
    .filter((record) => parseRecordName(federation, record.name) !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type))
    .map((record) => [record.name, record.type, String(record.ttl), record.rrdatas.join(',')]);
  return columns([['NAME', 'TYPE', 'TTL', 'DATA'], ...rows]);
}

/** Prints the table; resolves with the exit code. */
export async function records(setup: Setup, out: NodeJS.WritableStream): Promise<number> {
  const zone = await resolveZone(setup);
  out.write(`${recordsTable(setup.federation, await setup.provider.records(zone))}\n`);
  return 0;
}
