// The BIND 9, Knot and PowerDNS harnesses themselves: many zones, extra records, a clean stop, and
// a loud failure without the server.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { axfr, servesZone } from '../src/client.js';
import {
  BIND_INSTALL_HINT,
  KNOT_INSTALL_HINT,
  POWERDNS_INSTALL_HINT,
  SERVER_KINDS,
  findKnotd,
  findNamed,
  findPdnsServer,
  startDnsServer,
} from '../src/testing/index.js';
import { udpExchange } from '../src/transport.js';
import { Opcode, RRClass, RRType, emptyMessage, encodeMessage } from '../src/wire.js';
import { clientFor } from './helpers.js';

describe('the harnesses', () => {
  it('say how to install the server when its program is nowhere to be found', () => {
    expect(() => findNamed(['/nonexistent/bin'])).toThrow(BIND_INSTALL_HINT);
    expect(BIND_INSTALL_HINT).toBe('install BIND 9: apt-get install bind9 bind9-dnsutils');
    expect(() => findKnotd(['/nonexistent/bin'])).toThrow(KNOT_INSTALL_HINT);
    expect(KNOT_INSTALL_HINT).toBe('install Knot DNS: apt-get install knot');
    expect(() => findPdnsServer(['/nonexistent/bin'])).toThrow(POWERDNS_INSTALL_HINT);
    expect(POWERDNS_INSTALL_HINT).toBe('install PowerDNS: apt-get install pdns-server pdns-backend-sqlite3 sqlite3');
  });
});

describe.each(SERVER_KINDS)('the %s harness', (kind) => {
  it('serves every zone asked for, with the extra records, to the generated key; stop() ends the server and removes its files', async () => {
    const zones = Array.from({ length: 40 }, (_, i) => `z${i}.harness.test`);
    const bind = await startDnsServer(kind, { zones, records: ['person 60 IN A 198.51.100.1'] });
    const client = clientFor(bind);
    try {
      expect(bind.zones).toEqual(zones.map((zone) => `${zone}.`));
      for (const zone of [bind.zones[0]!, bind.zones[39]!]) {
        expect(await servesZone(client, zone)).toBe(true);
        const records = await axfr(client, zone);
        expect(records[0]?.type).toBe(RRType.SOA);
        expect(records.map((r) => `${r.name} ${r.type}`).sort()).toEqual(
          [`${zone} ${RRType.SOA}`, `${zone} ${RRType.NS}`, `person.${zone} ${RRType.A}`].sort(),
        );
      }
      expect(await servesZone(client, 'not-there.test.')).toBe(false);
      // Transfers need the key: an unsigned AXFR is refused.
      const unsigned = await axfr({ ...client, key: { ...client.key, name: 'no-such-key' } }, bind.zones[0]!).catch((e: unknown) => e);
      expect(unsigned).toBeInstanceOf(Error);
    } finally {
      await bind.stop();
    }
    expect(existsSync(bind.directory)).toBe(false);
    const probe = encodeMessage({
      ...emptyMessage(3, Opcode.QUERY),
      questions: [{ name: bind.zones[0]!, type: RRType.SOA, class: RRClass.IN }],
    });
    await expect(udpExchange({ host: bind.host, port: bind.port }, probe, { timeoutMs: 300 })).rejects.toThrow();
  });
});
