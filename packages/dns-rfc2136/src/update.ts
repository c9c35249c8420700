// A change set → one RFC 2136 UPDATE message, and a zone transfer → record sets. Pure.
import { isTtl, MAX_TTL, ProviderError, ValidationError, type Change, type RecordSet } from '@fedsvc/core/provider';
import { PROVIDER } from './errors.js';
import { rdataFromText, rdataToText, typeCode, typeName } from './rdata.js';
import { Opcode, RRClass, RRType, WireError, emptyMessage, normalizeWireName, type Message, type ResourceRecord } from './wire.js';

interface WireRecordSet {
  readonly name: string;
  readonly type: number;
  readonly ttl: number;
  readonly rdatas: readonly Uint8Array[];
}

/** Checks one record set of a change set and puts it in wire form; bad input names its field. */
function toWire(record: RecordSet, zone: string, field: string): WireRecordSet {
  let name: string;
  try {
    name = normalizeWireName(record.name);
  } catch (error) {
    throw new ValidationError(`${field}.name`, record.name, (error as WireError).message);
  }
  if (name !== zone && !name.endsWith(`.${zone}`)) throw new ValidationError(`${field}.name`, record.name, `is not in zone ${zone}`);
  const type = typeCode(record.type);
  if (type === undefined || type === RRType.SOA || type >= RRType.TSIG || type === RRType.OPT) {
    throw new ValidationError(`${field}.type`, record.type, 'is not a record type an UPDATE can carry');
  }
  if (!isTtl(record.ttl)) {
    throw new ValidationError(`${field}.ttl`, record.ttl, `must be an integer from 0 to ${MAX_TTL}`);
  }
  if (record.rrdatas.length === 0) throw new ValidationError(`${field}.rrdatas`, record.rrdatas, 'must hold at least one rrdata');
  const rdatas = record.rrdatas.map((text, j) => {
    try {
      return rdataFromText(type, text);
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      // Data the server could not take: `invalid`, naming the record set, so that core's batch
      // writer sets this one record set aside and writes the rest.
      throw new ProviderError(
        PROVIDER,
        'invalid',
        `${field}.rrdatas[${j}] ${JSON.stringify(text)} of ${name} ${typeName(type)}: ${error.message}`,
        {
          cause: error,
          record: { name, type: typeName(type) },
        },
      );
    }
  });
  return { name, type, ttl: record.ttl, rdatas };
}

const rr = (name: string, type: number, klass: number, ttl: number, rdata: Uint8Array = new Uint8Array()): ResourceRecord => ({
  name,
  type,
  class: klass,
  ttl,
  rdata,
});

/** RFC 2136 §2.4.2 "RRset exists (value dependent)": exactly these rdatas, compared as a set. */
const exists = (set: WireRecordSet): ResourceRecord[] => set.rdatas.map((rdata) => rr(set.name, set.type, RRClass.IN, 0, rdata));
/** §2.4.3 "RRset does not exist". */
const absent = (set: WireRecordSet): ResourceRecord => rr(set.name, set.type, RRClass.NONE, 0);
/** §2.4.5 "Name is not in use". */
const unused = (name: string): ResourceRecord => rr(name, RRType.ANY, RRClass.NONE, 0);
/** §2.5.2 "Delete an RRset". */
const deleteSet = (set: WireRecordSet): ResourceRecord => rr(set.name, set.type, RRClass.ANY, 0);
/** §2.5.1 "Add to an RRset". */
const add = (set: WireRecordSet): ResourceRecord[] => set.rdatas.map((rdata) => rr(set.name, set.type, RRClass.IN, set.ttl, rdata));

/**
 * One UPDATE for the whole change set, so the server applies it all or nothing. Each change
 * brings the prerequisite it was planned on: a create needs the record set absent, a delete or
 * an update needs the record set exactly as read. If anyone changed it since, the server
 * answers NXRRSET, YXRRSET or YXDOMAIN and writes nothing. (Prerequisites compare data, not TTLs: a TTL
 * changed behind our back goes unnoticed, and is overwritten by an update.)
 */
type WireChange =
  | { readonly kind: 'create' | 'delete'; readonly record: WireRecordSet }
  | { readonly kind: 'update'; readonly record: WireRecordSet; readonly before: WireRecordSet };

export interface PlannedUpdate {
  readonly message: Message;
  /**
   * Record sets the message adds that the server could still drop without a word, because no
   * prerequisite can rule it out: a CNAME created where the same message deletes other data
   * (a type switch). "Name is not in use" cannot be asked — the name is in use, by the data
   * being deleted — and there is no prerequisite for "holds nothing but these types". The
   * caller checks these are in the zone after a NOERROR answer (BIND, Knot), and what the name
   * holds after a REFUSED one (PowerDNS refuses the whole UPDATE instead of dropping the add).
   */
  readonly verify: readonly AddToVerify[];
}

