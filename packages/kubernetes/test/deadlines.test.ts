// Nothing waits unboundedly on a member API server: writes and list pages have a deadline, watches
// ask the server to end them, and a watch that goes silent is abandoned and resumed.
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { type ServiceManifest, ValidationError } from '@fedsvc/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ClusterApiError, createKubernetesClusters } from '../src/index.js';
import { abortedBy } from '../src/deadline.js';
import { type WatchEventType, startListWatch } from '../src/list-watch.js';
import { silentLogger } from '../src/options.js';
import { FakeKubeApi, type RecordedRequest, service } from '../src/testing/index.js';

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `promise`, or a rejection after `ms`: a test of a deadline must not itself hang. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const manifest = (name: string): ServiceManifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'ns', labels: { app: name } },
  spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }] },
});

describe('request deadlines of applyShard', () => {
  let api: FakeKubeApi;
  beforeAll(async () => {
    api = await FakeKubeApi.start({ token: 't' });
  });
  afterAll(async () => {
    await api.stop();
  });
  const members = (requestTimeoutMs?: number) =>
    createKubernetesClusters({ clusters: [{ name: 'c1', server: api.url, token: 't', skipTLSVerify: true }], requestTimeoutMs });

  test('a server-side apply that is never answered fails within requestTimeoutMs as a ClusterApiError; the next apply succeeds', async () => {
    const clusters = members(300);
    api.hangNext((r) => r.method === 'PATCH' && r.path === '/api/v1/namespaces/ns/services/slow');
    const began = performance.now();
    const error = await within(3000, clusters.applyShard({ kind: 'create', cluster: 'c1', manifest: manifest('slow') })).catch(
      (e: unknown) => e,
    );
    const took = performance.now() - began;
    expect(error).toBeInstanceOf(ClusterApiError);
    expect(error).toMatchObject({ cluster: 'c1', status: undefined });
    expect((error as Error).message).toMatch(/cluster "c1": server-side apply of service ns\/slow: no answer within 300 ms/);
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
    // The request was aborted, not left hanging on its connection.
    await until(() => api.hungRequestsOpen === 0, 2000);
    await within(3000, clusters.applyShard({ kind: 'create', cluster: 'c1', manifest: manifest('slow') }));
    expect(api.store.get('services', 'ns', 'slow')).toBeDefined();
  });

  test('a delete that is never answered fails within requestTimeoutMs; the next delete succeeds', async () => {
    const clusters = members(300);
    api.putService(service('ns', 'gone'));
    api.hangNext((r) => r.method === 'DELETE' && r.path === '/api/v1/namespaces/ns/services/gone');
    const error = await within(3000, clusters.applyShard({ kind: 'delete', cluster: 'c1', namespace: 'ns', name: 'gone' })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClusterApiError);
    expect((error as Error).message).toMatch(/delete of service ns\/gone: no answer within 300 ms/);
    expect(api.store.get('services', 'ns', 'gone')).toBeDefined();
    await within(3000, clusters.applyShard({ kind: 'delete', cluster: 'c1', namespace: 'ns', name: 'gone' }));
    expect(api.store.get('services', 'ns', 'gone')).toBeUndefined();
  });

  test('the deadline options are validated like the others', () => {
    const base = { clusters: [{ name: 'c1', server: 'http://127.0.0.1:1', skipTLSVerify: true }] };
    for (const field of ['requestTimeoutMs', 'minWatchTimeoutSeconds', 'watchIdleTimeoutMs'] as const) {
      for (const bad of [0, -1, 1.5, '100']) {
        expect(() => createKubernetesClusters({ ...base, [field]: bad as number })).toThrow(ValidationError);
        expect(() => createKubernetesClusters({ ...base, [field]: bad as number })).toThrow(new RegExp(`options\\.${field}`));
      }
    }
    expect(() =>
      createKubernetesClusters({ ...base, requestTimeoutMs: 1, minWatchTimeoutSeconds: 1, watchIdleTimeoutMs: 1 }),
    ).not.toThrow();
  });
});

