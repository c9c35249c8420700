// The DNS provider conformance suite from @fedsvc/core, run against the Google Cloud DNS adapter
// and its wire-level fixture through the real SDK. Every fault the suite asks for, the fixture produces.
import { providerConformance } from '@fedsvc/core/testing/conformance';
import { googleTarget } from './conformance-target.js';

providerConformance('google', googleTarget);
