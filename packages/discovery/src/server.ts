// The responder on the network: UDP and TCP (RFC 7766) on one address and port. Bounded: a TCP
// connection is closed when idle, the number of connections is capped, a client that does not
// read its replies is not read from, and nothing a client sends is kept beyond one frame.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { ValidationError } from '@fedsvc/core';

/** Answers one datagram or frame from the peer at `address` (its text, as the socket gives it): the reply, or undefined to send nothing. */
export type Respond = (wire: Buffer, udp: boolean, address: string) => Buffer | undefined;

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

const MAX_CONNECTIONS = 256;
const TCP_IDLE_MS = 10_000;
/** Replies written to a TCP connection and not yet taken by the client, beyond which it is not read from. */
const MAX_UNSENT = 256 * 1024;

/** Listens on `host`:`port` (0: any free port, the same for UDP and TCP). */
export async function startDnsServer(host: string, port: number, respond: Respond, onError: (error: unknown) => void): Promise<DnsServer> {
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ValidationError('port', port, 'must be a port number, 0 for any free one');
  const open = new Set<Socket>();
  const tcp = createServer({ noDelay: true }, (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    serveConnection(socket, respond, onError);
  });
  tcp.maxConnections = MAX_CONNECTIONS;
  const udp = await bindBoth(tcp, host, port);
  tcp.on('error', onError);
  udp.on('error', onError);
  udp.on('message', (wire, from) => {
    const reply = respond(wire, true, from.address);
    // Without a callback a failed send is an 'error' event on the socket (told to onError): one closure less per query.
    if (reply) udp.send(reply, from.port, from.address);
  });
  let stopped: Promise<void> | undefined;
  return {
    host,
    port: (tcp.address() as { port: number }).port,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        udp.close();
        tcp.close(() => resolve());
        for (const socket of open) socket.destroy();
      });
      return stopped;
    },
  };
}

function serveConnection(socket: Socket, respond: Respond, onError: (error: unknown) => void): void {
  socket.on('error', onError);
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  const address = socket.remoteAddress ?? '';
  let buffered: Buffer = Buffer.alloc(0);
  // Answers the complete frames received, until the replies not yet taken by the client reach
  // MAX_UNSENT: then the client, which is not reading, is not read from either, and the frames
  // left wait for it. Held per connection: MAX_UNSENT plus one reply, and the frames received.
  const answer = (): void => {
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      if (socket.writableLength >= MAX_UNSENT) {
        socket.pause();
        return;
      }
      const end = 2 + buffered.readUInt16BE(0);
      const reply = respond(buffered.subarray(2, end), false, address);
      buffered = buffered.subarray(end);
      if (!reply) continue;
      const frame = Buffer.allocUnsafe(2 + reply.length);
      frame.writeUInt16BE(reply.length, 0);
      frame.set(reply, 2);
      socket.write(frame);
    }
    if (buffered.length > 0) buffered = Buffer.from(buffered);
    socket.resume();
  };
  socket.on('drain', answer);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    answer();
  });
}

/** Binds TCP, then UDP on the same port; with port 0, another process may hold that UDP port: try again. */
async function bindBoth(tcp: Server, host: string, port: number): Promise<UdpSocket> {
  for (let attempt = 1; ; attempt++) {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    const bound = (tcp.address() as { port: number }).port;
    const udp = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    const error = await new Promise<Error | undefined>((resolve) => {
      udp.once('error', resolve);
      udp.bind(bound, host, () => {
        udp.off('error', resolve);
        resolve(undefined);
      });
    });
    if (!error) return udp;
    udp.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (port !== 0 || attempt >= 10) throw error;
  }
}
