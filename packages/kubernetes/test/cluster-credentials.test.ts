import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ClusterEvent } from '@fedsvc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKubernetesClusters, inClusterKubeConfig } from '../src/index.js';
import { EventLog, FakeKubeApi, endpointSlice, makeTestPki, service } from '../src/testing/index.js';

const fast = { healthPeriodMs: 40, probeTimeoutMs: 1000, failureThreshold: 2, successThreshold: 2, backoff: { initialMs: 20, maxMs: 200 } };
const zoneA = { 'topology.kubernetes.io/zone': 'us-east1-b', 'topology.kubernetes.io/region': 'us-east1' };

function serverKubeConfig(server: string, token: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser({ name: 'c', server, skipTLSVerify: true }, { name: 'u', token });
  return kubeConfig;
}

const lastAuthorization = (api: FakeKubeApi): string | undefined => api.requests.at(-1)?.authorization;

describe('member clusters whose connection changes while watching', () => {
  let before: FakeKubeApi;
  let after: FakeKubeApi;

  beforeAll(async () => {
    before = await FakeKubeApi.start();
    after = await FakeKubeApi.start();
    for (const api of [before, after]) {
      api.setNode('n1', zoneA);
      api.putService(service('mynamespace', 'nginx'));
      api.putEndpointSlice(endpointSlice('mynamespace', 'nginx', 'nginx-abc', 2));
    }
    // Gone by the time the cluster is watched again.
    before.putService(service('mynamespace', 'old'));
  });

  afterAll(async () => {
    await Promise.all([before.stop(), after.stop()]);
  });

  test('a KubeConfig given in code is a member cluster; its credentials are what requests carry', async () => {
    const clusters = createKubernetesClusters({
      clusters: [{ name: 'east', kubeConfig: serverKubeConfig(before.url, 'token-1') }],
      ...fast,
    });
    const log = new EventLog();
    const watch = clusters.watch(log.push);
    try {
      await log.waitFor((e) => e.type === 'synced');
      expect(log.events.filter((e) => e.type === 'shard').map((e) => e.type === 'shard' && e.shard.name)).toEqual(['nginx', 'old']);
      expect(before.requests.every((r) => r.authorization === 'Bearer token-1')).toBe(true);
    } finally {
      await watch.stop();
    }
  });

  test('a KubeConfig that is not one is a ValidationError naming the field', () => {
    expect(() => createKubernetesClusters({ clusters: [{ name: 'east', kubeConfig: {} as KubeConfig }] })).toThrow(
      /options\.clusters\[0\]\.kubeConfig: .*must be a KubeConfig/,
    );
  });

  test('updateCluster watches through the new settings, withdrawing nothing but the shards no longer there', async () => {
    const clusters = createKubernetesClusters({
      clusters: [{ name: 'east', kubeConfig: serverKubeConfig(before.url, 'token-1') }],
      ...fast,
    });
    const log = new EventLog();
    const watch = clusters.watch(log.push);
    try {
      await log.waitFor((e) => e.type === 'synced');
      const mark = log.length;
      await clusters.updateCluster({ name: 'east', kubeConfig: serverKubeConfig(after.url, 'token-2') });
      const removed = await log.waitFor((e) => e.type === 'shard-removed', 5000, mark);
      expect(removed).toEqual({ type: 'shard-removed', cluster: 'east', namespace: 'mynamespace', name: 'old' });
      await log.waitFor((e) => e.type === 'cluster', 5000, mark);
      const since: ClusterEvent[] = log.events.slice(mark);
      expect(since.filter((e) => e.type === 'cluster-removed' || e.type === 'shard-removed')).toEqual([removed]);
      expect(since.filter((e) => e.type === 'cluster').map((e) => e.type === 'cluster' && e.cluster.health)).toEqual(['Ready']);
      // The old server is asked nothing more; the new one only with the new token.
      const asked = before.requests.length;
      after.putService(service('mynamespace', 'web'));
      await log.waitFor((e) => e.type === 'shard' && e.shard.name === 'web', 5000, mark);
      expect(before.requests.length).toBe(asked);
      expect(after.requests.every((r) => r.authorization === 'Bearer token-2')).toBe(true);
      await clusters.applyShard({ kind: 'delete', cluster: 'east', namespace: 'mynamespace', name: 'web' });
      expect(after.store.get('services', 'mynamespace', 'web')).toBeUndefined();
    } finally {
      await watch.stop();
    }
    await expect(clusters.updateCluster({ name: 'west', kubeConfig: serverKubeConfig(after.url, 't') })).rejects.toThrow(
      /source: is not a member cluster/,
    );
  });
});

describe('in-cluster credentials', () => {
  let api: FakeKubeApi;
  let root: string;
  const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };

  beforeAll(async () => {
    const pki = makeTestPki();
    api = await FakeKubeApi.start({ tls: { key: pki.serverKey, cert: pki.serverCert } });
    root = await mkdtemp(join(tmpdir(), 'fedsvc-sa-'));
    const dir = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'ca.crt'), pki.caCert);
    await writeFile(join(dir, 'token'), 'token-1\n');
    process.env['KUBERNETES_SERVICE_HOST'] = '127.0.0.1';
    process.env['KUBERNETES_SERVICE_PORT'] = new URL(api.url).port;
  });

  afterAll(async () => {
    for (const [key, value] of [
      ['KUBERNETES_SERVICE_HOST', saved.host],
      ['KUBERNETES_SERVICE_PORT', saved.port],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await Promise.all([api.stop(), rm(root, { recursive: true, force: true })]);
  });

  test('a rotated service-account token is used for the very next request', async () => {
    const core = inClusterKubeConfig({ root }).makeApiClient(CoreV1Api);
    await core.listNode();
    expect(lastAuthorization(api)).toBe('Bearer token-1');
    // As the kubelet rotates a projected token: a new file swapped in.
    const dir = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    await writeFile(join(dir, 'token.new'), 'token-2\n');
    await rename(join(dir, 'token.new'), join(dir, 'token'));
    await core.listNode();
    expect(lastAuthorization(api)).toBe('Bearer token-2');
  });

  test('outside a cluster it is a ValidationError naming the variable', () => {
    const host = process.env['KUBERNETES_SERVICE_HOST'];
    delete process.env['KUBERNETES_SERVICE_HOST'];
    try {
      expect(() => inClusterKubeConfig({ root })).toThrow(/KUBERNETES_SERVICE_HOST: .*not running in a cluster/);
    } finally {
      process.env['KUBERNETES_SERVICE_HOST'] = host;
    }
  });
});
