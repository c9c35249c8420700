// A TSIG-signing DNS client: one signed request, its verified answer (or answers, for AXFR).
import { randomInt } from 'node:crypto';
import { DEFAULT_FUDGE, TsigError, TsigVerifier, signRequest, type TsigKey } from './tsig.js';
import { query, tcpExchange, tcpStream, type Server } from './transport.js';
import {
  Opcode,
  RRClass,
  RRType,
  Rcode,
  Reader,
  WireError,
  decodeMessage,
  emptyMessage,
  encodeMessage,
  rcodeName,
  type DecodedMessage,
  type Message,
  type ResourceRecord,
} from './wire.js';

/** The server answered with an error rcode. */
export class RcodeError extends Error {
  override readonly name = 'RcodeError';
  constructor(readonly rcode: number) {
    super(`the server answered ${rcodeName(rcode)}`);
  }
}

export interface ClientOptions {
  readonly server: Server;
  readonly key: TsigKey;
  readonly timeoutMs: number;
  /** Seconds since the epoch, for signing and checking signatures' times. Default: the system clock. */
  readonly now?: () => number;
}

/** An AXFR longer than this many messages is refused: far beyond any zone this library manages. */
const MAX_AXFR_MESSAGES = 100_000;

export const newId = (): number => randomInt(0, 0x10000);

function checkAnswer(request: Message, answer: DecodedMessage): void {
  if (!answer.qr || answer.id !== request.id || answer.opcode !== request.opcode) {
    throw new WireError(`the answer does not belong to request ${request.id}`);
  }
}

/**
 * Sends a signed request and returns its verified answer. An answer without a TSIG record is
 * accepted only when it reports an error (a server that could not parse the request cannot
 * sign); such an answer can make us fail, never make us believe something was written.
 */
export async function signedExchange(options: ClientOptions, request: Message, via: 'tcp' | 'query'): Promise<DecodedMessage> {
  // Names compressed (owner names: RFC 1035 §4.1.4): what requestCost counts an UPDATE's bytes on.
  const signed = signRequest(encodeMessage(request, { compress: true }), options.key, { now: options.now?.() });
  const send = via === 'tcp' ? tcpExchange : query;
  const wire = await send(options.server, signed.wire, { timeoutMs: options.timeoutMs });
  const answer = decodeMessage(wire);
  checkAnswer(request, answer);
  if (!answer.tsig && answer.rcode !== Rcode.NOERROR) return answer;
  new TsigVerifier(options.key, signed.mac, options.now).verify(wire, answer);
  return answer;
}

/** A refusal a server may send unsigned: to a request whose signature it did not accept, or for a zone it does not serve. */
export const isRefusal = (rcode: number): boolean => rcode === Rcode.NOTAUTH || rcode === Rcode.REFUSED;

/**
 * The error for an unsigned refusal of a signed request to a zone the server serves. BIND and
 * Knot say why in a TSIG record (BADSIG, BADKEY, BADTIME); PowerDNS sends NOTAUTH or REFUSED
 * without one, for a wrong secret, an unknown key name or algorithm, and a clock off alike.
 */
export function signatureRefused(key: TsigKey, rcode: number): TsigError {
  return new TsigError(
    'refused',
    `the server answered ${rcodeName(rcode)} without a signature to a request signed with key ${key.name} (${key.algorithm}), for a zone it serves: it did not accept the signature (a wrong secret, a key name or algorithm it does not know, or a clock more than ${DEFAULT_FUDGE} s off)`,
  );
}

/**
 * The server's SOA answer for `zone`, asked signed. An unsigned refusal is looked into: when the
 * server answers the same question unsigned with the zone's SOA, it serves the zone and refused
 * our signature (signatureRefused, thrown); otherwise the refusal is answered, for a zone it
 * does not serve.
 */
async function soaAnswer(options: ClientOptions, zone: string): Promise<DecodedMessage> {
  const answer = await signedExchange(options, soaQuery(zone), 'query');
  if (answer.tsig || !isRefusal(answer.rcode)) return answer;
  const plain = decodeMessage(await query(options.server, encodeMessage(soaQuery(zone)), { timeoutMs: options.timeoutMs }));
  if (hasSoa(plain, zone)) throw signatureRefused(options.key, answer.rcode);
  return answer;
}

const hasSoa = (answer: DecodedMessage, zone: string): boolean =>
  answer.rcode === Rcode.NOERROR && answer.aa && answer.answers.some((record) => record.type === RRType.SOA && record.name === zone);

