export {
  createMemoryProvider,
  DEFAULT_MEMORY_LIMITS,
  MemoryDnsProvider,
  type FaultTarget,
  type MemoryProviderOptions,
  type MemoryRequestCounts,
  type MemoryZoneInit,
  type RequestKind,
} from './provider.js';
