import { describe, expect, it } from 'vitest';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { ValidationError } from '../src/errors.js';
import { RECORD_TYPES, isRecordType } from '../src/dns/record-types.js';
import { reconcileZone } from '../src/zone/reconcile.js';

describe('the record types the federation owns', () => {
  it('are A, AAAA, ALIAS, CNAME and TXT, in that order', () => {
    expect(RECORD_TYPES).toEqual(['A', 'AAAA', 'ALIAS', 'CNAME', 'TXT']);
  });

  it('isRecordType accepts exactly those, as written', () => {
    for (const type of RECORD_TYPES) expect(isRecordType(type)).toBe(true);
    for (const type of ['MX', 'NS', 'SOA', 'CAA', 'a', 'Txt', 'alias', '', ' A']) expect(isRecordType(type), type).toBe(false);
  });

  it('reconcileZone refuses any other type, listing the ones it takes', async () => {
    const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'z' }] });
    const desired = [{ name: 'm.example.com.', type: 'MX' as 'A', ttl: 60, rrdatas: ['10 mx.example.net.'] }];
    const error = await reconcileZone({ provider, zone: { id: 'z', dnsName: 'example.com.' }, desired, ownerId: 'owner' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/desired\[0\]\.type.*must be A, AAAA, ALIAS, CNAME or TXT/);
  });
});
