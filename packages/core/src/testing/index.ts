// Test helpers of @fedsvc/core: the guide's federation, and the DNS provider conformance suite
// (vitest) for adapters to run against themselves.
export * from '../guide.js';
export { providerConformance } from './conformance.js';
export type { ConformanceOptions, ConformanceTarget, RequestCounts } from './target.js';
