// TSIG (RFC 8945): our MACs against BIND's own tools and server, and every way a signature must fail.
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { promisify } from 'node:util';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axfr, newId, soaQuery } from '../src/client.js';
import { translateError } from '../src/errors.js';
import { rdataFromText } from '../src/rdata.js';
import { startBind, type BindServer } from '../src/testing/index.js';
import { tcpExchange, tcpStream } from '../src/transport.js';
import {
  TsigError,
  TsigErrorCode,
  TsigVerifier,
  parseTsigFields,
  signRequest,
  signResponse,
  verifyRequest,
  type TsigKey,
} from '../src/tsig.js';
import { updateMessage } from '../src/update.js';
import { Opcode, RRClass, RRType, Rcode, decodeMessage, emptyMessage, encodeMessage, encodeName, type Message } from '../src/wire.js';
import { clientFor } from './helpers.js';

const run = promisify(execFile);

const keyOf = (secret: Uint8Array, algorithm: TsigKey['algorithm'] = 'hmac-sha256', name = 'test-key'): TsigKey => ({
  name,
  algorithm,
  secret,
});
const KEY = keyOf(randomBytes(32));
const NOW = 1_760_000_000;

const query = (id: number, name: string): Message => ({
  ...emptyMessage(id, Opcode.QUERY),
  questions: [{ name, type: RRType.SOA, class: RRClass.IN }],
});
const answerTo = (request: Message): Message => ({
  ...request,
  qr: true,
  aa: true,
  answers: [{ name: request.questions[0]!.name, type: RRType.A, class: RRClass.IN, ttl: 60, rdata: rdataFromText(RRType.A, '192.0.2.7') }],
});

const hostname = fc.array(fc.stringMatching(/^[a-z0-9]{1,10}$/), { minLength: 1, maxLength: 4 }).map((ls) => `${ls.join('.')}.`);
const algorithm = fc.constantFrom<TsigKey['algorithm']>('hmac-sha256', 'hmac-sha512', 'hmac-sha1');

