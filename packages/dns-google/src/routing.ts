// Routed record sets and Cloud DNS routing policies: `nearest` is written as a `geo` policy (one
// item per member, by location), `weighted` as a `wrr` policy (one item per member, by weight),
// and such policies are read back as the routed sets they were written from.
//
// A policy item carries no identifier, so a member's `id` cannot be stored. It is derived on
// reading, the same way every time: a `geo` item's id is its location (a region, which is what
// core plans as the id whenever the region is its own location), and a `wrr` item's id is its
// position in the policy, zero-padded (`00`, `01`, …) so that ids sort in the items' order. Core
// compares members by what Cloud DNS keeps: a `nearest` member by location and data, a
// `weighted` one by weight and data.
//
// A deletion must match the set as held, items in the same order. So `geo` items are written in
// location order whatever the members' order, and a `geo` policy is read as a routed set only
// when its items are in that order; `wrr` items are written in the members' order and read back
// in the order listed, which is the order any later deletion sends them in.
import { changeCost, parseAddress, type Change, type RecordSet, type RequestCost, type RoutedMember } from '@fedsvc/core/provider';
import { GOOGLE_ROUTING } from './locations.js';

/** One item of a `geo` or `wrr` policy as the API lists it (`kind` and DNSSEC signatures play no part). */
interface PolicyItem {
  readonly location?: string;
  readonly weight?: number;
  readonly rrdatas: readonly string[];
}

/** The routing policy the adapter writes: a `geo` or a `wrr` policy, its items in the order sent. */
export interface WrittenPolicy {
  readonly geo?: { readonly items: readonly PolicyItem[] };
  readonly wrr?: { readonly items: readonly PolicyItem[] };
}

/** The routed data of a record set: its policy, or `undefined` for a plain set. */
export function policyOf(record: RecordSet<string>): WrittenPolicy | undefined {
  const members = record.members;
  if (record.routing === undefined || members === undefined) return undefined;
  if (record.routing === 'nearest') {
    const items = [...members].sort(byLocation).map((member) => ({ location: member.location, rrdatas: [...member.rrdatas] }));
    return { geo: { items } };
  }
  return { wrr: { items: members.map((member) => ({ weight: member.weight, rrdatas: [...member.rrdatas] })) } };
}

const byLocation = (a: RoutedMember, b: RoutedMember) => {
  const left = a.location ?? '';
  const right = b.location ?? '';
  return left < right ? -1 : left > right ? 1 : 0;
};

type Raw = Readonly<Record<string, unknown>>;
const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether `raw` has no keys but `allowed` (and the API's `kind`). */
const only = (raw: Raw, allowed: readonly string[]) => Object.keys(raw).every((key) => key === 'kind' || allowed.includes(key));

/** Fields a listed item may carry beside its location or weight: its data, and signatures Cloud DNS adds in a DNSSEC zone. */
const ITEM_DATA = ['rrdatas', 'signatureRrdatas'];

/** The items of a listed policy, when each is one fedsvc writes (its data present, no health-checked targets). */
function itemsOf(policy: unknown, key: 'location' | 'weight', extra: readonly string[]): PolicyItem[] | undefined {
  if (!isObject(policy) || !only(policy, ['items', ...extra])) return undefined;
  const items = policy.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > GOOGLE_ROUTING.maxMembers) return undefined;
  const read: PolicyItem[] = [];
  for (const item of items as unknown[]) {
    if (!isObject(item) || !only(item, [key, ...ITEM_DATA])) return undefined;
    const rrdatas = item.rrdatas;
    if (!Array.isArray(rrdatas) || rrdatas.length === 0 || !rrdatas.every((rrdata) => typeof rrdata === 'string')) return undefined;
    read.push({ [key]: item[key], rrdatas: rrdatas as string[] });
  }
  return read;
}

