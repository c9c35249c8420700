// The desired sets' check, made cheap for a whole zone at every pass, refuses exactly what the
// rule refuses, with the same error: the rule written out directly here, set against it.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { ValidationError } from '../src/errors.js';
import type { DnsProvider, DnsZone, RecordSet } from '../src/types.js';
import { validateDesired } from '../src/zone/validate-desired.js';

const zone: DnsZone = { id: 'z', dnsName: 'example.com.' };

/** The rule, set by set: the first offending set's error, or undefined. */
function direct(desired: readonly RecordSet[], provider: DnsProvider): unknown {
  const seen = new Set<string>();
  for (const [i, record] of desired.entries()) {
    const field = `desired[${i}]`;
    if (record.name === '' || !record.name.endsWith('.') || record.name.toLowerCase() !== record.name)
      return [`${field}.name`, record.name, 'must be a lower-case name ending with a dot'];
    if (record.name !== zone.dnsName && !record.name.endsWith(`.${zone.dnsName}`))
      return [`${field}.name`, record.name, `must be inside zone ${zone.dnsName}`];
    if (!['A', 'AAAA', 'ALIAS', 'CNAME', 'TXT'].includes(record.type))
      return [`${field}.type`, record.type, 'must be A, AAAA, ALIAS, CNAME or TXT'];
    if (!Number.isInteger(record.ttl) || record.ttl < 0 || record.ttl > 2 ** 31 - 1)
      return [`${field}.ttl`, record.ttl, 'must be an integer from 0 to 2^31-1'];
    if (record.rrdatas.length === 0 || record.rrdatas.some((rrdata) => rrdata === ''))
      return [`${field}.rrdatas`, record.rrdatas, 'must be one or more non-empty strings'];
    if (record.type === 'ALIAS' && !provider.canAlias)
      return [`${field}.type`, record.type, `provider ${provider.name} does not write alias record sets`];
    const key = `${record.name} ${record.type}`;
    if (seen.has(key)) return [field, key, 'a name and type may occur only once'];
    const beside = record.type === 'ALIAS' ? ['A', 'AAAA', 'CNAME'] : record.type === 'TXT' ? [] : ['ALIAS'];
    const clash = beside.find((type) => seen.has(`${record.name} ${type}`));
    if (clash !== undefined) return [field, key, `an ALIAS set and ${clash === 'ALIAS' ? record.type : clash} may not share a name`];
    seen.add(key);
  }
  return undefined;
}

function checked(desired: readonly RecordSet[], provider: DnsProvider): unknown {
  try {
    validateDesired(zone, desired, provider);
    return undefined;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return [error.field, error.value, error.reason];
  }
}

// Few names, so that sets share them often; now and then one malformed or outside the zone.
const rarely = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: usual, weight: 19 }, { arbitrary: odd, weight: 1 });
const record: fc.Arbitrary<RecordSet> = fc.record({
  name: rarely(
    fc.constantFrom('a.example.com.', 'b.example.com.', 'example.com.'),
    fc.constantFrom('A.example.com.', 'a.example.com', 'a.example.org.', ''),
  ),
  type: rarely(fc.constantFrom('A', 'AAAA', 'ALIAS', 'CNAME', 'TXT'), fc.constant('MX')) as fc.Arbitrary<RecordSet['type']>,
  ttl: rarely(fc.nat(600), fc.constantFrom(-1, 1.5, 2 ** 31)),
  rrdatas: rarely<string[]>(
    fc.array(fc.constantFrom('192.0.2.1', 'x.example.net.'), { minLength: 1, maxLength: 2 }),
    fc.constantFrom([], [''], ['192.0.2.1', '']),
  ),
});
const provider = fc
  .boolean()
  .map((aliases): DnsProvider => ({ name: 'memory', ...(aliases ? { canAlias: () => true } : {}) }) as unknown as DnsProvider);

test.prop([fc.array(record, { maxLength: 8 }), provider], { numRuns: 500 })(
  'refuses exactly what the rule refuses, naming the same set',
  (desired, p) => {
    expect(checked(desired, p)).toEqual(direct(desired, p));
  },
);