describe('TSIG signatures', () => {
  test.prop([fc.nat({ max: 0xffff }), hostname, algorithm, fc.uint8Array({ minLength: 16, maxLength: 64 })], { numRuns: 100 })(
    'a signed request verifies with the key, and its signed answer verifies against the request MAC',
    (id, name, alg, secret) => {
      const key = keyOf(secret, alg);
      const request = query(id, name);
      const signed = signRequest(encodeMessage(request), key, { now: NOW });
      const received = verifyRequest(signed.wire, decodeMessage(signed.wire), [keyOf(randomBytes(32), alg, 'another-key'), key], NOW);
      expect(Buffer.from(received.mac)).toEqual(signed.mac);
      const response = signResponse(encodeMessage(answerTo(request)), key, received.mac, { now: NOW });
      expect(() => new TsigVerifier(key, signed.mac, () => NOW).verify(response.wire, decodeMessage(response.wire))).not.toThrow();
    },
  );

  // The header's ID is the one byte pair left out: forwarders may change it; the MAC covers the original ID (§4.3.2).
  test.prop([hostname, fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 300 })(
    'changing any byte of a signed message but its ID makes it fail',
    (name, at, flip) => {
      const signed = signRequest(encodeMessage(query(1, name)), KEY, { now: NOW });
      const tampered = Buffer.from(signed.wire);
      const i = 2 + (at % (tampered.length - 2));
      tampered[i]! ^= flip;
      // RFC 8945 §4.3.3: the MAC covers the key and algorithm names in canonical (lower-case)
      // form, so changing only the case of a letter in them leaves the signature valid.
      const tsigAt = decodeMessage(signed.wire).tsig!.offset;
      const owner = encodeName(KEY.name).length;
      const algorithmAt = tsigAt + owner + 10;
      const inNames = (i >= tsigAt && i < tsigAt + owner) || (i >= algorithmAt && i < algorithmAt + encodeName(KEY.algorithm).length);
      const caseOnly = flip === 0x20 && /[a-z]/i.test(String.fromCharCode(signed.wire[i]!));
      const verify = () => verifyRequest(tampered, decodeMessage(tampered), [KEY], NOW);
      if (inNames && caseOnly) expect(verify).not.toThrow();
      else expect(verify).toThrow();
    },
  );

  it('a key or algorithm name in another case still verifies: the MAC covers them in canonical form', () => {
    const signed = signRequest(encodeMessage(query(1, 'example.com.')), KEY, { now: NOW });
    const tampered = Buffer.from(signed.wire);
    const at = decodeMessage(signed.wire).tsig!.offset + 1;
    tampered[at] = tampered[at]! ^ 0x20;
    expect(String.fromCharCode(tampered[at]!)).toMatch(/[A-Z]/);
    expect(() => verifyRequest(tampered, decodeMessage(tampered), [KEY], NOW)).not.toThrow();
  });

  it('names the failure: wrong secret BADSIG, unknown key BADKEY, outside the window BADTIME', () => {
    const signed = signRequest(encodeMessage(query(1, 'example.com.')), KEY, { now: NOW });
    const message = decodeMessage(signed.wire);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return (error as TsigError).code;
      }
      return 'ok';
    };
    expect(code(() => verifyRequest(signed.wire, message, [keyOf(randomBytes(32))], NOW))).toBe('BADSIG');
    expect(code(() => verifyRequest(signed.wire, message, [keyOf(KEY.secret, 'hmac-sha256', 'other')], NOW))).toBe('BADKEY');
    expect(code(() => verifyRequest(signed.wire, message, [keyOf(KEY.secret, 'hmac-sha512')], NOW))).toBe('BADKEY');
    expect(code(() => verifyRequest(signed.wire, message, [KEY], NOW + 300))).toBe('ok');
    expect(code(() => verifyRequest(signed.wire, message, [KEY], NOW + 301))).toBe('BADTIME');
    expect(code(() => verifyRequest(signed.wire, message, [KEY], NOW - 301))).toBe('BADTIME');
    const unsigned = encodeMessage(query(1, 'example.com.'));
    expect(code(() => verifyRequest(unsigned, decodeMessage(unsigned), [KEY], NOW))).toBe('unsigned');
  });

  it('refuses an answer signed for another request, unsigned, or outside the window', () => {
    const request = query(9, 'example.com.');
    const signed = signRequest(encodeMessage(request), KEY, { now: NOW });
    const other = signRequest(encodeMessage(query(10, 'example.com.')), KEY, { now: NOW });
    const response = signResponse(encodeMessage(answerTo(request)), KEY, other.mac, { now: NOW });
    expect(() => new TsigVerifier(KEY, signed.mac, () => NOW).verify(response.wire, decodeMessage(response.wire))).toThrow(/BADSIG/);
    const plain = encodeMessage(answerTo(request));
    expect(() => new TsigVerifier(KEY, signed.mac, () => NOW).verify(plain, decodeMessage(plain))).toThrow(/unsigned/);
    const good = signResponse(encodeMessage(answerTo(request)), KEY, signed.mac, { now: NOW });
    expect(() => new TsigVerifier(KEY, signed.mac, () => NOW + 301).verify(good.wire, decodeMessage(good.wire))).toThrow(/BADTIME/);
    const refused = signResponse(encodeMessage({ ...answerTo(request), rcode: Rcode.NOTAUTH }), KEY, signed.mac, {
      now: NOW,
      error: TsigErrorCode.BADTIME,
    });
    expect(() => new TsigVerifier(KEY, signed.mac, () => NOW).verify(refused.wire, decodeMessage(refused.wire))).toThrow(/BADTIME/);
  });
});

