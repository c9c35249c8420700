// The DNS provider conformance suite from @fedsvc/core, run against the Route 53 adapter and its
// wire-level fixture through the real SDK. Every fault the suite asks for, the fixture produces.
import { providerConformance } from '@fedsvc/core/testing/conformance';
import { route53Target } from './conformance-target.js';

providerConformance('route53', route53Target);

// With aliases: ALIAS record sets of AWS load-balancer hostnames, as weighted alias records.
providerConformance('route53 (aliases)', () => route53Target({ aliases: true }), {
  aliasTargets: [
    'dualstack.web-1234567890.us-east-1.elb.amazonaws.com.',
    'internal-api-42.eu-west-1.elb.amazonaws.com.',
    'edge-0123456789abcdef.elb.ap-southeast-2.amazonaws.com.',
  ],
});
