// The in-cluster responder against a real BIND 9 holding the guide's records: a pod's federated
// query answered locally or sent to its zone's name, the chain followed to BIND, asked with `dig`.
import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryClusters } from '@fedsvc/core/testing';
import { ValidationError, type FederatedQueryContext } from '@fedsvc/core';
import { guideFederation, guideHealthyAddresses } from '@fedsvc/core/testing';
import { Opcode, RRClass, RRType, Rcode, decodeMessage, emptyMessage, encodeMessage } from '@fedsvc/dns-rfc2136/wire';
import { startBind, type BindServer } from '@fedsvc/dns-rfc2136/testing';
import { guideRecords, zoneLines } from '../federation-dns/guide-zone.js';
import { encodeReply, respond, validateResponderConfig, type ResponderConfig } from '../federation-dns/responder.js';
import { startResponder, type ResponderServer } from '../federation-dns/server.js';

const run = promisify(execFile);
const ZONE = 'us-central1-f';
const REGION = 'us-central1';
const CLUSTER = `gce-${ZONE}`;
const FEDERATED = 'nginx.mynamespace.myfederation.svc.cluster.local.';
const LOCAL = 'nginx.mynamespace.svc.cluster.local.';
const zonal = (service: string) => `${service}.mynamespace.myfederation.svc.${ZONE}.example.com.`;
const REGIONAL = `nginx.mynamespace.myfederation.svc.${REGION}.example.com.`;
/** The guide's healthy shards in the pod's region: where us-central1-f's CNAME ends. */
const REGION_ADDRESSES = ['us-central1-a', 'us-central1-b', 'us-central1-c'].map((z) => guideHealthyAddresses[z]!).sort();

interface Dig {
  status: string;
  flags: string[];
  answers: { name: string; type: string; data: string }[];
  authority: string[];
}

/** `dig` with the header, answer and authority sections, parsed. */
async function dig(server: { host: string; port: number }, name: string, type = 'A', ...flags: string[]): Promise<Dig> {
  const { stdout } = await run(
    'dig',
    [
      `@${server.host}`,
      '-p',
      String(server.port),
      '+time=2',
      '+tries=1',
      '+noall',
      '+comments',
      '+answer',
      '+authority',
      ...flags,
      name,
      type,
    ],
    { timeout: 10_000 },
  );
  const status = /status: (\w+)/.exec(stdout)?.[1] ?? `no answer: ${stdout}`;
  const flagLine = /flags: ([^;]*);/.exec(stdout)?.[1] ?? '';
  const sections = stdout.split(/^;; (?=\w+ SECTION:)/m);
  const records = (section: string) =>
    (sections.find((s) => s.startsWith(section)) ?? '')
      .split('\n')
      .slice(1)
      .filter((line) => line !== '' && !line.startsWith(';'))
      .map((line) => line.split(/\s+/));
  return {
    status,
    flags: flagLine.trim().split(/\s+/),
    answers: records('ANSWER').map(([n = '', , , t = '', ...data]) => ({ name: n, type: t, data: data.join(' ') })),
    authority: records('AUTHORITY').map(([n = '', , , t = '']) => `${n} ${t}`),
  };
}
const addressesOf = (d: Dig) =>
  d.answers
    .filter((a) => a.type === 'A')
    .map((a) => a.data)
    .sort();