describe('TSIG over a stream of messages (AXFR, RFC 8945 §5.3.1)', () => {
  // The later messages of a stream, signed as §5.3.1 describes, written out here independently
  // of the verifier: prior MAC, the messages since it, then the timers only.
  function continuation(priorMac: Uint8Array, messages: readonly Buffer[], now: number): { wire: Buffer; mac: Buffer } {
    const last = messages[messages.length - 1]!;
    const timers = Buffer.alloc(8);
    timers.writeUIntBE(now, 0, 6);
    timers.writeUInt16BE(300, 6);
    const prior = Buffer.alloc(2);
    prior.writeUInt16BE(priorMac.length, 0);
    const mac = createHmac('sha256', KEY.secret).update(prior).update(priorMac);
    for (const m of messages) mac.update(m);
    const digest = mac.update(timers).digest();
    const rdata = Buffer.concat([encodeName('hmac-sha256.'), Buffer.alloc(10), digest, Buffer.alloc(6)]);
    rdata.writeUIntBE(now, encodeName('hmac-sha256.').length, 6);
    rdata.writeUInt16BE(300, encodeName('hmac-sha256.').length + 6);
    rdata.writeUInt16BE(digest.length, encodeName('hmac-sha256.').length + 8);
    rdata.writeUInt16BE(last.readUInt16BE(0), encodeName('hmac-sha256.').length + 10 + digest.length);
    const record = Buffer.concat([
      encodeName(KEY.name),
      Buffer.from([0, 250, 0, 255, 0, 0, 0, 0]),
      Buffer.from([rdata.length >> 8, rdata.length & 255]),
      rdata,
    ]);
    const wire = Buffer.concat([last, record]);
    wire.writeUInt16BE(wire.readUInt16BE(10) + 1, 10);
    return { wire, mac: digest };
  }

  const part = (id: number, i: number) => encodeMessage({ ...answerTo(query(id, `part${i}.example.`)) });

  it('verifies signed, unsigned and timers-only messages in turn, and needs the last one signed', () => {
    const request = signRequest(encodeMessage(query(5, 'example.')), KEY, { now: NOW });
    const first = signResponse(part(5, 0), KEY, request.mac, { now: NOW });
    const middle = part(5, 1);
    const closing = continuation(first.mac, [middle, part(5, 2)], NOW);
    const verifier = new TsigVerifier(KEY, request.mac, () => NOW);
    verifier.verify(first.wire, decodeMessage(first.wire));
    verifier.verify(middle, decodeMessage(middle));
    expect(() => verifier.finish()).toThrow(/last message/);
    verifier.verify(closing.wire, decodeMessage(closing.wire));
    expect(() => verifier.finish()).not.toThrow();

    // Leaving out the unsigned message in between breaks the chain.
    const skipping = new TsigVerifier(KEY, request.mac, () => NOW);
    skipping.verify(first.wire, decodeMessage(first.wire));
    expect(() => skipping.verify(closing.wire, decodeMessage(closing.wire))).toThrow(/BADSIG/);
  });

  it('needs the first answer signed and at most 99 unsigned in a row', () => {
    const request = signRequest(encodeMessage(query(5, 'example.')), KEY, { now: NOW });
    const unsignedFirst = part(5, 0);
    expect(() => new TsigVerifier(KEY, request.mac, () => NOW).verify(unsignedFirst, decodeMessage(unsignedFirst))).toThrow(/unsigned/);
    const first = signResponse(part(5, 0), KEY, request.mac, { now: NOW });
    const verifier = new TsigVerifier(KEY, request.mac, () => NOW);
    verifier.verify(first.wire, decodeMessage(first.wire));
    for (let i = 1; i <= 99; i++) verifier.verify(part(5, i), decodeMessage(part(5, i)));
    expect(() => verifier.verify(part(5, 100), decodeMessage(part(5, 100)))).toThrow(/99/);
  });
});