describe('list and watch deadlines', () => {
  let api: FakeKubeApi;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    api = await FakeKubeApi.start();
  });
  afterEach(async () => {
    await stop?.();
    stop = undefined;
    await until(() => api.openWatches === 0 && api.hungRequestsOpen === 0);
  });
  afterAll(async () => {
    await api.stop();
  });

  const PATH = '/api/v1/namespaces/ns/services';
  const isList = (r: RecordedRequest) => r.method === 'GET' && r.path === PATH && r.query.get('watch') !== 'true';
  const isWatch = (r: RecordedRequest) => r.method === 'GET' && r.path === PATH && r.query.get('watch') === 'true';

  /** The package's list-watch of Services in `ns` over the real client, with small deadlines. */
  const start = (options: { requestTimeoutMs?: number; watchIdleTimeoutMs?: number; minWatchTimeoutSeconds?: number } = {}) => {
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser({ name: 'a', server: api.url, skipTLSVerify: true }, { name: 'a-user' });
    const core = kc.makeApiClient(CoreV1Api);
    const seen = { lists: [] as string[][], events: [] as { type: WatchEventType; name: string }[], errors: [] as Error[] };
    const nameOf = (o: unknown) => String((o as { metadata?: { name?: unknown } }).metadata?.name);
    const run = startListWatch(
      {
        resource: 'services',
        watchPath: PATH,
        watch: new Watch(kc),
        list: (token, signal) => core.listNamespacedService({ namespace: 'ns', limit: 500, _continue: token }, abortedBy(signal)),
      },
      {
        replace: (items) => seen.lists.push(items.map(nameOf)),
        event: (type, object) => seen.events.push({ type, name: nameOf(object) }),
        error: (error) => seen.errors.push(error),
      },
      { backoff: { initialMs: 20, maxMs: 100 }, logger: silentLogger, cluster: 'a', ...options },
    );
    stop = () => run.stop();
    return seen;
  };

  test('a list that is never answered is abandoned at its deadline and listed again: the Services arrive', async () => {
    api.putService(service('ns', 'l1'));
    api.hangNext(isList);
    const from = api.requests.length;
    const began = performance.now();
    const seen = start({ requestTimeoutMs: 300 });
    await until(() => seen.lists.length > 0, 3000);
    expect(performance.now() - began).toBeGreaterThanOrEqual(290);
    expect(seen.lists[0]).toEqual(['l1']);
    expect(api.requests.slice(from).filter(isList)).toHaveLength(2);
    // The abandoned list was aborted, its connection closed; an unreachable server is not a bad-input error.
    await until(() => api.hungRequestsOpen === 0, 2000);
    expect(seen.errors).toEqual([]);
    api.deleteService('ns', 'l1');
  });

  test('stopping does not wait for a list that is never answered', async () => {
    api.hangNext(isList);
    const from = api.requests.length;
    start({ requestTimeoutMs: 60_000 });
    await until(() => api.requests.slice(from).some(isList));
    const began = performance.now();
    await within(2000, stop!());
    stop = undefined;
    expect(performance.now() - began).toBeLessThan(1000);
  });

  test('watches ask the server to end them after a randomized timeoutSeconds', async () => {
    const from = api.requests.length;
    start({ minWatchTimeoutSeconds: 60 });
    await until(() => api.openWatches === 1);
    const watch = api.requests.slice(from).find(isWatch)!;
    const timeout = Number(watch.query.get('timeoutSeconds'));
    expect(Number.isInteger(timeout)).toBe(true);
    expect(timeout).toBeGreaterThanOrEqual(60);
    expect(timeout).toBeLessThan(120);
  });

  test('a watch that goes silent (kept open, nothing sent) is abandoned by the watchdog and resumed from the last resourceVersion', async () => {
    api.putService(service('ns', 'w1'));
    const from = api.requests.length;
    const seen = start({ watchIdleTimeoutMs: 400 });
    await until(() => seen.lists.length === 1 && api.openWatches === 1);
    api.putService(service('ns', 'w2'));
    await until(() => seen.events.some((e) => e.name === 'w2'));
    const lastRv = String(api.store.resourceVersion);
    const watches = api.requests.slice(from).filter(isWatch).length;
    api.silenceWatches();
    api.putService(service('ns', 'w3'));
    // Nothing reaches the client over the silent watch; the watchdog gives up on it and re-watches.
    await until(() => seen.events.some((e) => e.name === 'w3'), 3000);
    const resumed = api.requests.slice(from).filter(isWatch).slice(watches);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(resumed[0]!.query.get('resourceVersion')).toBe(lastRv);
    // Resumed, not relisted.
    expect(seen.lists).toHaveLength(1);
    expect(api.requests.slice(from).filter(isList)).toHaveLength(1);
    // The silent watch was closed by the client, not left open beside the new one.
    await until(() => api.openWatches === 1, 2000);
    for (const n of ['w1', 'w2', 'w3']) api.deleteService('ns', n);
  });

  test('a watch the server never answers (no headers) is abandoned by the watchdog and its connection closed', async () => {
    const from = api.requests.length;
    const seen = start({ watchIdleTimeoutMs: 400 });
    await until(() => seen.lists.length === 1);
    api.hangNext(isWatch);
    api.endWatches();
    await until(() => api.hungRequestsOpen === 1, 2000);
    api.putService(service('ns', 'h1'));
    await until(() => seen.events.some((e) => e.name === 'h1'), 3000);
    // Before the server answered, the client's Watch had no abort handle to give; the request was aborted anyway.
    await until(() => api.hungRequestsOpen === 0, 2000);
    expect(api.requests.slice(from).filter(isList)).toHaveLength(1);
    api.deleteService('ns', 'h1');
  });
});
