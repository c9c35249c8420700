// A zone's record sets as the in-memory provider holds them, and the order it lists them in.
import { normalizeName } from '@fedsvc/core/provider';
import type { Change, RecordSet } from '@fedsvc/core/provider';

/** Listing order: name, then type. */
export const byNameAndType = (a: RecordSet<string>, b: RecordSet<string>): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0;

/** The SOA and NS every zone holds at its apex. */
export function apexRecords(dnsName: string): RecordSet<string>[] {
  return [
    { name: dnsName, type: 'SOA', ttl: 900, rrdatas: [`ns1.${dnsName} hostmaster.${dnsName} 1 7200 900 1209600 86400`] },
    { name: dnsName, type: 'NS', ttl: 172_800, rrdatas: [`ns1.${dnsName}`, `ns2.${dnsName}`] },
  ];
}

/**
 * A zone's record sets by name, so that a change request costs what it touches, not the zone's
 * size; the listing order is sorted once after each write, when first read.
 */
export class ZoneRecords {
  readonly #byName = new Map<string, RecordSet<string>[]>();
  #sorted: RecordSet<string>[] | undefined;

  constructor(records: readonly RecordSet<string>[]) {
    for (const record of records) this.#add(record);
  }

  sorted(): readonly RecordSet<string>[] {
    this.#sorted ??= [...this.#byName.values()].flat().sort(byNameAndType);
    return this.#sorted;
  }

  /** The record sets at the names `changes` touch: all a change set's checks depend on. */
  touched(changes: readonly Change[]): { names: Set<string>; records: RecordSet<string>[] } {
    const names = new Set(changes.map((change) => normalizeName(change.record.name)));
    return { names, records: [...names].flatMap((name) => this.#byName.get(name) ?? []) };
  }

  /** Replaces every record set at `names` with `records`. */
  replace(names: ReadonlySet<string>, records: readonly RecordSet<string>[]): void {
    for (const name of names) this.#byName.delete(name);
    for (const record of records) this.#add(record);
    this.#sorted = undefined;
  }

  #add(record: RecordSet<string>): void {
    const name = normalizeName(record.name);
    const at = this.#byName.get(name);
    if (at) at.push(record);
    else this.#byName.set(name, [record]);
  }
}

/** Index of the first record set sorted after `after` (binary search). */
export function firstAfter(sorted: readonly RecordSet<string>[], after: RecordSet<string>): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (byNameAndType(sorted[middle]!, after) > 0) high = middle;
    else low = middle + 1;
  }
  return low;
}