describe('the federation responder in front of a real BIND 9', () => {
  let bind: BindServer;
  let clusters: MemoryClusters;
  let responder: ResponderServer;
  let alone: ResponderServer;
  const errors: unknown[] = [];
  let clusterIP: string;

  const setReady = (n: number) => clusters.setReadyEndpoints(CLUSTER, 'mynamespace', 'nginx', n);
  const localService: FederatedQueryContext['localService'] = (namespace, name) => clusters.shard(CLUSTER, namespace, name);
  const options = { federation: guideFederation, zone: ZONE, region: REGION, localService, onError: (e: unknown) => errors.push(e) };

  beforeAll(async () => {
    bind = await startBind({ zones: ['example.com'], records: zoneLines(guideRecords()) });
    clusters = new MemoryClusters([{ name: CLUSTER, zones: [ZONE], region: REGION }]);
    clusters.putService(CLUSTER, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'nginx', namespace: 'mynamespace' },
      spec: { selector: { run: 'nginx' }, ports: [{ port: 80, protocol: 'TCP' }] },
    });
    clusterIP = clusters.shard(CLUSTER, 'mynamespace', 'nginx')!.clusterIP!;
    responder = await startResponder({ ...options, port: 0, upstream: { host: bind.host, port: bind.port } });
    alone = await startResponder({ ...options, port: 0 });
  });

  afterAll(async () => {
    await responder?.stop();
    await alone?.stop();
    await bind?.stop();
  });

  it('a healthy local shard: CNAME to its cluster-local name, and its cluster IP (UDP and TCP)', async () => {
    setReady(2);
    for (const transport of ['+notcp', '+tcp']) {
      const answer = await dig(responder, FEDERATED, 'A', transport);
      expect(answer.status).toBe('NOERROR');
      expect(answer.flags).toContain('aa');
      expect(answer.answers).toEqual([
        { name: FEDERATED, type: 'CNAME', data: LOCAL },
        { name: LOCAL, type: 'A', data: clusterIP },
      ]);
    }
    // The cluster-local name itself answers the cluster IP, as kube-dns did.
    expect(addressesOf(await dig(responder, LOCAL))).toEqual([clusterIP]);
  });

  it('a local shard without ready endpoints: CNAME to the zonal name, which BIND walks to the region', async () => {
    setReady(0);
    // Without recursion: the CNAME alone.
    const plain = await dig(responder, FEDERATED, 'A', '+norecurse');
    expect(plain.status).toBe('NOERROR');
    expect(plain.answers).toEqual([{ name: FEDERATED, type: 'CNAME', data: zonal('nginx') }]);
    // What BIND answers for that name: the guide's us-central1-f CNAME to the region, and its addresses.
    const authoritative = await dig(bind, zonal('nginx'), 'A', '+norecurse');
    expect(authoritative.answers[0]).toEqual({ name: zonal('nginx'), type: 'CNAME', data: REGIONAL });
    expect(addressesOf(authoritative)).toEqual(REGION_ADDRESSES);
    // With recursion (what a pod asks): the responder follows its CNAME through BIND: the full chain.
    const followed = await dig(responder, FEDERATED);
    expect(followed.status).toBe('NOERROR');
    expect(followed.flags).toEqual(expect.arrayContaining(['rd', 'ra']));
    // BIND rotates the order of an RRset's records between answers: the addresses are compared as a set.
    const cnames = (d: Dig) => d.answers.filter((a) => a.type === 'CNAME');
    expect(cnames(followed)).toEqual([{ name: FEDERATED, type: 'CNAME', data: zonal('nginx') }, ...cnames(authoritative)]);
    expect(followed.answers.slice(0, 2).map((a) => a.type)).toEqual(['CNAME', 'CNAME']);
    expect(addressesOf(followed)).toEqual(REGION_ADDRESSES);
    expect(followed.answers.filter((a) => a.type === 'A').every((a) => a.name === REGIONAL)).toBe(true);
  });

  it('the shard recovers: the next query is answered locally again', async () => {
    setReady(0);
    expect((await dig(responder, FEDERATED, 'A', '+norecurse')).answers[0]?.data).toBe(zonal('nginx'));
    setReady(1);
    expect((await dig(responder, FEDERATED, 'A', '+norecurse')).answers.map((a) => a.data)).toEqual([LOCAL, clusterIP]);
  });

  it('a service with no local shard and no records at BIND: the chain ends in NXDOMAIN', async () => {
    const name = 'shop.mynamespace.myfederation.svc.cluster.local.';
    const followed = await dig(responder, name);
    expect(followed.status).toBe('NXDOMAIN');
    expect(followed.answers).toEqual([{ name, type: 'CNAME', data: zonal('shop') }]);
    expect(followed.authority).toEqual(['example.com. SOA']);
  });

  it("the search path's expansions: the pod's resolver gets NXDOMAIN until the federated form", async () => {
    setReady(2);
    // What a pod in namespace `default` sends (ndots 5) for `nginx.mynamespace.myfederation` and `….svc`.
    const search = ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];
    for (const short of ['nginx.mynamespace.myfederation', 'nginx.mynamespace.myfederation.svc']) {
      const tried: string[] = [];
      let final: Dig | undefined;
      for (const suffix of [...search.map((s) => `${short}.${s}.`), `${short}.`]) {
        tried.push(suffix);
        const answer = await dig(responder, suffix, 'A', '+norecurse');
        if (answer.status !== 'NXDOMAIN') {
          final = answer;
          break;
        }
        expect(answer.flags).toContain('aa');
        expect(answer.authority).toEqual(['cluster.local. SOA']);
      }
      expect(tried.at(-1), short).toBe(FEDERATED);
      expect(final?.answers.map((a) => a.data)).toEqual([LOCAL, clusterIP]);
    }
  });

  it('names with children in the cluster domain are NODATA, not NXDOMAIN; AAAA of an IPv4 shard is the CNAME alone', async () => {
    for (const name of [
      'cluster.local.',
      'svc.cluster.local.',
      'mynamespace.svc.cluster.local.',
      'mynamespace.myfederation.svc.cluster.local.',
    ]) {
      const answer = await dig(responder, name, 'A', '+norecurse');
      expect([name, answer.status, answer.answers]).toEqual([name, 'NOERROR', []]);
      expect(answer.authority).toEqual(['cluster.local. SOA']);
    }
    setReady(2);
    expect((await dig(responder, FEDERATED, 'AAAA', '+norecurse')).answers).toEqual([{ name: FEDERATED, type: 'CNAME', data: LOCAL }]);
  });

  it('names outside the cluster domain go to the upstream; without one they are REFUSED', async () => {
    const forwarded = await dig(responder, 'example.com.', 'SOA');
    expect(forwarded.status).toBe('NOERROR');
    expect(forwarded.answers.map((a) => `${a.name} ${a.type}`)).toEqual(['example.com. SOA']);
    expect((await dig(alone, 'example.com.', 'SOA')).status).toBe('REFUSED');
    // And without an upstream a remote CNAME is answered as it is, for the pod's resolver to follow.
    setReady(0);
    expect((await dig(alone, FEDERATED)).answers).toEqual([{ name: FEDERATED, type: 'CNAME', data: zonal('nginx') }]);
  });

  it('an upstream that answers only with the wrong id is not believed: SERVFAIL after the timeout', async () => {
    // A forger that sees the query and answers at once, but cannot know its random id.
    const forger = createSocket('udp4');
    forger.on('message', (query, from) => {
      const forged = Buffer.from(query);
      forged.writeUInt16BE((query.readUInt16BE(0) + 1) & 0xffff, 0);
      forged[2] = forged[2]! | 0x80;
      forger.send(forged, from.port, from.address);
    });
    await new Promise<void>((resolve) => forger.bind(0, '127.0.0.1', resolve));
    const forged = await startResponder({
      ...options,
      port: 0,
      upstream: { host: '127.0.0.1', port: forger.address().port },
      upstreamTimeoutMs: 300,
    });
    try {
      expect((await dig(forged, 'example.com.', 'SOA')).status).toBe('SERVFAIL');
    } finally {
      await forged.stop();
      forger.close();
    }
  });

  it('random datagrams and TCP frames do not stop it, and every reply is a well-formed response', async () => {
    setReady(2);
    const client = createSocket('udp4');
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
    try {
      // A valid query, and random bytes and mutations of it.
      const valid = encodeMessage({
        ...emptyMessage(0, Opcode.QUERY),
        rd: true,
        questions: [{ name: FEDERATED, type: RRType.A, class: RRClass.IN }],
      });
      const garbage = fc.oneof(
        fc.uint8Array({ maxLength: 600 }),
        fc
          .tuple(
            fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
            fc.nat(valid.length),
          )
          .map(([edits, cut]) => {
            const bytes = Uint8Array.from(valid);
            for (const [at, value] of edits) bytes[at] = value;
            return bytes.subarray(0, Math.max(cut, 12));
          }),
      );
      let probe = 0;
      await fc.assert(
        fc.asyncProperty(garbage, async (bytes) => {
          const id = 0x8000 + (probe++ % 0x7fff);
          const replies = await udpExchange(client, responder, bytes, id);
          // Only the probe is known to be answered; a reply to the garbage must be a response of the right size.
          expect(replies.some((r) => r.readUInt16BE(0) === id)).toBe(true);
          for (const reply of replies) {
            expect(reply[2]! & 0x80).toBe(0x80);
            expect(reply.length).toBeLessThanOrEqual(1232);
          }
        }),
        { numRuns: 150 },
      );
    } finally {
      client.close();
    }
    // Over TCP: garbage frames, a frame cut short, then a fresh connection is answered.
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), async (frames) => {
        await tcpSend(responder, frames.map(frame));
      }),
      { numRuns: 30 },
    );
    await tcpSend(responder, [Buffer.from([0xff, 0xff, 1, 2, 3])]);
    const answer = await dig(responder, FEDERATED, 'A', '+tcp');
    expect(answer.answers.map((a) => a.data)).toEqual([LOCAL, clusterIP]);
    expect(errors).toEqual([]);
  });
});

