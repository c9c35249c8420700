export {
  createMemoryProvider,
  DEFAULT_MEMORY_LIMITS,
  MemoryDnsProvider,
  type MemoryProviderOptions,
  type MemoryRequestCounts,
  type MemoryWrite,
  type MemoryZoneInit,
} from './provider.js';
export type { FaultTarget, RequestKind } from './faults.js';
