// TSIG (RFC 8945): HMAC signatures on DNS messages with a shared secret. Signs requests, verifies
// responses (the request's MAC chained in), checks the time window, and verifies multi-message
// answers (AXFR, §5.3.1) where intermediate messages may go unsigned.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RRClass, RRType, Reader, WireError, Writer, encodeName, normalizeWireName, type DecodedMessage } from './wire.js';

export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha512' | 'hmac-sha1';

const HASHES: Readonly<Record<TsigAlgorithm, string>> = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512', 'hmac-sha1': 'sha1' };

export const isTsigAlgorithm = (value: unknown): value is TsigAlgorithm => typeof value === 'string' && Object.hasOwn(HASHES, value);

export interface TsigKey {
  /** The key's name as the server knows it (`key "name" { … }`). */
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  /** The shared secret's bytes (the server's config holds them in base64). */
  readonly secret: Uint8Array;
}

/** TSIG error codes (RFC 8945 §3, in the TSIG record's Error field). */
export const TsigErrorCode = { BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 } as const;
const TSIG_ERROR_NAMES = new Map<number, string>(Object.entries(TsigErrorCode).map(([name, code]) => [code, name]));
export const tsigErrorName = (code: number): string => TSIG_ERROR_NAMES.get(code) ?? `TSIG error ${code}`;

