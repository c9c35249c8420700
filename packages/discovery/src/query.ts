// A query as it comes off the wire, read only as far as answering needs: the header, the one
// question (its bytes kept, so that the reply echoes the name as asked), and EDNS (payload
// size, version, the DO bit, and the client subnet option). Anything else is malformed.
import { Opcode, RRType } from '@fedsvc/dns-rfc2136/wire';

/** EDNS Client Subnet (RFC 7871): the asking client's network, as a forwarder passes it on. */
export interface ClientSubnet {
  /** 1: IPv4, 2: IPv6. */
  readonly family: 1 | 2;
  readonly sourcePrefix: number;
  /** The address, zero-padded to 4 or 16 bytes. */
  readonly address: Uint8Array;
}

export interface Edns {
  readonly udpSize: number;
  readonly version: number;
  readonly dnssecOk: boolean;
  readonly subnet?: ClientSubnet;
}

export interface Query {
  readonly id: number;
  readonly rd: boolean;
  /** The question's bytes end here (they start at 12). */
  readonly questionEnd: number;
  /** The question's labels, lower-case. */
  readonly labels: readonly string[];
  readonly type: number;
  readonly class: number;
  readonly edns?: Edns;
}

/**
 * `query`; `not-query` for a response or an opcode other than QUERY (with the id and opcode, to
 * answer NOTIMP to the latter); `malformed` for anything that does not parse as one question
 * with at most one OPT record.
 */
export type Parsed =
  | { readonly kind: 'query'; readonly query: Query }
  | { readonly kind: 'response' }
  | { readonly kind: 'other-opcode'; readonly id: number; readonly opcode: number }
  | { readonly kind: 'malformed' };

const MALFORMED: Parsed = { kind: 'malformed' };
const RESPONSE: Parsed = { kind: 'response' };
const OPTION_CLIENT_SUBNET = 8;

/** Parses one datagram or TCP frame. Never throws. */
export function parseQuery(wire: Uint8Array): Parsed {
  if (wire.length < 12) return MALFORMED;
  if ((wire[2]! & 0x80) !== 0) return RESPONSE;
  const id = (wire[0]! << 8) | wire[1]!;
  const opcode = (wire[2]! >> 3) & 0xf;
  if (opcode !== Opcode.QUERY) return { kind: 'other-opcode', id, opcode };
  const count = (at: number): number => (wire[at]! << 8) | wire[at + 1]!;
  if (count(4) !== 1 || count(6) !== 0 || count(8) !== 0) return MALFORMED;
  const labels: string[] = [];
  const nameEnd = readQuestionName(wire, 12, labels);
  if (nameEnd < 0 || nameEnd + 4 > wire.length) return MALFORMED;
  const type = count(nameEnd);
  const klass = count(nameEnd + 2);
  const questionEnd = nameEnd + 4;
  const edns = readAdditionals(wire, questionEnd, count(10));
  if (edns === false) return MALFORMED;
  return { kind: 'query', query: { id, rd: (wire[2]! & 1) !== 0, questionEnd, labels, type, class: klass, edns } };
}

/** The question's name, uncompressed (nothing precedes it to point at); its end, or -1. */
function readQuestionName(wire: Uint8Array, start: number, labels: string[]): number {
  let at = start;
  for (;;) {
    const length = wire[at];
    if (length === undefined || length > 63) return -1;
    if (length === 0) return at + 1 - start > 255 ? -1 : at + 1;
    if (at + 1 + length > wire.length) return -1;
    // Built by hand: a Buffer view per label costs more than the rest of the answer.
    let label = '';
    for (let i = at + 1; i <= at + length; i++) {
      const c = wire[i]!;
      label += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
    }
    labels.push(label);
    at += 1 + length;
  }
}

/** The additional section: at most one OPT, read; other records skipped. Ends the message exactly; false when malformed. */
function readAdditionals(wire: Uint8Array, start: number, records: number): Edns | undefined | false {
  let at = start;
  let edns: Edns | undefined;
  for (let i = 0; i < records; i++) {
    const nameEnd = skipName(wire, at);
    if (nameEnd < 0 || nameEnd + 10 > wire.length) return false;
    const type = (wire[nameEnd]! << 8) | wire[nameEnd + 1]!;
    const length = (wire[nameEnd + 8]! << 8) | wire[nameEnd + 9]!;
    const end = nameEnd + 10 + length;
    if (end > wire.length) return false;
    if (type === RRType.OPT) {
      // RFC 6891 §6.1.1: one OPT, owned by the root.
      if (edns || nameEnd !== at + 1) return false;
      const read = readOpt(wire, nameEnd, end);
      if (!read) return false;
      edns = read;
    }
    at = end;
  }
  return at === wire.length && edns;
}

/** A record's owner name, compression allowed (pointers are not followed: only the end matters). */
function skipName(wire: Uint8Array, start: number): number {
  let at = start;
  for (let labels = 0; labels < 128; labels++) {
    const length = wire[at];
    if (length === undefined) return -1;
    if (length === 0) return at + 1;
    if ((length & 0xc0) === 0xc0) return at + 2 <= wire.length ? at + 2 : -1;
    if (length > 63) return -1;
    at += 1 + length;
  }
  return -1;
}

function readOpt(wire: Uint8Array, fixed: number, end: number): Edns | undefined {
  const udpSize = (wire[fixed + 2]! << 8) | wire[fixed + 3]!;
  const version = wire[fixed + 5]!;
  const dnssecOk = (wire[fixed + 6]! & 0x80) !== 0;
  let subnet: ClientSubnet | undefined;
  for (let at = fixed + 10; at < end; ) {
    if (at + 4 > end) return undefined;
    const code = (wire[at]! << 8) | wire[at + 1]!;
    const length = (wire[at + 2]! << 8) | wire[at + 3]!;
    if (at + 4 + length > end) return undefined;
    if (code === OPTION_CLIENT_SUBNET) {
      if (subnet) return undefined;
      subnet = readClientSubnet(wire.subarray(at + 4, at + 4 + length));
      if (!subnet) return undefined;
    }
    at += 4 + length;
  }
  return { udpSize, version, dnssecOk, subnet };
}

/** RFC 7871 §6: family, source prefix, scope prefix (0 in queries), and just the prefix's bytes of address. */
function readClientSubnet(option: Uint8Array): ClientSubnet | undefined {
  if (option.length < 4) return undefined;
  const code = (option[0]! << 8) | option[1]!;
  const family = code === 1 ? 1 : code === 2 ? 2 : undefined;
  const sourcePrefix = option[2]!;
  const bytes = option.length - 4;
  const size = family === 1 ? 4 : 16;
  if (family === undefined || sourcePrefix > size * 8 || option[3] !== 0 || bytes !== Math.ceil(sourcePrefix / 8)) return undefined;
  const address = new Uint8Array(size);
  address.set(option.subarray(4));
  // Bits beyond the source prefix must be zero (§6); a mask of them keeps the rest out of the match.
  if (sourcePrefix % 8 !== 0 && (address[bytes - 1]! & (0xff >> (sourcePrefix % 8))) !== 0) return undefined;
  return { family, sourcePrefix, address };
}
