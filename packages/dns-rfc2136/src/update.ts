// A change set → one RFC 2136 UPDATE message, and a zone transfer → record sets. Pure.
import { ValidationError, type Change, type RecordSet } from '@fedsvc/core';
import { rdataFromText, rdataToText, typeCode, typeName } from './rdata.js';
import { Opcode, RRClass, RRType, WireError, emptyMessage, normalizeWireName, type Message, type ResourceRecord } from './wire.js';

const MAX_TTL = 0x7fffffff;

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
  if (!Number.isInteger(record.ttl) || record.ttl < 0 || record.ttl > MAX_TTL) {
    throw new ValidationError(`${field}.ttl`, record.ttl, `must be an integer from 0 to ${MAX_TTL}`);
  }
  if (record.rrdatas.length === 0) throw new ValidationError(`${field}.rrdatas`, record.rrdatas, 'must hold at least one rrdata');
  const rdatas = record.rrdatas.map((text, j) => {
    try {
      return rdataFromText(type, text);
    } catch (error) {
      throw new ValidationError(`${field}.rrdatas[${j}]`, text, (error as WireError).message);
    }
  });
  return { name, type, ttl: record.ttl, rdatas };
}

const rr = (name: string, type: number, klass: number, ttl: number, rdata: Uint8Array = new Uint8Array()): ResourceRecord => ({ name, type, class: klass, ttl, rdata });

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

export function updateMessage(id: number, zone: string, changes: readonly Change[]): Message {
  const wire = changes.map((change, i): WireChange => {
    const record = toWire(change.record, zone, `changes[${i}].record`);
    if (change.kind !== 'update') return { kind: change.kind, record };
    const before = toWire(change.before, zone, `changes[${i}].before`);
    if (before.name !== record.name || before.type !== record.type) {
      throw new ValidationError(`changes[${i}].before`, `${change.before.name} ${change.before.type}`, `must be the same record set as ${change.record.name} ${change.record.type}`);
    }
    return { kind: change.kind, record, before };
  });
  // A server silently ignores a CNAME added beside other data, and other data added beside a
  // CNAME (RFC 2136 §3.4.2.2). So a create also needs the name free of whatever would swallow
  // it, unless this same message clears the name (a type switch: delete A, create CNAME).
  const clears = (name: string, type?: number) =>
    wire.some((change) => change.kind !== 'create' && change.record.name === name && (type === undefined || change.record.type === type));
  const prerequisites: ResourceRecord[] = [];
  const updates: ResourceRecord[] = [];
  for (const change of wire) {
    const { record } = change;
    switch (change.kind) {
      case 'create':
        prerequisites.push(absent(record));
        if (record.type === RRType.CNAME && !clears(record.name)) prerequisites.push(unused(record.name));
        if (record.type !== RRType.CNAME && !clears(record.name, RRType.CNAME)) prerequisites.push(absent({ ...record, type: RRType.CNAME }));
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
  }
  return {
    ...emptyMessage(id, Opcode.UPDATE),
    questions: [{ name: zone, type: RRType.SOA, class: RRClass.IN }],
    answers: prerequisites,
    authorities: updates,
  };
}

/**
 * A transfer's records grouped into record sets, in the order first seen. The SOA is left out:
 * the server owns it and bumps its serial on every update, so it is nobody's to plan.
 */
export function recordSets(records: readonly ResourceRecord[]): RecordSet<string>[] {
  const sets = new Map<string, { name: string; type: string; ttl: number; rrdatas: string[] }>();
  for (const record of records) {
    if (record.type === RRType.SOA || record.class !== RRClass.IN) continue;
    const type = typeName(record.type);
    const key = `${record.name} ${type}`;
    const set = sets.get(key) ?? { name: record.name, type, ttl: record.ttl, rrdatas: [] };
    set.rrdatas.push(rdataToText(record.type, record.rdata));
    sets.set(key, set);
  }
  return [...sets.values()];
}