describe('TSIG against BIND 9', () => {
  let bind: BindServer;
  const zone = 'tsig.test.';
  const bulk = 2_500;
  beforeAll(async () => {
    // Enough data that the transfer takes several messages.
    bind = await startBind({ zones: [zone], records: Array.from({ length: bulk }, (_, i) => `bulk-${i} 60 IN TXT "${'x'.repeat(120)}"`) });
  });
  afterAll(() => bind?.stop());

  const bindKey = (): TsigKey => clientFor(bind).key;

  it('named accepts our signature and its answer verifies with our MAC chain', async () => {
    const request = soaQuery(zone);
    const signed = signRequest(encodeMessage(request), bindKey());
    const raw = await tcpExchange({ host: bind.host, port: bind.port }, signed.wire, { timeoutMs: 5_000 });
    const answer = decodeMessage(raw);
    expect(answer.rcode).toBe(Rcode.NOERROR);
    expect(answer.tsig).toBeDefined();
    expect(() => new TsigVerifier(bindKey(), signed.mac).verify(raw, answer)).not.toThrow();
    // The same answer, checked against a different request MAC, fails.
    expect(() => new TsigVerifier(bindKey(), randomBytes(32)).verify(raw, answer)).toThrow(/BADSIG/);
  });

  it('named refuses a wrong secret (BADSIG), an unknown key (BADKEY) and a skewed clock (BADTIME)', async () => {
    const cases: [TsigKey, number | undefined, string][] = [
      [{ ...bindKey(), secret: randomBytes(32) }, undefined, 'BADSIG'],
      [{ ...bindKey(), name: 'nobody' }, undefined, 'BADKEY'],
      [bindKey(), Math.floor(Date.now() / 1000) - 1_000, 'BADTIME'],
    ];
    for (const [key, now, expected] of cases) {
      const request = updateMessage(newId(), zone, [
        { kind: 'create', record: { name: `x.${zone}`, type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] } },
      ]);
      const signed = signRequest(encodeMessage(request), key, { now });
      const raw = await tcpExchange({ host: bind.host, port: bind.port }, signed.wire, { timeoutMs: 5_000 });
      const answer = decodeMessage(raw);
      expect(answer.rcode).toBe(Rcode.NOTAUTH);
      expect(parseTsigFields(answer.tsig!.record.rdata).error).toBe(TsigErrorCode[expected as keyof typeof TsigErrorCode]);
      const error = (() => {
        try {
          new TsigVerifier(key, signed.mac).verify(raw, answer);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(TsigError);
      expect((error as TsigError).code).toBe(expected);
      const translated = translateError(error, 'UPDATE tsig.test.') as Error & { kind: string };
      expect(translated.kind).toBe('denied');
      expect(translated.message).toContain(expected);
      expect(translated.message).not.toContain(bind.key.secret);
    }
  });

  it('verifies a multi-message AXFR from named, every message chained', async () => {
    const records = await axfr(clientFor(bind), zone);
    expect(records.filter((r) => r.type === RRType.TXT)).toHaveLength(bulk);
    // And it did take several messages: count them on a transfer of our own.
    const signed = signRequest(
      encodeMessage({ ...emptyMessage(newId(), Opcode.QUERY), questions: [{ name: zone, type: RRType.AXFR, class: RRClass.IN }] }),
      bindKey(),
    );
    const verifier = new TsigVerifier(bindKey(), signed.mac);
    let messages = 0;
    let soas = 0;
    await tcpStream({ host: bind.host, port: bind.port }, signed.wire, {
      timeoutMs: 10_000,
      maxMessages: 1_000,
      onMessage: (wire) => {
        messages++;
        const message = decodeMessage(wire);
        verifier.verify(wire, message);
        soas += message.answers.filter((r) => r.type === RRType.SOA).length;
        return soas === 2;
      },
    });
    verifier.finish();
    expect(messages).toBeGreaterThan(1);
  });
});

describe('TSIG against BIND 9 tools (dig -y, nsupdate -y)', () => {
  const secret = randomBytes(32);
  const key = keyOf(secret, 'hmac-sha256', 'tools-key');
  let socket: Socket;
  let port = 0;
  const received: Buffer[] = [];
  /** What our test server does with a request: verify it with our code and answer, signed. */
  let respond: (wire: Buffer) => Buffer | undefined = () => undefined;

  beforeAll(async () => {
    socket = createSocket('udp4');
    socket.on('message', (wire, from) => {
      received.push(wire);
      const answer = respond(wire);
      if (answer) socket.send(answer, from.port, from.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    port = socket.address().port;
  });
  afterAll(() => new Promise<void>((resolve) => socket.close(() => resolve())));

  const signedAnswer = (wire: Buffer, answer: (request: Message) => Message): Buffer => {
    const request = decodeMessage(wire);
    const { mac } = verifyRequest(wire, request, [key]);
    return signResponse(encodeMessage(answer(request)), key, mac).wire;
  };

  it('dig signs a query we verify, and verifies the answer we sign', async () => {
    received.length = 0;
    respond = (wire) => signedAnswer(wire, answerTo);
    const { stdout, stderr } = await run('dig', [
      '-y',
      `hmac-sha256:tools-key:${secret.toString('base64')}`,
      '@127.0.0.1',
      '-p',
      String(port),
      '+tries=1',
      '+time=3',
      'www.example.com',
      'A',
    ]);
    expect(received).toHaveLength(1);
    expect(stdout).toContain('status: NOERROR');
    expect(stdout).toMatch(/www\.example\.com\.\s+60\s+IN\s+A\s+192\.0\.2\.7/);
    expect(stdout).toMatch(/tools-key\.\s+0\s+ANY\s+TSIG\s+hmac-sha256\.\s+\d+\s+300\s+32\s+\S+\s+\d+\s+NOERROR/);
    expect(`${stdout}${stderr}`).not.toMatch(/verify failure|could not be validated/i);
  });

  it('dig notices when our answer is signed with another secret', async () => {
    respond = (wire) => {
      const request = decodeMessage(wire);
      const { mac } = verifyRequest(wire, request, [key]);
      return signResponse(encodeMessage(answerTo(request)), { ...key, secret: randomBytes(32) }, mac).wire;
    };
    const result = await run('dig', [
      '-y',
      `hmac-sha256:tools-key:${secret.toString('base64')}`,
      '@127.0.0.1',
      '-p',
      String(port),
      '+tries=1',
      '+time=2',
      'www.example.com',
      'A',
    ]).then(
      (r) => `${r.stdout}${r.stderr}`,
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
    expect(result).toMatch(/tsig verify failure/);
    expect(result).toMatch(/Some TSIG could not be validated/);
  });

  it('nsupdate signs an UPDATE we verify, with the prerequisites and updates our encoder writes', async () => {
    received.length = 0;
    respond = (wire) => signedAnswer(wire, (request) => ({ ...request, qr: true, answers: [], authorities: [], additionals: [] }));
    const script = [
      `server 127.0.0.1 ${port}`,
      'zone z.test.',
      'prereq yxrrset www.z.test. A 192.0.2.1',
      'prereq nxrrset new.z.test. AAAA',
      'prereq nxrrset new.z.test. CNAME',
      'update delete www.z.test. A',
      'update add www.z.test. 180 A 192.0.2.2',
      'update add new.z.test. 60 AAAA 2001:db8::1',
      'send',
      '',
    ].join('\n');
    const child = run('nsupdate', ['-y', `hmac-sha256:tools-key:${secret.toString('base64')}`, '-t', '5']);
    child.child.stdin!.end(script);
    await child;
    expect(received).toHaveLength(1);
    const theirs = decodeMessage(received[0]!);
    expect(() => verifyRequest(received[0]!, theirs, [key])).not.toThrow();
    const ours = updateMessage(theirs.id, 'z.test.', [
      {
        kind: 'update',
        before: { name: 'www.z.test.', type: 'A', ttl: 180, rrdatas: ['192.0.2.1'] },
        record: { name: 'www.z.test.', type: 'A', ttl: 180, rrdatas: ['192.0.2.2'] },
      },
      { kind: 'create', record: { name: 'new.z.test.', type: 'AAAA', ttl: 60, rrdatas: ['2001:db8::1'] } },
    ]);
    const sections = (m: Message) => ({
      opcode: m.opcode,
      zone: m.questions,
      prerequisites: m.answers.map((r) => ({ ...r, rdata: Buffer.from(r.rdata).toString('hex') })),
      updates: m.authorities.map((r) => ({ ...r, rdata: Buffer.from(r.rdata).toString('hex') })),
    });
    expect(sections(ours)).toEqual(sections(theirs));
  });
});
