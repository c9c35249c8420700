// Ownership kept in the zone itself, so that it survives restarts and two federations (or a
// federation and people) can share a zone. The marker of name N is a TXT record set at
// `_fedsvc.N`, never at N: a TXT beside a CNAME at N would be illegal (RFC 1034 §3.6.2), and
// `_` cannot begin a service, namespace or federation label, so no record name of ours clashes.
import { ValidationError } from '../errors.js';
import type { RecordSet } from '../types.js';

const PREFIX = '_fedsvc.';
const OWNER_ID = /^[a-z0-9]([-a-z0-9._]{0,61}[a-z0-9])?$/;
const MARKER = /^heritage=fedsvc,owner=([^\s",]+)$/;

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

/** `nginx.ns.fed.svc.example.com.` → `_fedsvc.nginx.ns.fed.svc.example.com.` */
export const ownershipRecordName = (name: string): string => PREFIX + name;

/** The name a record is about: the marked name for a marker, the record's own name otherwise. */
export const ownershipSubject = (name: string): string => (name.startsWith(PREFIX) ? name.slice(PREFIX.length) : name);

/**
 * The ownership marker of a record name: a TXT record set at `_fedsvc.<name>` holding
 * `"heritage=fedsvc,owner=<ownerId>"`. {@link diffRecords} writes one with every name the
 * federation creates and removes it last; a name without this owner's marker is never changed.
 * No validation here: `name` is used as given (lower-case FQDN), `ownerId` as given.
 *
 * @example
 * ```ts
 * ownershipRecord('nginx.mynamespace.myfederation.svc.example.com.', 'prod-federation', 180);
 * // { name: '_fedsvc.nginx.mynamespace.myfederation.svc.example.com.', type: 'TXT', ttl: 180,
 * //   rrdatas: ['"heritage=fedsvc,owner=prod-federation"'] }
 * ```
 * @see {@link markerOwner} to read one back, {@link ownershipSubject} for the name it marks.
 */
export function ownershipRecord(name: string, ownerId: string, ttl: number): RecordSet {
  return { name: ownershipRecordName(name), type: 'TXT', ttl, rrdatas: [`"heritage=fedsvc,owner=${ownerId}"`] };
}

/**
 * The owner id a TXT record set at a marker name carries, or null when it is not a marker
 * (someone else's TXT) or names more than one owner (then nobody may take it for theirs,
 * whatever order the provider lists the strings in). Providers present TXT data as one or more
 * quoted strings; a long value may come split in several.
 */
export function markerOwner(record: RecordSet<string>): string | null {
  if (record.type !== 'TXT') return null;
  let owner: string | null = null;
  for (const rrdata of record.rrdatas) {
    const text = rrdata.startsWith('"') ? rrdata.slice(1, -1).split('" "').join('') : rrdata;
    const found = MARKER.exec(text)?.[1];
    if (found === undefined) continue;
    if (owner !== null && found !== owner) return null;
    owner = found;
  }
  return owner;
}
