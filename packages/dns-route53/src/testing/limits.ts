// Route 53's documented per-request limits: page sizes of the listings, and what one
// ChangeResourceRecordSets may carry.
import type { RequestedChange } from './zones.js';

/** Documented per-request limits of ChangeResourceRecordSets, page sizes, and the default quota of records per hosted zone. */
export const LIMITS = { resourceRecords: 1000, valueCharacters: 32_000, listPage: 300, zonesPage: 100, recordsPerZone: 10_000 } as const;

export interface ChangeLimits {
  readonly resourceRecords: number;
  readonly valueCharacters: number;
}

/**
 * The documented limits: UPSERT counts each ResourceRecord element and each Value character twice.
 * An alias record counts as one record and its DNS name as its characters, as external-dns
 * assumes: Route 53 answers "Number of records limit of 1000 exceeded" for batches whose
 * ResourceRecord elements alone stay under it.
 */
export function limitMessages(changes: readonly RequestedChange[], limits: ChangeLimits): string[] {
  let records = 0;
  let characters = 0;
  for (const { action, recordSet } of changes) {
    const weight = action === 'UPSERT' ? 2 : 1;
    const values = recordSet.alias ? [recordSet.alias.dnsName] : recordSet.values;
    records += weight * values.length;
    characters += weight * values.reduce((sum, v) => sum + v.length, 0);
  }
  const messages: string[] = [];
  if (records > limits.resourceRecords) messages.push(`Number of records limit of ${limits.resourceRecords} exceeded.`);
  if (characters > limits.valueCharacters) messages.push(`Number of characters limit of ${limits.valueCharacters} exceeded.`);
  return messages;
}
