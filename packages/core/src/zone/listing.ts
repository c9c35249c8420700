// A provider's listing is input too: each record set in it is checked before anything is
// planned from it, so that a malformed answer is a ProviderError naming the record set rather
// than a TypeError from deep in the diff.
import { describe, ProviderError } from '../errors.js';
import { isTtl } from '../dns/ttl.js';
import type { RecordSet } from '../types.js';

/**
 * Throws a ProviderError of kind `invalid` naming the first record set of a provider's listing
 * that is not one (no name or type, a TTL that is not a whole number, rrdatas that are not a
 * list of strings, a routed set without members): what a provider answered is input too.
 */
export function checkListing(current: unknown, provider: string): asserts current is readonly RecordSet<string>[] {
  if (!Array.isArray(current))
    throw new ProviderError(provider, 'invalid', `the zone's listing is not a list of record sets (got ${describe(current)})`);
  // The diff's hot path (250,000 record sets): plain property reads, no allocation, on each.
  for (let i = 0; i < current.length; i++) {
    const record = current[i] as RecordSet<string> | null;
    if (
      typeof record === 'object' &&
      record !== null &&
      typeof record.name === 'string' &&
      record.name !== '' &&
      typeof record.type === 'string' &&
      record.type !== '' &&
      isTtl(record.ttl) &&
      Array.isArray(record.rrdatas) &&
      allStrings(record.rrdatas) &&
      (record.routing === undefined || routedMembers(record))
    )
      continue;
    throw listingFault(provider, record, i);
  }
}

/** A routed record set read back: each member an id and a list of strings. */
function routedMembers(record: RecordSet<string>): boolean {
  const { members } = record;
  return (
    Array.isArray(members) &&
    members.length > 0 &&
    members.every(
      (member) =>
        typeof member === 'object' &&
        member !== null &&
        typeof member.id === 'string' &&
        Array.isArray(member.rrdatas) &&
        allStrings(member.rrdatas),
    )
  );
}

function allStrings(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'string') return false;
  return true;
}

function listingFault(provider: string, record: unknown, i: number): ProviderError {
  const { name, type, ttl, rrdatas } = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
  const why =
    typeof record !== 'object' || record === null
      ? 'is not a record set'
      : typeof name !== 'string' || name === ''
        ? 'has no name'
        : typeof type !== 'string' || type === ''
          ? 'has no type'
          : !isTtl(ttl)
            ? 'has a TTL that is not a whole number of seconds'
            : !Array.isArray(rrdatas)
              ? 'has rrdatas that are not a list'
              : !allStrings(rrdatas)
                ? 'has rrdatas that are not strings'
                : 'is routed without members, each an id with rrdatas';
  return new ProviderError(provider, 'invalid', `record set [${i}] of the zone's listing ${why} (got ${describe(record)})`, {
    record: { name: typeof name === 'string' ? name : `[${i}]`, type: typeof type === 'string' ? type : '' },
  });
}
