import type { ClusterEvent, ClusterStatus, ShardStatus } from '@fedsvc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKubernetesClusters } from '../src/index.js';
import { EventLog, FakeKubeApi, endpointSlice, service, writeKubeconfig } from '../src/testing/index.js';

const fast = { healthPeriodMs: 40, probeTimeoutMs: 1000, failureThreshold: 2, successThreshold: 2, backoff: { initialMs: 20, maxMs: 200 } };

const isCluster =
  (name: string, pred: (c: ClusterStatus) => boolean = () => true) =>
  (e: ClusterEvent): e is Extract<ClusterEvent, { type: 'cluster' }> =>
    e.type === 'cluster' && e.cluster.name === name && pred(e.cluster);
const isShard =
  (cluster: string, name: string, pred: (s: ShardStatus) => boolean = () => true) =>
  (e: ClusterEvent): e is Extract<ClusterEvent, { type: 'shard' }> =>
    e.type === 'shard' && e.shard.cluster === cluster && e.shard.name === name && pred(e.shard);

describe('member clusters from kubeconfig contexts', () => {
  let east: FakeKubeApi;
  let west: FakeKubeApi;
  let kubeconfig: { path: string; remove(): Promise<void> };

  beforeAll(async () => {
    east = await FakeKubeApi.start({ token: 'east-token' });
    west = await FakeKubeApi.start({ token: 'west-token' });
    east.setNode('e1', { 'topology.kubernetes.io/zone': 'us-east1-b', 'topology.kubernetes.io/region': 'us-east1' });
    east.setNode('e2', { 'topology.kubernetes.io/zone': 'us-east1-c', 'topology.kubernetes.io/region': 'us-east1' });
    // An older cluster: only the beta labels.
    west.setNode('w1', { 'failure-domain.beta.kubernetes.io/zone': 'us-west1-a', 'failure-domain.beta.kubernetes.io/region': 'us-west1' });
    east.putService(service('mynamespace', 'nginx'));
    east.setIngress('mynamespace', 'nginx', [{ ip: '203.0.113.10' }]);
    east.putEndpointSlice(endpointSlice('mynamespace', 'nginx', 'nginx-abc', 2, 1));
    east.putEndpointSlice(endpointSlice('mynamespace', 'nginx', 'nginx-def', 1));
    west.putService(service('mynamespace', 'nginx'));
    kubeconfig = await writeKubeconfig([
      { context: 'gce-us-east1', server: east.url, token: 'east-token' },
      { context: 'gce-us-west1', server: west.url, token: 'west-token' },
    ]);
  });

  afterAll(async () => {
    await Promise.all([east.stop(), west.stop(), kubeconfig.remove()]);
  });

  test('reports each context as a cluster with the zones its nodes span, and its shards', async () => {
    const clusters = createKubernetesClusters({
      clusters: [
        { context: 'gce-us-east1', kubeconfig: kubeconfig.path, labels: { provider: 'gce' } },
        { context: 'gce-us-west1', kubeconfig: kubeconfig.path },
      ],
      ...fast,
    });
    expect(clusters.clusters).toEqual(['gce-us-east1', 'gce-us-west1']);
    const log = new EventLog();
    const watch = clusters.watch(log.push);
    try {
      const eastStatus = await log.waitFor(isCluster('gce-us-east1'));
      expect(eastStatus.cluster).toEqual({
        name: 'gce-us-east1',
        zones: ['us-east1-b', 'us-east1-c'],
        region: 'us-east1',
        labels: { provider: 'gce' },
        health: 'Ready',
      });
      const westStatus = await log.waitFor(isCluster('gce-us-west1'));
      expect(westStatus.cluster).toMatchObject({ zones: ['us-west1-a'], region: 'us-west1', health: 'Ready' });

      const eastShard = await log.waitFor(isShard('gce-us-east1', 'nginx'));
      expect(eastShard.shard).toMatchObject({ namespace: 'mynamespace', readyEndpoints: 3, ingress: [{ ip: '203.0.113.10' }] });
      expect(eastShard.shard.clusterIP).toBeUndefined();
      expect(eastShard.shard.manifest.spec['ports']).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }]);
      const westShard = await log.waitFor(isShard('gce-us-west1', 'nginx'));
      expect(westShard.shard).toMatchObject({ readyEndpoints: 0, ingress: [] });
      // The initial sync reports each shard once, with its endpoints already joined.
      expect(log.events.filter(isShard('gce-us-east1', 'nginx'))).toHaveLength(1);
      // Every request carried the context's credentials.
      expect(east.requests.every((r) => r.authorization === 'Bearer east-token')).toBe(true);

      const mark = log.length;
      east.putEndpointSlice(endpointSlice('mynamespace', 'nginx', 'nginx-def', 0, 4));
      const fewer = await log.waitFor(isShard('gce-us-east1', 'nginx'), 5000, mark);
      expect(fewer.shard.readyEndpoints).toBe(2);

      west.setIngress('mynamespace', 'nginx', [{ hostname: 'a1b2.elb.example.com' }]);
      const withHostname = await log.waitFor(
        isShard('gce-us-west1', 'nginx', (s) => s.ingress.length > 0),
        5000,
        mark,
      );
      expect(withHostname.shard.ingress).toEqual([{ hostname: 'a1b2.elb.example.com' }]);

      east.deleteService('mynamespace', 'nginx');
      const removed = await log.waitFor((e) => e.type === 'shard-removed' && e.cluster === 'gce-us-east1', 5000, mark);
      expect(removed).toEqual({ type: 'shard-removed', cluster: 'gce-us-east1', namespace: 'mynamespace', name: 'nginx' });
    } finally {
      await watch.stop();
    }
    expect(log.events.filter((e) => e.type === 'error')).toEqual([]);
  });

  test('an unknown context is a ValidationError naming the field and the contexts there are', () => {
    expect(() => createKubernetesClusters({ clusters: [{ context: 'gce-nowhere', kubeconfig: kubeconfig.path }] })).toThrow(
      /options\.clusters\[0\]\.context: is not a context of the kubeconfig \(contexts: gce-us-east1, gce-us-west1\)/,
    );
  });

  test('clusters join and leave while watching; a cluster that left reports nothing more', async () => {
    const clusters = createKubernetesClusters({ clusters: [{ context: 'gce-us-east1', kubeconfig: kubeconfig.path }], ...fast });
    const log = new EventLog();
    const watch = clusters.watch(log.push);
    try {
      await log.waitFor(isCluster('gce-us-east1'));
      clusters.addCluster({ context: 'gce-us-west1', kubeconfig: kubeconfig.path });
      expect(clusters.clusters).toEqual(['gce-us-east1', 'gce-us-west1']);
      await log.waitFor(isCluster('gce-us-west1'));
      await log.waitFor(isShard('gce-us-west1', 'nginx'));
      expect(() => clusters.addCluster({ context: 'gce-us-west1', kubeconfig: kubeconfig.path })).toThrow(
        /source: is a member cluster already/,
      );

      await clusters.removeCluster('gce-us-west1');
      const removedAt = log.events.findIndex((e) => e.type === 'cluster-removed');
      expect(log.events[removedAt]).toEqual({ type: 'cluster-removed', name: 'gce-us-west1' });
      west.putService(service('mynamespace', 'after-leaving'));
      east.putService(service('mynamespace', 'still-watched'));
      await log.waitFor(isShard('gce-us-east1', 'still-watched'), 5000, removedAt);
      expect(log.events.slice(removedAt + 1).filter((e) => JSON.stringify(e).includes('gce-us-west1'))).toEqual([]);
      await expect(clusters.applyShard({ kind: 'leave', cluster: 'gce-us-west1' })).rejects.toThrow(
        /action\.cluster: is not a member cluster/,
      );
      await expect(clusters.removeCluster('gce-us-west1')).rejects.toThrow(/name: is not a member cluster/);
    } finally {
      await watch.stop();
    }
  });
});
