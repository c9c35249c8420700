// A CommonJS TypeScript module using the packed packages, type-checked under `nodenext`: its
// imports compile to require() of ES modules, which TypeScript 5.8+ accepts under `nodenext`
// because Node 20.19+ and 22.12+ run it.
import core = require('@fedsvc/core');
import provider = require('@fedsvc/core/provider');
import testing = require('@fedsvc/core/testing');
import memory = require('@fedsvc/dns-memory');

export const planned: core.RecordSet[] = core.planServiceRecords({
  federation: testing.guideFederation, service: testing.guideService, clusters: testing.guideClusters, shards: testing.guideShards,
});
export const dns: memory.MemoryDnsProvider = memory.createMemoryProvider({ zones: [{ dnsName: 'example.com' }] });
export const controller: core.FederationController = core.createController({
  federation: testing.guideFederation, ownerId: 'embedding', clusters: new testing.MemoryClusters(),
  dns: { provider: dns, zone: { id: 'z1', dnsName: 'example.com.' } },
});
export const sameClass: boolean = core.ValidationError === provider.ValidationError;
// @ts-expect-error a plan needs a federation
core.planServiceRecords({});
