// The DNS provider conformance suite from @fedsvc/core, run against the Route 53 adapter and its
// wire-level fixture through the real SDK. Every fault the suite asks for, the fixture produces.
import { providerConformance } from '@fedsvc/core/testing';
import { route53Target } from './conformance-target.js';

providerConformance('route53', route53Target);
