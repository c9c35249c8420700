// The responder on the wire: dig over UDP and TCP against the DNS server on loopback.
import { createSocket } from 'node:dgram';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { decodeMessage, Rcode, RRType } from '@fedsvc/dns-rfc2136/wire';
import { respond } from '../src/responder.js';
import { randomCase } from './arbitraries.js';
import { dig } from './dig.js';
import { FEDERATION, clusterIPService, clusterOf, headlessService, node, slice, startWorld } from './world.js';

const NAME = 'nginx.mynamespace.myfederation.svc.cluster.local.';
const LOCAL = 'nginx.mynamespace.svc.cluster.local.';
const config = {
  federation: FEDERATION,
  ttl: 5,
  services: ['nginx', 'sixty', 'hundred', 'away'].map((name) => ({ namespace: 'mynamespace', name })),
};
const addresses = (n: number) => Array.from({ length: n }, (_, i) => `10.244.${i >> 8}.${(i & 255) + 1}`);
const objects = {
  services: [
    clusterIPService('mynamespace', 'nginx', ['10.96.0.10']),
    headlessService('mynamespace', 'sixty'),
    headlessService('mynamespace', 'hundred'),
    clusterIPService('mynamespace', 'away', ['10.96.0.11']),
  ],
  endpointSlices: [
    slice('mynamespace', 'nginx', 'nginx-1', ['10.244.0.5']),
    slice('mynamespace', 'sixty', 'sixty-1', addresses(60)),
    slice('mynamespace', 'hundred', 'hundred-1', addresses(100)),
    slice('mynamespace', 'away', 'away-1', [], ['10.244.1.9']),
  ],
  nodes: [node('node-a', 'us-central1-a', ['10.244.0.0/24']), node('node-b', 'us-central1-b', ['10.244.1.0/24'])],
};

let world: Awaited<ReturnType<typeof startWorld>>;
beforeAll(async () => {
  world = await startWorld(config, objects);
});
afterAll(async () => {
  await world?.server.stop();
});

/** Sends one datagram; resolves with the reply, or undefined when none came within `ms`. */
function exchange(wire: Uint8Array, ms = 300): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish(undefined), ms);
    const finish = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on('message', (reply) => finish(reply));
    socket.send(wire, world.server.port, '127.0.0.1');
  });
}

/** A query's bytes with the name exactly as given (case kept), type `type`, optional EDNS. */
function queryWire(name: string, type: number, id = 0x1234): Buffer {
  const labels = name.split('.').filter((l) => l !== '');
  const question = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0]),
  ]);
  const header = Buffer.from([id >> 8, id & 255, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, question, tail]);
}

