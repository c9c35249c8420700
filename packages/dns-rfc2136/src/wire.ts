// The DNS message format (RFC 1035 §4, RFC 2136 §2 for UPDATE): header, sections, names with
// compression on decode. Record data is kept as uncompressed wire bytes so that messages can be
// re-encoded and signed byte for byte; rdata.ts turns it into presentation form and back.

/** Something in a message that does not follow the format. Carries the offset where reading stopped. */
export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
  }
}

export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const RRClass = { IN: 1, NONE: 254, ANY: 255 } as const;

export const Opcode = { QUERY: 0, UPDATE: 5 } as const;

export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
} as const;

const RCODE_NAMES = new Map<number, string>(Object.entries(Rcode).map(([name, code]) => [code, name]));
export const rcodeName = (rcode: number): string => RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;

/** The largest message: what fits TCP's two-byte length prefix. */
export const MAX_MESSAGE_SIZE = 65_535;
const MAX_NAME_WIRE = 255;
const MAX_LABEL = 63;

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

// ---- names ---------------------------------------------------------------------------------

/** Presentation name → labels of raw bytes. Accepts names with or without the trailing dot. */
export function nameToLabels(name: string): Uint8Array[] {
  if (name === '.' || name === '') return [];
  const labels: Uint8Array[] = [];
  let current: number[] = [];
  const bytes = Buffer.from(name, 'utf8');
  const finish = () => {
    if (current.length === 0) throw new WireError(`empty label in name ${JSON.stringify(name)}`);
    if (current.length > MAX_LABEL) throw new WireError(`label longer than ${MAX_LABEL} bytes in name ${JSON.stringify(name)}`);
    labels.push(Uint8Array.from(current));
    current = [];
  };
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x2e /* . */) {
      finish();
    } else if (c === 0x5c /* \ */) {
      const next = bytes[i + 1];
      if (next === undefined) throw new WireError(`dangling escape in name ${JSON.stringify(name)}`);
      if (next >= 0x30 && next <= 0x39) {
        const digits = bytes.subarray(i + 1, i + 4);
        const value = Number(Buffer.from(digits).toString('latin1'));
        if (digits.length !== 3 || !/^\d{3}$/.test(Buffer.from(digits).toString('latin1')) || value > 255) {
          throw new WireError(`bad \\DDD escape in name ${JSON.stringify(name)}`);
        }
        current.push(value);
        i += 3;
      } else {
        current.push(next);
        i += 1;
      }
    } else {
      current.push(c);
    }
  }
  // A name without its trailing dot ends in a label; one with it has just finished its last.
  if (current.length > 0) finish();
  const wire = labels.reduce((sum, label) => sum + label.length + 1, 1);
  if (wire > MAX_NAME_WIRE) throw new WireError(`name longer than ${MAX_NAME_WIRE} bytes: ${JSON.stringify(name)}`);
  return labels;
}

/** Labels → presentation name, lower-cased (names compare without case), escaping what needs it. */
export function labelsToName(labels: readonly Uint8Array[]): string {
  if (labels.length === 0) return '.';
  let out = '';
  for (const label of labels) {
    for (const byte of label) {
      const c = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
      if (c === 0x2e || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
      else if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3b || c === 0x40 || c === 0x24) {
        out += `\\${String(c).padStart(3, '0')}`;
      } else out += String.fromCharCode(c);
    }
    out += '.';
  }
  return out;
}

/** Canonical (lower-case, uncompressed) wire form of a name: what TSIG and prerequisites use. */
export function encodeName(name: string): Buffer {
  const labels = nameToLabels(name);
  const out = Buffer.alloc(labels.reduce((sum, label) => sum + label.length + 1, 1));
  let offset = 0;
  for (const label of labels) {
    out[offset++] = label.length;
    for (const byte of label) out[offset++] = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
  }
  return out;
}

export const normalizeWireName = (name: string): string => labelsToName(nameToLabels(name));

// ---- writer / reader -----------------------------------------------------------------------

/** Appends to a buffer of at most MAX_MESSAGE_SIZE bytes, with optional name compression. */
export class Writer {
  readonly #buffer = Buffer.alloc(MAX_MESSAGE_SIZE);
  #offset = 0;
  readonly #names: Map<string, number> | undefined;

  constructor(compress = false) {
    this.#names = compress ? new Map() : undefined;
  }

  get offset(): number {
    return this.#offset;
  }

