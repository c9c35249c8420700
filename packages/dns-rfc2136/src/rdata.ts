// Record data between wire form and the presentation form core compares (core's rdata.ts):
// A dotted quad, AAAA RFC 5952, names lower-case with the trailing dot, TXT quoted strings.
// Types without a codec here pass through as RFC 3597 `\# <length> <hex>`.
import { RDATA_FIELDS, Reader, RRType, WireError, Writer, encodeName, type RdataField } from './wire.js';

const TYPE_NAMES = new Map<number, string>(Object.entries(RRType).map(([name, code]) => [code, name]));
const TYPE_CODES = new Map<string, number>(Object.entries(RRType));

/** `A`, `AAAA`, … or RFC 3597's `TYPE<n>` for types without a mnemonic here. */
export const typeName = (type: number): string => TYPE_NAMES.get(type) ?? `TYPE${type}`;

export function typeCode(name: string): number | undefined {
  const upper = name.toUpperCase();
  const known = TYPE_CODES.get(upper);
  if (known !== undefined) return known;
  const generic = /^TYPE(\d{1,5})$/.exec(upper);
  const code = generic ? Number(generic[1]) : NaN;
  return Number.isInteger(code) && code <= 0xffff ? code : undefined;
}

// ---- addresses -----------------------------------------------------------------------------

function ipv4FromText(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) {
    throw new WireError(`not an IPv4 address: ${JSON.stringify(text)}`);
  }
  return Uint8Array.from(parts.map(Number));
}

function ipv6FromText(input: string): Uint8Array {
  const fail = () => new WireError(`not an IPv6 address: ${JSON.stringify(input)}`);
  const text = input.toLowerCase();
  if (text.length > 45 || !/^[0-9a-f:.]+$/.test(text)) throw fail();
  let tail: number[] = [];
  let head = text;
  if (text.includes('.')) {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw fail();
    const v4 = ipv4FromText(text.slice(colon + 1));
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    head = text[colon - 1] === ':' ? text.slice(0, colon + 1) : text.slice(0, colon);
  }
  const halves = head.split('::');
  if (halves.length > 2) throw fail();
  const groups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').map((group) => {
      if (!/^[0-9a-f]{1,4}$/.test(group)) throw fail();
      return parseInt(group, 16);
    });
  };
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const explicit = left.length + right.length + tail.length;
  if (halves.length === 2 ? explicit > 7 : explicit !== 8) throw fail();
  const all = [...left, ...new Array<number>(8 - explicit).fill(0), ...right, ...tail];
  const out = new Uint8Array(16);
  all.forEach((group, i) => {
    out[i * 2] = group >> 8;
    out[i * 2 + 1] = group & 0xff;
  });
  return out;
}

/** RFC 5952: lower case, no leading zeros, the longest run (first on a tie) of two or more zero groups as `::`. */
function ipv6ToText(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[i * 2]! << 8) | bytes[i * 2 + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

// ---- character strings ---------------------------------------------------------------------

/** Splits presentation text into tokens: quoted strings or runs of non-blank characters, escapes resolved. */
function tokens(text: string): Uint8Array[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    if (c === 0x20 || c === 0x09) { i++; continue; }
    const quoted = c === 0x22;
    if (quoted) i++;
    const token: number[] = [];
    for (;;) {
      if (i >= bytes.length) {
        if (quoted) throw new WireError(`unterminated quoted string in ${JSON.stringify(text)}`);
        break;
      }
      const b = bytes[i]!;
      if (quoted ? b === 0x22 : b === 0x20 || b === 0x09) {
        if (quoted) i++;
        break;
      }
      if (!quoted && b === 0x22) throw new WireError(`quote inside an unquoted string in ${JSON.stringify(text)}`);
      if (b === 0x5c) {
        const digits = bytes.subarray(i + 1, i + 4).toString('latin1');
        if (/^\d{3}$/.test(digits)) {
          if (Number(digits) > 255) throw new WireError(`bad \\DDD escape in ${JSON.stringify(text)}`);
          token.push(Number(digits));
          i += 4;
        } else if (i + 1 < bytes.length) {
          token.push(bytes[i + 1]!);
          i += 2;
        } else throw new WireError(`dangling escape in ${JSON.stringify(text)}`);
        continue;
      }
      token.push(b);
      i++;
    }
    out.push(Uint8Array.from(token));
  }
  return out;
}

