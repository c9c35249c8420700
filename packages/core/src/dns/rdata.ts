// Record data compared the way DNS compares it: as a set, names without regard to case or the
// trailing dot, IPv6 in any text form. Providers present the same data differently.
import { parseAddress, parseIPv6 } from './addresses.js';
import { normalizeName } from './names.js';
import type { RecordSet, RoutedMember } from '../types.js';

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

/** Same name, type, TTL (see sameTtl), data (in any order) and, for a routed set, routing and members (see sameRouting). */
export function sameRecordSet(a: RecordSet<string>, b: RecordSet<string>): boolean {
  return (
    a.type === b.type &&
    sameTtl(a, b) &&
    normalizeName(a.name) === normalizeName(b.name) &&
    sameRdatas(a.type, a.rrdatas, b.rrdatas) &&
    sameRouting(a, b)
  );
}

/**
 * Whether two record sets of one type answer alike beyond their data: both plain, or routed the
 * same way with the same members. Members are compared by what they answer and where or how
 * often (location, weight and data), in any order: an `id` is the provider's handle, which Cloud
 * DNS does not keep (its adapter reads ids back from positions). A plain set and a routed one
 * always differ, whatever their data.
 */
export function sameRouting(a: RecordSet<string>, b: RecordSet<string>): boolean {
  // The one test a plain set pays.
  if (a.routing === undefined) return b.routing === undefined;
  return a.routing === b.routing && sameMembers(a.type, a.members ?? [], b.members ?? []);
}

function sameMembers(type: string, a: readonly RoutedMember[], b: readonly RoutedMember[]): boolean {
  if (a.length !== b.length) return false;
  // The common case: the provider returned what we wrote, in the order we wrote it.
  if (a.every((member, i) => sameAnswer(type, member, b[i]!))) return true;
  const left = a.map((member) => answerKey(type, member)).sort();
  const right = b.map((member) => answerKey(type, member)).sort();
  return left.every((key, i) => key === right[i]);
}

/** What a member answers, and where or how often: all a provider keeps of it (Cloud DNS keeps no id). */
function sameAnswer(type: string, a: RoutedMember, b: RoutedMember): boolean {
  return a.location === b.location && a.weight === b.weight && sameRdatas(type, a.rrdatas, b.rrdatas);
}

function answerKey(type: string, member: RoutedMember): string {
  const data = member.rrdatas.map((rrdata) => canonicalRdata(type, rrdata)).sort();
  return JSON.stringify([member.location ?? null, member.weight ?? null, data]);
}

export function sameRdatas(type: string, a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  // The common case: the provider returned what we wrote, in the order we wrote it.
  if (a.every((rrdata, i) => rrdata === b[i])) return true;
  const left = a.map((rrdata) => canonicalRdata(type, rrdata)).sort();
  const right = b.map((rrdata) => canonicalRdata(type, rrdata)).sort();
  return left.every((rrdata, i) => rrdata === right[i]);
}
