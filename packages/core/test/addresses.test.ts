import { isIP } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { parseAddress, parseIPv6 } from '../src/dns/addresses.js';

// The WHATWG URL serializer compresses IPv6 the RFC 5952 way (except IPv4-mapped, which it writes in hex).
const whatwg = (a: string) => new URL(`http://[${a}]`).hostname.slice(1, -1);

describe('addresses', () => {
  test.prop([fc.ipV6()], { numRuns: 2000 })('IPv6 in any text form comes out in RFC 5952 form, idempotently', (a) => {
    const parsed = parseIPv6(a);
    expect(parsed).not.toBeNull();
    if (!parsed!.text.startsWith('::ffff:') || parsed!.text.includes(':', 7)) expect(parsed!.text).toBe(whatwg(a));
    expect(parseIPv6(parsed!.text)?.text).toBe(parsed!.text);
    expect(parseIPv6(a.toUpperCase())?.text).toBe(parsed!.text);
  });

  test.prop([fc.ipV6(), fc.ipV6()])('two IPv6 texts share a key exactly when they are the same address', (a, b) => {
    expect(parseIPv6(a)!.key === parseIPv6(b)!.key).toBe(whatwg(a) === whatwg(b));
    expect(parseIPv6(a)!.key === parseIPv6(whatwg(a))!.key).toBe(true);
  });

  test('IPv4-mapped addresses keep the dotted quad (RFC 5952 §5)', () => {
    expect(parseIPv6('0:0:0:0:0:FFFF:c000:0201')?.text).toBe('::ffff:192.0.2.1');
    expect(parseIPv6('::ffff:192.0.2.1')?.text).toBe('::ffff:192.0.2.1');
  });

  test.prop([fc.ipV4(), fc.ipV4()])('IPv4 keys order addresses numerically', (a, b) => {
    const num = (s: string) => s.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const [pa, pb] = [parseAddress(a), parseAddress(b)];
    if (!pa || !pb) {
      expect([a, b]).toContain('0.0.0.0');
      return;
    }
    expect(Math.sign(num(a) - num(b))).toBe(pa.key < pb.key ? -1 : pa.key > pb.key ? 1 : 0);
  });

  test.prop([fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.%') }))], { numRuns: 3000 })(
    'anything accepted is an IP address to Node as well',
    (s) => {
      if (parseAddress(s) !== null) expect(isIP(s)).not.toBe(0);
    },
  );

  test('refusals', () => {
    for (const bad of [
      '0.0.0.0',
      '::',
      '0:0::0',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      'fe80::1%eth0',
      '1::2::3',
      ':1.2.3.4',
      '1:2:3:4:5:6:7:8:9',
      '12345::',
      '::1.2.3',
    ]) {
      expect(parseAddress(bad), bad).toBeNull();
    }
  });
});
