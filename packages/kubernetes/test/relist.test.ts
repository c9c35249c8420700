// What a relist and a Service's deletion mean for its shard: a Service that stops decoding keeps
// its last good version (its shard is not reported gone, so placement does not create it again),
// and a Service being deleted serves no more.
import type { ClusterEvent, ShardStatus } from '@fedsvc/core';
import { afterEach, expect, test } from 'vitest';
import { createKubernetesClusters } from '../src/index.js';
import { EventLog, FakeKubeApi, endpointSlice, service } from '../src/testing/index.js';

const fast = { healthPeriodMs: 40, probeTimeoutMs: 1000, failureThreshold: 2, successThreshold: 2, backoff: { initialMs: 20, maxMs: 100 } };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const isShard =
  (name: string, pred: (s: ShardStatus) => boolean = () => true) =>
  (e: ClusterEvent): boolean =>
    e.type === 'shard' && e.shard.name === name && pred(e.shard);

async function watching(): Promise<{ api: FakeKubeApi; log: EventLog }> {
  const api = await FakeKubeApi.start();
  cleanup.push(() => api.stop());
  const clusters = createKubernetesClusters({
    clusters: [{ name: 'a', server: api.url, skipTLSVerify: true, topology: { zones: ['zone-a'], region: 'region-1' } }],
    namespace: 'ns',
    ...fast,
  });
  const log = new EventLog();
  const watch = clusters.watch(log.push);
  cleanup.push(() => watch.stop());
  return { api, log };
}

test('a relist that finds a Service no longer decoding keeps its last good version and reports no removal', async () => {
  const { api, log } = await watching();
  api.putService(service('ns', 'web'));
  api.setIngress('ns', 'web', [{ ip: '203.0.113.5' }]);
  api.putEndpointSlice(endpointSlice('ns', 'web', 'web-1', 2));
  await log.waitFor(isShard('web', (s) => s.readyEndpoints === 2 && s.ingress.length === 1));
  // Out of sight, the Service is rewritten into something that does not decode, and history is compacted: a relist follows.
  api.setOffline(true);
  api.putService(service('ns', 'web', { ports: 'eighty' }));
  api.store.compact();
  const mark = log.length;
  api.setOffline(false);
  await log.waitFor((e) => e.type === 'error' && /ports/.test(e.error.message), 5000, mark);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(log.events.slice(mark).filter((e) => e.type === 'shard-removed')).toEqual([]);
  expect(log.events.slice(mark).filter((e) => e.type === 'shard')).toEqual([]);
});

test('a Service being deleted (deletionTimestamp set) serves no more, whatever its endpoints say', async () => {
  const { api, log } = await watching();
  api.putService(service('ns', 'web'));
  api.setIngress('ns', 'web', [{ ip: '203.0.113.5' }]);
  api.putEndpointSlice(endpointSlice('ns', 'web', 'web-1', 2));
  await log.waitFor(isShard('web', (s) => s.readyEndpoints === 2));
  const terminating = service('ns', 'web');
  (terminating['metadata'] as Record<string, unknown>)['deletionTimestamp'] = '2026-12-01T00:00:00Z';
  api.putService(terminating);
  api.setIngress('ns', 'web', [{ ip: '203.0.113.5' }]);
  await log.waitFor(isShard('web', (s) => s.readyEndpoints === 0 && s.ingress.length === 1));
});
