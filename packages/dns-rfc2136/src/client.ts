// A TSIG-signing DNS client: one signed request, its verified answer (or answers, for AXFR).
import { randomInt } from 'node:crypto';
import { TsigVerifier, signRequest, type TsigKey } from './tsig.js';
import { query, tcpExchange, tcpStream, type Server } from './transport.js';
import {
  Opcode,
  RRClass,
  RRType,
  Rcode,
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
  const signed = signRequest(encodeMessage(request), options.key);
  const send = via === 'tcp' ? tcpExchange : query;
  const wire = await send(options.server, signed.wire, { timeoutMs: options.timeoutMs });
  const answer = decodeMessage(wire);
  checkAnswer(request, answer);
  if (!answer.tsig && answer.rcode !== Rcode.NOERROR) return answer;
  new TsigVerifier(options.key, signed.mac).verify(wire, answer);
  return answer;
}

export function soaQuery(zone: string): Message {
  return { ...emptyMessage(newId(), Opcode.QUERY), questions: [{ name: zone, type: RRType.SOA, class: RRClass.IN }] };
}

/**
 * Whether the server is authoritative for `zone`: it answers the zone's SOA at the apex with
 * the AA bit. NXDOMAIN, REFUSED, NOTAUTH or a referral mean it does not serve the zone.
 */
export async function servesZone(options: ClientOptions, zone: string): Promise<boolean> {
  const answer = await signedExchange(options, soaQuery(zone), 'query');
  if (answer.rcode === Rcode.SERVFAIL || answer.rcode === Rcode.FORMERR) throw new RcodeError(answer.rcode);
  return answer.rcode === Rcode.NOERROR && answer.aa && answer.answers.some((record) => record.type === RRType.SOA && record.name === zone);
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
  const signed = signRequest(encodeMessage(request), options.key);
  const verifier = new TsigVerifier(options.key, signed.mac);
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
