// The DNS message format (RFC 1035 §4, RFC 2136 §2 for UPDATE): header, sections, names with
// compression on decode. Record data is kept as uncompressed wire bytes so that messages can be
// re-encoded and signed byte for byte; rdata.ts turns it into presentation form and back.
// The codec's parts (codes, names, reader, writer) are re-exported here: the rest of the package
// and `@fedsvc/dns-rfc2136/wire` take the whole codec from this module.
import { RRType } from './codes.js';
import { Reader } from './reader.js';
import { WireError } from './wire-error.js';
import { Writer } from './writer.js';

export { MAX_MESSAGE_SIZE, Opcode, Rcode, RRClass, RRType, rcodeName } from './codes.js';
export { encodeName, labelsToName, nameToLabels, normalizeWireName } from './names.js';
export { Reader } from './reader.js';
export { WireError } from './wire-error.js';
export { Writer } from './writer.js';

export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface ResourceRecord {
  /** Lower-case, fully qualified, with RFC 1035 escapes (`\.`, `\DDD`) for unusual bytes. */
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  /** Uncompressed wire form. */
  readonly rdata: Uint8Array;
}

export interface Message {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly rcode: number;
  /** UPDATE: the zone section. */
  readonly questions: readonly Question[];
  /** UPDATE: the prerequisite section. */
  readonly answers: readonly ResourceRecord[];
  /** UPDATE: the update section. */
  readonly authorities: readonly ResourceRecord[];
  readonly additionals: readonly ResourceRecord[];
}

/** A decoded message. A TSIG record, always last (RFC 8945 §5.1), is set apart with where it started. */
export interface DecodedMessage extends Message {
  readonly tsig?: { readonly record: ResourceRecord; readonly offset: number };
}

export const emptyMessage = (id: number, opcode: number): Message => ({
  id,
  qr: false,
  opcode,
  aa: false,
  tc: false,
  rd: false,
  ra: false,
  rcode: 0,
  questions: [],
  answers: [],
  authorities: [],
  additionals: [],
});

// ---- record data with names inside ---------------------------------------------------------

export type RdataField = 'name' | 'u16' | 'u32';

/**
 * Types whose rdata holds names, and their fields. A server may compress those names (RFC 3597
 * §4): they are decoded to uncompressed form.
 */
export const RDATA_FIELDS: ReadonlyMap<number, readonly RdataField[]> = new Map([
  [RRType.NS, ['name']],
  [RRType.CNAME, ['name']],
  [RRType.PTR, ['name']],
  [RRType.MX, ['u16', 'name']],
  [RRType.SOA, ['name', 'name', 'u32', 'u32', 'u32', 'u32', 'u32']],
]);

function readRdata(reader: Reader, type: number, length: number): Uint8Array {
  const fields = RDATA_FIELDS.get(type);
  const start = reader.offset;
  // Empty rdata is how UPDATE says "the whole RRset" (RFC 2136 §2.4.1, §2.5.2) for any type.
  if (!fields || length === 0) return reader.bytes(length);
  const out = new Writer();
  for (const field of fields) {
    if (field === 'name') out.name(reader.name());
    else if (field === 'u16') out.u16(reader.u16());
    else out.u32(reader.u32());
  }
  if (reader.offset - start !== length) throw new WireError(`rdata of type ${type} does not match its length ${length}`, start);
  return out.finish();
}

// ---- messages ------------------------------------------------------------------------------

function writeRecord(writer: Writer, record: ResourceRecord): void {
  writer.name(record.name);
  writer.u16(record.type);
  writer.u16(record.class);
  writer.u32(record.ttl);
  writer.u16(record.rdata.length);
  writer.bytes(record.rdata);
}

function writeHeader(writer: Writer, message: Message, counts: readonly number[]): void {
  writer.u16(message.id);
  writer.u16(
    (message.qr ? 0x8000 : 0) |
      ((message.opcode & 0xf) << 11) |
      (message.aa ? 0x400 : 0) |
      (message.tc ? 0x200 : 0) |
      (message.rd ? 0x100 : 0) |
      (message.ra ? 0x80 : 0) |
      (message.rcode & 0xf),
  );
  for (const count of counts) writer.u16(count);
}

/** Encodes a message. Compression (owner and question names only) is for answers a responder sends. */
export function encodeMessage(message: Message, options: { compress?: boolean } = {}): Buffer {
  const writer = new Writer(options.compress === true);
  writeHeader(writer, message, [message.questions.length, message.answers.length, message.authorities.length, message.additionals.length]);
  for (const question of message.questions) {
    writer.name(question.name);
    writer.u16(question.type);
    writer.u16(question.class);
  }
  for (const section of [message.answers, message.authorities, message.additionals]) {
    for (const record of section) writeRecord(writer, record);
  }
  return writer.finish();
}

/** The header's flags word → the flags of a message. */
function readFlags(flags: number): Pick<Message, 'qr' | 'opcode' | 'aa' | 'tc' | 'rd' | 'ra' | 'rcode'> {
  return {
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x400) !== 0,
    tc: (flags & 0x200) !== 0,
    rd: (flags & 0x100) !== 0,
    ra: (flags & 0x80) !== 0,
    rcode: flags & 0xf,
  };
}

function readRecord(reader: Reader): ResourceRecord {
  const name = reader.name();
  const type = reader.u16();
  const klass = reader.u16();
  const ttl = reader.u32();
  const length = reader.u16();
  const rdata = readRdata(reader, type, length);
  return { name, type, class: klass, ttl, rdata };
}

export function decodeMessage(data: Uint8Array): DecodedMessage {
  const reader = new Reader(data);
  if (data.length < 12) throw new WireError('message shorter than its 12-byte header', 0);
  const id = reader.u16();
  const flags = reader.u16();
  const [qd, an, ns, ar] = [reader.u16(), reader.u16(), reader.u16(), reader.u16()] as const;
  const questions: Question[] = [];
  for (let i = 0; i < qd; i++) questions.push({ name: reader.name(), type: reader.u16(), class: reader.u16() });
  const sections: ResourceRecord[][] = [[], [], []];
  let tsig: DecodedMessage['tsig'];
  [an, ns, ar].forEach((count, s) => {
    for (let i = 0; i < count; i++) {
      const offset = reader.offset;
      const record = readRecord(reader);
      if (record.type === RRType.TSIG) {
        if (s !== 2 || i !== count - 1) throw new WireError('TSIG record is not the last record of the message', offset);
        tsig = { record, offset };
      } else sections[s]!.push(record);
    }
  });
  if (reader.offset !== data.length) throw new WireError('bytes after the last record', reader.offset);
  return {
    id,
    ...readFlags(flags),
    questions,
    answers: sections[0]!,
    authorities: sections[1]!,
    additionals: sections[2]!,
    tsig,
  };
}
