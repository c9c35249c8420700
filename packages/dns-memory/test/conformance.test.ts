import { providerConformance, type ConformanceTarget } from '@fedsvc/core/testing';
import { createMemoryProvider } from '../src/index.js';

// Small limits and pages, so that every case spans several requests and pages.
function memoryTarget(atomic: boolean) {
  return async (): Promise<ConformanceTarget> => {
    const provider = createMemoryProvider({
      zones: [{ dnsName: 'conformance.example.', id: 'conformance' }],
      limits: { atomic, maxChangesPerRequest: 10, maxRrdatasPerRequest: 40, maxRrdataCharsPerRequest: 2_000 },
      pageSize: 8,
    });
    const [zone] = await provider.zones();
    if (!zone) throw new Error('the provider lists no zone');
    return {
      provider,
      zone,
      pageSize: provider.pageSize,
      writeBehind: async (changes) => provider.writeBehind(zone, changes),
      state: async () => provider.snapshot(zone),
      requests: () => provider.requests(),
      throttleNext: (n) => provider.throttleNext(n),
      failNext: (n) => provider.failNext(n),
      close: async () => {},
    };
  };
}

providerConformance('memory (atomic)', memoryTarget(true));
providerConformance('memory (non-atomic)', memoryTarget(false));
