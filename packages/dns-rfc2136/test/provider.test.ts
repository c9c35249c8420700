// The adapter beyond the conformance suite: options, the UPDATE it writes, its limits, and how
// it reports what BIND (and a server that never answers) does.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { ProviderError, ValidationError, type Change, type RecordSet } from '@fedsvc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RcodeError } from '../src/client.js';
import { translateError } from '../src/errors.js';
import { createRfc2136Provider, type Rfc2136ProviderOptions } from '../src/index.js';
import { SERVER_KINDS, startDnsProxy, startDnsServer, type DnsProxy, type DnsServer } from '../src/testing/index.js';
import { rfc2136Provider } from '../src/provider.js';
import { planUpdate, updateMessage } from '../src/update.js';
import { clientFor, readDirect, writeDirect } from './helpers.js';
import { RRClass, RRType, Rcode, decodeMessage, encodeMessage } from '../src/wire.js';

const SECRET = Buffer.alloc(32, 9).toString('base64');

/** What `run` throws, or undefined. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
const base: Rfc2136ProviderOptions = {
  server: { host: '127.0.0.1', port: 53 },
  zones: ['example.com'],
  tsig: { name: 'k', algorithm: 'hmac-sha256', secret: SECRET },
};

describe('options', () => {
  it('names the field and value of a bad option, and never shows the secret', () => {
    const cases: [Partial<Rfc2136ProviderOptions>, string][] = [
      [{ server: { host: '' } }, 'server.host'],
      [{ server: { host: '127.0.0.1', port: 70_000 } }, 'server.port'],
      [{ zones: [] }, 'zones'],
      [{ zones: ['ok.example', 'bad..example'] }, 'zones[1]'],
      [{ tsig: { ...base.tsig, name: '' } }, 'tsig.name'],
      [{ tsig: { ...base.tsig, algorithm: 'hmac-md5' as 'hmac-sha256' } }, 'tsig.algorithm'],
      [{ tsig: { ...base.tsig, secret: 'not base64 at all! hunter2' } }, 'tsig.secret'],
      [{ timeoutMs: 0 }, 'timeoutMs'],
    ];
    for (const [change, field] of cases) {
      const error = (() => {
        try {
          createRfc2136Provider({ ...base, ...change });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, field).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});

describe('the UPDATE message', () => {
  const a = (name: string, rrdatas: string[], ttl = 180): RecordSet => ({ name, type: 'A', ttl, rrdatas });

  it('carries the prerequisite each change was planned on: absent for a create, exactly as read for a delete or update', () => {
    const message = updateMessage(1, 'example.com.', [
      { kind: 'create', record: a('new.example.com.', ['192.0.2.1']) },
      { kind: 'delete', record: a('old.example.com.', ['192.0.2.2', '192.0.2.3']) },
      { kind: 'update', before: a('www.example.com.', ['192.0.2.4']), record: a('www.example.com.', ['192.0.2.5'], 60) },
    ]);
    expect(message.questions).toEqual([{ name: 'example.com.', type: RRType.SOA, class: RRClass.IN }]);
    const show = (records: typeof message.answers) => records.map((r) => `${r.name} ${r.class} ${r.ttl} ${Buffer.from(r.rdata).join('.')}`);
    expect(message.answers.filter((r) => r.class === RRClass.NONE).map((r) => r.type)).toEqual([RRType.A, RRType.CNAME]);
    expect(show(message.answers)).toEqual([
      `new.example.com. ${RRClass.NONE} 0 `,
      // …and no CNAME there, which would make the server drop the A silently.
      `new.example.com. ${RRClass.NONE} 0 `,
      `old.example.com. ${RRClass.IN} 0 192.0.2.2`,
      `old.example.com. ${RRClass.IN} 0 192.0.2.3`,
      `www.example.com. ${RRClass.IN} 0 192.0.2.4`,
    ]);
    expect(show(message.authorities)).toEqual([
      `new.example.com. ${RRClass.IN} 180 192.0.2.1`,
      `old.example.com. ${RRClass.ANY} 0 `,
      `www.example.com. ${RRClass.ANY} 0 `,
      `www.example.com. ${RRClass.IN} 60 192.0.2.5`,
    ]);
  });

  it('refuses bad record sets before anything is sent, naming the field', () => {
    const cases: [Change, string][] = [
      [{ kind: 'create', record: a('www.elsewhere.org.', ['192.0.2.1']) }, 'changes[0].record.name'],
      [{ kind: 'create', record: a('www.example.com.', ['192.0.2.1'], -1) }, 'changes[0].record.ttl'],
      [{ kind: 'create', record: a('www.example.com.', []) }, 'changes[0].record.rrdatas'],
      [
        { kind: 'create', record: { name: 'www.example.com.', type: 'SOA' as 'A', ttl: 1, rrdatas: ['a. b. 1 2 3 4 5'] } },
        'changes[0].record.type',
      ],
      [
        { kind: 'update', before: a('other.example.com.', ['192.0.2.1']), record: a('www.example.com.', ['192.0.2.2']) },
        'changes[0].before',
      ],
    ];
    for (const [change, field] of cases) {
      const error = thrown(() => updateMessage(1, 'example.com.', [change]));
      expect(error, field).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('refuses record data the server could not take as ProviderError invalid, naming the record set, so core can set it aside', () => {
    const txt = (rrdatas: string[]): RecordSet => ({ name: 'note.example.com.', type: 'TXT', ttl: 60, rrdatas });
    const cases: [Change, string, RecordSet][] = [
      [{ kind: 'create', record: a('www.example.com.', ['192.0.2.300']) }, 'changes[0].record.rrdatas[0]', a('www.example.com.', [])],
      [{ kind: 'create', record: txt(['"fine"', '"abc']) }, 'changes[0].record.rrdatas[1]', txt([])],
      [{ kind: 'update', before: txt(['"old"']), record: txt([`"${'x'.repeat(256)}"`]) }, 'changes[0].record.rrdatas[0]', txt([])],
    ];
    for (const [change, field, record] of cases) {
      const error = thrown(() => updateMessage(1, 'example.com.', [change]));
      expect(error, field).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).kind).toBe('invalid');
      expect((error as ProviderError).provider).toBe('rfc2136');
      expect((error as ProviderError).record).toEqual({ name: record.name, type: record.type });
      expect((error as ProviderError).message).toContain(field);
    }
  });

  it('drops a create\'s "name free" prerequisite only for a delete earlier in the message, and asks to check what it cannot guard', () => {
    const cname = (name: string): RecordSet => ({ name, type: 'CNAME', ttl: 60, rrdatas: ['target.example.com.'] });
    const txt = (name: string, text: string): RecordSet => ({ name, type: 'TXT', ttl: 60, rrdatas: [`"${text}"`] });
    const guards = (changes: Change[]) => {
      const { message, verify } = planUpdate(1, 'example.com.', changes);
      return {
        // The data-less prerequisites: "not in use" (ANY) and "does not exist" (by type).
        none: message.answers.filter((r) => r.class === RRClass.NONE).map((r) => `${r.name} ${r.type === RRType.ANY ? 'ANY' : r.type}`),
        verify: verify.map((set) => `${set.name} ${set.type}`),
      };
    };
    // A type switch: the deletes pin what they delete; the CNAME is checked after.
    expect(
      guards([
        { kind: 'delete', record: a('x.example.com.', ['192.0.2.1']) },
        { kind: 'create', record: cname('x.example.com.') },
      ]),
    ).toEqual({ none: [`x.example.com. ${RRType.CNAME}`], verify: [`x.example.com. ${RRType.CNAME}`] });
    // An update empties nothing: the name must be free.
    expect(
      guards([
        { kind: 'update', before: txt('z.example.com.', 'a'), record: txt('z.example.com.', 'b') },
        { kind: 'create', record: cname('z.example.com.') },
      ]),
    ).toEqual({ none: [`z.example.com. ${RRType.CNAME}`, 'z.example.com. ANY'], verify: [] });
    expect(
      guards([
        { kind: 'update', before: cname('y.example.com.'), record: cname('y.example.com.') },
        { kind: 'create', record: a('y.example.com.', ['192.0.2.1']) },
      ]),
    ).toEqual({ none: [`y.example.com. ${RRType.A}`, `y.example.com. ${RRType.CNAME}`], verify: [] });
    // A delete after the create is applied after it: too late to make room.
    expect(
      guards([
        { kind: 'create', record: cname('w.example.com.') },
        { kind: 'delete', record: a('w.example.com.', ['192.0.2.1']) },
      ]),
    ).toEqual({ none: [`w.example.com. ${RRType.CNAME}`, 'w.example.com. ANY'], verify: [] });
    // Deleting the CNAME first makes room for other data; deleting anything else does not.
    expect(
      guards([
        { kind: 'delete', record: cname('v.example.com.') },
        { kind: 'create', record: a('v.example.com.', ['192.0.2.1']) },
      ]),
    ).toEqual({ none: [`v.example.com. ${RRType.A}`], verify: [] });
    expect(
      guards([
        { kind: 'delete', record: txt('u.example.com.', 'a') },
        { kind: 'create', record: a('u.example.com.', ['192.0.2.1']) },
      ]),
    ).toEqual({ none: [`u.example.com. ${RRType.A}`, `u.example.com. ${RRType.CNAME}`], verify: [] });
  });
});

describe('rcodes and TSIG errors → ProviderError kinds', () => {
  it('maps every answer the way the README says', () => {
    const kinds = Object.fromEntries(
      (['NXRRSET', 'YXRRSET', 'NXDOMAIN', 'YXDOMAIN', 'REFUSED', 'NOTAUTH', 'SERVFAIL', 'FORMERR', 'NOTIMP', 'NOTZONE'] as const).map(
        (name) => [name, (translateError(new RcodeError(Rcode[name]), 'UPDATE') as ProviderError).kind],
      ),
    );
    expect(kinds).toEqual({
      NXRRSET: 'conflict',
      YXRRSET: 'conflict',
      NXDOMAIN: 'conflict',
      YXDOMAIN: 'conflict',
      REFUSED: 'denied',
      NOTAUTH: 'denied',
      SERVFAIL: 'transient',
      FORMERR: 'invalid',
      NOTIMP: 'denied',
      NOTZONE: 'invalid',
    });
    const programming = new TypeError('bug');
    expect(translateError(programming, 'UPDATE')).toBe(programming);
  });
});

describe.each(SERVER_KINDS)('against %s', (kind) => {
  let bind: DnsServer;
  let proxy: DnsProxy;
  const zone = 'provider.test.';
  beforeAll(async () => {
    bind = await startDnsServer(kind, { zones: [zone] });
    proxy = await startDnsProxy({ host: bind.host, port: bind.port });
  });
  afterAll(async () => {
    await proxy?.close();
    await bind?.stop();
  });
  const provider = (extra: Partial<Rfc2136ProviderOptions> = {}) =>
    createRfc2136Provider({ server: { host: proxy.host, port: proxy.port }, zones: [zone], tsig: bind.key, timeoutMs: 5_000, ...extra });
  const dnsZone = { id: zone, dnsName: zone };
  const create: Change = { kind: 'create', record: { name: `www.${zone}`, type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] } };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e as ProviderError,
    );

  it('lists the configured zones the server serves, and answers not-found for the others', async () => {
    const p = provider({ zones: [zone, 'unserved.test'] });
    expect(await p.zones()).toEqual([dnsZone]);
    expect((await failure(p.records({ id: 'unserved.test.', dnsName: 'unserved.test.' })))?.kind).toBe('not-found');
    expect((await failure(p.records({ id: 'other.test.', dnsName: 'other.test.' })))?.kind).toBe('not-found');
  });

  it('reports a signature the server refuses as denied, naming the key, for every call: wrong secret, key name, algorithm, a clock an hour off', async () => {
    const client = clientFor(bind);
    const real = () => Math.floor(Date.now() / 1000);
    const cases = [
      ['a wrong secret', { ...client, key: { ...client.key, secret: Buffer.alloc(32, 1) } }],
      ['an unknown key name', { ...client, key: { ...client.key, name: 'somebody-else' } }],
      ['a wrong algorithm', { ...client, key: { ...client.key, algorithm: 'hmac-sha512' } }],
      ['a clock an hour fast', { ...client, now: () => real() + 3_600 }],
      ['a clock an hour slow', { ...client, now: () => real() - 3_600 }],
    ] as const;
    for (const [what, settings] of cases) {
      const p = rfc2136Provider({ client: { ...settings, server: { host: proxy.host, port: proxy.port } }, zones: [zone] });
      const calls = {
        zones: failure(p.zones()),
        records: failure(p.records(dnsZone)),
        applyChanges: failure(p.applyChanges(dnsZone, [create])),
        zoneVersion: failure(p.zoneVersion!(dnsZone)),
      };
      for (const [call, pending] of Object.entries(calls)) {
        const error = await pending;
        expect(error, `${what}: ${call}`).toBeInstanceOf(ProviderError);
        expect(error?.kind, `${what}: ${call}: ${error?.message}`).toBe('denied');
        expect(error?.message, `${what}: ${call}`).toContain(`key ${settings.key.name} (${settings.key.algorithm})`);
        expect(error?.message).not.toContain(bind.key.secret);
      }
    }
    // Nothing was written with any of them.
    expect((await readDirect(client, zone)).find((r) => r.name === create.record.name)).toBeUndefined();
  });

  it("zoneVersion is the zone's SOA serial: the same while nothing changes, moved by our write and by anyone else's", async () => {
    const p = provider({ zones: [zone, 'unserved.test'] });
    const first = await p.zoneVersion!(dnsZone);
    expect(first).toMatch(/^\d+$/);
    expect(await p.zoneVersion!(dnsZone)).toBe(first);
    // Reading the zone changes nothing.
    await p.records(dnsZone);
    expect(await p.zoneVersion!(dnsZone)).toBe(first);
    const record: RecordSet = { name: `version.${zone}`, type: 'TXT', ttl: 60, rrdatas: ['"ours"'] };
    await p.applyChanges(dnsZone, [{ kind: 'create', record }]);
    const afterOurs = await p.zoneVersion!(dnsZone);
    expect(afterOurs).not.toBe(first);
    // Someone else's write, with the same key but not through this provider (as nsupdate would).
    await writeDirect(clientFor(bind), zone, [{ kind: 'create', record: { ...record, rrdatas: ['"theirs"'] } }]);
    const afterTheirs = await p.zoneVersion!(dnsZone);
    expect(afterTheirs).not.toBe(afterOurs);
    // A second provider instance sees the same token.
    expect(await provider().zoneVersion!(dnsZone)).toBe(afterTheirs);
    await p.applyChanges(dnsZone, [{ kind: 'delete', record: { ...record, rrdatas: ['"theirs"'] } }]);
    expect((await failure(p.zoneVersion!({ id: 'unserved.test.', dnsName: 'unserved.test.' })))?.kind).toBe('not-found');
  });

  it('the proxy counts each zoneVersion as one SOA query, and never fails one armed for reads and writes', async () => {
    const p = provider();
    const before = proxy.counts();
    proxy.failNext(1);
    const version = await p.zoneVersion!(dnsZone);
    await p.zoneVersion!(dnsZone);
    expect((await failure(p.records(dnsZone)))?.kind).toBe('transient');
    expect(await p.zoneVersion!(dnsZone)).toBe(version);
    const after = proxy.counts();
    expect([after.versions - before.versions, after.reads - before.reads, after.writes - before.writes]).toEqual([3, 1, 0]);
  });

  it('reports SERVFAIL as transient, for reads and writes', async () => {
    const p = provider();
    proxy.failNext(2);
    expect((await failure(p.records(dnsZone)))?.kind).toBe('transient');
    expect((await failure(p.applyChanges(dnsZone, [create])))?.kind).toBe('transient');
    await p.applyChanges(dnsZone, [create]);
    expect((await p.records(dnsZone)).find((r) => r.name === `www.${zone}`)?.rrdatas).toEqual(['192.0.2.1']);
    await p.applyChanges(dnsZone, [{ kind: 'delete', record: create.record }]);
  });

  it('sends a small UPDATE over UDP and one over 512 bytes over TCP', async () => {
    const p = provider();
    const before = proxy.writesBy();
    await p.applyChanges(dnsZone, [create]);
    const afterSmall = proxy.writesBy();
    expect(afterSmall).toEqual({ udp: before.udp + 1, tcp: before.tcp });
    const many: RecordSet[] = Array.from({ length: 20 }, (_, i) => ({
      name: `udp-or-tcp-${i}.${zone}`,
      type: 'A',
      ttl: 60,
      rrdatas: ['192.0.2.7'],
    }));
    await p.applyChanges(
      dnsZone,
      many.map((record) => ({ kind: 'create', record })),
    );
    expect(proxy.writesBy()).toEqual({ udp: afterSmall.udp, tcp: afterSmall.tcp + 1 });
    const names = new Set((await p.records(dnsZone)).map((r) => r.name));
    for (const record of many) expect(names.has(record.name)).toBe(true);
    await p.applyChanges(
      dnsZone,
      [create.record, ...many].map((record) => ({ kind: 'delete', record })),
    );
  });

  it('sends nothing when the change set is bad or too large for one message', async () => {
    const p = provider();
    const before = proxy.counts().writes;
    const bad = await failure(p.applyChanges(dnsZone, [{ kind: 'create', record: { ...create.record, rrdatas: ['not an address'] } }]));
    expect(bad).toBeInstanceOf(ProviderError);
    expect(bad?.kind).toBe('invalid');
    expect(bad?.record).toEqual({ name: create.record.name, type: 'A' });
    const huge: Change[] = Array.from({ length: 300 }, (_, i) => ({
      kind: 'create',
      record: { name: `big-${i}.${zone}`, type: 'TXT', ttl: 60, rrdatas: [`"${'x'.repeat(250)}"`] },
    }));
    const tooLarge = await failure(p.applyChanges(dnsZone, huge));
    expect(tooLarge?.kind).toBe('invalid');
    expect(tooLarge?.message).toMatch(/65535 bytes/);
    expect(proxy.counts().writes).toBe(before);
  });

  it('fails a create the server would silently drop (CNAME beside data, data beside a CNAME) as a conflict', async () => {
    const p = provider();
    const direct = clientFor(bind);
    await writeDirect(direct, zone, [
      { kind: 'create', record: { name: `held.${zone}`, type: 'TXT', ttl: 60, rrdatas: ['"a person\'s note"'] } },
      { kind: 'create', record: { name: `aliased.${zone}`, type: 'CNAME', ttl: 60, rrdatas: [`elsewhere.example.`] } },
    ]);
    const before = await readDirect(direct, zone);
    const cname = await failure(
      p.applyChanges(dnsZone, [{ kind: 'create', record: { name: `held.${zone}`, type: 'CNAME', ttl: 60, rrdatas: [`www.${zone}`] } }]),
    );
    const address = await failure(
      p.applyChanges(dnsZone, [{ kind: 'create', record: { name: `aliased.${zone}`, type: 'A', ttl: 60, rrdatas: ['192.0.2.9'] } }]),
    );
    expect(cname?.kind).toBe('conflict');
    expect(address?.kind).toBe('conflict');
    expect(await readDirect(direct, zone)).toEqual(before);
    // A type switch in one message clears the name first, so it goes through.
    await p.applyChanges(dnsZone, [
      { kind: 'delete', record: { name: `aliased.${zone}`, type: 'CNAME', ttl: 60, rrdatas: [`elsewhere.example.`] } },
      { kind: 'create', record: { name: `aliased.${zone}`, type: 'A', ttl: 60, rrdatas: ['192.0.2.9'] } },
    ]);
    expect((await readDirect(direct, zone)).filter((r) => r.name === `aliased.${zone}`)).toEqual([
      { name: `aliased.${zone}`, type: 'A', ttl: 60, rrdatas: ['192.0.2.9'] },
    ]);
  });

  it('never takes an unsigned success for an answer: denied, naming the missing signature', async () => {
    // A server (or someone on the path) that answers every request NOERROR without signing it.
    const forger = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', (chunk: Buffer) => {
        const request = decodeMessage(chunk.subarray(2));
        const answer = encodeMessage({ ...request, qr: true, answers: [], authorities: [], additionals: [] });
        socket.end(Buffer.concat([Buffer.from([answer.length >> 8, answer.length & 255]), answer]));
      });
    });
    await new Promise<void>((resolve) => forger.listen(0, '127.0.0.1', resolve));
    const port = (forger.address() as { port: number }).port;
    // Small UPDATEs travel over UDP: the forger answers there too.
    const udp = await bindUdp(port, (request, reply) => {
      const decoded = decodeMessage(request);
      reply(encodeMessage({ ...decoded, qr: true, answers: [], authorities: [], additionals: [] }));
    });
    try {
      const p = createRfc2136Provider({ server: { host: '127.0.0.1', port }, zones: [zone], tsig: bind.key, timeoutMs: 2_000 });
      const error = await failure(p.applyChanges(dnsZone, [create]));
      expect(error?.kind).toBe('denied');
      expect(error?.message).toMatch(/unsigned/);
    } finally {
      udp.close();
      await new Promise<void>((resolve) => forger.close(() => resolve()));
    }
  });

  it('reports a server that never answers as transient, at the deadline', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const udp = await bindUdp(port, () => {});
    try {
      const p = createRfc2136Provider({ server: { host: '127.0.0.1', port }, zones: [zone], tsig: bind.key, timeoutMs: 200 });
      const error = await failure(p.applyChanges(dnsZone, [create]));
      expect(error?.kind).toBe('transient');
      expect(error?.message).toMatch(/200 ms/);
    } finally {
      udp.close();
      silent.close();
      // Connections the server accepted are closed by the client's own timeout.
    }
  });
});

/** A UDP socket on 127.0.0.1:`port` that hands each datagram to `answer`. */
async function bindUdp(port: number, answer: (request: Buffer, reply: (wire: Uint8Array) => void) => void): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  socket.on('message', (message, from) => answer(message, (wire) => socket.send(wire, from.port, from.address)));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  return socket;
}
