// The one TTL rule every boundary checks: a whole number of seconds from 0 to 2^31-1 (RFC 2181 §8).
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { isTtl, MAX_TTL } from '../src/dns/ttl.js';

test('MAX_TTL is the largest unsigned 31-bit number', () => {
  expect(MAX_TTL).toBe(2_147_483_647);
  expect([0, 1, 180, MAX_TTL].every(isTtl)).toBe(true);
  expect([-1, MAX_TTL + 1, 1.5, Number.NaN, Infinity, '180', null, undefined].some(isTtl)).toBe(false);
});

test.prop([fc.oneof(fc.double(), fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), fc.anything())])(
  'isTtl holds exactly for integers from 0 to MAX_TTL',
  (value) => {
    expect(isTtl(value)).toBe(typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TTL);
  },
);
