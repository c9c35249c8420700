import { providerConformance, type ConformanceTarget } from '@fedsvc/core/testing/conformance';
import { createMemoryProvider } from '../src/index.js';

// Small limits and pages, so that every case spans several requests and pages.
function memoryTarget(canAlias?: (hostname: string) => boolean) {
  return async (): Promise<ConformanceTarget> => {
    const provider = createMemoryProvider({
      canAlias,
      zones: [{ dnsName: 'conformance.example.', id: 'conformance' }],
      limits: { maxChangesPerRequest: 10, maxRrdatasPerRequest: 40, maxRrdataCharsPerRequest: 2_000 },
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

providerConformance('memory', memoryTarget());

// As a provider that writes aliases: hostnames under lb.example.net are its load balancers.
const LOAD_BALANCERS = ['a-1.lb.example.net.', 'b-2.lb.example.net.', 'c-3.lb.example.net.'];
providerConformance(
  'memory (aliases)',
  memoryTarget((hostname) => hostname.endsWith('.lb.example.net.')),
  { aliasTargets: LOAD_BALANCERS },
);