function quote(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${String(b).padStart(3, '0')}`;
  }
  return `${out}"`;
}

// ---- the codecs ----------------------------------------------------------------------------

function readNames(rdata: Uint8Array, fields: readonly RdataField[]): string[] {
  const reader = new Reader(rdata);
  const out = fields.map((field) => (field === 'name' ? reader.name() : String(field === 'u16' ? reader.u16() : reader.u32())));
  if (reader.offset !== rdata.length) throw new WireError('rdata longer than its fields', reader.offset);
  return out;
}

function writeFields(text: string, fields: readonly RdataField[]): Uint8Array {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== fields.length) throw new WireError(`expected ${fields.length} fields, got ${JSON.stringify(text)}`);
  const writer = new Writer();
  fields.forEach((field, i) => {
    const part = parts[i]!;
    if (field === 'name') writer.bytes(encodeName(part));
    else {
      const max = field === 'u16' ? 0xffff : 0xffffffff;
      if (!/^\d{1,10}$/.test(part) || Number(part) > max) throw new WireError(`not a ${field === 'u16' ? '16' : '32'}-bit number: ${JSON.stringify(part)}`);
      if (field === 'u16') writer.u16(Number(part));
      else writer.u32(Number(part));
    }
  });
  return writer.finish();
}

export function rdataToText(type: number, rdata: Uint8Array): string {
  if (type === RRType.A && rdata.length === 4) return Array.from(rdata).join('.');
  if (type === RRType.AAAA && rdata.length === 16) return ipv6ToText(rdata);
  if (type === RRType.TXT && rdata.length > 0) {
    const reader = new Reader(rdata);
    const strings: string[] = [];
    while (reader.offset < rdata.length) strings.push(quote(reader.bytes(reader.u8())));
    return strings.join(' ');
  }
  const fields = RDATA_FIELDS.get(type);
  if (fields) return readNames(rdata, fields).join(' ');
  return `\\# ${rdata.length}${rdata.length > 0 ? ` ${Buffer.from(rdata).toString('hex').toUpperCase()}` : ''}`;
}

/** Presentation → wire. Throws WireError saying what is wrong; the caller names the field. */
export function rdataFromText(type: number, text: string): Uint8Array {
  const generic = /^\\#\s+(\d+)((?:\s+[0-9a-fA-F]+)*)\s*$/.exec(text);
  if (generic) {
    const hex = (generic[2] ?? '').replace(/\s+/g, '');
    if (hex.length % 2 !== 0 || hex.length / 2 !== Number(generic[1])) throw new WireError(`RFC 3597 data length does not match: ${JSON.stringify(text)}`);
    return Uint8Array.from(Buffer.from(hex, 'hex'));
  }
  if (type === RRType.A) return ipv4FromText(text);
  if (type === RRType.AAAA) return ipv6FromText(text);
  if (type === RRType.TXT) {
    const strings = tokens(text);
    if (strings.length === 0) throw new WireError('TXT needs at least one character-string');
    const writer = new Writer();
    for (const string of strings) {
      if (string.length > 255) throw new WireError(`TXT character-string longer than 255 bytes (${string.length})`);
      writer.u8(string.length);
      writer.bytes(string);
    }
    return writer.finish();
  }
  const fields = RDATA_FIELDS.get(type);
  if (fields) return writeFields(text, fields);
  throw new WireError(`no presentation format for ${typeName(type)} here; give its data as \\# <length> <hex>`);
}
