// Who wrote what in the zone, and the campaign's invariants over it. Every change to the zone
// comes either from the controller (seen by dns-memory's onWrite) or from the campaign's other
// writers (through `foreignWrite`), so the ledger knows, for every record set, whose it is.
//
// A record set is the controller's unless another writer made it. Another writer's edit of a
// type the federation manages (A, AAAA, ALIAS, CNAME) at a name the federation marks as its
// own is drift: the record set stays the federation's, to repair. Everything else another
// writer writes is theirs, and so is everything at a name whose marker they remove or replace:
// ownership follows the marker.
import { markerOwner, normalizeName, ownershipRecord, ownershipSubject, parseRecordName } from '@fedsvc/core';
import type { Change, DnsZone, Federation, RecordSet } from '@fedsvc/core';
import type { MemoryDnsProvider, MemoryWrite } from '@fedsvc/dns-memory';

/** What the campaign checks; see the test file for each one's wording. */
export const INVARIANTS = [
  'atomic-only',
  'foreign-untouched',
  'cname-target',
  'cname-alone',
  'in-domain',
  'marked',
  'converges',
  'zone-is-plan',
  'resync-idle',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  readonly invariant: Invariant;
  /** The step of the schedule under way (or `end`). */
  readonly at: string;
  readonly detail: string;
}

const MANAGED = new Set(['A', 'AAAA', 'ALIAS', 'CNAME']);
/** Types the federation writes: unmarked records of these at a name block it. */
const WRITTEN = new Set(['A', 'AAAA', 'ALIAS', 'CNAME', 'TXT']);
const MARKER = '_fedsvc.';

const keyOf = (record: { name: string; type: string }): string => `${normalizeName(record.name)} ${record.type}`;
const show = (record: RecordSet<string>): string => `${record.name} ${record.type} ${record.ttl} ${record.rrdatas.join(',')}`;
const same = (a: RecordSet<string>, b: RecordSet<string>): boolean =>
  a.ttl === b.ttl && [...a.rrdatas].sort().join('\n') === [...b.rrdatas].sort().join('\n');

export class Ledger {
  /** Record sets other writers made, as they left them. */
  readonly foreign = new Map<string, RecordSet<string>>();
  readonly violations: Violation[] = [];
  /** The schedule's step under way, named in violations. */
  at = 'start';
  /** Writes the controller made. */
  writes = 0;
  /** The changes of each write the controller made, in order. */
  readonly log: (readonly Change[])[] = [];
  #zone: RecordSet<string>[];

