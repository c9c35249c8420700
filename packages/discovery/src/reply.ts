// The reply's bytes: the header, the question copied from the query (so the name reads as it was
// asked), the answer's records (the question's name as a pointer to it, a CNAME target written
// once and pointed at by the records it owns), and our OPT when the query had one.
import { RRClass, RRType } from '@fedsvc/dns-rfc2136/wire';
import type { Answer, AnswerRecord } from './answer.js';
import type { WireName } from './catalog.js';
import type { Query } from './query.js';

/** Our UDP payload size (DNS Flag Day 2020: no IP fragmentation); a client's smaller size is kept to. */
export const EDNS_PAYLOAD = 1232;
/** RFC 1035's UDP limit, for clients without EDNS. */
export const PLAIN_PAYLOAD = 512;
const BADVERS = 16;
const OPTION_CLIENT_SUBNET = 8;
/** A pointer to the question's name, which always starts right after the header. */
const QUESTION_POINTER = 0xc00c;

/** The largest reply a client takes over UDP: the smaller of its EDNS payload size and ours, never below 512. */
export function udpLimit(query: Query): number {
  return query.edns ? Math.max(PLAIN_PAYLOAD, Math.min(query.edns.udpSize, EDNS_PAYLOAD)) : PLAIN_PAYLOAD;
}

/**
 * Encodes the reply to `query` (whose bytes are `wire`). With `limit` (UDP), a reply longer than
 * it goes out without its records and with TC set, so that the client asks again over TCP.
 * `scopePrefix`: how much of the client subnet the answer depends on (RFC 7871 §7.2.1).
 */
export function encodeReply(wire: Uint8Array, query: Query, answer: Answer, scopePrefix: number, limit?: number): Buffer {
  const full = encode(wire, query, answer, scopePrefix, false);
  if (limit === undefined || full.length <= limit) return full;
  return encode(wire, query, answer, scopePrefix, true);
}

/** An error reply to a query of another opcode: the header alone, NOTIMP (RFC 1035 §4.1.1). */
export function encodeBareReply(id: number, opcode: number, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(id, 0);
  out[2] = 0x80 | ((opcode & 0xf) << 3);
  out[3] = rcode & 0xf;
  return out;
}

function encode(wire: Uint8Array, query: Query, answer: Answer, scopePrefix: number, truncated: boolean): Buffer {
  const answers = truncated ? [] : answer.answers;
  const authorities = truncated ? [] : answer.authorities;
  const edns = query.edns;
  const badVersion = edns !== undefined && edns.version !== 0;
  const rcode = badVersion ? BADVERS : answer.rcode;
  const subnet = edns?.subnet;
  const subnetBytes = subnet ? Math.ceil(subnet.sourcePrefix / 8) : 0;
  const optLength = edns ? 11 + (subnet ? 8 + subnetBytes : 0) : 0;
  const out = Buffer.allocUnsafe(query.questionEnd + recordsLength([...answers, ...authorities]) + optLength);
  out.writeUInt16BE(query.id, 0);
  out[2] = 0x80 | (answer.authoritative && !badVersion ? 0x04 : 0) | (truncated ? 0x02 : 0) | (query.rd ? 0x01 : 0);
  out[3] = rcode & 0xf;
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(answers.length, 6);
  out.writeUInt16BE(authorities.length, 8);
  out.writeUInt16BE(edns ? 1 : 0, 10);
  for (let i = 12; i < query.questionEnd; i++) out[i] = wire[i]!;
  const written = new Map<Uint8Array, number>();
  let at = query.questionEnd;
  for (const record of answers) at = writeRecord(out, at, record, written);
  for (const record of authorities) at = writeRecord(out, at, record, written);
  if (edns) {
    out[at] = 0;
    out.writeUInt16BE(RRType.OPT, at + 1);
    out.writeUInt16BE(EDNS_PAYLOAD, at + 3);
    // TTL: extended rcode (its upper 8 bits), version 0, the DO bit echoed (RFC 3225 §3), zeros.
    out[at + 5] = rcode >> 4;
    out[at + 6] = 0;
    out[at + 7] = edns.dnssecOk ? 0x80 : 0;
    out[at + 8] = 0;
    out.writeUInt16BE(optLength - 11, at + 9);
    at += 11;
    if (subnet) {
      out.writeUInt16BE(OPTION_CLIENT_SUBNET, at);
      out.writeUInt16BE(4 + subnetBytes, at + 2);
      out.writeUInt16BE(subnet.family, at + 4);
      out[at + 6] = subnet.sourcePrefix;
      out[at + 7] = Math.min(scopePrefix, subnet.family === 1 ? 32 : 128);
      out.set(subnet.address.subarray(0, subnetBytes), at + 8);
      at += 8 + subnetBytes;
    }
  }
  return out;
}

/** The records' length as writeRecord writes them: an owner is a pointer when it is the question's name or a name written before. */
function recordsLength(records: readonly AnswerRecord[]): number {
  let length = 0;
  const written = new Set<Uint8Array>();
  for (const record of records) {
    const owner = record.owner === undefined || written.has(record.owner.wire) ? 2 : record.owner.wire.length;
    if (isName(record.data)) written.add(record.data.wire);
    length += owner + 10 + dataLength(record.data);
  }
  return length;
}

const isName = (data: WireName | Uint8Array): data is WireName => !(data instanceof Uint8Array);
const dataLength = (data: WireName | Uint8Array): number => (isName(data) ? data.wire.length : data.length);

function writeRecord(out: Buffer, start: number, record: AnswerRecord, written: Map<Uint8Array, number>): number {
  let at = start;
  const pointer = record.owner === undefined ? QUESTION_POINTER : written.get(record.owner.wire);
  if (pointer !== undefined) {
    out.writeUInt16BE(pointer, at);
    at += 2;
  } else {
    const owner = record.owner!.wire;
    out.set(owner, at);
    at += owner.length;
  }
  out.writeUInt16BE(record.type, at);
  out.writeUInt16BE(RRClass.IN, at + 2);
  out.writeUInt32BE(record.ttl, at + 4);
  const data = record.data;
  const bytes = isName(data) ? data.wire : data;
  out.writeUInt16BE(bytes.length, at + 8);
  at += 10;
  // A name written here is pointed at by the records it owns. It is the first record's data, so
  // its offset (after the question) always fits a pointer's 14 bits.
  if (isName(data)) written.set(data.wire, 0xc000 | at);
  out.set(bytes, at);
  return at + bytes.length;
}