/** A CNAME the server could drop (or refuse, see PlannedUpdate.verify), and the types the message deletes at its name before adding it. */
export interface AddToVerify {
  readonly name: string;
  readonly type: number;
  readonly rdatas: readonly Uint8Array[];
  readonly deletes: readonly number[];
}

/** The change set in wire form, each change checked; bad input names its field. */
function toWireChanges(zone: string, changes: readonly Change[]): WireChange[] {
  return changes.map((change, i): WireChange => {
    const record = toWire(change.record, zone, `changes[${i}].record`);
    if (change.kind !== 'update') return { kind: change.kind, record };
    const before = toWire(change.before, zone, `changes[${i}].before`);
    if (before.name !== record.name || before.type !== record.type) {
      throw new ValidationError(
        `changes[${i}].before`,
        `${change.before.name} ${change.before.type}`,
        `must be the same record set as ${change.record.name} ${change.record.type}`,
      );
    }
    return { kind: change.kind, record, before };
  });
}

export function planUpdate(id: number, zone: string, changes: readonly Change[]): PlannedUpdate {
  const wire = toWireChanges(zone, changes);
  // A server silently ignores a CNAME added beside other data, and other data added beside a
  // CNAME (RFC 2136 §3.4.2.2, §3.4.2.3), and answers NOERROR. So a create also needs the name
  // free of whatever would swallow it, unless a delete earlier in this message removes it
  // first (a type switch: delete A, create CNAME). Only a delete empties anything: an update
  // puts its record set straight back.
  const deletedBefore = (index: number, name: string, type?: number) =>
    wire.some(
      (change, j) =>
        j < index && change.kind === 'delete' && change.record.name === name && (type === undefined || change.record.type === type),
    );
  const deletedTypes = (index: number, name: string) =>
    wire.filter((change, j) => j < index && change.kind === 'delete' && change.record.name === name).map((change) => change.record.type);
  const prerequisites: ResourceRecord[] = [];
  const updates: ResourceRecord[] = [];
  const verify: AddToVerify[] = [];
  wire.forEach((change, index) => {
    const { record } = change;
    switch (change.kind) {
      case 'create':
        prerequisites.push(absent(record));
        if (record.type === RRType.CNAME) {
          // The deletes' own prerequisites pin the types they delete, not the name's other
          // types: a record set added behind our back would make the server drop the CNAME.
          if (!deletedBefore(index, record.name)) prerequisites.push(unused(record.name));
          else verify.push({ ...record, deletes: deletedTypes(index, record.name) });
        } else if (!deletedBefore(index, record.name, RRType.CNAME)) {
          // A CNAME deleted earlier in the message is gone (its prerequisite says it was there,
          // exactly as read) by the time this add is applied.
          prerequisites.push(absent({ ...record, type: RRType.CNAME }));
        }
        updates.push(...add(record));
        break;
      case 'delete':
        prerequisites.push(...exists(record));
        updates.push(deleteSet(record));
        break;
      case 'update':
        prerequisites.push(...exists(change.before));
        updates.push(deleteSet(change.before), ...add(record));
        break;
    }
  });
  const message: Message = {
    ...emptyMessage(id, Opcode.UPDATE),
    questions: [{ name: zone, type: RRType.SOA, class: RRClass.IN }],
    answers: prerequisites,
    authorities: updates,
  };
  return { message, verify };
}

/** The UPDATE message alone (see planUpdate). */
export const updateMessage = (id: number, zone: string, changes: readonly Change[]): Message => planUpdate(id, zone, changes).message;

/**
 * Types the server maintains itself in a signed zone (RFC 4034, 5155, 7344): not record sets
 * anybody plans. Listed, an RRSIG at every name would read as "someone else's data here" and
 * block every switch to a CNAME.
 */
export const SERVER_MAINTAINED_TYPES: ReadonlySet<number> = new Set([
  RRType.SOA,
  46, // RRSIG
  47, // NSEC
  48, // DNSKEY
  50, // NSEC3
  51, // NSEC3PARAM
  59, // CDS
  60, // CDNSKEY
]);

/**
 * A transfer's records grouped into record sets, in the order first seen. The SOA is left out
 * (the server owns it and bumps its serial on every update, so it is nobody's to plan), and so
 * are the DNSSEC records a signing server maintains (SERVER_MAINTAINED_TYPES).
 */
export function recordSets(records: readonly ResourceRecord[]): RecordSet<string>[] {
  const sets = new Map<string, { name: string; type: string; ttl: number; rrdatas: string[] }>();
  for (const record of records) {
    if (SERVER_MAINTAINED_TYPES.has(record.type) || record.class !== RRClass.IN) continue;
    const type = typeName(record.type);
    const key = `${record.name} ${type}`;
    const set = sets.get(key) ?? { name: record.name, type, ttl: record.ttl, rrdatas: [] };
    set.rrdatas.push(rdataToText(record.type, record.rdata));
    sets.set(key, set);
  }
  return [...sets.values()];
}
