// A DNSSEC-signed zone (BIND's inline signing): the records BIND maintains are nobody's to
// plan, so they stay out of the listing and never block a switch to a CNAME.
import { reconcileZone } from '@fedsvc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axfr } from '../src/client.js';
import { createRfc2136Provider } from '../src/index.js';
import { typeName } from '../src/rdata.js';
import { startBind, type BindServer } from '../src/testing/index.js';
import { SERVER_MAINTAINED_TYPES, recordSets } from '../src/update.js';
import { RRClass, RRType, type ResourceRecord } from '../src/wire.js';
import { clientFor } from './helpers.js';

const zone = 'signed.test.';
const dnsZone = { id: zone, dnsName: zone };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('a DNSSEC-signed zone on BIND 9', () => {
  let bind: BindServer;
  beforeAll(async () => {
    bind = await startBind({ zones: [zone], dnssec: true, records: ['sw 60 IN A 192.0.2.1'] });
  });
  afterAll(async () => {
    await bind?.stop();
  });

  /** The raw transfer once BIND has signed `name`: its RRSIGs are there. */
  async function signedTransfer(name: string): Promise<ResourceRecord[]> {
    for (let deadline = Date.now() + 15_000; ; await sleep(100)) {
      const records = await axfr(clientFor(bind), zone);
      if (records.some((r) => r.name === name && r.type === 46)) return records;
      if (Date.now() > deadline)
        throw new Error(`BIND did not sign ${name}: ${records.map((r) => `${r.name} ${typeName(r.type)}`).join(', ')}\n${bind.log()}`);
    }
  }

  it('lists none of the RRSIG, NSEC and DNSKEY records BIND signs with, and switches a signed name to a CNAME', async () => {
    const p = createRfc2136Provider({ server: { host: bind.host, port: bind.port }, zones: [zone], tsig: bind.key, timeoutMs: 5_000 });
    const ownerId = 'dnssec-test';
    const name = `switch.${zone}`;
    const scope = (n: string) => n === name;
    await reconcileZone({ provider: p, zone: dnsZone, ownerId, scope, desired: [{ name, type: 'A', ttl: 60, rrdatas: ['192.0.2.2'] }] });
    const raw = await signedTransfer(name);
    // BIND's default policy signs with NSEC (CDS and CDNSKEY come days later, once the key is published everywhere).
    expect([46, 47, 48].filter((type) => raw.some((r) => r.type === type && r.name === name))).toEqual([46, 47]);
    expect(raw.some((r) => r.type === 48 && r.name === zone)).toBe(true);
    const listed = await p.records(dnsZone);
    expect(listed.filter((r) => [...SERVER_MAINTAINED_TYPES].map(typeName).includes(r.type))).toEqual([]);
    expect(listed.filter((r) => r.name === name)).toEqual([{ name, type: 'A', ttl: 60, rrdatas: ['192.0.2.2'] }]);

    const cname = { name, type: 'CNAME' as const, ttl: 60, rrdatas: [`sw.${zone}`] };
    const report = await reconcileZone({ provider: p, zone: dnsZone, ownerId, scope, desired: [cname] });
    expect(report.conflicts).toEqual([]);
    // The marker names the types the federation holds at the name, so it is rewritten with them.
    expect(report.changes.map((c) => `${c.kind} ${c.record.name} ${c.record.type}`)).toEqual([
      `delete ${name} A`,
      `create ${name} CNAME`,
      `update _fedsvc.${name} TXT`,
    ]);
    await signedTransfer(name);
    expect((await p.records(dnsZone)).filter((r) => r.name === name)).toEqual([cname]);
  });

  it('leaves out of a listing every type the server maintains, whatever the zone', () => {
    const record = (type: number): ResourceRecord => ({
      name: `x.${zone}`,
      type,
      class: RRClass.IN,
      ttl: 60,
      rdata: Uint8Array.from([1, 2, 3, 4]),
    });
    const listed = recordSets([RRType.SOA, 46, 47, 48, 50, 51, 59, 60, RRType.A, 65534].map(record));
    expect(listed.map((r) => r.type)).toEqual(['A', 'TYPE65534']);
  });
});
