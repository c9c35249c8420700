import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { rdataFromText, rdataToText, typeCode, typeName } from '../src/rdata.js';
import {
  Opcode,
  RRClass,
  RRType,
  WireError,
  decodeMessage,
  emptyMessage,
  encodeMessage,
  encodeName,
  labelsToName,
  nameToLabels,
  type Message,
  type ResourceRecord,
} from '../src/wire.js';

// ---- generators ----------------------------------------------------------------------------

const label = fc.uint8Array({ minLength: 1, maxLength: 20 });
/** Raw label lists within the 255-byte limit. Lower-case only: names decode lower-cased. */
const labels = fc.array(label, { maxLength: 8 }).map((ls) => ls.map((l) => l.map((b) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b))));
const hostname = fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,14}$/), { minLength: 1, maxLength: 5 }).map((ls) => `${ls.join('.')}.`);

const characterStrings = fc.array(fc.uint8Array({ maxLength: 255 }), { minLength: 1, maxLength: 4 });
function txtWire(strings: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(strings.flatMap((s) => [s.length, ...s]));
}

/** A record of a type with a codec, its rdata in canonical wire form. */
const knownRecord: fc.Arbitrary<ResourceRecord> = fc
  .oneof(
    fc.uint8Array({ minLength: 4, maxLength: 4 }).map((rdata) => ({ type: RRType.A, rdata })),
    fc.uint8Array({ minLength: 16, maxLength: 16 }).map((rdata) => ({ type: RRType.AAAA, rdata })),
    hostname.map((target) => ({ type: RRType.CNAME, rdata: Uint8Array.from(encodeName(target)) })),
    hostname.map((target) => ({ type: RRType.NS, rdata: Uint8Array.from(encodeName(target)) })),
    characterStrings.map((strings) => ({ type: RRType.TXT, rdata: txtWire(strings) })),
    fc.tuple(hostname, hostname, fc.array(fc.nat({ max: 0xffffffff }), { minLength: 5, maxLength: 5 })).map(([mname, rname, numbers]) => {
      const rdata = Buffer.concat([encodeName(mname), encodeName(rname), Buffer.alloc(20)]);
      numbers.forEach((n, i) => rdata.writeUInt32BE(n, rdata.length - 20 + i * 4));
      return { type: RRType.SOA, rdata: Uint8Array.from(rdata) };
    }),
    // RFC 3597: a type with no codec here passes through untouched.
    fc.tuple(fc.integer({ min: 256, max: 0xfeff }), fc.uint8Array({ maxLength: 40 })).map(([type, rdata]) => ({ type, rdata })),
  )
  .chain((partial) =>
    fc
      .record({ name: hostname, ttl: fc.nat({ max: 0x7fffffff }) })
      .map(({ name: owner, ttl }) => ({ ...partial, name: owner, class: RRClass.IN, ttl })),
  );

const message: fc.Arbitrary<Message> = fc.record({
  id: fc.nat({ max: 0xffff }),
  qr: fc.boolean(),
  opcode: fc.constantFrom(Opcode.QUERY, Opcode.UPDATE),
  aa: fc.boolean(),
  tc: fc.boolean(),
  rd: fc.boolean(),
  ra: fc.boolean(),
  rcode: fc.nat({ max: 15 }),
  questions: fc.array(
    fc.record({ name: hostname, type: fc.nat({ max: 0xffff }).filter((t) => t !== RRType.TSIG), class: fc.constantFrom(1, 254, 255) }),
    { maxLength: 2 },
  ),
  answers: fc.array(knownRecord, { maxLength: 5 }),
  authorities: fc.array(knownRecord, { maxLength: 5 }),
  additionals: fc.array(knownRecord, { maxLength: 3 }),
});

const normalized = (m: Message) => ({
  ...m,
  answers: m.answers.map((r) => ({ ...r, rdata: Buffer.from(r.rdata).toString('hex') })),
  authorities: m.authorities.map((r) => ({ ...r, rdata: Buffer.from(r.rdata).toString('hex') })),
  additionals: m.additionals.map((r) => ({ ...r, rdata: Buffer.from(r.rdata).toString('hex') })),
});

// ---- properties ----------------------------------------------------------------------------

describe('names', () => {
  test.prop([labels], { numRuns: 300 })('any labels survive presentation form and back', (raw) => {
    const wire = raw.reduce((sum, l) => sum + l.length + 1, 1);
    fc.pre(wire <= 255);
    const text = labelsToName(raw);
    expect(nameToLabels(text).map((l) => Buffer.from(l).toString('hex'))).toEqual(raw.map((l) => Buffer.from(l).toString('hex')));
  });

  it('accepts names with or without the trailing dot, and lower-cases them on the wire', () => {
    expect(encodeName('WWW.Example.COM')).toEqual(encodeName('www.example.com.'));
    expect(labelsToName(nameToLabels('a\\.b.c.'))).toBe('a\\.b.c.');
    expect(labelsToName(nameToLabels('.'))).toBe('.');
  });

  it('refuses empty labels, labels over 63 bytes and names over 255 bytes', () => {
    expect(() => nameToLabels('a..b.')).toThrow(WireError);
    expect(() => nameToLabels(`${'a'.repeat(64)}.com.`)).toThrow(/63/);
    expect(() => nameToLabels(`${Array.from({ length: 5 }, () => 'a'.repeat(63)).join('.')}.`)).toThrow(/255/);
  });
});

