// A member cluster lost, noticed in seconds: probes at the suspect period after a failed one, and
// at once when a watch stream breaks, against an API server that drops packets or refuses connections.
import type { ClusterEvent, ClusterStatus } from '@fedsvc/core';
import { afterEach, describe, expect, test } from 'vitest';
import { createKubernetesClusters, type KubernetesClustersOptions } from '../src/index.js';
import { EventLog, FakeKubeApi } from '../src/testing/index.js';

const isHealth =
  (health: ClusterStatus['health']) =>
  (e: ClusterEvent): e is Extract<ClusterEvent, { type: 'cluster' }> =>
    e.type === 'cluster' && e.cluster.health === health;

describe('noticing a lost member cluster', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function watched(options: Omit<KubernetesClustersOptions, 'clusters'>): Promise<{ api: FakeKubeApi; log: EventLog }> {
    const api = await FakeKubeApi.start();
    cleanup.push(() => api.stop());
    const clusters = createKubernetesClusters({
      clusters: [{ name: 'member', server: api.url, skipTLSVerify: true, topology: { zones: ['z'], region: 'r' } }],
      backoff: { initialMs: 20, maxMs: 100 },
      ...options,
    });
    const log = new EventLog();
    const watch = clusters.watch(log.push);
    cleanup.push(() => watch.stop());
    await log.waitFor(isHealth('Ready'));
    return { api, log };
  }

  test('refused connections: the broken watches bring a probe forward, and suspect probes reach the threshold in a second', async () => {
    // A steady period of a minute: only the broken watches and the suspect period can make it this fast.
    const { api, log } = await watched({ healthPeriodMs: 60_000, suspectPeriodMs: 50 });
    const mark = log.length;
    const since = performance.now();
    await api.setReachability('refuse');
    const offline = await log.waitFor(isHealth('Offline'), 2_000, mark);
    expect(offline.cluster.reason).toMatch(/^API server unreachable: /);
    // Three failed probes, the last two a suspect period apart: not faster than the thresholds allow.
    expect(performance.now() - since).toBeGreaterThanOrEqual(100);
    await api.setReachability('answer');
    // Recovery is probed at the steady period: none within the test's bounds, so the cluster stays out.
    expect(log.events.slice(mark).filter(isHealth('Ready'))).toEqual([]);
  });

  test('dropped packets: after the first timeout, suspect probes with a short timeout declare the cluster out', async () => {
    const { api, log } = await watched({ healthPeriodMs: 100, probeTimeoutMs: 2_000, suspectPeriodMs: 50, suspectProbeTimeoutMs: 100 });
    const mark = log.length;
    await api.setReachability('drop');
    // One probe timing out at 2 s, then two suspect ones at 150 ms each (three at 2 s would take over 6 s).
    const offline = await log.waitFor(isHealth('Offline'), 3_500, mark);
    expect(offline.cluster.reason).toBe('API server did not answer within 100 ms');
    await api.setReachability('answer');
    await log.waitFor(isHealth('Ready'), 5_000, log.length);
  });

  test('a watch stream reset is a reason to probe, never a verdict', async () => {
    const { api, log } = await watched({ healthPeriodMs: 60_000, suspectPeriodMs: 50 });
    const mark = log.length;
    const probes = () => api.requests.filter((r) => r.path === '/readyz').length;
    const before = probes();
    api.dropConnections();
    const deadline = performance.now() + 2_000;
    while (probes() === before && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(probes()).toBeGreaterThan(before);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.events.slice(mark).filter((e) => e.type === 'cluster')).toEqual([]);
  });
});
