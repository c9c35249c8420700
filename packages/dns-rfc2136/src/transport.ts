// Moving DNS messages: TCP with the two-byte length prefix (RFC 1035 §4.2.2, RFC 7766) for AXFR
// and for any message too big for a 512-byte datagram; UDP for the rest (small UPDATEs included),
// with a retry over TCP when the answer is truncated.
// Every exchange has a deadline and reads at most what its caller allows.
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect, isIPv6 } from 'node:net';

export interface Server {
  readonly host: string;
  readonly port: number;
}

/** The exchange failed below DNS: timeout, refused or reset connection, a stream cut short. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly reason: 'timeout' | 'closed' | 'network' | 'too-large',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ExchangeOptions {
  /** Deadline for the whole exchange, every message of a stream included. */
  readonly timeoutMs: number;
}

export interface StreamOptions extends ExchangeOptions {
  /** Stops reading after this many messages (an AXFR that never ends). */
  readonly maxMessages: number;
  /** Called with each message; answer true when it was the last. Throwing ends the exchange with that error. */
  readonly onMessage: (wire: Buffer) => boolean;
}

const where = (server: Server): string => `${isIPv6(server.host) ? `[${server.host}]` : server.host}:${server.port}`;

/** Sends one request over a fresh TCP connection and reads framed answers until `onMessage` says done. */
export function tcpStream(server: Server, request: Uint8Array, options: StreamOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let buffered: Buffer = Buffer.alloc(0);
    let messages = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new TransportError('timeout', `no complete answer from ${where(server)} within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    socket.setNoDelay(true);
    socket.on('connect', () => {
      const frame = Buffer.alloc(2 + request.length);
      frame.writeUInt16BE(request.length, 0);
      frame.set(request, 2);
      socket.write(frame);
    });
    socket.on('data', (chunk: Buffer) => {
      // At most one frame (≤ 65,537 bytes) plus one chunk is ever buffered.
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (!settled && buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const wire = Buffer.from(buffered.subarray(2, 2 + length));
        buffered = buffered.subarray(2 + length);
        messages++;
        try {
          if (options.onMessage(wire)) return finish();
        } catch (error) {
          return finish(error as Error);
        }
        if (messages >= options.maxMessages) {
          return finish(new TransportError('too-large', `more than ${options.maxMessages} messages from ${where(server)}`));
        }
      }
    });
    socket.on('error', (error) => finish(new TransportError('network', `${where(server)}: ${error.message}`, { cause: error })));
    socket.on('close', () => finish(new TransportError('closed', `${where(server)} closed the connection before the answer was complete`)));
  });
}

/** One request, one answer, over TCP. */
export async function tcpExchange(server: Server, request: Uint8Array, options: ExchangeOptions): Promise<Buffer> {
  let answer: Buffer | undefined;
  await tcpStream(server, request, {
    ...options,
    maxMessages: 1,
    onMessage: (wire) => {
      answer = wire;
      return true;
    },
  });
  return answer!;
}

/**
 * One request, one answer, over UDP. Datagrams from elsewhere or with another id are ignored
 * (spoofing and late answers to earlier requests); only the deadline bounds the wait.
 */
export async function udpExchange(server: Server, request: Uint8Array, options: ExchangeOptions): Promise<Buffer> {
  const deadline = Date.now() + options.timeoutMs;
  // The socket's family follows the address the name resolves to (a name may have only IPv6 ones).
  const target = await lookup(server.host).catch((error: Error) => {
    throw new TransportError('network', `${where(server)}: ${error.message}`, { cause: error });
  });
  return new Promise<Buffer>((resolve, reject) => {
    const socket = createSocket(target.family === 6 ? 'udp6' : 'udp4');
    const id = (request[0]! << 8) | request[1]!;
    let settled = false;
    const finish = (error: Error | undefined, answer?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(answer!);
    };
    const failed = (error: Error) => finish(new TransportError('network', `${where(server)}: ${error.message}`, { cause: error }));
    const timer = setTimeout(
      () => finish(new TransportError('timeout', `no answer from ${where(server)} over UDP within ${options.timeoutMs} ms`)),
      Math.max(0, deadline - Date.now()),
    );
    socket.on('message', (message, from) => {
      if (from.port !== server.port || message.length < 12 || message.readUInt16BE(0) !== id) return;
      finish(undefined, message);
    });
    socket.on('error', failed);
    // A failed connect is handed to this callback, not to 'error'.
    socket.connect(server.port, target.address, (error?: Error) => (error ? failed(error) : socket.send(request)));
  });
}

/** UDP first; over TCP when the answer came back truncated (TC) or the request is too big for UDP; one deadline for both. */
export async function query(server: Server, request: Uint8Array, options: ExchangeOptions): Promise<Buffer> {
  if (request.length > 512) return tcpExchange(server, request, options);
  const deadline = Date.now() + options.timeoutMs;
  const answer = await udpExchange(server, request, options);
  const truncated = (answer[2]! & 0x02) !== 0;
  if (!truncated) return answer;
  const left = deadline - Date.now();
  if (left <= 0)
    throw new TransportError(
      'timeout',
      `no answer from ${where(server)} within ${options.timeoutMs} ms (truncated over UDP, no time left for TCP)`,
    );
  return tcpExchange(server, request, { ...options, timeoutMs: left });
}
