// @fedsvc/core/testing: what tests of a federation need without a cluster or a cloud: member
// clusters in memory and the guide's example federation. The DNS provider conformance suite,
// which needs vitest, is `@fedsvc/core/testing/conformance`.
export * from './guide.js';
export { MemoryClusters, serverSideApply, type MemoryClusterInit } from './memory-clusters.js';
export type { ConformanceOptions, ConformanceTarget, RequestCounts } from './target.js';