describe('messages', () => {
  test.prop([message], { numRuns: 300 })('encode then decode gives the message back', (m) => {
    expect(normalized(decodeMessage(encodeMessage(m)))).toEqual(normalized(m));
  });

  test.prop([message], { numRuns: 300 })('compressed names decode to the same message, in fewer bytes or as many', (m) => {
    const compressed = encodeMessage(m, { compress: true });
    expect(compressed.length).toBeLessThanOrEqual(encodeMessage(m).length);
    expect(normalized(decodeMessage(compressed))).toEqual(normalized(m));
  });

  test.prop([message, fc.nat(), fc.nat({ max: 255 })], { numRuns: 500 })(
    'a damaged or cut message decodes or throws WireError, nothing else',
    (m, at, byte) => {
      const wire = encodeMessage(m);
      const damaged = Buffer.from(wire);
      damaged[at % wire.length] = byte;
      for (const bytes of [damaged, wire.subarray(0, at % wire.length)]) {
        try {
          decodeMessage(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(WireError);
        }
      }
    },
  );

  it('refuses a compression pointer that points at itself or forwards, instead of looping', () => {
    const header = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const selfLoop = Buffer.concat([header, Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    expect(() => decodeMessage(selfLoop)).toThrow(/backwards/);
    const twoStep = Buffer.concat([header, Buffer.from([1, 0x61, 0xc0, 14, 0, 1, 0, 1])]);
    expect(() => decodeMessage(twoStep)).toThrow(/backwards/);
  });

  it('decompresses names inside CNAME and SOA data, so the rdata stands alone', () => {
    const owner = 'www.example.com.';
    const wire = encodeMessage(
      {
        ...emptyMessage(7, Opcode.QUERY),
        answers: [{ name: owner, type: RRType.CNAME, class: RRClass.IN, ttl: 60, rdata: encodeName('web.example.com.') }],
      },
      { compress: true },
    );
    // Hand-compress the CNAME target: "web" + pointer to "example.com." of the owner name (offset 12 + 4).
    const rdataAt = wire.length - encodeName('web.example.com.').length;
    const manual = Buffer.concat([wire.subarray(0, rdataAt - 2), Buffer.from([0, 6, 3, 0x77, 0x65, 0x62, 0xc0, 16])]);
    const decoded = decodeMessage(manual);
    expect(rdataToText(RRType.CNAME, decoded.answers[0]!.rdata)).toBe('web.example.com.');
  });

  it('sets a trailing TSIG record apart and refuses one anywhere else', () => {
    const tsig: ResourceRecord = { name: 'key.', type: RRType.TSIG, class: RRClass.ANY, ttl: 0, rdata: new Uint8Array([1, 2]) };
    const a: ResourceRecord = { name: 'a.', type: RRType.A, class: RRClass.IN, ttl: 1, rdata: new Uint8Array(4) };
    const last = decodeMessage(encodeMessage({ ...emptyMessage(1, 0), additionals: [a, tsig] }));
    expect(last.additionals).toHaveLength(1);
    expect(last.tsig?.record.name).toBe('key.');
    expect(() => decodeMessage(encodeMessage({ ...emptyMessage(1, 0), additionals: [tsig, a] }))).toThrow(/last/);
    expect(() => decodeMessage(encodeMessage({ ...emptyMessage(1, 0), answers: [tsig] }))).toThrow(/last/);
  });
});

describe('record data in presentation form', () => {
  test.prop([knownRecord], { numRuns: 500 })('wire → text → wire is the identity', (record) => {
    const text = rdataToText(record.type, record.rdata);
    expect(Buffer.from(rdataFromText(record.type, text)).toString('hex')).toBe(Buffer.from(record.rdata).toString('hex'));
  });

  /** Bytes that are partly well-formed UTF-8 (any code point, hidden ones included) and partly not. */
  const utf8ish = fc
    .array(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 6 }).map((text) => Buffer.from(text, 'utf8')),
        fc.uint8Array({ maxLength: 4 }),
      ),
      { maxLength: 12 },
    )
    .map((parts) => Uint8Array.from(Buffer.concat(parts).subarray(0, 255)));
  test.prop([fc.array(utf8ish, { minLength: 1, maxLength: 3 })], { numRuns: 500 })(
    'TXT wire → text → wire is the identity for UTF-8, broken UTF-8 and hidden characters',
    (strings) => {
      const rdata = txtWire(strings);
      expect(Buffer.from(rdataFromText(RRType.TXT, rdataToText(RRType.TXT, rdata))).toString('hex')).toBe(
        Buffer.from(rdata).toString('hex'),
      );
    },
  );

  /** Printable Unicode: letters, marks, numbers, punctuation, symbols and spaces, any plane. */
  const printable = fc
    .string({
      unit: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]$/u.test(c)),
      maxLength: 40,
    })
    .filter((text) => Buffer.byteLength(text, 'utf8') <= 255);
  const quoted = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`;
  test.prop([fc.array(printable, { minLength: 1, maxLength: 3 })], { numRuns: 500 })(
    'TXT text → wire → text is the identity for printable Unicode',
    (strings) => {
      const text = strings.map(quoted).join(' ');
      expect(rdataToText(RRType.TXT, rdataFromText(RRType.TXT, text))).toBe(text);
    },
  );

  it('shows UTF-8 text as itself, and hidden characters and broken UTF-8 as \\DDD', () => {
    const round = (text: string) => rdataToText(RRType.TXT, rdataFromText(RRType.TXT, text));
    expect(round('"é"')).toBe('"é"');
    expect(round('"\\195\\169"')).toBe('"é"');
    expect(round('"日本語 🙂 👩\u200d💻 a\u00a0b"')).toBe('"日本語 🙂 👩\u200d💻 a\u00a0b"');
    // C1 control U+0085, bidi override U+202E, line separator U+2028, BOM, private use U+E000.
    expect(round('"\u0085|\u202e|\u2028|\ufeff|\ue000"')).toBe(
      '"\\194\\133|\\226\\128\\174|\\226\\128\\168|\\239\\187\\191|\\238\\128\\128"',
    );
    // A lone continuation byte, a truncated sequence, an overlong '/', an encoded surrogate, a code point above U+10FFFF.
    expect(round('"\\128|\\195|\\192\\175|\\237\\160\\128|\\244\\144\\128\\128"')).toBe(
      '"\\128|\\195|\\192\\175|\\237\\160\\128|\\244\\144\\128\\128"',
    );
  });

  test('AAAA groups that are UTF-16 surrogates survive text → wire (seed -516517222)', () => {
    const rdata = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xd8, 0, 0xdc, 0, 0, 0]);
    expect(rdataToText(RRType.AAAA, rdata)).toBe('::d800:dc00:0');
    expect(Buffer.from(rdataFromText(RRType.AAAA, '::d800:dc00:0')).toString('hex')).toBe(Buffer.from(rdata).toString('hex'));
  });

  test.prop([fc.ipV6()], { numRuns: 300 })('AAAA text in any form comes out in RFC 5952 form', (address) => {
    const text = rdataToText(RRType.AAAA, rdataFromText(RRType.AAAA, address));
    expect(rdataToText(RRType.AAAA, rdataFromText(RRType.AAAA, text))).toBe(text);
    expect(text).toBe(text.toLowerCase());
    expect(text).not.toMatch(/(^|:)0[0-9a-f]/);
  });

  it('presents data the way core compares it', () => {
    const round = (type: string, text: string) => rdataToText(typeCode(type)!, rdataFromText(typeCode(type)!, text));
    expect(round('A', '192.0.2.1')).toBe('192.0.2.1');
    expect(round('AAAA', '2001:0DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(round('AAAA', '::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
    expect(round('CNAME', 'WWW.Example.com')).toBe('www.example.com.');
    expect(round('TXT', '"heritage=fedsvc,owner=x"')).toBe('"heritage=fedsvc,owner=x"');
    expect(round('TXT', '"hello world"')).toBe('"hello world"');
    expect(round('TXT', 'unquoted "two words"')).toBe('"unquoted" "two words"');
    expect(round('TXT', '"say \\"hi\\" \\\\ \\009"')).toBe('"say \\"hi\\" \\\\ \\009"');
    expect(round('SOA', 'ns.example. admin.example. 1 2 3 4 5')).toBe('ns.example. admin.example. 1 2 3 4 5');
    expect(round('TYPE65280', '\\# 3 ABCDEF')).toBe('\\# 3 ABCDEF');
    expect(typeName(65280)).toBe('TYPE65280');
  });

  it('refuses malformed data with a reason', () => {
    expect(() => rdataFromText(RRType.A, '192.0.2')).toThrow(/IPv4/);
    expect(() => rdataFromText(RRType.A, '010.0.0.1')).toThrow(/IPv4/);
    expect(() => rdataFromText(RRType.AAAA, '1::2::3')).toThrow(/IPv6/);
    expect(() => rdataFromText(RRType.TXT, '"unterminated')).toThrow(/unterminated/);
    expect(() => rdataFromText(RRType.TXT, `"${'x'.repeat(256)}"`)).toThrow(/255/);
    expect(() => rdataFromText(RRType.TXT, '')).toThrow(/at least one/);
    expect(() => rdataFromText(99, 'anything')).toThrow(/\\#/);
    expect(() => rdataFromText(99, '\\# 2 AB')).toThrow(/length/);
  });
});
