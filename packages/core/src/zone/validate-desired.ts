// The desired record sets as reconcileZone takes them: well formed, inside the zone, and of a
// kind the provider writes (routed record sets: validate-routed.ts). A set it cannot take is
// refused before anything is read or written.
import { ValidationError } from '../errors.js';
import { isTtl } from '../dns/ttl.js';
import { parseAddress } from '../dns/addresses.js';
import { normalizeName } from '../dns/names.js';
import { RECORD_TYPES, isRecordType } from '../dns/record-types.js';
import type { DnsProvider, DnsZone, RecordSet } from '../types.js';
import { validateRouted } from './validate-routed.js';

/** "A, AAAA, ALIAS, CNAME or TXT", for the error refusing any other type. */
const RECORD_TYPES_IN_WORDS = `${RECORD_TYPES.slice(0, -1).join(', ')} or ${RECORD_TYPES[RECORD_TYPES.length - 1]}`;

/** Only a provider that writes aliases gets an ALIAS set, and only with hostnames it accepts. */
function validateAliasTargets(record: RecordSet, field: string, provider: DnsProvider): void {
  if (!provider.canAlias)
    throw new ValidationError(`${field}.type`, record.type, `provider ${provider.name} does not write alias record sets`);
  record.rrdatas.forEach((target, j) => {
    if (parseAddress(target) === null && provider.canAlias?.(normalizeName(target)) !== true) {
      throw new ValidationError(`${field}.rrdatas[${j}]`, target, `is not an alias target provider ${provider.name} accepts`);
    }
  });
}

/** The types an ALIAS, an address or a CNAME set may not share a name with (TXT shares with any). */
const CLASHES: Readonly<Record<string, readonly string[]>> = { ALIAS: ['A', 'AAAA', 'CNAME'], TXT: [] };
const CLASHES_OTHERWISE: readonly string[] = ['ALIAS'];

/** Throws ValidationError naming the first desired record set `provider` cannot take in `zone`. */
export function validateDesired(zone: DnsZone, desired: readonly RecordSet[], provider: DnsProvider): void {
  // The types seen per name: one type alone (most names hold one set), a set of them beside
  // others. A whole zone's desired sets are checked at every pass, so nothing is made per set.
  const seen = new Map<string, string | Set<string>>();
  const suffix = `.${zone.dnsName}`;
  desired.forEach((record, i) => {
    if (typeof record.name !== 'string' || record.name === '' || normalizeName(record.name) !== record.name) {
      throw new ValidationError(`${fieldOf(i)}.name`, record.name, 'must be a lower-case name ending with a dot');
    }
    if (record.name !== zone.dnsName && !record.name.endsWith(suffix)) {
      throw new ValidationError(`${fieldOf(i)}.name`, record.name, `must be inside zone ${zone.dnsName}`);
    }
    if (!isRecordType(record.type)) throw new ValidationError(`${fieldOf(i)}.type`, record.type, `must be ${RECORD_TYPES_IN_WORDS}`);
    if (!isTtl(record.ttl)) {
      throw new ValidationError(`${fieldOf(i)}.ttl`, record.ttl, 'must be an integer from 0 to 2^31-1');
    }
    if (!Array.isArray(record.rrdatas) || record.rrdatas.length === 0 || !record.rrdatas.every(isRrdata)) {
      throw new ValidationError(`${fieldOf(i)}.rrdatas`, record.rrdatas, 'must be one or more non-empty strings');
    }
    if (record.type === 'ALIAS') validateAliasTargets(record, fieldOf(i), provider);
    if (record.routing !== undefined || record.members !== undefined) validateRouted(record, fieldOf(i), provider);
    const types = seen.get(record.name);
    if (types === undefined) {
      seen.set(record.name, record.type);
      return;
    }
    const has = typeof types === 'string' ? (type: string) => type === types : (type: string) => types.has(type);
    if (has(record.type))
      throw new ValidationError(`${fieldOf(i)}`, `${record.name} ${record.type}`, 'a name and type may occur only once');
    // An ALIAS set is the name's addresses: Route 53 could not hold it beside an A, AAAA or CNAME.
    const clash = (CLASHES[record.type] ?? CLASHES_OTHERWISE).find(has);
    if (clash !== undefined)
      throw new ValidationError(
        `${fieldOf(i)}`,
        `${record.name} ${record.type}`,
        `an ALIAS set and ${clash === 'ALIAS' ? record.type : clash} may not share a name`,
      );
    if (typeof types === 'string') seen.set(record.name, new Set([types, record.type]));
    else types.add(record.type);
  });
}

/** The field of the `i`th desired set, written out only for an error or a set that needs more checks: not one string per set. */
const fieldOf = (i: number): string => `desired[${i}]`;

const isRrdata = (rrdata: unknown): boolean => typeof rrdata === 'string' && rrdata !== '';