describe('on the wire', () => {
  test('UDP and TCP answer alike: the question and the answer owner as asked, AA set, RA clear, the TTL configured', async () => {
    for (const transport of ['+notcp', '+tcp']) {
      const answer = await dig(world.server, 'NgInX.MyNamespace.MyFederation.SVC.cluster.local.', 'A', transport);
      expect(answer.status).toBe('NOERROR');
      expect(answer.question).toBe('NgInX.MyNamespace.MyFederation.SVC.cluster.local.');
      expect(answer.flags).toContain('aa');
      expect(answer.flags).not.toContain('ra');
      expect(answer.answers).toEqual([
        { name: 'NgInX.MyNamespace.MyFederation.SVC.cluster.local.', ttl: 5, type: 'CNAME', data: LOCAL },
        { name: LOCAL, ttl: 5, type: 'A', data: '10.96.0.10' },
      ]);
    }
  });

  test("a reply longer than the client's payload size goes out truncated (TC), and dig's TCP retry gets it whole", async () => {
    const sixty = 'sixty.mynamespace.myfederation.svc.cluster.local.';
    const hundred = 'hundred.mynamespace.myfederation.svc.cluster.local.';
    const plain = await dig(world.server, sixty, 'A', '+noedns', '+ignore');
    expect(plain.flags).toContain('tc');
    expect(plain.answers).toEqual([]);
    expect((await dig(world.server, sixty, 'A', '+bufsize=600', '+ignore')).flags).toContain('tc');
    const fits = await dig(world.server, sixty, 'A', '+bufsize=1232', '+ignore');
    expect(fits.flags).not.toContain('tc');
    expect(fits.answers).toHaveLength(61);
    // 100 addresses need more than our 1,232 bytes, whatever the client offers.
    expect((await dig(world.server, hundred, 'A', '+bufsize=4096', '+ignore')).flags).toContain('tc');
    const retried = await dig(world.server, hundred, 'A', '+noedns');
    expect(
      retried.answers
        .filter((a) => a.type === 'A')
        .map((a) => a.data)
        .sort(),
    ).toEqual(addresses(100).sort());
  });

  test('the client subnet places the pod (its node zone), echoed with the scope the answer depended on; without it the region', async () => {
    const away = 'away.mynamespace.myfederation.svc.cluster.local.';
    const inB = await dig(world.server, away, 'A', '+subnet=10.244.1.0/24');
    expect(inB.answers).toEqual([
      { name: away, ttl: 5, type: 'CNAME', data: 'away.mynamespace.myfederation.svc.us-central1-b.example.com.' },
    ]);
    expect(inB.text).toContain('CLIENT-SUBNET: 10.244.1.0/24/24');
    const unknown = await dig(world.server, away, 'A');
    expect(unknown.answers[0]?.data).toBe('away.mynamespace.myfederation.svc.us-central1.example.com.');
  });

  test('outside the subdomain REFUSED, EDNS version 1 BADVERS, other opcodes NOTIMP', async () => {
    const refused = await dig(world.server, 'example.com.', 'A');
    expect(refused.status).toBe('REFUSED');
    expect(refused.flags).not.toContain('ra');
    expect((await dig(world.server, NAME, 'A', '+edns=1', '+noednsneg')).status).toBe('BADVERS');
    const notify = queryWire(NAME, RRType.SOA);
    notify[2] = (4 << 3) | 1;
    const reply = await exchange(notify);
    expect(reply && decodeMessage(reply).rcode).toBe(Rcode.NOTIMP);
  });

  test('malformed packets and responses are dropped and counted; the next query is answered', async () => {
    const before = world.dropped.length;
    const valid = queryWire(NAME, RRType.A);
    const garbage = [
      Buffer.from([1, 2, 3]),
      valid.subarray(0, valid.length - 1),
      Buffer.concat([valid, Buffer.from([0])]),
      Buffer.from(valid).fill(0xff, 12, 13),
    ];
    for (const wire of garbage) expect(await exchange(wire)).toBeUndefined();
    const response = Buffer.from(valid);
    response[2] = 0x80;
    expect(await exchange(response)).toBeUndefined();
    expect(world.dropped.slice(before)).toEqual(['malformed', 'malformed', 'malformed', 'malformed', 'response']);
    expect((await dig(world.server, NAME)).status).toBe('NOERROR');
  });
});

describe('answering bytes', () => {
  const { catalog, cluster } = clusterOf(config, objects);
  const types = fc.constantFrom(RRType.A, RRType.AAAA, RRType.CNAME, RRType.ANY, RRType.TXT, RRType.SOA, RRType.NS);

  test.prop([
    fc
      .constantFrom(
        NAME,
        'away.mynamespace.myfederation.svc.cluster.local.',
        'mynamespace.myfederation.svc.cluster.local.',
        'x.myfederation.svc.cluster.local.',
      )
      .chain(randomCase),
    types,
  ])('any letter case: the same answer, the question echoed byte for byte as asked', (name, type) => {
    const asked = respond(queryWire(name, type), true, undefined, catalog, cluster);
    const lower = respond(queryWire(name.toLowerCase(), type), true, undefined, catalog, cluster);
    if (asked.kind === 'dropped' || lower.kind === 'dropped') throw new Error('dropped a valid query');
    const question = queryWire(name, type).subarray(12);
    expect(asked.reply.subarray(12, 12 + question.length)).toEqual(question);
    const { id: _a, ...got } = decodeMessage(asked.reply);
    const { id: _b, ...expected } = decodeMessage(lower.reply);
    expect(got).toEqual(expected);
  });

  test.prop([fc.uint8Array({ maxLength: 600 }), fc.boolean()])(
    'random bytes: never a throw, and any reply decodes as a response',
    (bytes, udp) => {
      const outcome = respond(bytes, udp, undefined, catalog, cluster);
      if (outcome.kind !== 'dropped') {
        const reply = decodeMessage(outcome.reply);
        expect(reply.qr).toBe(true);
        if (udp) expect(outcome.reply.length).toBeLessThanOrEqual(1232);
      }
    },
  );
});