  #room(n: number): void {
    if (this.#offset + n > MAX_MESSAGE_SIZE) throw new WireError(`message larger than ${MAX_MESSAGE_SIZE} bytes`);
  }

  u8(value: number): void {
    this.#room(1);
    this.#buffer.writeUInt8(value, this.#offset);
    this.#offset += 1;
  }

  u16(value: number): void {
    this.#room(2);
    this.#buffer.writeUInt16BE(value, this.#offset);
    this.#offset += 2;
  }

  u32(value: number): void {
    this.#room(4);
    this.#buffer.writeUInt32BE(value, this.#offset);
    this.#offset += 4;
  }

  bytes(data: Uint8Array): void {
    this.#room(data.length);
    this.#buffer.set(data, this.#offset);
    this.#offset += data.length;
  }

  name(name: string): void {
    const labels = nameToLabels(name);
    for (let i = 0; i < labels.length; i++) {
      if (this.#names) {
        const suffix = labelsToName(labels.slice(i));
        const at = this.#names.get(suffix);
        if (at !== undefined) {
          this.u16(0xc000 | at);
          return;
        }
        if (this.#offset < 0x4000) this.#names.set(suffix, this.#offset);
      }
      const label = labels[i]!;
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  finish(): Buffer {
    return Buffer.from(this.#buffer.subarray(0, this.#offset));
  }
}

export class Reader {
  #offset: number;
  constructor(
    readonly data: Uint8Array,
    offset = 0,
  ) {
    this.#offset = offset;
  }

  get offset(): number {
    return this.#offset;
  }

  #need(n: number): void {
    if (this.#offset + n > this.data.length) throw new WireError('message ends early', this.#offset);
  }

  u8(): number {
    this.#need(1);
    return this.data[this.#offset++]!;
  }

  u16(): number {
    this.#need(2);
    const value = (this.data[this.#offset]! << 8) | this.data[this.#offset + 1]!;
    this.#offset += 2;
    return value;
  }

  u32(): number {
    this.#need(4);
    return this.u16() * 0x10000 + this.u16();
  }

  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = this.data.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  /**
   * Reads a possibly compressed name. Every pointer must point strictly before the label that
   * holds it, so decoding ends within as many jumps as the message has bytes: no loop can form.
   */
  labels(): Uint8Array[] {
    const labels: Uint8Array[] = [];
    let wire = 1;
    let position = this.#offset;
    let jumped = false;
    for (;;) {
      if (position >= this.data.length) throw new WireError('name runs past the end of the message', position);
      const length = this.data[position]!;
      if ((length & 0xc0) === 0xc0) {
        if (position + 1 >= this.data.length) throw new WireError('compression pointer cut short', position);
        const target = ((length & 0x3f) << 8) | this.data[position + 1]!;
        if (target >= position) throw new WireError('compression pointer does not point backwards', position);
        if (!jumped) this.#offset = position + 2;
        jumped = true;
        position = target;
        continue;
      }
      if ((length & 0xc0) !== 0) throw new WireError('unknown label type', position);
      if (length === 0) {
        if (!jumped) this.#offset = position + 1;
        return labels;
      }
      wire += length + 1;
      if (wire > MAX_NAME_WIRE) throw new WireError(`name longer than ${MAX_NAME_WIRE} bytes`, position);
      if (position + 1 + length > this.data.length) throw new WireError('label runs past the end of the message', position);
      labels.push(this.data.subarray(position + 1, position + 1 + length));
      position += 1 + length;
    }
  }

  name(): string {
    return labelsToName(this.labels());
  }
}

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
      const name = reader.name();
      const type = reader.u16();
      const klass = reader.u16();
      const ttl = reader.u32();
      const length = reader.u16();
      const rdata = readRdata(reader, type, length);
      const record = { name, type, class: klass, ttl, rdata };
      if (type === RRType.TSIG) {
        if (s !== 2 || i !== count - 1) throw new WireError('TSIG record is not the last record of the message', offset);
        tsig = { record, offset };
      } else sections[s]!.push(record);
    }
  });
  if (reader.offset !== data.length) throw new WireError('bytes after the last record', reader.offset);
  return {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x400) !== 0,
    tc: (flags & 0x200) !== 0,
    rd: (flags & 0x100) !== 0,
    ra: (flags & 0x80) !== 0,
    rcode: flags & 0xf,
    questions,
    answers: sections[0]!,
    authorities: sections[1]!,
    additionals: sections[2]!,
    tsig,
  };
}
