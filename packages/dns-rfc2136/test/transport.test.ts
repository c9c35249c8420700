// The transport against small misbehaving servers on loopback: framing, truncation, deadlines, bounds.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server as TcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { translateError } from '../src/errors.js';
import { TransportError, query, tcpExchange, tcpStream, udpExchange } from '../src/transport.js';
import { Opcode, RRClass, RRType, decodeMessage, emptyMessage, encodeMessage } from '../src/wire.js';

const request = (id: number) =>
  encodeMessage({ ...emptyMessage(id, Opcode.QUERY), questions: [{ name: 'example.com.', type: RRType.A, class: RRClass.IN }] });
const answer = (id: number, tc = false, marker = 0) => encodeMessage({ ...emptyMessage(id, Opcode.QUERY), qr: true, tc, rcode: marker });
const frame = (wire: Uint8Array) => Buffer.concat([Buffer.from([wire.length >> 8, wire.length & 255]), wire]);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function tcpServer(onConnection: (socket: Socket) => void): Promise<{ port: number; server: TcpServer }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as { port: number }).port, server };
}

async function udpServer(
  port: number,
  onMessage: (socket: UdpSocket, wire: Buffer, from: { port: number; address: string }) => void,
): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  socket.on('message', (wire, from) => onMessage(socket, wire, from));
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket;
}

/** Reads one framed request from a socket, then calls back. */
function onRequest(socket: Socket, handle: (wire: Buffer) => void): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) handle(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
  });
}

const host = '127.0.0.1';

describe('TCP', () => {
  it('reassembles frames split into single bytes and splits frames sent together', async () => {
    const { port } = await tcpServer((socket) =>
      onRequest(socket, (wire) => {
        const id = wire.readUInt16BE(0);
        const bytes = Buffer.concat([frame(answer(id, false, 1)), frame(answer(id, false, 2)), frame(answer(id, false, 3))]);
        // The first frame a byte at a time, the other two in one write.
        const first = frame(answer(id)).length;
        for (let i = 0; i < first; i++) socket.write(bytes.subarray(i, i + 1));
        socket.write(bytes.subarray(first));
      }),
    );
    const seen: number[] = [];
    await tcpStream({ host, port }, request(77), {
      timeoutMs: 5_000,
      maxMessages: 10,
      onMessage: (wire) => {
        seen.push(decodeMessage(wire).rcode);
        return seen.length === 3;
      },
    });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('gives up at the deadline when the server says nothing', async () => {
    const { port } = await tcpServer(() => {});
    const error = await tcpExchange({ host, port }, request(1), { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).reason).toBe('timeout');
    expect((translateError(error, 'test') as { kind: string }).kind).toBe('transient');
  });

  it('reports a connection closed mid-answer, and a refused connection, as transient', async () => {
    const { port } = await tcpServer((socket) => onRequest(socket, () => socket.end(frame(answer(1)).subarray(0, 5))));
    const closed = await tcpExchange({ host, port }, request(1), { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect((closed as TransportError).reason).toBe('closed');
    const { port: unused, server } = await tcpServer(() => {});
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = await tcpExchange({ host, port: unused }, request(1), { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect((refused as TransportError).reason).toBe('network');
    for (const error of [closed, refused]) expect((translateError(error, 'test') as { kind: string }).kind).toBe('transient');
  });

  it('stops reading a stream that never ends at maxMessages', async () => {
    const { port } = await tcpServer((socket) =>
      onRequest(socket, (wire) => {
        const id = wire.readUInt16BE(0);
        const burst = Buffer.concat(Array.from({ length: 50 }, () => frame(answer(id))));
        socket.write(burst);
      }),
    );
    let count = 0;
    const error = await tcpStream({ host, port }, request(5), {
      timeoutMs: 5_000,
      maxMessages: 20,
      onMessage: () => {
        count++;
        return false;
      },
    }).catch((e: unknown) => e);
    expect((error as TransportError).reason).toBe('too-large');
    expect(count).toBe(20);
  });
});

describe('UDP', () => {
  it('ignores answers with another id and takes the one that matches', async () => {
    const { port } = await tcpServer(() => {});
    await udpServer(port, (socket, wire, from) => {
      const id = wire.readUInt16BE(0);
      socket.send(answer((id + 1) & 0xffff, false, 5), from.port, from.address);
      socket.send(answer(id, false, 0), from.port, from.address);
    });
    const wire = await udpExchange({ host, port }, request(300), { timeoutMs: 5_000 });
    expect(decodeMessage(wire).id).toBe(300);
    expect(decodeMessage(wire).rcode).toBe(0);
  });

  it('asks again over TCP when the UDP answer is truncated', async () => {
    const tcpAsked: number[] = [];
    const { port } = await tcpServer((socket) =>
      onRequest(socket, (wire) => {
        tcpAsked.push(wire.readUInt16BE(0));
        socket.write(frame(answer(wire.readUInt16BE(0), false, 3)));
      }),
    );
    await udpServer(port, (socket, wire, from) => socket.send(answer(wire.readUInt16BE(0), true), from.port, from.address));
    const wire = await query({ host, port }, request(42), { timeoutMs: 5_000 });
    expect(decodeMessage(wire).tc).toBe(false);
    expect(decodeMessage(wire).rcode).toBe(3);
    expect(tcpAsked).toEqual([42]);
  });

  it('gives up at the deadline when nothing answers', async () => {
    const { port } = await tcpServer(() => {});
    await udpServer(port, () => {});
    const error = await udpExchange({ host, port }, request(1), { timeoutMs: 150 }).catch((e: unknown) => e);
    expect((error as TransportError).reason).toBe('timeout');
  });
});
