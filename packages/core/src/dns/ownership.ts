// Ownership kept in the zone itself, so that it survives restarts and two federations (or a
// federation and people) can share a zone. The marker of name N is a TXT record set at
// `<prefix>N` (`_fedsvc.N` by default), never at N: a TXT beside a CNAME at N would be illegal
// (RFC 1034 §3.6.2), and `_` cannot begin a service, namespace or federation label, so no record
// name of ours clashes. The marker names the record types the federation wrote at N: a record set
// of any other type there is someone else's, whoever added it and whenever.
import { ValidationError } from '../errors.js';
import type { RecordSet } from '../types.js';

/** The prefix of ownership marker names unless one is given: `_fedsvc.` */
export const DEFAULT_MARKER_PREFIX = '_fedsvc.';

const OWNER_ID = /^[a-z0-9]([-a-z0-9._]{0,61}[a-z0-9])?$/;
// No `types`: a marker of the first format, which marked the whole name (read, and rewritten in the new form).
const MARKER = /^heritage=fedsvc,owner=([^\s",]+)(?:,types=([A-Z]+(?:\/[A-Z]+)*))?$/;
// One label starting with `_`, no longer than the default, so that every name the planner allows still has room for its marker.
const PREFIX = /^_[a-z0-9][-a-z0-9]{0,5}\.$/;

export function validateOwnerId(ownerId: unknown, field = 'ownerId'): string {
  if (typeof ownerId !== 'string' || !OWNER_ID.test(ownerId)) {
    throw new ValidationError(
      field,
      ownerId,
      'must be 1 to 63 lower-case letters, digits, "-", "." or "_", starting and ending with a letter or digit',
    );
  }
  return ownerId;
}

/** Throws ValidationError unless `prefix` is a marker prefix: `_`, then 1 to 6 lower-case letters, digits or "-", then a dot. */
export function validateMarkerPrefix(prefix: unknown, field = 'markerPrefix'): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new ValidationError(
      field,
      prefix,
      'must be "_" then 1 to 6 lower-case letters, digits or "-" (starting with a letter or digit), then a dot, like "_fedsvc."',
    );
  }
  return prefix;
}

/** `nginx.ns.fed.svc.example.com.` → `_fedsvc.nginx.ns.fed.svc.example.com.` (with the default prefix) */
export const ownershipRecordName = (name: string, prefix: string = DEFAULT_MARKER_PREFIX): string => prefix + name;

/** The name a record is about: the marked name for a marker, the record's own name otherwise. */
export const ownershipSubject = (name: string, prefix: string = DEFAULT_MARKER_PREFIX): string =>
  name.startsWith(prefix) ? name.slice(prefix.length) : name;

/** The TXT string of a marker: `heritage=fedsvc,owner=<ownerId>,types=<A/AAAA/…>`, quoted. */
export const markerText = (ownerId: string, types: readonly string[]): string =>
  `"heritage=fedsvc,owner=${ownerId},types=${types.length === 1 ? types[0] : [...types].sort().join('/')}"`;

/**
 * The ownership marker of a record name: a TXT record set at `<prefix><name>` holding
 * `"heritage=fedsvc,owner=<ownerId>,types=<types>"`, the record types the federation wrote at
 * the name, `/`-separated in sort order. {@link diffRecords} writes it in the same request as
 * the record sets it names, rewrites it whenever they change, and removes it with the last of
 * them; a record set of a type the marker does not name is never changed. No validation here:
 * `name` is used as given (lower-case FQDN), `ownerId` and `types` as given.
 *
 * @param prefix - the marker name's prefix; default `_fedsvc.`
 * @example
 * ```ts
 * ownershipRecord('nginx.mynamespace.myfederation.svc.example.com.', 'prod-federation', 180, ['A', 'AAAA']);
 * // { name: '_fedsvc.nginx.mynamespace.myfederation.svc.example.com.', type: 'TXT', ttl: 180,
 * //   rrdatas: ['"heritage=fedsvc,owner=prod-federation,types=A/AAAA"'] }
 * ```
 * @see {@link readMarker} to read one back, {@link ownershipSubject} for the name it marks.
 */
export function ownershipRecord(
  name: string,
  ownerId: string,
  ttl: number,
  types: readonly string[],
  prefix: string = DEFAULT_MARKER_PREFIX,
): RecordSet {
  return { name: ownershipRecordName(name, prefix), type: 'TXT', ttl, rrdatas: [markerText(ownerId, types)] };
}

/**
 * What a marker says: its owner, and the record types it names, or `undefined` for a marker of
 * the first format, which named none (it marked the whole name).
 */
export interface MarkerContent {
  readonly owner: string;
  readonly types: readonly string[] | undefined;
}

/**
 * What a TXT record set at a marker name says, or null when it is not a marker (someone else's
 * TXT) or is not one owner's (two owners, or one owner with two lists of types: nobody may take
 * it for theirs, whatever order the provider lists the strings in). Providers present TXT data as
 * one or more quoted strings; a long value may come split in several.
 */
export function readMarker(record: RecordSet<string>): MarkerContent | null {
  if (record.type !== 'TXT') return null;
  let found: { owner: string; types: string | undefined } | null = null;
  for (const rrdata of record.rrdatas) {
    const text = rrdata.startsWith('"') ? rrdata.slice(1, -1).split('" "').join('') : rrdata;
    const match = MARKER.exec(text);
    if (!match) continue;
    const [, owner, types] = match as unknown as [string, string, string | undefined];
    if (found !== null && (found.owner !== owner || found.types !== types)) return null;
    found = { owner, types };
  }
  return found && { owner: found.owner, types: found.types?.split('/') };
}

/** The owner id a marker carries, or null when it is not one owner's marker (see {@link readMarker}). */
export function markerOwner(record: RecordSet<string>): string | null {
  return readMarker(record)?.owner ?? null;
}