  constructor(
    private readonly federation: Federation,
    private readonly ownerId: string,
    private readonly provider: MemoryDnsProvider,
    private readonly zone: DnsZone,
  ) {
    this.#zone = provider.snapshot(zone);
    for (const record of this.#zone) this.foreign.set(keyOf(record), record);
  }

  /** The zone as last seen. */
  get records(): readonly RecordSet<string>[] {
    return this.#zone;
  }

  /** The zone as last seen, one record set a line, other writers' marked. */
  describe(): string[] {
    return this.#zone.map((record) => `${show(record)}${this.foreign.has(keyOf(record)) ? '   [other writer]' : ''}`);
  }

  /** Whether `name` holds this owner's marker, put there by the controller. */
  markedOurs(name: string, zone: readonly RecordSet<string>[] = this.#zone): boolean {
    const marker = zone.find((record) => record.name === MARKER + name && record.type === 'TXT');
    return marker !== undefined && !this.foreign.has(keyOf(marker)) && markerOwner(marker) === this.ownerId;
  }

  /** Another writer's edit, around the port. */
  foreignWrite(changes: readonly Change[] | readonly ForeignChange[]): void {
    for (const change of changes as readonly ForeignChange[]) {
      const name = normalizeName(change.record.name);
      const subject = ownershipSubject(name);
      const key = keyOf(change.record);
      if (subject !== name) {
        // Removing or replacing our marker hands the name's records to whoever did it.
        if (this.markedOurs(subject)) {
          for (const record of this.#zone) if (record.name === subject) this.foreign.set(keyOf(record), record);
        }
        if (change.kind === 'delete') this.foreign.delete(key);
        else this.foreign.set(key, change.record);
      } else if (change.kind === 'delete') {
        this.foreign.delete(key);
      } else if (MANAGED.has(change.record.type) && this.markedOurs(name)) {
        this.foreign.delete(key);
      } else {
        this.foreign.set(key, change.record);
      }
      this.provider.writeBehind(this.zone, [change as Change]);
      this.#zone = this.provider.snapshot(this.zone);
    }
  }

  /** A write of the controller's, accepted by the provider (in part, for a non-atomic one). */
  observe(write: MemoryWrite): void {
    this.writes++;
    this.log.push(write.changes);
    const before = this.#zone;
    const after = write.records;
    this.#zone = [...after];
    const fail = (invariant: Invariant, detail: string) => {
      // A state that stays broken is told once.
      if (!this.violations.some((seen) => seen.invariant === invariant && seen.detail === detail))
        this.violations.push({ invariant, at: this.at, detail });
    };
    for (const change of write.changes) {
      if (parseRecordName(this.federation, change.record.name) === undefined) fail('in-domain', `${change.kind} ${show(change.record)}`);
    }
    const held = new Map(after.map((record) => [keyOf(record), record]));
    for (const [key, record] of this.foreign) {
      const now = held.get(key);
      if (now && same(now, record)) continue;
      fail('foreign-untouched', now ? `changed ${show(record)} to ${show(now)}` : `deleted ${show(record)}`);
      // Told once: what the write left stays the other writer's, so that nothing else follows from it.
      if (now) this.foreign.set(key, now);
      else this.foreign.delete(key);
    }
    const types = new Map<string, string[]>();
    for (const record of after) types.set(record.name, [...(types.get(record.name) ?? []), record.type]);
    for (const [name, at] of types) if (at.includes('CNAME') && at.length > 1) fail('cname-alone', `${name} holds ${at.join(', ')}`);
    for (const record of after) {
      if (record.name.startsWith(MARKER) || this.foreign.has(keyOf(record))) continue;
      if (!this.markedOurs(record.name, after)) fail('marked', `${show(record)} without this owner's marker`);
    }
    const earlier = this.#dangling(before);
    for (const cname of this.#dangling(after)) if (!earlier.has(cname)) fail('cname-target', cname);
  }

  /** Our CNAMEs whose target holds nothing, or only other writers' data: `name → target (why)`. */
  #dangling(zone: readonly RecordSet<string>[]): Set<string> {
    const ours = new Set<string>();
    const held = new Set<string>();
    for (const record of zone) {
      if (this.foreign.has(keyOf(record))) held.add(`${record.name}|foreign`);
      else ours.add(record.name);
      held.add(record.name);
    }
    const out = new Set<string>();
    for (const record of zone) {
      if (record.type !== 'CNAME' || this.foreign.has(keyOf(record))) continue;
      const target = normalizeName(record.rrdatas[0] ?? '');
      if (!held.has(target)) out.add(`${record.name} → ${target} (missing)`);
      else if (!ours.has(target)) out.add(`${record.name} → ${target} (only other writers' data)`);
    }
    return out;
  }

  /**
   * The zone's federation record sets against the plan: a name the plan wants holds exactly the
   * planned record sets and this owner's marker, unless other writers' data blocks it (their
   * marker there; their unmarked records of a type the federation writes; any of their data
   * where a CNAME is wanted) or its CNAME leads to a blocked name, transitively: then it holds
   * nothing of the federation's but, perhaps, its marker. Every other name holds nothing of the
   * federation's.
   */
  checkPlan(desired: readonly RecordSet[]): void {
    const zone = this.#zone;
    const wanted = new Map<string, RecordSet[]>();
    for (const record of desired) wanted.set(record.name, [...(wanted.get(record.name) ?? []), record]);
    const foreignAt = (name: string) => zone.filter((record) => record.name === name && this.foreign.has(keyOf(record)));
    const blocked = new Set<string>();
    for (const [name, records] of wanted) {
      const theirs = foreignAt(name);
      if (
        foreignAt(MARKER + name).length > 0 ||
        (!this.markedOurs(name) && theirs.some((record) => WRITTEN.has(record.type))) ||
        (records.some((record) => record.type === 'CNAME') && theirs.length > 0)
      )
        blocked.add(name);
    }
    for (let grew = true; grew; ) {
      grew = false;
      for (const [name, records] of wanted) {
        const target = records.find((record) => record.type === 'CNAME')?.rrdatas[0];
        if (target !== undefined && !blocked.has(name) && blocked.has(normalizeName(target))) {
          blocked.add(name);
          grew = true;
        }
      }
    }
    const expected = new Map<string, RecordSet<string>>();
    for (const [name, records] of wanted) {
      if (blocked.has(name)) continue;
      for (const record of records) expected.set(keyOf(record), record);
      const marker = ownershipRecord(
        name,
        this.ownerId,
        Math.min(...records.map((record) => record.ttl)),
        records.map((record) => record.type),
      );
      expected.set(keyOf(marker), marker);
    }
    const fail = (detail: string) => this.violations.push({ invariant: 'zone-is-plan', at: 'end', detail });
    for (const record of zone) {
      const key = keyOf(record);
      if (this.foreign.has(key)) continue;
      const want = expected.get(key);
      expected.delete(key);
      if (want) {
        if (!same(want, record)) fail(`${show(record)}, planned ${show(want)}`);
      } else if (!(record.name.startsWith(MARKER) && blocked.has(ownershipSubject(record.name)))) {
        fail(`${show(record)} is not planned${blocked.has(record.name) ? ' (the name is blocked by other writers)' : ''}`);
      }
    }
    for (const record of expected.values()) fail(`missing ${show(record)}`);
  }
}

/** A change by another writer: any record type. */
export type ForeignChange =
  | { readonly kind: 'create' | 'delete'; readonly record: RecordSet<string> }
  | { readonly kind: 'update'; readonly before: RecordSet<string>; readonly record: RecordSet<string> };
