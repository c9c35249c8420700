// The DNS provider conformance suite from @fedsvc/core, run against the RFC 2136 adapter and each
// real server: BIND 9, Knot DNS, PowerDNS. Transient failures come from the proxy in front of the
// server (SERVFAIL on demand).
import { providerConformance } from '@fedsvc/core/testing/conformance';
import { afterAll, describe } from 'vitest';
import { SERVER_KINDS } from '../src/testing/index.js';
import { serverTargets } from './conformance-target.js';

describe.each(SERVER_KINDS)('%s', (kind) => {
  const targets = serverTargets(kind);
  afterAll(() => targets.stop());

  providerConformance('rfc2136', () => targets.make(), {
    cannot: {
      throttle: "DNS has no rate-limit answer to UPDATE or AXFR; BIND's response-rate limiting only slows UDP answers to queries",
    },
  });
});
