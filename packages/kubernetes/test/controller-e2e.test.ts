// End to end: core's controller drives these member clusters (the real client library against
// two fixture API servers) and keeps an in-test DNS zone in step.
import {
  ADOPTED_BY_ANNOTATION,
  APPLIED_ANNOTATION,
  CREATED_BY_ANNOTATION,
  type DnsProvider,
  type DnsZone,
  ProviderError,
  type RecordSet,
  type ServiceManifest,
  createController,
} from '@fedsvc/core';
import { applyChangeSet } from '@fedsvc/core/provider';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKubernetesClusters, createLeaseElection } from '../src/index.js';
import { FakeKubeApi, endpointSlice, service } from '../src/testing/index.js';

function zoneProvider(zone: DnsZone): DnsProvider & { held(): readonly RecordSet<string>[] } {
  let records: RecordSet<string>[] = [];
  return {
    name: 'test',
    limits: { maxChangesPerRequest: 1000, maxRrdatasPerRequest: 1000, maxRrdataCharsPerRequest: 100_000, atomic: true },
    async zones() {
      return [zone];
    },
    async records() {
      return records;
    },
    async applyChanges(_zone, changes) {
      const result = applyChangeSet(records, changes);
      if (!result.ok) throw new ProviderError('test', 'conflict', result.reason);
      records = result.records;
    },
    held: () => records,
  };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const nginx: ServiceManifest = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx', namespace: 'mynamespace', labels: { app: 'nginx' } },
  spec: { type: 'LoadBalancer', selector: { app: 'nginx' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }] },
};