/** `nearest` members of a `geo` policy fedsvc wrote: Google Cloud regions, in ascending order (so each once), no fencing. */
function nearestMembers(geo: unknown): RoutedMember[] | undefined {
  if (isObject(geo) && geo.enableFencing !== undefined && geo.enableFencing !== false) return undefined;
  const items = itemsOf(geo, 'location', ['enableFencing']);
  if (items === undefined) return undefined;
  const members: RoutedMember[] = [];
  for (const { location, rrdatas } of items) {
    if (typeof location !== 'string' || !GOOGLE_ROUTING.isLocation(location)) return undefined;
    const previous = members.at(-1)?.location;
    if (previous !== undefined && previous >= location) return undefined;
    members.push({ id: location, location, rrdatas: [...rrdatas] });
  }
  return members;
}

/** Digits of a `wrr` member's id: enough for the last position a set may hold. */
const ID_DIGITS = String(GOOGLE_ROUTING.maxMembers - 1).length;

/** `weighted` members of a `wrr` policy fedsvc wrote: integer weights from 0 to `maxWeight`. */
function weightedMembers(wrr: unknown): RoutedMember[] | undefined {
  const items = itemsOf(wrr, 'weight', []);
  if (items === undefined) return undefined;
  const valid = ({ weight }: PolicyItem) =>
    Number.isInteger(weight) && (weight as number) >= 0 && (weight as number) <= GOOGLE_ROUTING.maxWeight;
  if (!items.every(valid)) return undefined;
  return items.map(({ weight, rrdatas }, i) => ({ id: String(i).padStart(ID_DIGITS, '0'), weight, rrdatas: [...rrdatas] }));
}

/** A record set's routed fields. */
type Routed = Required<Pick<RecordSet<string>, 'routing' | 'members' | 'rrdatas'>>;

/**
 * The routed set a listed routing policy of a record set of `type` is, when it is one fedsvc
 * writes: a `geo` or `wrr` policy alone (no `healthCheck`, no `primaryBackup`) of an A or AAAA
 * set, as {@link weightedMembers} and {@link nearestMembers} accept. Otherwise `undefined`: the
 * set is someone else's kind, which the adapter reports but never changes.
 */
export function routedOf(type: string, policy: Raw): Routed | undefined {
  if ((type !== 'A' && type !== 'AAAA') || !only(policy, ['geo', 'wrr'])) return undefined;
  const routing = policy.geo !== undefined ? 'nearest' : 'weighted';
  if (policy.geo !== undefined && policy.wrr !== undefined) return undefined;
  const members = routing === 'nearest' ? nearestMembers(policy.geo) : weightedMembers(policy.wrr);
  return members && { routing, members, rrdatas: union(members) };
}

/** Every member's rrdatas once, in address order, as a plain set of the same addresses holds them. */
function union(members: readonly RoutedMember[]): string[] {
  const byKey = new Map<string, string>();
  for (const member of members) for (const rrdata of member.rrdatas) byKey.set(parseAddress(rrdata)?.key ?? rrdata, rrdata);
  return [...byKey.keys()].sort().map((key) => byKey.get(key) as string);
}

/**
 * What a change costs against Cloud DNS's per-change limits. A routed set is one addition or
 * deletion however many members it has (as a plain set is), and its rrdata is every member's:
 * Cloud DNS counts each item's rrdatas toward the bytes of a change, and two members that answer
 * the same address count it twice, where the set's own `rrdatas` (the union) holds it once.
 */
export function requestCost(change: Change): RequestCost {
  if (change.record.members === undefined && (change.kind !== 'update' || change.before.members === undefined)) return changeCost(change);
  const cost = { changes: 0, rrdatas: 0, chars: 0 };
  for (const side of change.kind === 'update' ? [change.before, change.record] : [change.record]) {
    cost.changes += 1;
    for (const rrdatas of side.members?.map((member) => member.rrdatas) ?? [side.rrdatas]) {
      cost.rrdatas += rrdatas.length;
      for (const rrdata of rrdatas) cost.chars += rrdata.length;
    }
  }
  return cost;
}
