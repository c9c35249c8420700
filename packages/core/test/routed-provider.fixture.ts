// A provider for core's tests that writes routed record sets: dns-memory keeps whatever record
// sets it is given, and this one says it writes `nearest` and `weighted` ones, routed by region.
import { createMemoryProvider } from '@fedsvc/dns-memory';
import type { DnsProvider } from '../src/types.js';
import { regionRouting } from './routing.evaluator.js';

/** An empty `example.com.` zone (id `z`); with `canAlias`, every hostname is an alias target it takes. */
export function routedProvider({ canAlias = false }: { readonly canAlias?: boolean } = {}): DnsProvider {
  const aliases = canAlias ? { canAlias: () => true } : {};
  const inner = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'z', records: [] }], ...aliases });
  return {
    ...aliases,
    name: 'routed-test',
    limits: inner.limits,
    zones: () => inner.zones(),
    records: (zone) => inner.records(zone),
    applyChanges: (zone, changes) => inner.applyChanges(zone, changes),
    trafficPolicies: ['all', 'failover', 'nearest', 'weighted'],
    routing: regionRouting({ maxWeight: 4 }),
  };
}
