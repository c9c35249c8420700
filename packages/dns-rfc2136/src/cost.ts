// What a change costs in an UPDATE message, in bytes, as planUpdate writes it with names
// compressed. Pure. The count is an upper bound that adds up change by change: core packs
// requests by summing it.
import type { Change, RecordSet, RequestCost } from '@fedsvc/core/provider';
import { rdataFromText, typeCode } from './rdata.js';
import { MAX_NAME_WIRE } from './codes.js';
import { WireError, encodeName, normalizeWireName } from './wire.js';

/** A record's type, class, TTL and data length: 10 bytes after its owner name. */
const RECORD_FIXED = 10;
/** A compression pointer (RFC 1035 §4.1.4). */
const POINTER = 2;
/** A header, 12 bytes. */
const HEADER = 12;
/** The zone section: the zone's name (at most 255 bytes), its type and class. */
const ZONE_SECTION = MAX_NAME_WIRE + 4;
/**
 * A compression pointer reaches only the first 16,384 bytes of a message. An UPDATE's records
 * are kept within them, so that every name already written, and the zone's name in the zone
 * section, can be pointed at: a name written again costs 2 bytes.
 */
const POINTER_REACH = 0x4000;

/**
 * The bytes an UPDATE's records may take: what is left of the pointers' reach after the header
 * and the longest zone section. The TSIG record comes after them (at most 364 bytes), so the
 * signed message stays far below the 65,535 bytes a TCP message may hold.
 */
export const UPDATE_RECORD_BYTES = POINTER_REACH - HEADER - ZONE_SECTION;

/**
 * The bytes of `name` when written after the zone's name is in the message: its labels below
 * the longest of `zones` it falls in, then a pointer to that zone (the whole name when none).
 */
function ownerBytes(name: string, zones: readonly string[]): number {
  let full: number;
  let wire: string;
  try {
    wire = normalizeWireName(name);
    full = encodeName(wire).length;
  } catch {
    return MAX_NAME_WIRE;
  }
  let best = full;
  for (const zone of zones) {
    if (wire === zone) return POINTER;
    if (wire.endsWith(`.${zone}`)) best = Math.min(best, full - encodeName(zone).length + POINTER);
  }
  return best;
}

/**
 * The bytes of an rrdata on the wire. Data the codec cannot read (which the adapter refuses
 * before sending) counts as its text plus 16, more than any readable text takes (`::` is 2
 * characters and 16 bytes).
 */
function rdataBytes(type: string, text: string): number {
  const code = typeCode(type);
  try {
    if (code !== undefined) return rdataFromText(code, text).length;
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
  }
  return text.length + 16;
}

const dataBytes = (set: RecordSet): number => set.rrdatas.reduce((sum, text) => sum + RECORD_FIXED + rdataBytes(set.type, text), 0);

/**
 * The bytes a change adds to an UPDATE (see planUpdate): a create's two data-less
 * prerequisites ("does not exist", and "not in use" or "no CNAME here") and its adds; a
 * delete's "exists as read" per rrdata and its "delete RRset"; an update's "exists as read",
 * "delete RRset" and adds. The first record's name is written in full down to the zone, every
 * other one is a pointer.
 */
export function changeBytes(change: Change, zones: readonly string[]): number {
  const { record } = change;
  let records: number;
  let bytes: number;
  if (change.kind === 'create') {
    records = 2 + record.rrdatas.length;
    bytes = 2 * RECORD_FIXED + dataBytes(record);
  } else if (change.kind === 'delete') {
    records = record.rrdatas.length + 1;
    bytes = dataBytes(record) + RECORD_FIXED;
  } else {
    records = change.before.rrdatas.length + 1 + record.rrdatas.length;
    bytes = dataBytes(change.before) + RECORD_FIXED + dataBytes(record);
  }
  return bytes + ownerBytes(record.name, zones) + POINTER * (records - 1);
}

/**
 * A change's cost for core's packing, against RFC2136_LIMITS: its bytes, counted as `chars`.
 * Changes and rrdatas count as core counts them; every change and every rrdata takes more than
 * a byte, so the bytes bind first.
 */
export function updateCost(change: Change, zones: readonly string[]): RequestCost {
  const sides = change.kind === 'update' ? [change.before, change.record] : [change.record];
  return {
    changes: sides.length,
    rrdatas: sides.reduce((sum, side) => sum + side.rrdatas.length, 0),
    chars: changeBytes(change, zones),
  };
}
