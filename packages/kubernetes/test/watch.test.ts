// List + watch against the fixture: resume from resourceVersion (bookmarks included), relist on
// 410 Gone, reconnect after dropped connections, and bad input reported per cluster.
import type { ClusterEvent, ShardStatus } from '@fedsvc/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createKubernetesClusters } from '../src/index.js';
import { EventLog, FakeKubeApi, endpointSlice, service } from '../src/testing/index.js';

const fast = { healthPeriodMs: 40, probeTimeoutMs: 1000, failureThreshold: 2, successThreshold: 2, backoff: { initialMs: 20, maxMs: 200 } };

const isShard =
  (cluster: string, name: string, pred: (s: ShardStatus) => boolean = () => true) =>
  (e: ClusterEvent): e is Extract<ClusterEvent, { type: 'shard' }> =>
    e.type === 'shard' && e.shard.cluster === cluster && e.shard.name === name && pred(e.shard);
const isError = (cluster: string, pattern: RegExp) => (e: ClusterEvent) =>
  e.type === 'error' && e.cluster === cluster && pattern.test(e.error.message);

function requestsOf(api: FakeKubeApi, path: string, watch: boolean) {
  return api.requests.filter((r) => r.method === 'GET' && r.path === path && (r.query.get('watch') === 'true') === watch);
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('list and watch', () => {
  let a: FakeKubeApi;
  let b: FakeKubeApi;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    a = await FakeKubeApi.start();
    b = await FakeKubeApi.start();
  });
  afterEach(async () => {
    await stop?.();
    stop = undefined;
    a.setGarbage(undefined);
    a.setOffline(false);
    // Every test starts with no watch left open by the one before.
    await until(() => a.openWatches === 0 && b.openWatches === 0);
  });
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });

  const start = (names: readonly ('a' | 'b')[] = ['a', 'b'], pageSize?: number) => {
    const clusters = createKubernetesClusters({
      clusters: names.map((n) => ({
        name: n,
        server: (n === 'a' ? a : b).url,
        skipTLSVerify: true,
        topology: { zones: [`zone-${n}`], region: 'region-1' },
      })),
      namespace: 'ns',
      ...fast,
      pageSize,
    });
    const log = new EventLog();
    const watch = clusters.watch(log.push);
    stop = () => watch.stop();
    return log;
  };

  test('a watch resumes from the bookmark resourceVersion, with no relist, even after history is compacted', async () => {
    a.putService(service('ns', 'bm'));
    const log = start(['a']);
    await log.waitFor(isShard('a', 'bm'));
    await until(() => a.openWatches === 2);
    const lists = requestsOf(a, '/api/v1/namespaces/ns/services', false).length;
    // Writes elsewhere move the server's resourceVersion on; the Service watch sees none of them, only the bookmark.
    for (let i = 0; i < 5; i++) a.setNode(`n${i}`, {});
    const bookmarkRv = String(a.store.resourceVersion);
    a.bookmark();
    await new Promise((r) => setTimeout(r, 50));
    a.store.compact();
    const watchesBefore = requestsOf(a, '/api/v1/namespaces/ns/services', true).length;
    a.endWatches();
    await until(() => requestsOf(a, '/api/v1/namespaces/ns/services', true).length > watchesBefore);
    const resumed = requestsOf(a, '/api/v1/namespaces/ns/services', true).at(-1)!;
    expect(resumed.query.get('resourceVersion')).toBe(bookmarkRv);
    expect(resumed.query.get('allowWatchBookmarks')).toBe('true');
    const mark = log.length;
    a.setIngress('ns', 'bm', [{ ip: '192.0.2.7' }]);
    await log.waitFor(
      isShard('a', 'bm', (s) => s.ingress.length === 1),
      5000,
      mark,
    );
    expect(requestsOf(a, '/api/v1/namespaces/ns/services', false).length).toBe(lists);
    a.deleteService('ns', 'bm');
  });

  test('410 Gone after an outage: relists, and reports what changed meanwhile', async () => {
    a.putService(service('ns', 'stays'));
    a.putService(service('ns', 'goes'));
    const log = start(['a']);
    await log.waitFor(isShard('a', 'goes'));
    await log.waitFor(isShard('a', 'stays'));
    const lists = requestsOf(a, '/api/v1/namespaces/ns/services', false).length;
    a.setOffline(true);
    a.deleteService('ns', 'goes');
    a.putService(service('ns', 'new'));
    a.putEndpointSlice(endpointSlice('ns', 'stays', 'stays-1', 3));
    a.store.compact();
    const mark = log.length;
    a.setOffline(false);
    await log.waitFor((e) => e.type === 'shard-removed' && e.name === 'goes', 5000, mark);
    await log.waitFor(isShard('a', 'new'), 5000, mark);
    await log.waitFor(
      isShard('a', 'stays', (s) => s.readyEndpoints === 3),
      5000,
      mark,
    );
    expect(requestsOf(a, '/api/v1/namespaces/ns/services', false).length).toBeGreaterThan(lists);
    // A watch that ran into compaction saw a 410 ERROR event, and none of this was an 'error' event.
    expect(log.events.filter((e) => e.type === 'error')).toEqual([]);
    a.deleteService('ns', 'stays');
    a.deleteService('ns', 'new');
  });

  test('a dropped connection is reopened from the last resourceVersion without relisting', async () => {
    a.putService(service('ns', 'drop'));
    const log = start(['a']);
    await log.waitFor(isShard('a', 'drop'));
    await until(() => a.openWatches === 2);
    const lists = requestsOf(a, '/api/v1/namespaces/ns/services', false).length;
    const watches = requestsOf(a, '/api/v1/namespaces/ns/services', true).length;
    const lastRv = String(a.store.resourceVersion);
    a.dropConnections();
    a.putEndpointSlice(endpointSlice('ns', 'drop', 'drop-1', 2));
    const mark = log.length;
    await log.waitFor(
      isShard('a', 'drop', (s) => s.readyEndpoints === 2),
      5000,
      mark,
    );
    await until(() => requestsOf(a, '/api/v1/namespaces/ns/services', true).length > watches);
    expect(requestsOf(a, '/api/v1/namespaces/ns/services', true).at(-1)!.query.get('resourceVersion')).toBe(lastRv);
    expect(requestsOf(a, '/api/v1/namespaces/ns/services', false).length).toBe(lists);
    a.deleteService('ns', 'drop');
  });

  test('a bad Service is reported with the cluster name; the other cluster and the good shards go on', async () => {
    a.putService(service('ns', 'good'));
    a.putService({ metadata: { name: 'bad', namespace: 'ns' }, spec: { ports: 'eighty' } });
    b.putService(service('ns', 'good'));
    const log = start();
    const error = await log.waitFor(isError('a', /services\/ns\/bad\.spec\.ports/));
    expect(error).toMatchObject({
      type: 'error',
      cluster: 'a',
      error: { name: 'ValidationError', field: 'services/ns/bad.spec.ports[0].port' },
    });
    await log.waitFor(isShard('a', 'good'));
    await log.waitFor(isShard('b', 'good'));
    expect(log.events.some(isShard('a', 'bad'))).toBe(false);

    // Over the watch: an object without a name, and a bad update of a good Service (its last good version stays).
    await until(() => a.openWatches === 2);
    const mark = log.length;
    a.injectWatchLine('services', JSON.stringify({ type: 'ADDED', object: { kind: 'Service', metadata: { namespace: 'ns' }, spec: {} } }));
    a.putService({ ...service('ns', 'good'), status: { loadBalancer: { ingress: [{ ip: 42 }] } } });
    await log.waitFor(isError('a', /services\/ns\/<unnamed>\.metadata\.name/), 5000, mark);
    await log.waitFor(isError('a', /ingress\[0\]\.ip/), 5000, mark);
    // A line that is not JSON at all: the client skips it and the stream goes on.
    a.injectWatchLine('services', '<html>proxy error</html>');
    a.putService(service('ns', 'after-garbage'));
    await log.waitFor(isShard('a', 'after-garbage'), 5000, mark);
    b.setIngress('ns', 'good', [{ ip: '198.51.100.1' }]);
    await log.waitFor(
      isShard('b', 'good', (s) => s.ingress.length === 1),
      5000,
      mark,
    );
    expect(log.events.slice(mark).some(isShard('a', 'good'))).toBe(false);
    a.deleteService('ns', 'good');
    a.deleteService('ns', 'bad');
    a.deleteService('ns', 'after-garbage');
    b.deleteService('ns', 'good');
  });

  test('an API server answering garbage is an error event for that cluster only, and watching recovers', async () => {
    a.setGarbage(/endpointslices/);
    a.putService(service('ns', 'g'));
    b.putService(service('ns', 'g'));
    const log = start();
    await log.waitFor(isError('a', /cluster "a": listing endpointslices/));
    await log.waitFor(isShard('b', 'g'));
    // Shards of a are held back until its EndpointSlices are listed: never reported with endpoints missing.
    expect(log.events.some(isShard('a', 'g'))).toBe(false);
    a.setGarbage(undefined);
    await log.waitFor(isShard('a', 'g'));
    a.deleteService('ns', 'g');
    b.deleteService('ns', 'g');
  });

  test('lists are read page by page; an expired continue token starts the list again', async () => {
    const names = ['p1', 'p2', 'p3', 'p4', 'p5'];
    for (const n of names) a.putService(service('ns', n));
    a.expireNextContinue();
    const from = a.requests.length;
    const log = start(['a'], 2);
    for (const n of names) await log.waitFor(isShard('a', n));
    const lists = a.requests.slice(from).filter((r) => r.path === '/api/v1/namespaces/ns/services' && r.query.get('watch') === null);
    expect(lists.every((r) => r.query.get('limit') === '2')).toBe(true);
    // First page, expired second page, then three pages from the start.
    expect(lists.map((r) => r.query.has('continue'))).toEqual([false, true, false, true, true]);
    expect(log.events.filter((e) => e.type === 'error')).toEqual([]);
    for (const n of names) a.deleteService('ns', n);
  });
});
