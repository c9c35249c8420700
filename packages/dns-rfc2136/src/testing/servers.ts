// The three servers the adapter is tested against, by name, so that a test can run once per server.
import { startBind } from './bind.js';
import { startKnot } from './knot.js';
import { startPowerDns } from './powerdns.js';
import type { DnsServer, DnsServerOptions } from './server.js';

export type { DnsServer, DnsServerOptions } from './server.js';

/** Every server the harness can start: BIND 9, Knot DNS, PowerDNS Authoritative (gsqlite3). */
export const SERVER_KINDS = ['bind', 'knot', 'powerdns'] as const;
export type ServerKindName = (typeof SERVER_KINDS)[number];

/** Starts a server of `kind` with the zones and a fresh hmac-sha256 key (startBind, startKnot, startPowerDns). */
export function startDnsServer(kind: ServerKindName, options: DnsServerOptions): Promise<DnsServer> {
  switch (kind) {
    case 'bind':
      return startBind(options);
    case 'knot':
      return startKnot(options);
    case 'powerdns':
      return startPowerDns(options);
  }
}