describe('controller over kubernetes member clusters', () => {
  let east: FakeKubeApi;
  let west: FakeKubeApi;
  beforeAll(async () => {
    [east, west] = await Promise.all([FakeKubeApi.start(), FakeKubeApi.start()]);
    east.setNode('e1', { 'topology.kubernetes.io/zone': 'us-east1-b', 'topology.kubernetes.io/region': 'us-east1' });
    west.setNode('w1', { 'topology.kubernetes.io/zone': 'us-west1-a', 'topology.kubernetes.io/region': 'us-west1' });
  });
  afterAll(async () => {
    await Promise.all([east.stop(), west.stop()]);
  });

  test('creates the shards by server-side apply and keeps DNS following the endpoints', async () => {
    const zone = { id: 'z1', dnsName: 'example.com.' };
    const dns = zoneProvider(zone);
    const clusters = createKubernetesClusters({
      clusters: [
        { name: 'east', server: east.url, skipTLSVerify: true },
        { name: 'west', server: west.url, skipTLSVerify: true },
      ],
      healthPeriodMs: 50,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    const controller = createController({
      federation: { name: 'myfederation', domain: 'example.com' },
      ownerId: 'fed1',
      clusters,
      dns: { provider: dns, zone },
      services: [{ manifest: nginx }],
      coalesceMs: 10,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    controller.start();
    try {
      await until(
        () =>
          east.store.get('services', 'mynamespace', 'nginx') !== undefined &&
          west.store.get('services', 'mynamespace', 'nginx') !== undefined,
      );
      const created = east.requests.find((r) => r.method === 'PATCH')!;
      expect(created.query.get('fieldManager')).toBe('fedsvc');

      east.setIngress('mynamespace', 'nginx', [{ ip: '203.0.113.1' }]);
      west.setIngress('mynamespace', 'nginx', [{ ip: '203.0.113.2' }]);
      east.putEndpointSlice(endpointSlice('mynamespace', 'nginx', 'nginx-e', 2));
      west.putEndpointSlice(endpointSlice('mynamespace', 'nginx', 'nginx-w', 1));
      const globalName = 'nginx.mynamespace.myfederation.svc.example.com.';
      const global = () => dns.held().find((r) => r.name === globalName && r.type === 'A');
      await until(() => global()?.rrdatas.length === 2);
      expect([...global()!.rrdatas].sort()).toEqual(['203.0.113.1', '203.0.113.2']);

      // East loses its pods: its zone falls back to its region, and the global record keeps west only.
      east.putEndpointSlice(endpointSlice('mynamespace', 'nginx', 'nginx-e', 0, 2));
      await until(() => global()?.rrdatas.length === 1);
      expect(global()!.rrdatas).toEqual(['203.0.113.2']);
      const eastZone = dns.held().find((r) => r.name === 'nginx.mynamespace.myfederation.svc.us-east1-b.example.com.');
      expect(eastZone).toMatchObject({ type: 'CNAME', rrdatas: ['nginx.mynamespace.myfederation.svc.us-east1.example.com.'] });
    } finally {
      await controller.stop();
    }
  });

  test("orphans over the wire: this owner's created shard deleted, its adopted one released, another owner's untouched", async () => {
    const zone = { id: 'z3', dnsName: 'example.net.' };
    const orphan = (name: string, annotations: Record<string, string>) => {
      const object = service('shop', name);
      (object['metadata'] as Record<string, unknown>)['annotations'] = { team: 'shop', ...annotations };
      return object;
    };
    east.putService(orphan('gone', { [CREATED_BY_ANNOTATION]: 'fed-o', [APPLIED_ANNOTATION]: '00000000' }));
    west.putService(orphan('gone', { [ADOPTED_BY_ANNOTATION]: 'fed-o', [APPLIED_ANNOTATION]: '00000000' }));
    east.putService(orphan('theirs', { [CREATED_BY_ANNOTATION]: 'fed-other' }));
    const before = west.store.get('services', 'shop', 'gone')!.object;
    const theirs = east.store.get('services', 'shop', 'theirs')!.object;
    const clusters = createKubernetesClusters({
      clusters: [
        { name: 'east', server: east.url, skipTLSVerify: true },
        { name: 'west', server: west.url, skipTLSVerify: true },
      ],
      healthPeriodMs: 50,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    const controller = createController({
      federation: { name: 'orphans', domain: 'example.net' },
      ownerId: 'fed-o',
      clusters,
      dns: { provider: zoneProvider(zone), zone },
      services: [],
      coalesceMs: 10,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    const forgotten: string[] = [];
    controller.on('service-deleted', ({ service }) => forgotten.push(service));
    controller.start();
    try {
      await until(() => forgotten.length > 0);
      expect(forgotten).toEqual(['shop/gone']);
      expect(east.store.get('services', 'shop', 'gone')).toBeUndefined();
      const released = west.store.get('services', 'shop', 'gone')!.object;
      const {
        [ADOPTED_BY_ANNOTATION]: _a,
        [APPLIED_ANNOTATION]: _b,
        ...kept
      } = (before['metadata'] as { annotations: Record<string, string> }).annotations;
      expect((released['metadata'] as { annotations?: unknown }).annotations).toEqual(kept);
      expect(released['spec']).toEqual(before['spec']);
      expect(east.store.get('services', 'shop', 'theirs')!.object).toEqual(theirs);
    } finally {
      await controller.stop();
    }
  });

  test('two replicas with a Lease: only the leader writes; the standby takes over when it stops', async () => {
    const zone = { id: 'z2', dnsName: 'example.org.' };
    const dns = zoneProvider(zone);
    const replica = (identity: string) => {
      const clusters = createKubernetesClusters({
        clusters: [
          { name: 'east', server: east.url, skipTLSVerify: true },
          { name: 'west', server: west.url, skipTLSVerify: true },
        ],
        healthPeriodMs: 50,
        backoff: { initialMs: 20, maxMs: 200 },
      });
      return createController({
        federation: { name: 'ha', domain: 'example.org' },
        ownerId: 'fed-ha',
        clusters,
        dns: { provider: dns, zone },
        services: [{ manifest: { ...nginx, metadata: { ...nginx.metadata, name: 'web' } } }],
        coalesceMs: 10,
        backoff: { baseMs: 20, maxMs: 200 },
        leaderElection: createLeaseElection({
          cluster: { name: 'host', server: east.url, skipTLSVerify: true },
          namespace: 'fedsvc-system',
          name: 'fed-ha',
          identity,
          leaseDurationMs: 2000,
          renewDeadlineMs: 1500,
          retryPeriodMs: 20,
        }),
      });
    };
    const a = replica('replica-a');
    a.start();
    await until(() => a.leading);
    const b = replica('replica-b');
    b.start();
    try {
      await until(() => east.store.get('services', 'mynamespace', 'web') !== undefined);
      east.setIngress('mynamespace', 'web', [{ ip: '198.51.100.1' }]);
      east.putEndpointSlice(endpointSlice('mynamespace', 'web', 'web-e', 1));
      const globalName = 'web.mynamespace.ha.svc.example.org.';
      const global = () => dns.held().find((r) => r.name === globalName && r.type === 'A');
      await until(() => global() !== undefined);
      expect(b.leading).toBe(false);

      await a.stop();
      await until(() => b.leading);
      // Only the new leader can have made this change reach DNS.
      await until(() => west.store.get('services', 'mynamespace', 'web') !== undefined);
      west.setIngress('mynamespace', 'web', [{ ip: '198.51.100.2' }]);
      west.putEndpointSlice(endpointSlice('mynamespace', 'web', 'web-w', 1));
      await until(() => global()?.rrdatas.length === 2);
      expect([...global()!.rrdatas].sort()).toEqual(['198.51.100.1', '198.51.100.2']);
      expect(east.store.get('leases', 'fedsvc-system', 'fed-ha')?.object['spec']).toMatchObject({ holderIdentity: 'replica-b' });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  test('a service deleted while a member cluster has been unreachable since start loses its shard there once the cluster is back', async () => {
    const cache = (annotations: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cache', namespace: 'mynamespace', annotations },
      spec: { type: 'LoadBalancer', ports: [{ port: 6379, protocol: 'TCP' }] },
    });
    // Shards an earlier run created; west is out of reach before its nodes (its topology) were ever listed.
    east.putService(cache({ 'fedsvc.io/created-by': 'fed1' }));
    west.putService(cache({ 'fedsvc.io/created-by': 'fed1' }));
    west.setOffline(true);
    const zone = { id: 'z1', dnsName: 'example.com.' };
    const clusters = createKubernetesClusters({
      clusters: [
        { name: 'east', server: east.url, skipTLSVerify: true },
        { name: 'west', server: west.url, skipTLSVerify: true },
      ],
      healthPeriodMs: 50,
      backoff: { initialMs: 20, maxMs: 100 },
      syncTimeoutMs: 500,
    });
    const controller = createController({
      federation: { name: 'myfederation', domain: 'example.com' },
      ownerId: 'fed1',
      clusters,
      dns: { provider: zoneProvider(zone), zone },
      coalesceMs: 10,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    controller.start();
    try {
      // Past the sync timeout: the controller has heard of both clusters (west Offline).
      await new Promise((resolve) => setTimeout(resolve, 800));
      controller.deleteService('mynamespace', 'cache');
      await controller.idle();
      expect(east.store.get('services', 'mynamespace', 'cache')).toBeUndefined();
      west.setOffline(false);
      await until(() => west.store.get('services', 'mynamespace', 'cache') === undefined);
    } finally {
      await controller.stop();
      west.setOffline(false);
    }
  });
  test('at most shardWritesPerCluster shard writes are in flight to one member; the rest wait their turn and are all carried out', async () => {
    const crowd = await FakeKubeApi.start();
    crowd.setNode('c1', { 'topology.kubernetes.io/zone': 'us-east1-b', 'topology.kubernetes.io/region': 'us-east1' });
    const zone = { id: 'z5', dnsName: 'example.org.' };
    const clusters = createKubernetesClusters({
      clusters: [{ name: 'crowd', server: crowd.url, skipTLSVerify: true }],
      healthPeriodMs: 50,
      requestTimeoutMs: 2_000,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    const web = (i: number): ServiceManifest => ({ ...nginx, metadata: { ...nginx.metadata, name: `web-${i}`, namespace: 'crowd' } });
    const controller = createController({
      federation: { name: 'crowd', domain: 'example.org' },
      ownerId: 'fed-crowd',
      clusters,
      dns: { provider: zoneProvider(zone), zone },
      services: Array.from({ length: 30 }, (_, i) => ({ manifest: web(i) })),
      shardWritesPerCluster: 3,
      coalesceMs: 10,
      backoff: { baseMs: 20, maxMs: 200 },
    });
    const isWrite = (r: { method: string; path: string }) => r.method === 'PATCH' && r.path.includes('/namespaces/crowd/services/');
    const writes = () => crowd.requests.filter(isWrite).length;
    // The first three are held without an answer: while they are, nothing else may be sent.
    crowd.hangNext(isWrite, 3);
    controller.start();
    try {
      await until(() => writes() >= 3);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(writes()).toBe(3);
      // The held ones time out; the 27 behind them go through, and the three are placed again.
      await until(() => crowd.store.list('services', 'crowd').length === 30, 20_000);
    } finally {
      await controller.stop();
      await crowd.stop();
    }
  }, 30_000);
});
