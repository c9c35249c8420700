// The RFC 2136 adapter as a conformance target: one real server (BIND, Knot or PowerDNS) for the
// whole file, a fresh zone per case, and a proxy in front that counts requests and fails them on demand. The adapter's
// limits are lowered so the suite's cases cross them with a few dozen record sets.
import type { ProviderLimits } from '@fedsvc/core';
import type { ConformanceTarget } from '@fedsvc/core/testing';
import { createRfc2136Provider, RFC2136_LIMITS } from '../src/index.js';
import { startDnsProxy, startDnsServer, type DnsServer, type ServerKindName } from '../src/testing/index.js';
import { clientFor, readDirect, writeDirect } from './helpers.js';

const SMALL_LIMITS: ProviderLimits = {
  ...RFC2136_LIMITS,
  maxChangesPerRequest: 10,
  maxRrdatasPerRequest: 20,
  maxRrdataCharsPerRequest: 640,
};
/** More zones than the suite has cases. */
const ZONES = Array.from({ length: 24 }, (_, i) => `c${i}.conformance.test.`);

export interface ServerTargets {
  make(): Promise<ConformanceTarget>;
  stop(): Promise<void>;
}

export function serverTargets(kind: ServerKindName): ServerTargets {
  let bind: Promise<DnsServer> | undefined;
  let next = 0;
  return {
    async make() {
      bind ??= startDnsServer(kind, { zones: ZONES });
      const server = await bind;
      const zone = ZONES[next++];
      if (zone === undefined) throw new Error(`more conformance cases than the ${ZONES.length} zones the harness made`);
      const proxy = await startDnsProxy({ host: server.host, port: server.port });
      const adapter = createRfc2136Provider({
        server: { host: proxy.host, port: proxy.port },
        zones: [zone],
        tsig: server.key,
        timeoutMs: 5_000,
      });
      const direct = clientFor(server);
      // The suite's request counts are in core's units (changes, rrdatas, characters): the
      // adapter's byte count (requestCost) is left out, and its requests are far within 65,535 bytes.
      const { requestCost: _bytes, ...counted } = adapter;
      return {
        provider: { ...counted, limits: SMALL_LIMITS },
        zone: { id: zone, dnsName: zone },
        // AXFR lists the zone in one request.
        pageSize: Infinity,
        writeBehind: (changes) => writeDirect(direct, zone, changes),
        state: () => readDirect(direct, zone),
        requests: () => proxy.counts(),
        failNext: (n) => proxy.failNext(n),
        close: () => proxy.close(),
      };
    },
    async stop() {
      await (await bind)?.stop();
    },
  };
}
