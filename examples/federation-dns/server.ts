// The responder on the network: UDP and TCP (RFC 7766) on one address and port. Everything a
// client sends is bounded: a datagram or frame is at most 65,535 bytes, a TCP connection holds
// at most a few queries in flight and closes when idle, and the number of connections is capped.
// Garbage gets FORMERR or nothing; a failure inside gets SERVFAIL. Nothing a client sends stops it.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { ValidationError } from '@fedsvc/core';
import { Rcode } from '@fedsvc/dns-rfc2136/wire';
import { encodeReply, respond, validateResponderConfig, type ResponderConfig } from './responder.js';
import { askUpstream, type Upstream } from './upstream.js';

export interface ResponderOptions extends Omit<ResponderConfig, 'recursion' | 'ttl'> {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 53; 0 picks a free port (the same one for UDP and TCP). */
  readonly port?: number;
  /** Where names outside the cluster domain go, and remote CNAMEs are followed. Without one they are REFUSED. */
  readonly upstream?: Upstream;
  /** Default 30 s, as kube-dns. */
  readonly ttl?: number;
  /** Per upstream exchange. Default 2 000 ms. */
  readonly upstreamTimeoutMs?: number;
  /** Told about failures inside the responder (a throwing localService, a socket error); they never stop it. */
  readonly onError?: (error: unknown) => void;
}

export interface ResponderServer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

const MAX_CONNECTIONS = 256;
const MAX_IN_FLIGHT_PER_CONNECTION = 16;
const TCP_IDLE_MS = 10_000;
/** Queries waiting on the upstream at once; dnsmasq in front of kube-dns capped them at 150 (`--dns-forward-max`). */
const MAX_UPSTREAM_IN_FLIGHT = 150;

/** Answers one query's bytes: the reply's bytes, or `undefined` to send nothing. `udp`: the reply must fit the client's datagram size. */
type Answer = (wire: Buffer, udp: boolean) => Promise<Buffer | undefined>;

export async function startResponder(options: ResponderOptions): Promise<ResponderServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 53;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ValidationError('port', port, 'must be a port number, 0 for any free one');
  const timeoutMs = options.upstreamTimeoutMs ?? 2_000;
  if (!(timeoutMs > 0)) throw new ValidationError('upstreamTimeoutMs', timeoutMs, 'must be positive');
  const config = validateResponderConfig({ ...options, ttl: options.ttl ?? 30, recursion: options.upstream !== undefined });
  const onError = options.onError ?? (() => {});
  const answer = answerer(config, options.upstream, timeoutMs, onError);

  let stopped: Promise<void> | undefined;
  const open = new Set<Socket>();
  const tcp = createServer({ noDelay: true }, (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    serveConnection(socket, answer, onError);
  });
  tcp.maxConnections = MAX_CONNECTIONS;
  const udp = await bindBoth(tcp, host, port);
  tcp.on('error', onError);
  udp.on('error', onError);
  udp.on('message', (wire, from) => {
    void answer(wire, true).then((reply) => {
      // An answer that was waiting on the upstream may come after stop(): the socket is gone then.
      if (reply && !stopped) udp.send(reply, from.port, from.address, (error) => error && onError(error));
    });
  });
  const bound = (tcp.address() as { port: number }).port;

  return {
    host,
    port: bound,
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

/** Answers queries with `config`, asking `upstream` when the decision says so; a failure inside is told and answered SERVFAIL. */
function answerer(config: ResponderConfig, upstream: Upstream | undefined, timeoutMs: number, onError: (error: unknown) => void): Answer {
  let upstreamInFlight = 0;
  return async (wire, udp) => {
    try {
      const decision = respond(wire, config);
      if (decision.kind === 'drop') return undefined;
      const limit = udp ? decision.udpLimit : undefined;
      if (decision.kind === 'reply') return encodeReply(decision.message, limit);
      // Past the cap the upstream is not asked and the client gets SERVFAIL (finish without an answer).
      if (upstreamInFlight >= MAX_UPSTREAM_IN_FLIGHT) return encodeReply(decision.finish(undefined), limit);
      upstreamInFlight++;
      try {
        return encodeReply(decision.finish(await askUpstream(upstream!, decision.question, true, timeoutMs)), limit);
      } finally {
        upstreamInFlight--;
      }
    } catch (error) {
      onError(error);
      return servfail(wire);
    }
  };
}

/** SERVFAIL under the query's id and opcode, or `undefined` when there is no header to answer under. */
function servfail(wire: Buffer): Buffer | undefined {
  // The header is readable (respond drops anything shorter): keep id and opcode, say SERVFAIL.
  if (wire.length < 12) return undefined;
  const header = Buffer.alloc(12);
  wire.copy(header, 0, 0, 3);
  header[2] = (header[2]! & 0x79) | 0x80;
  header[3] = Rcode.SERVFAIL;
  return header;
}

function serveConnection(socket: Socket, answer: Answer, onError: (error: unknown) => void): void {
  socket.on('error', onError);
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  let buffered: Buffer = Buffer.alloc(0);
  let inFlight = 0;
  // RFC 7766 §6.2.1.1: answers may go out of order. A client with too many queries waiting is
  // paused, and its further frames stay unread in `buffered` until some are answered.
  const drain = () => {
    while (inFlight < MAX_IN_FLIGHT_PER_CONNECTION && buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const length = buffered.readUInt16BE(0);
      const wire = Buffer.from(buffered.subarray(2, 2 + length));
      buffered = buffered.subarray(2 + length);
      inFlight++;
      void answer(wire, false).then((reply) => {
        inFlight--;
        if (reply && socket.writable) {
          const frame = Buffer.alloc(2 + reply.length);
          frame.writeUInt16BE(reply.length, 0);
          frame.set(reply, 2);
          socket.write(frame);
        }
        drain();
      });
    }
    if (inFlight >= MAX_IN_FLIGHT_PER_CONNECTION) socket.pause();
    else if (!socket.destroyed) socket.resume();
  };
  socket.on('data', (chunk: Buffer) => {
    // Paused while full: at most the unanswered frames of one chunk plus one incomplete frame are held.
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    drain();
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
    try {
      udp.close();
    } catch {
      // never bound: nothing to close
    }
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    if (port !== 0 || attempt >= 10) throw error;
  }
}
