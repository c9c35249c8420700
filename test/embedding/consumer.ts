// A TypeScript application using the packed packages, type-checked (not run) under
// `moduleResolution` `nodenext` (tsconfig.nodenext.json, as an ES module) and `bundler`
// (tsconfig.bundler.json). Each `@ts-expect-error` proves the types are real: were a package's
// declarations not found (any), the expected error would be missing and the check would fail.
import {
  createController, planFederation, planServiceRecords, ValidationError,
  type DnsProvider, type FederationController, type RecordSet,
} from '@fedsvc/core';
import { applyChangeSet, canonicalRdata, ProviderError } from '@fedsvc/core/provider';
import {
  guideClusterName, guideClusters, guideFederation, guideLoadBalancerAddresses, guideNginx, guideService, guideShards,
  guideZones, MemoryClusters, regionOfZone,
} from '@fedsvc/core/testing';
import { providerConformance, type ConformanceTarget } from '@fedsvc/core/testing/conformance';
import { createMemoryProvider, type MemoryDnsProvider } from '@fedsvc/dns-memory';
import { createRoute53Provider, type Route53Provider } from '@fedsvc/dns-route53';
import { createGoogleProvider, type GoogleProvider } from '@fedsvc/dns-google';
import { createRfc2136Provider, type Rfc2136ProviderOptions } from '@fedsvc/dns-rfc2136';
import * as wire from '@fedsvc/dns-rfc2136/wire';
import { startBind, type BindOptions, type BindServer } from '@fedsvc/dns-rfc2136/testing';
import { createKubernetesClusters, type KubernetesClusters } from '@fedsvc/kubernetes';

export const planned: RecordSet[] = planServiceRecords({ federation: guideFederation, service: guideService, clusters: guideClusters, shards: guideShards });
export const all: RecordSet[] = planFederation({ federation: guideFederation, clusters: guideClusters, services: [{ service: guideService, shards: guideShards }] });
// @ts-expect-error a plan needs a federation
planServiceRecords({ service: guideService, clusters: guideClusters, shards: guideShards });

export const clusters = new MemoryClusters(guideZones.map((zone) => ({
  name: guideClusterName(zone), zones: [zone], region: regionOfZone(zone), loadBalancerAddresses: [guideLoadBalancerAddresses[zone]!],
})));
export const provider: MemoryDnsProvider = createMemoryProvider({ zones: [{ dnsName: 'example.com' }] });
export const port: DnsProvider = provider;
export const controller: FederationController = createController({
  federation: guideFederation, ownerId: 'embedding', clusters, dns: { provider, zone: { id: 'z1', dnsName: 'example.com.' } },
});
controller.applyService(guideNginx);
// @ts-expect-error a controller needs an owner id
createController({ federation: guideFederation, clusters, dns: { provider, zone: { id: 'z1', dnsName: 'example.com.' } } });

export const isValidation = (error: unknown): error is ValidationError => error instanceof ValidationError;
export const transient = (error: unknown): boolean => error instanceof ProviderError && error.kind === 'transient';
export const canonical: string = canonicalRdata('A', '192.0.2.1');
export const applied = applyChangeSet([], []);

export function registerConformance(makeTarget: () => Promise<ConformanceTarget>): void {
  providerConformance('memory', makeTarget);
}

export const adapters: [() => Route53Provider, () => GoogleProvider, (tsig: Rfc2136ProviderOptions['tsig']) => DnsProvider, () => KubernetesClusters] = [
  () => createRoute53Provider(),
  () => createGoogleProvider(),
  (tsig) => createRfc2136Provider({ server: { host: '127.0.0.1' }, zones: ['example.com'], tsig }),
  () => createKubernetesClusters({ clusters: [{ context: 'gce-us-central1-a' }] }),
];
// @ts-expect-error Route 53 options are an object
createRoute53Provider('us-east-1');
export const bind: (options: BindOptions) => Promise<BindServer> = startBind;
export const wireExports: number = Object.keys(wire).length;
