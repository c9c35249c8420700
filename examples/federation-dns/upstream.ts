// Asking the upstream server one question: UDP, then TCP when the answer comes back truncated.
// An answer counts only if it carries our random id and our question (RFC 5452), so a forged
// or late datagram cannot become a pod's answer.
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { Opcode, decodeMessage, emptyMessage, encodeMessage, type DecodedMessage, type Question } from '@fedsvc/dns-rfc2136/wire';

export interface Upstream {
  readonly host: string;
  readonly port: number;
}

/** The upstream's answer, or `undefined` when it gave none in time (the caller answers SERVFAIL). */
export async function askUpstream(
  upstream: Upstream,
  question: Question,
  rd: boolean,
  timeoutMs: number,
): Promise<DecodedMessage | undefined> {
  const id = randomInt(0, 0x10000);
  const request = encodeMessage({ ...emptyMessage(id, Opcode.QUERY), rd, questions: [question] });
  const matches = (wire: Buffer): DecodedMessage | undefined => {
    try {
      const answer = decodeMessage(wire);
      const [asked] = answer.questions;
      const same =
        answer.qr &&
        answer.id === id &&
        answer.questions.length === 1 &&
        asked!.name === question.name &&
        asked!.type === question.type &&
        asked!.class === question.class;
      return same ? answer : undefined;
    } catch {
      return undefined;
    }
  };
  const deadline = Date.now() + timeoutMs;
  const answer = await exchange(upstream, request, matches, timeoutMs, 'udp');
  if (!answer?.tc) return answer;
  return exchange(upstream, request, matches, Math.max(0, deadline - Date.now()), 'tcp');
}

function exchange(
  upstream: Upstream,
  request: Buffer,
  matches: (wire: Buffer) => DecodedMessage | undefined,
  timeoutMs: number,
  transport: 'udp' | 'tcp',
): Promise<DecodedMessage | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer?: DecodedMessage) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    let close: () => void;
    if (transport === 'udp') {
      const socket = createSocket(isIPv6(upstream.host) ? 'udp6' : 'udp4');
      close = () => socket.close();
      // A connected UDP socket receives only from the upstream's address and port.
      socket.on('message', (wire) => {
        const answer = matches(wire);
        if (answer) finish(answer);
      });
      socket.on('error', () => finish());
      socket.connect(upstream.port, upstream.host, () => socket.send(request));
      return;
    }
    const socket = connect({ host: upstream.host, port: upstream.port });
    close = () => socket.destroy();
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('connect', () => {
      const frame = Buffer.alloc(2 + request.length);
      frame.writeUInt16BE(request.length, 0);
      frame.set(request, 2);
      socket.write(frame);
    });
    socket.on('data', (chunk: Buffer) => {
      // One frame is at most 2 + 65,535 bytes: never more than that plus one chunk held.
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      finish(matches(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
    });
    socket.on('error', () => finish());
    socket.on('close', () => finish());
  });
}
