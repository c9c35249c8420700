// Cluster status against the fixture: topology from node labels, health from /readyz probes.
import type { ClusterEvent, ClusterStatus } from '@fedsvc/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createKubernetesClusters } from '../src/index.js';
import { EventLog, FakeKubeApi } from '../src/testing/index.js';

const isCluster =
  (name: string, pred: (c: ClusterStatus) => boolean = () => true) =>
  (e: ClusterEvent): e is Extract<ClusterEvent, { type: 'cluster' }> =>
    e.type === 'cluster' && e.cluster.name === name && pred(e.cluster);

describe('cluster status', () => {
  let api: FakeKubeApi;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    api = await FakeKubeApi.start();
  });
  afterEach(async () => {
    await stop?.();
    stop = undefined;
    for (const node of api.store.list('nodes')) api.deleteNode(String((node['metadata'] as { name: string }).name));
    api.setReady(true);
    api.setOffline(false);
  });
  afterAll(async () => {
    await api.stop();
  });

  const start = (
    extra: { topology?: { zones: string[]; region: string } } = {},
    thresholds = { failureThreshold: 3, successThreshold: 2 },
  ) => {
    const clusters = createKubernetesClusters({
      clusters: [{ name: 'member', server: api.url, skipTLSVerify: true, ...extra }],
      healthPeriodMs: 25,
      probeTimeoutMs: 1000,
      backoff: { initialMs: 20, maxMs: 100 },
      ...thresholds,
    });
    const log = new EventLog();
    const watch = clusters.watch(log.push);
    stop = () => watch.stop();
    return log;
  };

  test('nodes without topology labels: NotReady with a reason; labels added later make it Ready', async () => {
    api.setNode('n1', { 'kubernetes.io/hostname': 'n1' });
    const log = start();
    const first = await log.waitFor(isCluster('member'));
    expect(first.cluster).toMatchObject({ health: 'NotReady', zones: [], region: '' });
    expect(first.cluster.reason).toMatch(/no node carries a zone label .*give the cluster's topology explicitly/);
    api.setNode('n1', { 'topology.kubernetes.io/zone': 'europe-west1-b', 'topology.kubernetes.io/region': 'europe-west1' });
    api.setNode('n2', { 'topology.kubernetes.io/zone': 'europe-west1-c', 'topology.kubernetes.io/region': 'europe-west1' });
    const ready = await log.waitFor(isCluster('member', (c) => c.zones.length === 2));
    expect(ready.cluster).toEqual({
      name: 'member',
      zones: ['europe-west1-b', 'europe-west1-c'],
      region: 'europe-west1',
      labels: {},
      health: 'Ready',
    });
    api.deleteNode('n2');
    const shrunk = await log.waitFor(isCluster('member', (c) => c.zones.length === 1));
    expect(shrunk.cluster.zones).toEqual(['europe-west1-b']);
  });

  test('a malformed topology label is an error naming node and label; the other nodes still count', async () => {
    api.setNode('good', { 'topology.kubernetes.io/zone': 'asia-east1-a', 'topology.kubernetes.io/region': 'asia-east1' });
    api.setNode('bad', { 'topology.kubernetes.io/zone': 'Asia_East1/B', 'topology.kubernetes.io/region': 'asia-east1' });
    const log = start();
    const error = await log.waitFor((e) => e.type === 'error');
    expect(error).toMatchObject({ type: 'error', cluster: 'member' });
    expect((error as Extract<ClusterEvent, { type: 'error' }>).error).toMatchObject({
      name: 'ValidationError',
      field: 'nodes/bad.metadata.labels["topology.kubernetes.io/zone"]',
      value: 'Asia_East1/B',
    });
    const status = await log.waitFor(isCluster('member'));
    expect(status.cluster).toMatchObject({ zones: ['asia-east1-a'], region: 'asia-east1', health: 'Ready' });
  });

  test('explicit topology wins and nodes are not read', async () => {
    // A server of its own: no request of an earlier test can land in its log.
    const own = await FakeKubeApi.start();
    try {
      own.setNode('n1', { 'topology.kubernetes.io/zone': 'elsewhere-a', 'topology.kubernetes.io/region': 'elsewhere' });
      const clusters = createKubernetesClusters({
        clusters: [{ name: 'member', server: own.url, skipTLSVerify: true, topology: { zones: ['z-b', 'z-a', 'z-a'], region: 'r' } }],
        healthPeriodMs: 25,
      });
      const log = new EventLog();
      const watch = clusters.watch(log.push);
      stop = () => watch.stop();
      const status = await log.waitFor(isCluster('member'));
      expect(status.cluster).toMatchObject({ zones: ['z-a', 'z-b'], region: 'r', health: 'Ready' });
      expect(own.requests.some((r) => r.path === '/readyz')).toBe(true);
      await watch.stop();
      expect(own.requests.filter((r) => r.path === '/api/v1/nodes')).toEqual([]);
    } finally {
      await own.stop();
    }
  });

  test('health: thresholds of consecutive probes; NotReady with the failed checks, Offline when unreachable', async () => {
    const log = start({ topology: { zones: ['z'], region: 'r' } });
    await log.waitFor(isCluster('member', (c) => c.health === 'Ready'));
    const probesSince = (from: number) => api.requests.slice(from).filter((r) => r.path === '/readyz').length;

    let from = api.requests.length;
    api.setReady('etcd');
    const notReady = await log.waitFor(isCluster('member', (c) => c.health === 'NotReady'));
    expect(notReady.cluster.reason).toBe('/readyz check failed: etcd failed: reason withheld');
    // One failed probe never flips the status: it took at least the threshold.
    expect(probesSince(from)).toBeGreaterThanOrEqual(3);

    from = api.requests.length;
    api.setReady(true);
    let mark = log.length;
    await log.waitFor(
      isCluster('member', (c) => c.health === 'Ready'),
      5000,
      mark,
    );
    expect(probesSince(from)).toBeGreaterThanOrEqual(2);

    mark = log.length;
    api.setOffline(true);
    const offline = await log.waitFor(
      isCluster('member', (c) => c.health === 'Offline'),
      5000,
      mark,
    );
    expect(offline.cluster.reason).toMatch(/^API server unreachable: /);
    // Topology is kept while the cluster cannot be seen.
    expect(offline.cluster.zones).toEqual(['z']);
    mark = log.length;
    api.setOffline(false);
    await log.waitFor(
      isCluster('member', (c) => c.health === 'Ready'),
      5000,
      mark,
    );
  });
});