/** A message's signature did not check out, or the server refused ours. Never carries the secret. */
export class TsigError extends Error {
  override readonly name = 'TsigError';
  constructor(
    /**
     * BADSIG, BADKEY, BADTIME, BADTRUNC; `unsigned` when a signature is missing, `refused` when the
     * server refused ours without saying why, FORMERR when the TSIG record is malformed.
     */
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** The fields of a TSIG record's rdata (RFC 8945 §4.2). */
export interface TsigFields {
  readonly algorithm: string;
  /** Seconds since the epoch (48 bits). */
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Uint8Array;
  readonly originalId: number;
  readonly error: number;
  readonly other: Uint8Array;
}

/** RFC 8945 recommends 300 s. */
export const DEFAULT_FUDGE = 300;

export function parseTsigFields(rdata: Uint8Array): TsigFields {
  const reader = new Reader(rdata);
  const algorithm = reader.name();
  const timeSigned = reader.u16() * 2 ** 32 + reader.u32();
  const fudge = reader.u16();
  const mac = reader.bytes(reader.u16());
  const originalId = reader.u16();
  const error = reader.u16();
  const other = reader.bytes(reader.u16());
  if (reader.offset !== rdata.length) throw new WireError('TSIG rdata longer than its fields', reader.offset);
  return { algorithm, timeSigned, fudge, mac, originalId, error, other };
}

function tsigRdata(fields: TsigFields): Buffer {
  const writer = new Writer();
  writer.bytes(encodeName(fields.algorithm));
  writeTime(writer, fields.timeSigned);
  writer.u16(fields.fudge);
  writer.u16(fields.mac.length);
  writer.bytes(fields.mac);
  writer.u16(fields.originalId);
  writer.u16(fields.error);
  writer.u16(fields.other.length);
  writer.bytes(fields.other);
  return writer.finish();
}

function writeTime(writer: Writer, seconds: number): void {
  writer.u16(Math.floor(seconds / 2 ** 32));
  writer.u32(seconds % 2 ** 32);
}

/** The TSIG variables of §4.3.3 (full) or the timers only (§5.3.1, later messages of a stream). */
function variables(key: TsigKey, fields: TsigFields, timersOnly: boolean): Buffer {
  const writer = new Writer();
  if (!timersOnly) {
    writer.bytes(encodeName(key.name));
    writer.u16(RRClass.ANY);
    writer.u32(0);
    writer.bytes(encodeName(fields.algorithm));
  }
  writeTime(writer, fields.timeSigned);
  writer.u16(fields.fudge);
  if (!timersOnly) {
    writer.u16(fields.error);
    writer.u16(fields.other.length);
    writer.bytes(fields.other);
  }
  return writer.finish();
}

function macOf(key: TsigKey, parts: readonly Uint8Array[]): Buffer {
  const hmac = createHmac(HASHES[key.algorithm], key.secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

function lengthPrefixed(mac: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + mac.length);
  out.writeUInt16BE(mac.length, 0);
  out.set(mac, 2);
  return out;
}

/** Appends a TSIG record to an encoded message (without one) and bumps ARCOUNT. */
function appendTsig(wire: Uint8Array, key: TsigKey, fields: TsigFields): Buffer {
  const writer = new Writer();
  writer.bytes(wire);
  writer.bytes(encodeName(key.name));
  writer.u16(RRType.TSIG);
  writer.u16(RRClass.ANY);
  writer.u32(0);
  const rdata = tsigRdata(fields);
  writer.u16(rdata.length);
  writer.bytes(rdata);
  const out = writer.finish();
  out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
  return out;
}

export interface Signed {
  readonly wire: Buffer;
  /** The MAC sent: the response's MAC covers it. */
  readonly mac: Buffer;
}

export interface SignOptions {
  /** Seconds since the epoch; the clock by default. */
  readonly now?: number;
  readonly fudge?: number;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Signs an encoded request (§4.3.3): MAC over the message and the TSIG variables. */
export function signRequest(wire: Uint8Array, key: TsigKey, options: SignOptions = {}): Signed {
  return sign(wire, key, [], options);
}

/**
 * Signs an encoded response to a signed request (§4.3.3: the request's MAC first). `error`
 * (e.g. BADTIME) is reported in the TSIG record; what a server answers.
 */
export function signResponse(
  wire: Uint8Array,
  key: TsigKey,
  requestMac: Uint8Array,
  options: SignOptions & { error?: number } = {},
): Signed {
  return sign(wire, key, [lengthPrefixed(requestMac)], options);
}

function sign(wire: Uint8Array, key: TsigKey, prefix: readonly Uint8Array[], options: SignOptions & { error?: number }): Signed {
  const fields: TsigFields = {
    algorithm: `${key.algorithm}.`,
    timeSigned: options.now ?? nowSeconds(),
    fudge: options.fudge ?? DEFAULT_FUDGE,
    mac: new Uint8Array(),
    originalId: (wire[0]! << 8) | wire[1]!,
    error: options.error ?? 0,
    other: new Uint8Array(),
  };
  const mac = macOf(key, [...prefix, wire, variables(key, fields, false)]);
  return { wire: appendTsig(wire, key, { ...fields, mac }), mac };
}

/** The message as it was before its TSIG was added: original ID, ARCOUNT one less, no TSIG record. */
function unsignedBytes(wire: Uint8Array, message: DecodedMessage, fields: TsigFields): Buffer {
  const out = Buffer.from(wire.subarray(0, message.tsig!.offset));
  out.writeUInt16BE(fields.originalId, 0);
  out.writeUInt16BE(out.readUInt16BE(10) - 1, 10);
  return out;
}

/** The record's class and TTL are fixed (§4.2) and not covered by the MAC, so they are checked here. */
function tsigFields(message: DecodedMessage): TsigFields {
  const { record } = message.tsig!;
  if (record.class !== RRClass.ANY || record.ttl !== 0)
    throw new TsigError('FORMERR', `TSIG record with class ${record.class} and TTL ${record.ttl}; must be ANY and 0`);
  return parseTsigFields(record.rdata);
}

function checkKey(message: DecodedMessage, key: TsigKey): TsigFields {
  const tsig = message.tsig!;
  const fields = tsigFields(message);
  if (tsig.record.name !== normalizeWireName(key.name) || fields.algorithm !== `${key.algorithm}.`) {
    throw new TsigError(
      'BADKEY',
      `signed with key ${tsig.record.name} (${fields.algorithm}), expected ${normalizeWireName(key.name)} (${key.algorithm})`,
    );
  }
  return fields;
}

function checkMac(expected: Uint8Array, got: Uint8Array): void {
  if (got.length !== expected.length || !timingSafeEqual(expected, got))
    throw new TsigError('BADSIG', 'the MAC does not match the message');
}

function checkTime(fields: TsigFields, now: number): void {
  if (Math.abs(now - fields.timeSigned) > fields.fudge) {
    throw new TsigError(
      'BADTIME',
      `signed at ${fields.timeSigned}, ${now - fields.timeSigned} s from our clock; the window is ${fields.fudge} s`,
    );
  }
}

/** A server reported a TSIG error, naming the key it refused; a BADTIME answer carries the server's clock (§5.2.3). */
function serverError(fields: TsigFields, key: TsigKey, now: number): TsigError {
  const name = tsigErrorName(fields.error);
  const signer = `key ${key.name} (${key.algorithm})`;
  if (fields.error === TsigErrorCode.BADTIME && fields.other.length === 6) {
    const serverTime = Buffer.from(fields.other).readUIntBE(0, 6);
    return new TsigError(name, `the server refused the time of our signature with ${signer}; its clock says ${serverTime}, ours ${now}`);
  }
  return new TsigError(name, `the server refused the request's signature with ${signer} (${name})`);
}

/**
 * Verifies the answers to one signed request in order: one message for a query or UPDATE, a
 * stream for AXFR. Per §5.3.1, the first answer must be signed, later ones may go unsigned (up
 * to 99 in a row) and are covered by the next signed one, which uses the timers-only variables;
 * `finish()` checks the stream ended on a signed message.
 */
export class TsigVerifier {
  #priorMac: Uint8Array;
  #pending: Uint8Array[] = [];
  #first = true;

  constructor(
    private readonly key: TsigKey,
    requestMac: Uint8Array,
    private readonly now: () => number = nowSeconds,
  ) {
    this.#priorMac = requestMac;
  }

  verify(wire: Uint8Array, message: DecodedMessage): void {
    if (!message.tsig) {
      if (this.#first) throw new TsigError('unsigned', 'the answer to a signed request carries no TSIG record');
      if (this.#pending.length >= 99) throw new TsigError('unsigned', 'more than 99 unsigned messages in a row');
      this.#pending.push(Buffer.from(wire));
      return;
    }
    // An error answer (BADKEY, BADSIG) goes out without a MAC (§5.3.2): report what the server said.
    const reported = tsigFields(message);
    if (reported.error !== 0) throw serverError(reported, this.key, this.now());
    const fields = checkKey(message, this.key);
    const expected = macOf(this.key, [
      lengthPrefixed(this.#priorMac),
      ...this.#pending,
      unsignedBytes(wire, message, fields),
      variables(this.key, fields, !this.#first),
    ]);
    checkMac(expected, fields.mac);
    checkTime(fields, this.now());
    this.#priorMac = fields.mac;
    this.#pending = [];
    this.#first = false;
  }

  finish(): void {
    if (this.#first || this.#pending.length > 0) throw new TsigError('unsigned', 'the last message of the answer is not signed');
  }
}

/**
 * Server side: checks a signed request against the keys a server knows (§5.2). Answers the
 * key and the request's MAC, which the response's signature must cover.
 */
export function verifyRequest(
  wire: Uint8Array,
  message: DecodedMessage,
  keys: readonly TsigKey[],
  now = nowSeconds(),
): { key: TsigKey; mac: Uint8Array } {
  if (!message.tsig) throw new TsigError('unsigned', 'the request carries no TSIG record');
  const fields = tsigFields(message);
  const key = keys.find((k) => normalizeWireName(k.name) === message.tsig!.record.name && `${k.algorithm}.` === fields.algorithm);
  if (!key) throw new TsigError('BADKEY', `no key ${message.tsig.record.name} (${fields.algorithm})`);
  checkMac(macOf(key, [unsignedBytes(wire, message, fields), variables(key, fields, false)]), fields.mac);
  checkTime(fields, now);
  return { key, mac: fields.mac };
}
