// Record data between wire form and the presentation form core compares (core's rdata.ts):
// A dotted quad, AAAA RFC 5952, names lower-case with the trailing dot, TXT quoted strings.
// Types without a codec here pass through as RFC 3597 `\# <length> <hex>`.
import { formatIPv6, parseIPv4, parseIPv6 } from '@fedsvc/core/provider';
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

// Core's parsers: the same text forms the planner accepts, and RFC 5952 output.
function ipv4FromText(text: string): Uint8Array {
  const address = parseIPv4(text);
  if (!address) throw new WireError(`not an IPv4 address: ${JSON.stringify(text)}`);
  return Uint8Array.from(address.key, (octet) => octet.charCodeAt(0));
}

function ipv6FromText(text: string): Uint8Array {
  const address = parseIPv6(text);
  if (!address) throw new WireError(`not an IPv6 address: ${JSON.stringify(text)}`);
  // The key holds one UTF-16 code unit per group; iterating it by code point would pair surrogates (d800 dc00).
  return Uint8Array.from({ length: 16 }, (_, i) => {
    const group = address.key.charCodeAt(i >> 1);
    return i % 2 === 0 ? group >> 8 : group & 0xff;
  });
}

function ipv6ToText(bytes: Uint8Array): string {
  return formatIPv6(Array.from({ length: 8 }, (_, i) => (bytes[i * 2]! << 8) | bytes[i * 2 + 1]!));
}

// ---- character strings ---------------------------------------------------------------------

/** Splits presentation text into tokens: quoted strings or runs of non-blank characters, escapes resolved. */
function tokens(text: string): Uint8Array[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    if (c === 0x20 || c === 0x09) {
      i++;
      continue;
    }
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

/**
 * Length of the well-formed UTF-8 sequence at `i` (Unicode Table 3-7: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
 */
function utf8Length(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  const [length, low, high] =
    lead >= 0xc2 && lead <= 0xdf
      ? [2, 0x80, 0xbf]
      : lead === 0xe0
        ? [3, 0xa0, 0xbf]
        : lead === 0xed
          ? [3, 0x80, 0x9f]
          : lead >= 0xe1 && lead <= 0xef
            ? [3, 0x80, 0xbf]
            : lead === 0xf0
              ? [4, 0x90, 0xbf]
              : lead >= 0xf1 && lead <= 0xf3
                ? [4, 0x80, 0xbf]
                : lead === 0xf4
                  ? [4, 0x80, 0x8f]
                  : [0, 0, 0];
  if (length === 0 || i + length > bytes.length) return 0;
  if (bytes[i + 1]! < low || bytes[i + 1]! > high) return 0;
  for (let k = 2; k < length; k++) if (bytes[i + k]! < 0x80 || bytes[i + k]! > 0xbf) return 0;
  return length;
}

/**
 * Characters shown as \DDD escapes of their bytes even when well-formed: controls (C0, DEL,
 * C1), format characters (bidi overrides, zero-width space, BOM, soft hyphen…) but for the
 * zero-width (non-)joiners emoji and many scripts need, line and paragraph separators,
 * surrogates and private use. Everything else is text and is shown as itself.
 */
const HIDDEN = /^(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}]$/u;

/** A character-string in quotes: `"` and `\` escaped, printable UTF-8 as itself, any other byte as \DDD. */
function quote(bytes: Uint8Array): string {
  const decimal = (b: number) => `\\${String(b).padStart(3, '0')}`;
  let out = '"';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
      else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
      else out += decimal(b);
      i++;
      continue;
    }
    const length = utf8Length(bytes, i);
    if (length === 0) {
      out += decimal(b);
      i++;
      continue;
    }
    const char = Buffer.from(bytes.subarray(i, i + length)).toString('utf8');
    if (HIDDEN.test(char)) for (let k = 0; k < length; k++) out += decimal(bytes[i + k]!);
    else out += char;
    i += length;
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
      if (!/^\d{1,10}$/.test(part) || Number(part) > max)
        throw new WireError(`not a ${field === 'u16' ? '16' : '32'}-bit number: ${JSON.stringify(part)}`);
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
    if (hex.length % 2 !== 0 || hex.length / 2 !== Number(generic[1]))
      throw new WireError(`RFC 3597 data length does not match: ${JSON.stringify(text)}`);
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
