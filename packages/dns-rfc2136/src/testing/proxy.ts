// A DNS proxy for tests, in front of a real server: counts the requests that pass (zone
// transfers as reads, UPDATEs as writes, SOA queries as versions) and, on demand, answers the next ones SERVFAIL itself,
// the temporary failure BIND cannot be made to produce at will.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import type { Server } from '../transport.js';
import { Opcode, RRType, Rcode, decodeMessage, encodeMessage, type DecodedMessage } from '../wire.js';

export interface DnsProxy {
  readonly host: '127.0.0.1';
  /** The same port number serves TCP and UDP, like a DNS server. */
  readonly port: number;
  /** Zone transfers (reads), UPDATE messages (writes) and SOA queries (versions) received, answered or failed. */
  counts(): { reads: number; writes: number; versions: number };
  /** The UPDATE messages received, by the transport they came over. */
  writesBy(): { udp: number; tcp: number };
  /** Answers the next `n` transfers or UPDATEs with SERVFAIL instead of passing them on. */
  failNext(n: number): void;
  close(): Promise<void>;
}

const UDP_RELAY_TIMEOUT_MS = 2_000;

function servfail(request: DecodedMessage): Buffer {
  return encodeMessage({
    ...request,
    qr: true,
    aa: false,
    tc: false,
    ra: false,
    rcode: Rcode.SERVFAIL,
    answers: [],
    authorities: [],
    additionals: [],
  });
}

function frame(wire: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + wire.length);
  out.writeUInt16BE(wire.length, 0);
  out.set(wire, 2);
  return out;
}

/** What the proxy counts: zone transfers are reads, UPDATEs writes, SOA queries versions; any other request just passes. */
function kindOf(opcode: number, request: DecodedMessage | undefined): 'reads' | 'writes' | 'versions' | undefined {
  const type = request?.questions[0]?.type;
  if (opcode === Opcode.UPDATE) return 'writes';
  if (opcode !== Opcode.QUERY) return undefined;
  if (type === RRType.AXFR || type === RRType.IXFR) return 'reads';
  return type === RRType.SOA ? 'versions' : undefined;
}

/** Counts the requests that pass, and fails the next ones on demand. */
class Interceptor {
  readonly counts = { reads: 0, writes: 0, versions: 0 };
  readonly writesBy = { udp: 0, tcp: 0 };
  failing = 0;

  /** Counts a request and decides whether it fails here; answers the SERVFAIL to send, if so. */
  intercept(wire: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    if (wire.length < 12) return undefined;
    const opcode = (wire[2]! >> 3) & 0xf;
    let request: DecodedMessage | undefined;
    try {
      request = decodeMessage(wire);
    } catch {
      // Counted by its header all the same; passed on for the server to judge.
    }
    const kind = kindOf(opcode, request);
    if (kind === undefined) return undefined;
    this.counts[kind]++;
    if (kind === 'writes') this.writesBy[transport]++;
    // SOA queries are only counted: failNext is for transfers and UPDATEs.
    if (kind === 'versions' || this.failing === 0 || request === undefined) return undefined;
    this.failing--;
    return servfail(request);
  }
}

/** One TCP client: its length-prefixed requests go to a connection of its own to the server, unless intercepted. */
function relayTcp(client: Socket, upstream: Server, interceptor: Interceptor, sockets: Set<Socket>): void {
  sockets.add(client);
  const server = connect({ host: upstream.host, port: upstream.port });
  sockets.add(server);
  let buffered: Buffer = Buffer.alloc(0);
  client.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const length = buffered.readUInt16BE(0);
      const wire = buffered.subarray(2, 2 + length);
      buffered = buffered.subarray(2 + length);
      const answer = interceptor.intercept(wire, 'tcp');
      if (answer) client.write(frame(answer));
      else server.write(frame(wire));
    }
  });
  server.on('data', (chunk) => client.write(chunk));
  const end = () => {
    client.destroy();
    server.destroy();
    sockets.delete(client);
    sockets.delete(server);
  };
  for (const socket of [client, server]) {
    socket.on('close', end);
    socket.on('error', end);
  }
}

/** One UDP request: relayed from a socket of its own, whose first answer goes back to the sender. */
function relayUdp(udp: UdpSocket, message: Buffer, from: RemoteInfo, upstream: Server, relays: Set<UdpSocket>): void {
  const relay = createSocket('udp4');
  relays.add(relay);
  const done = () => {
    clearTimeout(timer);
    if (relays.delete(relay)) relay.close();
  };
  const timer = setTimeout(done, UDP_RELAY_TIMEOUT_MS);
  relay.on('message', (answer) => {
    udp.send(answer, from.port, from.address);
    done();
  });
  relay.on('error', done);
  relay.send(message, upstream.port, upstream.host);
}

export async function startDnsProxy(upstream: Server): Promise<DnsProxy> {
  const interceptor = new Interceptor();
  const sockets = new Set<Socket>();
  const tcp: TcpServer = createServer((client) => relayTcp(client, upstream, interceptor, sockets));
  const { port, udp } = await listen(tcp);
  const relays = new Set<UdpSocket>();
  udp.on('message', (message, from) => {
    const answer = interceptor.intercept(message, 'udp');
    if (answer) udp.send(answer, from.port, from.address);
    else relayUdp(udp, message, from, upstream, relays);
  });

  return {
    host: '127.0.0.1',
    port,
    counts: () => ({ ...interceptor.counts }),
    writesBy: () => ({ ...interceptor.writesBy }),
    failNext(n) {
      interceptor.failing = n;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      for (const relay of relays) relay.close();
      relays.clear();
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/** Listens on one port number for both TCP and UDP on 127.0.0.1. */
async function listen(tcp: TcpServer): Promise<{ port: number; udp: UdpSocket }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, '127.0.0.1', () => resolve((tcp.address() as { port: number }).port));
    });
    const udp = createSocket('udp4');
    const bound = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) return { port, udp };
    closeQuietly(udp);
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }
  throw new Error('no loopback port free for both TCP and UDP after 20 tries');
}

function closeQuietly(socket: UdpSocket): void {
  try {
    socket.close();
  } catch {
    // never bound: nothing to close
  }
}
