// Record data compared the way DNS compares it: as a set, names without regard to case or the
// trailing dot, IPv6 in any text form. Providers present the same data differently.
import { parseAddress, parseIPv6 } from './addresses.js';
import { normalizeName } from './names.js';
import type { RecordSet } from '../types.js';

export function canonicalRdata(type: string, rrdata: string): string {
  if (type === 'CNAME') return normalizeName(rrdata);
  if (type === 'AAAA') return parseIPv6(rrdata)?.text ?? rrdata;
  // A target: an address, or a load-balancer hostname.
  if (type === 'ALIAS') return parseAddress(rrdata)?.text ?? normalizeName(rrdata);
  return rrdata;
}

/**
 * Same TTL where the TTL means something. An ALIAS set's ttl is that of its addresses (a
 * hostname target answers with its own), so a set of hostnames alone has none to compare, and
 * a provider may report it as 0.
 */
export function sameTtl(a: RecordSet<string>, b: RecordSet<string>): boolean {
  return a.ttl === b.ttl || (a.type === 'ALIAS' && !(hasAddress(a.rrdatas) && hasAddress(b.rrdatas)));
}

const hasAddress = (rrdatas: readonly string[]): boolean => rrdatas.some((rrdata) => parseAddress(rrdata) !== null);

export const recordKey = (name: string, type: string): string => `${normalizeName(name)} ${type}`;

/** Same name, type, TTL (see sameTtl) and data (in any order). */
export function sameRecordSet(a: RecordSet<string>, b: RecordSet<string>): boolean {
  return a.type === b.type && sameTtl(a, b) && normalizeName(a.name) === normalizeName(b.name) && sameRdatas(a.type, a.rrdatas, b.rrdatas);
}

export function sameRdatas(type: string, a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  // The common case: the provider returned what we wrote, in the order we wrote it.
  if (a.every((rrdata, i) => rrdata === b[i])) return true;
  const left = a.map((rrdata) => canonicalRdata(type, rrdata)).sort();
  const right = b.map((rrdata) => canonicalRdata(type, rrdata)).sort();
  return left.every((rrdata, i) => rrdata === right[i]);
}
