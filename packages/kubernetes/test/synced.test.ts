// A cluster is reported only once it has been heard from: its status waits for its shard lists
// (or goes out as Offline), and 'synced' comes once every cluster has been heard from. Without
// this, a restarted controller sees Ready clusters with no shards and withdraws their records.
import type { ClusterEvent } from '@fedsvc/core';
import { afterEach, expect, test } from 'vitest';
import { createKubernetesClusters } from '../src/index.js';
import { EventLog, FakeKubeApi, endpointSlice, service, writeKubeconfig } from '../src/testing/index.js';

const fast = { healthPeriodMs: 40, probeTimeoutMs: 500, failureThreshold: 2, successThreshold: 2, backoff: { initialMs: 20, maxMs: 100 } };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function apiServer(zone: string): Promise<FakeKubeApi> {
  const api = await FakeKubeApi.start();
  cleanup.push(() => api.stop());
  api.setNode('n1', { 'topology.kubernetes.io/zone': zone, 'topology.kubernetes.io/region': zone.slice(0, -2) });
  api.putService(service('mynamespace', 'nginx'));
  api.setIngress('mynamespace', 'nginx', [{ ip: '203.0.113.10' }]);
  api.putEndpointSlice(endpointSlice('mynamespace', 'nginx', 'nginx-abc', 1));
  return api;
}

const of =
  (cluster: string) =>
  (e: ClusterEvent): boolean =>
    (e.type === 'cluster' && e.cluster.name === cluster) || (e.type === 'shard' && e.shard.cluster === cluster);

test('a cluster whose EndpointSlice list is slow is not reported, and not synced, until the list is in', async () => {
  const east = await apiServer('us-east1-b');
  const west = await apiServer('us-west1-a');
  const gone = await apiServer('us-central1-a');
  gone.setOffline(true);
  east.setHanging(/endpointslices/);
  const kubeconfig = await writeKubeconfig([
    { context: 'east', server: east.url },
    { context: 'west', server: west.url },
    { context: 'gone', server: gone.url },
  ]);
  cleanup.push(() => kubeconfig.remove());
  const clusters = createKubernetesClusters({
    clusters: ['east', 'west', 'gone'].map((context) => ({ context, kubeconfig: kubeconfig.path })),
    ...fast,
  });
  const log = new EventLog();
  const watch = clusters.watch(log.push);
  cleanup.push(() => watch.stop());

  await log.waitFor((e) => e.type === 'cluster' && e.cluster.name === 'west' && e.cluster.health === 'Ready');
  // Several probe periods on, east (Ready by its probes) has still said nothing, and nothing is synced.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(log.events.filter(of('east'))).toEqual([]);
  expect(log.events.some((e) => e.type === 'synced')).toBe(false);
  // West's shards came before its status.
  const westEvents = log.events.filter(of('west')).map((e) => e.type);
  expect(westEvents.indexOf('shard')).toBeLessThan(westEvents.indexOf('cluster'));

  east.setHanging(undefined);
  east.dropConnections();
  // The unreachable cluster (its topology never read, so never reported) does not hold 'synced' back.
  await log.waitFor((e) => e.type === 'synced');
  const eastEvents = log.events.filter(of('east')).map((e) => e.type);
  expect(eastEvents.slice(0, 2)).toEqual(['shard', 'cluster']);
  const synced = log.events.findIndex((e) => e.type === 'synced');
  expect(synced).toBeGreaterThan(log.events.findIndex((e) => e.type === 'cluster' && e.cluster.name === 'east'));
  expect(log.events.filter((e) => e.type === 'synced')).toHaveLength(1);
});

test('with no member clusters, synced comes at once', async () => {
  const clusters = createKubernetesClusters({ clusters: [], ...fast });
  const log = new EventLog();
  const watch = clusters.watch(log.push);
  cleanup.push(() => watch.stop());
  expect(log.events).toEqual([{ type: 'synced' }]);
});

test('requestTimeoutMs reaches the lists: a list page never answered is abandoned and asked again', async () => {
  const east = await apiServer('us-east1-b');
  east.setHanging(/endpointslices/);
  const kubeconfig = await writeKubeconfig([{ context: 'east', server: east.url }]);
  cleanup.push(() => kubeconfig.remove());
  const clusters = createKubernetesClusters({
    clusters: [{ context: 'east', kubeconfig: kubeconfig.path }],
    ...fast,
    requestTimeoutMs: 200,
  });
  const log = new EventLog();
  const watch = clusters.watch(log.push);
  cleanup.push(() => watch.stop());
  await new Promise((resolve) => setTimeout(resolve, 100));
  // New requests are answered again; the hung one is left hanging: only its deadline ends it.
  east.setHanging(undefined);
  await log.waitFor((e) => e.type === 'synced', 3000);
  expect(log.events.filter(of('east')).map((e) => e.type)).toEqual(['shard', 'cluster']);
});

test('a cluster never heard from holds synced back only until syncTimeoutMs, and is reported once its lists come in', async () => {
  const east = await apiServer('us-east1-b');
  const west = await apiServer('us-west1-a');
  east.setHanging(/endpointslices/);
  const kubeconfig = await writeKubeconfig([
    { context: 'east', server: east.url },
    { context: 'west', server: west.url },
  ]);
  cleanup.push(() => kubeconfig.remove());
  const warnings: unknown[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (obj: object) => warnings.push(obj) };
  const clusters = createKubernetesClusters({
    clusters: ['east', 'west'].map((context) => ({ context, kubeconfig: kubeconfig.path })),
    ...fast,
    syncTimeoutMs: 300,
    logger,
  });
  const log = new EventLog();
  const watch = clusters.watch(log.push);
  cleanup.push(() => watch.stop());
  await log.waitFor((e) => e.type === 'synced', 3000);
  expect(log.events.filter(of('east'))).toEqual([]);
  expect(warnings).toContainEqual({ clusters: ['east'], syncTimeoutMs: 300 });
  east.setHanging(undefined);
  east.dropConnections();
  await log.waitFor((e) => e.type === 'cluster' && e.cluster.name === 'east', 5000);
  expect(log.events.filter((e) => e.type === 'synced')).toHaveLength(1);
});

test('a cluster whose nodes list is slow (topology unknown) is not synced until its status goes out', async () => {
  const east = await apiServer('us-east1-b');
  east.setHanging(/nodes/);
  const kubeconfig = await writeKubeconfig([{ context: 'east', server: east.url }]);
  cleanup.push(() => kubeconfig.remove());
  const clusters = createKubernetesClusters({ clusters: [{ context: 'east', kubeconfig: kubeconfig.path }], ...fast });
  const log = new EventLog();
  const watch = clusters.watch(log.push);
  cleanup.push(() => watch.stop());
  await log.waitFor((e) => e.type === 'shard');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(log.events.some((e) => e.type === 'synced')).toBe(false);
  east.setHanging(undefined);
  east.dropConnections();
  await log.waitFor((e) => e.type === 'synced', 5000);
  const at = (type: string) => log.events.findIndex((e) => e.type === type);
  expect(at('cluster')).toBeGreaterThan(-1);
  expect(at('cluster')).toBeLessThan(at('synced'));
});
