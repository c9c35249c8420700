// Hostile input: malformed and oversized packets, names deeper and shallower than a service's,
// every query type, a flood of queries over UDP and TCP. Nothing stops the responder, and what
// it holds does not grow with what it is sent.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { decodeMessage, Rcode } from '@fedsvc/dns-rfc2136/wire';
import { respond } from '../src/responder.js';
import { dnsLabel } from './arbitraries.js';
import { dig } from './dig.js';
import { FEDERATION, clusterIPService, clusterOf, headlessService, node, slice, startWorld } from './world.js';

const NAME = 'nginx.mynamespace.myfederation.svc.cluster.local.';
const config = {
  federation: FEDERATION,
  services: [
    { namespace: 'mynamespace', name: 'nginx' },
    { namespace: 'mynamespace', name: 'many' },
  ],
};
const objects = {
  services: [clusterIPService('mynamespace', 'nginx', ['10.96.0.10', 'fd00:96::10']), headlessService('mynamespace', 'many')],
  endpointSlices: [
    slice('mynamespace', 'nginx', 'nginx-1', ['10.244.0.5']),
    slice(
      'mynamespace',
      'many',
      'many-1',
      Array.from({ length: 3000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255) + 1}`),
    ),
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

/** A query's bytes: `labels` as given, type, and a header with RD. */
function queryWire(labels: readonly string[], type: number, id = 7): Buffer {
  const name = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), name, tail]);
}

/** The heap and the buffers outside it (replies waiting in a socket), after a full collection. */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.external;
}

const stillAnswers = async () => expect((await dig(world.server, NAME)).answers.map((a) => a.type)).toEqual(['CNAME', 'A']);

describe('hostile input', () => {
  const { catalog, cluster } = clusterOf(config, objects);

  test('every query type, for the service, the names above and below it, and outside: an answer that decodes, never a throw', () => {
    const names = [
      NAME.split('.').filter(Boolean),
      ['x', ...NAME.split('.').filter(Boolean)],
      NAME.split('.').filter(Boolean).slice(1),
      NAME.split('.').filter(Boolean).slice(2),
      ['example', 'com'],
      [],
    ];
    const rcodes = new Set<number>();
    const wrong: string[] = [];
    for (let type = 0; type <= 0xffff; type++) {
      for (const labels of names) {
        const query = queryWire(labels, type);
        const outcome = respond(query, true, undefined, catalog, cluster);
        // Every type gets a reply to its own question (decoded whole for a sample: decoding all would take minutes).
        const reply = outcome.kind === 'dropped' ? undefined : outcome.reply;
        const echoed = reply !== undefined && (reply[2]! & 0x80) !== 0 && reply.subarray(4, 6).readUInt16BE(0) === 1;
        if (
          !echoed ||
          !reply.subarray(12, query.length).equals(query.subarray(12)) ||
          (type % 997 === 0 && decodeMessage(reply).rcode !== (reply[3]! & 0xf))
        )
          wrong.push(`${labels.join('.')} type ${type}`);
        if (reply) rcodes.add(reply[3]! & 0xf);
      }
    }
    expect(wrong).toEqual([]);
    expect([...rcodes].sort()).toEqual([Rcode.NOERROR, Rcode.FORMERR, Rcode.NXDOMAIN, Rcode.NOTIMP, Rcode.REFUSED].sort());
  }, 60_000);

  test.prop([fc.array(dnsLabel, { minLength: 0, maxLength: 30 }), fc.integer({ min: 0, max: 0xffff })])(
    'names of any depth under the subdomain: an authoritative answer; outside it: REFUSED',
    (prefix, type) => {
      const labels = [...prefix, 'myfederation', 'svc', 'cluster', 'local'];
      fc.pre(labels.reduce((n, l) => n + l.length + 1, 1) <= 255);
      const outcome = respond(queryWire(labels, type), false, undefined, catalog, cluster);
      if (outcome.kind === 'dropped') throw new Error('dropped');
      const reply = decodeMessage(outcome.reply);
      expect(reply.rcode === Rcode.REFUSED || reply.rcode === Rcode.FORMERR || reply.rcode === Rcode.NOTIMP || reply.aa).toBe(true);
    },
  );

  test('malformed and oversized datagrams and frames: dropped and counted, the responder answers on', async () => {
    const before = world.dropped.length;
    const socket = createSocket('udp4');
    const sent = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 1500 }), { numRuns: 300, seed: 42 });
    sent.push(Buffer.alloc(65_000, 0x41), Buffer.concat([queryWire(NAME.split('.').filter(Boolean), 1), Buffer.alloc(60_000)]));
    for (const wire of sent) await new Promise<void>((resolve) => socket.send(wire, world.server.port, '127.0.0.1', () => resolve()));
    socket.close();
    // A TCP frame announcing more than it sends, a 65,535-byte frame of garbage, then a close halfway.
    await new Promise<void>((resolve) => {
      const tcp = connect(world.server.port, '127.0.0.1', () => {
        const big = Buffer.alloc(2 + 65_535, 0x42);
        big.writeUInt16BE(65_535, 0);
        tcp.write(big);
        tcp.end(Buffer.from([0xff, 0xff, 1, 2, 3]), () => resolve());
      });
      tcp.on('error', () => resolve());
    });
    await stillAnswers();
    expect(world.dropped.length - before).toBeGreaterThanOrEqual(250);
  });

  test('a flood over UDP and a TCP client that never reads: no crash, the heap does not keep what it was sent', async () => {
    await stillAnswers();
    const baseline = heapAfterGc();
    const query = queryWire(['many', 'mynamespace', 'myfederation', 'svc', 'cluster', 'local'], 1);
    const sockets = Array.from({ length: 4 }, () => createSocket('udp4'));
    for (let round = 0; round < 5_000; round++) {
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.send(query, world.server.port, '127.0.0.1', () => resolve()))));
    }
    for (const s of sockets) s.close();
    // 20,000 queries of a 3,000-address headless service over one TCP connection whose replies are never read.
    const frames = Buffer.concat(
      Array.from({ length: 20_000 }, () => Buffer.concat([Buffer.from([query.length >> 8, query.length & 255]), query])),
    );
    const tcp = connect(world.server.port, '127.0.0.1');
    tcp.pause();
    await new Promise<void>((resolve) => tcp.write(frames, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const during = heapAfterGc();
    tcp.destroy();
    await stillAnswers();
    // Each reply of the TCP client is 48 KB: answering every frame read would hold about 44 MB per
    // 64 KiB the client sent; the connection holds at most 256 KiB of unsent replies.
    expect(during - baseline).toBeLessThan(16 * 1024 * 1024);
  });
});
