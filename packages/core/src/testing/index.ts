// The DNS provider conformance suite (vitest), for adapters to run against themselves.
export * from './guide.js';