describe('respond (the pure part)', () => {
  const config: ResponderConfig = {
    federation: guideFederation,
    zone: ZONE,
    region: REGION,
    ttl: 30,
    recursion: true,
    localService: (namespace, name) =>
      namespace === 'mynamespace' && name === 'nginx' ? { clusterIP: '10.63.250.98', readyEndpoints: 1 } : undefined,
  };

  it('answers any bytes without throwing; a reply keeps the id, is a response, and fits its transport', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 700 }), fc.boolean(), (bytes, udp) => {
        const decision = respond(bytes, config);
        if (decision.kind === 'drop') {
          expect(bytes.length < 12 || (bytes[2]! & 0x80) !== 0).toBe(true);
          return;
        }
        const message = decision.kind === 'reply' ? decision.message : decision.finish(undefined);
        const wire = encodeReply(message, udp ? decision.udpLimit : undefined);
        const decoded = decodeMessage(wire);
        expect(decoded.id).toBe((bytes[0]! << 8) | bytes[1]!);
        expect(decoded.qr).toBe(true);
        if (udp) expect(wire.length).toBeLessThanOrEqual(decision.udpLimit);
      }),
      { numRuns: 3000 },
    );
  });

  it('a malformed query gets FORMERR; a response is dropped; UPDATE is NOTIMP; EDNS version 1 is BADVERS', () => {
    const query = (change: Partial<ReturnType<typeof emptyMessage>> = {}) =>
      encodeMessage({
        ...emptyMessage(7, Opcode.QUERY),
        questions: [{ name: FEDERATED, type: RRType.A, class: RRClass.IN }],
        ...change,
      });
    const rcodeOf = (wire: Uint8Array) => {
      const decision = respond(wire, config);
      return decision.kind === 'reply' ? decodeMessage(encodeReply(decision.message, 512)).rcode : decision.kind;
    };
    expect(rcodeOf(query().subarray(0, 20))).toBe(Rcode.FORMERR);
    expect(rcodeOf(query({ questions: [] }))).toBe(Rcode.FORMERR);
    expect(rcodeOf(query({ qr: true }))).toBe('drop');
    expect(rcodeOf(query({ opcode: Opcode.UPDATE }))).toBe(Rcode.NOTIMP);
    expect(rcodeOf(query({ questions: [{ name: FEDERATED, type: RRType.AXFR, class: RRClass.IN }] }))).toBe(Rcode.REFUSED);
    const opt = (version: number) => ({ name: '.', type: RRType.OPT, class: 4096, ttl: version << 16, rdata: new Uint8Array(0) });
    expect(rcodeOf(query({ additionals: [opt(0)] }))).toBe(Rcode.NOERROR);
    const badvers = respond(query({ additionals: [opt(1)] }), config);
    expect(badvers.kind === 'reply' && badvers.message.additionals[0]!.ttl >>> 24).toBe(1);
    expect(rcodeOf(query({ additionals: [opt(0), opt(0)] }))).toBe(Rcode.FORMERR);
  });

  it('a relayed answer too big for the datagram goes out truncated, whole over TCP', () => {
    const decision = respond(
      encodeMessage({
        ...emptyMessage(3, Opcode.QUERY),
        rd: true,
        questions: [{ name: 'big.example.org.', type: RRType.A, class: RRClass.IN }],
      }),
      config,
    );
    if (decision.kind !== 'ask-upstream') throw new Error(`expected ask-upstream, got ${decision.kind}`);
    const answers = Array.from({ length: 40 }, (_, i) => ({
      name: 'big.example.org.',
      type: RRType.A,
      class: RRClass.IN,
      ttl: 60,
      rdata: Uint8Array.from([192, 0, 2, i]),
    }));
    const upstream = decodeMessage(encodeMessage({ ...emptyMessage(77, Opcode.QUERY), qr: true, questions: [decision.question], answers }));
    const message = decision.finish(upstream);
    const udp = decodeMessage(encodeReply(message, decision.udpLimit));
    expect([udp.id, udp.tc, udp.answers.length, udp.questions[0]?.name]).toEqual([3, true, 0, 'big.example.org.']);
    const tcp = decodeMessage(encodeReply(message, undefined));
    expect([tcp.tc, tcp.answers.length]).toEqual([false, 40]);
  });

  it('an upstream that does not answer: SERVFAIL', () => {
    const decision = respond(
      encodeMessage({
        ...emptyMessage(9, Opcode.QUERY),
        rd: true,
        questions: [{ name: 'example.org.', type: RRType.A, class: RRClass.IN }],
      }),
      config,
    );
    expect(decision.kind).toBe('ask-upstream');
    if (decision.kind === 'ask-upstream') expect(decision.finish(undefined).rcode).toBe(Rcode.SERVFAIL);
  });

  it('a bad configuration is a ValidationError naming the field', async () => {
    expect(() => validateResponderConfig({ ...config, zone: 'Zone F' })).toThrow(expect.objectContaining({ field: 'context.zone' }));
    expect(() => validateResponderConfig({ ...config, ttl: -1 })).toThrow(expect.objectContaining({ field: 'ttl' }));
    await expect(startResponder({ ...config, port: 70_000 })).rejects.toThrow(ValidationError);
  });
});

/** Sends `bytes`, then a probe query with `id`, and collects replies until the probe's (bounded). */
function udpExchange(client: UdpSocket, server: { host: string; port: number }, bytes: Uint8Array, id: number): Promise<Buffer[]> {
  const probe = encodeMessage({ ...emptyMessage(id, Opcode.QUERY), questions: [{ name: FEDERATED, type: RRType.A, class: RRClass.IN }] });
  return new Promise((resolve, reject) => {
    const replies: Buffer[] = [];
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no answer to the probe after ${bytes.length} random bytes`));
    }, 3_000);
    const onMessage = (reply: Buffer) => {
      replies.push(reply);
      if (reply.length >= 2 && reply.readUInt16BE(0) === id) {
        clearTimeout(timer);
        client.off('message', onMessage);
        resolve(replies);
      }
    };
    client.on('message', onMessage);
    client.send(bytes, server.port, server.host);
    client.send(probe, server.port, server.host);
  });
}

const frame = (bytes: Uint8Array): Buffer => Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);

/** Writes raw bytes on a fresh TCP connection and closes it (bounded). */
function tcpSend(server: { host: string; port: number }, chunks: readonly Uint8Array[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('TCP connection did not finish'));
    }, 3_000);
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      socket.end();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume();
  });
}