export function soaQuery(zone: string): Message {
  return { ...emptyMessage(newId(), Opcode.QUERY), questions: [{ name: zone, type: RRType.SOA, class: RRClass.IN }] };
}

/**
 * Whether the server is authoritative for `zone`: it answers the zone's SOA at the apex with
 * the AA bit. NXDOMAIN, REFUSED, NOTAUTH or a referral mean it does not serve the zone.
 */
export async function servesZone(options: ClientOptions, zone: string): Promise<boolean> {
  const answer = await soaAnswer(options, zone);
  if (answer.rcode === Rcode.SERVFAIL || answer.rcode === Rcode.FORMERR) throw new RcodeError(answer.rcode);
  return hasSoa(answer, zone);
}

/** The zone's SOA serial, from a signed query; the server moves it on every change to the zone. */
export async function zoneSerial(options: ClientOptions, zone: string): Promise<number> {
  const answer = await soaAnswer(options, zone);
  if (answer.rcode !== Rcode.NOERROR) throw new RcodeError(answer.rcode);
  const soa = answer.answers.find((record) => record.type === RRType.SOA && record.name === zone);
  if (!answer.aa || !soa) throw new RcodeError(Rcode.NOTAUTH);
  // The serial follows the two names of the SOA's rdata (held uncompressed).
  const reader = new Reader(soa.rdata);
  reader.name();
  reader.name();
  return reader.u32();
}

/** The types the server holds at `name`, from a signed ANY query over TCP (a UDP answer to ANY may be cut short, RFC 8482). */
export async function typesAt(options: ClientOptions, name: string): Promise<Set<number>> {
  const request: Message = { ...emptyMessage(newId(), Opcode.QUERY), questions: [{ name, type: RRType.ANY, class: RRClass.IN }] };
  const answer = await signedExchange(options, request, 'tcp');
  if (answer.rcode === Rcode.NXDOMAIN) return new Set();
  if (answer.rcode !== Rcode.NOERROR) throw new RcodeError(answer.rcode);
  return new Set(answer.answers.filter((record) => record.name === name && record.class === RRClass.IN).map((record) => record.type));
}

/**
 * The rdatas the server holds at `name` of `type`, from a signed query to the server itself
 * (so it reflects an UPDATE it has just answered). Answers an empty list when it holds none.
 */
export async function recordSet(options: ClientOptions, name: string, type: number): Promise<Uint8Array[]> {
  const request: Message = { ...emptyMessage(newId(), Opcode.QUERY), questions: [{ name, type, class: RRClass.IN }] };
  const answer = await signedExchange(options, request, 'query');
  // NXDOMAIN: nothing at the name at all.
  if (answer.rcode === Rcode.NXDOMAIN) return [];
  if (answer.rcode !== Rcode.NOERROR) throw new RcodeError(answer.rcode);
  return answer.answers
    .filter((record) => record.name === name && record.type === type && record.class === RRClass.IN)
    .map((record) => record.rdata);
}

/**
 * A signed zone transfer (RFC 5936): every record of the zone, the closing SOA left out.
 * Every message is checked as part of one TSIG stream.
 */
export async function axfr(options: ClientOptions, zone: string): Promise<ResourceRecord[]> {
  const request: Message = { ...emptyMessage(newId(), Opcode.QUERY), questions: [{ name: zone, type: RRType.AXFR, class: RRClass.IN }] };
  const signed = signRequest(encodeMessage(request), options.key, { now: options.now?.() });
  const verifier = new TsigVerifier(options.key, signed.mac, options.now);
  const records: ResourceRecord[] = [];
  let soas = 0;
  await tcpStream(options.server, signed.wire, {
    timeoutMs: options.timeoutMs,
    maxMessages: MAX_AXFR_MESSAGES,
    onMessage: (wire) => {
      const answer = decodeMessage(wire);
      checkAnswer(request, answer);
      if (answer.rcode !== Rcode.NOERROR) {
        if (answer.tsig) verifier.verify(wire, answer);
        throw new RcodeError(answer.rcode);
      }
      verifier.verify(wire, answer);
      for (const record of answer.answers) {
        if (records.length === 0 && record.type !== RRType.SOA) throw new WireError(`AXFR ${zone} does not start with the SOA`);
        if (record.type === RRType.SOA && record.name === zone) {
          soas++;
          if (soas === 2) return true;
        }
        records.push(record);
      }
      return false;
    },
  });
  verifier.finish();
  return records;
}
