// The DNS provider conformance suite from @fedsvc/core, run against the RFC 2136 adapter and a
// real BIND 9. Transient failures come from the proxy in front of BIND (SERVFAIL on demand).
import { providerConformance } from '@fedsvc/core/testing/conformance';
import { afterAll } from 'vitest';
import { bindTargets } from './conformance-target.js';

const targets = bindTargets();
afterAll(() => targets.stop());

providerConformance('rfc2136', () => targets.make(), {
  cannot: {
    throttle: "DNS has no rate-limit answer to UPDATE or AXFR; BIND's response-rate limiting only slows UDP answers to queries",
  },
});
