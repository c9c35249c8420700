// The fixture behaves as kube-apiserver does where fedsvc depends on it, and the adapter copes:
// Service `spec.ports` is an associative list keyed by port and protocol, owned entry by entry,
// with node ports the cluster allocates; the cluster IP is immutable; a watch from a
// resourceVersion the server has not reached ends with 504 "Too large resource version".
import { ApiException, CoreV1Api, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import type { ClusterEvent, ServiceManifest, ShardStatus } from '@fedsvc/core';
import { afterEach, describe, expect, test } from 'vitest';
import { ClusterApiError, createKubernetesClusters } from '../src/index.js';
import { EventLog, FakeKubeApi, service } from '../src/testing/index.js';

type Port = { name?: string; port: number; protocol?: string; targetPort?: number | string; nodePort?: number };
type Managed = { manager: string; operation: string; fieldsV1: Record<string, Record<string, unknown>> };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function server(): Promise<FakeKubeApi> {
  const api = await FakeKubeApi.start({ token: 't' });
  cleanup.push(() => api.stop());
  return api;
}

/** The fixture as another tool (kubectl) would reach it. */
/** A client of the fixture as another tool (kubectl) would be: the real CoreV1Api. */
function coreApi(api: FakeKubeApi): CoreV1Api {
  return api.kubeConfig().makeApiClient(CoreV1Api);
}

function kubectlApply(core: CoreV1Api, spec: Record<string, unknown>, options: { manager?: string; force?: boolean } = {}) {
  return core.patchNamespacedService(
    {
      name: 'web',
      namespace: 'ns',
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns' }, spec },
      fieldManager: options.manager ?? 'kubectl',
      force: options.force ? true : undefined,
    },
    setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
  );
}

async function refusal(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiException);
  const { code, body } = error as ApiException<unknown>;
  return { code, body: (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown> };
}

const manifest = (ports: Port[], spec: Record<string, unknown> = {}): ServiceManifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns', labels: { app: 'web' } },
  spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports, ...spec },
});

const http: Port = { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 };
const https: Port = { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 };
const metrics: Port = { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090 };

function members(api: FakeKubeApi) {
  return createKubernetesClusters({ clusters: [{ name: 'c1', server: api.url, token: 't', skipTLSVerify: true }] });
}

function live(api: FakeKubeApi): {
  spec: { clusterIP?: string; clusterIPs?: string[]; ports: Port[]; type?: string };
  metadata: { managedFields: Managed[] };
} {
  const found = api.store.get('services', 'ns', 'web');
  if (!found) throw new Error('no service ns/web');
  return api.store.list('services', 'ns').find((s) => (s['metadata'] as { name: string }).name === 'web') as never;
}

const portsByName = (api: FakeKubeApi): Record<string, Port> => Object.fromEntries(live(api).spec.ports.map((p) => [p.name, p]));
const fieldsOf = (api: FakeKubeApi, manager: string) => live(api).metadata.managedFields.find((m) => m.manager === manager)?.fieldsV1;
const HTTP_KEY = 'k:{"port":80,"protocol":"TCP"}';

describe('Service spec.ports is a list-map keyed by port and protocol', () => {
  test('the cluster allocates a node port per port, owned by no manager; managedFields name entries by key', async () => {
    const api = await server();
    await members(api).applyShard({ kind: 'create', cluster: 'c1', manifest: manifest([http]) });
    const port = portsByName(api)['http']!;
    expect(port).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 8080, nodePort: expect.any(Number) });
    expect(port.nodePort).toBeGreaterThanOrEqual(30000);
    expect(port.nodePort).toBeLessThanOrEqual(32767);
    const ports = fieldsOf(api, 'fedsvc')!['f:spec']!['f:ports'];
    expect(ports).toEqual({ [HTTP_KEY]: { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} } });
    expect(JSON.stringify(live(api).metadata.managedFields)).not.toContain('nodePort');
    // A ClusterIP Service gets none.
    api.deleteService('ns', 'web');
    await members(api).applyShard({ kind: 'create', cluster: 'c1', manifest: manifest([http], { type: 'ClusterIP' }) });
    expect(portsByName(api)['http']!.nodePort).toBeUndefined();
  });

  test('conform keeps a port another manager added and the node ports the cluster assigned; a port fedsvc stops applying goes', async () => {
    const api = await server();
    const core = coreApi(api);
    const clusters = members(api);
    await clusters.applyShard({ kind: 'create', cluster: 'c1', manifest: manifest([http, https]) });
    const assigned = portsByName(api);
    // kubectl adds a port of its own.
    await kubectlApply(core, { ports: [metrics] });
    expect(Object.keys(portsByName(api)).sort()).toEqual(['http', 'https', 'metrics']);
    const metricsNodePort = portsByName(api)['metrics']!.nodePort;
    expect(metricsNodePort).toEqual(expect.any(Number));
    expect(new Set([assigned['http']!.nodePort, assigned['https']!.nodePort, metricsNodePort]).size).toBe(3);

    // fedsvc conforms (forced): its own entries change, kubectl's stays, every node port stays.
    await clusters.applyShard({
      kind: 'conform',
      cluster: 'c1',
      manifest: manifest([{ ...http, targetPort: 8081 }, https]),
      fields: ['spec.ports'],
    });
    let after = portsByName(api);
    expect(after['http']).toEqual({ ...http, targetPort: 8081, nodePort: assigned['http']!.nodePort });
    expect(after['https']).toEqual({ ...https, nodePort: assigned['https']!.nodePort });
    expect(after['metrics']).toEqual({ ...metrics, nodePort: metricsNodePort });
    expect(Object.keys(fieldsOf(api, 'kubectl')!['f:spec']!['f:ports'] as object)).toEqual(['k:{"port":9090,"protocol":"TCP"}']);

    // fedsvc stops applying https: it goes (nobody else owns it); kubectl's port stays.
    await clusters.applyShard({
      kind: 'conform',
      cluster: 'c1',
      manifest: manifest([{ ...http, targetPort: 8081 }]),
      fields: ['spec.ports'],
    });
    after = portsByName(api);
    expect(Object.keys(after).sort()).toEqual(['http', 'metrics']);
    expect(after['http']!.nodePort).toBe(assigned['http']!.nodePort);
    expect(after['metrics']).toEqual({ ...metrics, nodePort: metricsNodePort });
    // What went out was only fedsvc's fields: no node port, no cluster IP.
    const sent = api.requests.filter((r) => r.method === 'PATCH').at(-1)!;
    expect(JSON.parse(sent.body!).spec).toEqual(manifest([{ ...http, targetPort: 8081 }]).spec);
  });

  test('each field of an entry is owned: a conflicting change by another manager is refused unless forced; a shared entry stays', async () => {
    const api = await server();
    const core = coreApi(api);
    const clusters = members(api);
    await clusters.applyShard({ kind: 'create', cluster: 'c1', manifest: manifest([http, https]) });
    const conflict = await refusal(kubectlApply(core, { ports: [{ port: 80, protocol: 'TCP', targetPort: 9999 }] }));
    expect(conflict.code).toBe(409);
    expect(conflict.body).toMatchObject({
      reason: 'Conflict',
      message: expect.stringContaining('conflict with "fedsvc": .spec.ports[port=80,protocol="TCP"].targetPort'),
    });
    // The same value is no conflict: kubectl now co-owns the https entry (protocol left to its default).
    await kubectlApply(core, { ports: [{ port: 443, targetPort: 8443 }] });
    expect(Object.keys(fieldsOf(api, 'kubectl')!['f:spec']!['f:ports'] as object)).toEqual(['k:{"port":443,"protocol":"TCP"}']);
    // fedsvc stops applying https: kubectl still owns the entry, so it stays, keeping its node port.
    const httpsNodePort = portsByName(api)['https']!.nodePort;
    await clusters.applyShard({ kind: 'conform', cluster: 'c1', manifest: manifest([http]), fields: ['spec.ports'] });
    const entries = live(api).spec.ports;
    expect(entries.map((p) => p.port)).toEqual([80, 443]);
    // The fields only fedsvc owned in it went (the port name); the protocol is defaulted again.
    expect(entries[1]).toEqual({ port: 443, protocol: 'TCP', targetPort: 8443, nodePort: httpsNodePort });
  });
});

describe('the cluster IP is immutable', () => {
  test('conform never sends clusterIP and is accepted; a change of it, headless included, is refused with 422 Invalid', async () => {
    const api = await server();
    const core = coreApi(api);
    const clusters = members(api);
    await clusters.applyShard({ kind: 'create', cluster: 'c1', manifest: manifest([http]) });
    const ip = live(api).spec.clusterIP!;
    expect(ip).toMatch(/^10\.96\./);
    expect(live(api).spec.clusterIPs).toEqual([ip]);

    await clusters.applyShard({
      kind: 'conform',
      cluster: 'c1',
      manifest: manifest([http], { sessionAffinity: 'ClientIP' }),
      fields: ['spec.sessionAffinity'],
    });
    const patches = api.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(2);
    for (const request of patches) expect(Object.keys(JSON.parse(request.body!).spec)).not.toContain('clusterIP');
    expect(live(api).spec.clusterIP).toBe(ip);

    // Another client changes it: refused, as kube-apiserver's validateUpgradeDowngradeClusterIPs does.
    const moved = await refusal(kubectlApply(core, { clusterIP: '10.96.0.250' }, { force: true }));
    expect(moved.code).toBe(422);
    expect(moved.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Invalid',
      code: 422,
      message: 'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.250"}: may not change once set',
      details: { name: 'web', kind: 'Service', causes: [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs[0]' }] },
    });
    const headless = await refusal(kubectlApply(core, { clusterIP: 'None' }, { force: true }));
    expect(headless.code).toBe(422);
    expect(String(headless.body['message'])).toContain('Invalid value: []string{"None"}: may not change once set');
    expect(live(api).spec.clusterIP).toBe(ip);
    // Applying the same IP is no change.
    await kubectlApply(core, { clusterIP: ip }, { force: true });
    expect(live(api).spec.clusterIP).toBe(ip);
    // A plain update (the fixture's putService hook) is refused the same way.
    expect(() => api.putService({ ...service('ns', 'web'), spec: { ...live(api).spec, clusterIP: '10.96.0.251' } })).toThrow(
      /HTTP 422: .*may not change once set/,
    );
  });

  test('a headless federated Service conformed onto a cluster whose Service has an IP fails as a 422 ClusterApiError and changes nothing; from headless to an IP likewise', async () => {
    const api = await server();
    const clusters = members(api);
    await clusters.applyShard({ kind: 'create', cluster: 'c1', manifest: manifest([http], { type: 'ClusterIP' }) });
    const before = live(api);
    const error = await clusters
      .applyShard({
        kind: 'conform',
        cluster: 'c1',
        manifest: manifest([http], { type: 'ClusterIP', clusterIP: 'None' }),
        fields: ['spec.clusterIP'],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterApiError);
    expect(error).toMatchObject({ cluster: 'c1', status: 422 });
    expect((error as Error).message).toContain('may not change once set');
    expect(live(api)).toEqual(before);

    api.deleteService('ns', 'web');
    await clusters.applyShard({ kind: 'create', cluster: 'c1', manifest: manifest([http], { type: 'ClusterIP', clusterIP: 'None' }) });
    expect(live(api).spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'] });
    // Headless stays headless: conforming it again is accepted.
    await clusters.applyShard({
      kind: 'conform',
      cluster: 'c1',
      manifest: manifest([http], { type: 'ClusterIP', clusterIP: 'None', sessionAffinity: 'ClientIP' }),
      fields: ['spec.sessionAffinity'],
    });
    expect(live(api).spec).toMatchObject({ clusterIP: 'None' });
    // Giving a headless Service an IP is a change of it too.
    const fromHeadless = await refusal(kubectlApply(coreApi(api), { clusterIP: '10.96.0.77' }, { force: true }));
    expect(fromHeadless.code).toBe(422);
    expect(String(fromHeadless.body['message'])).toBe(
      'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.77"}: may not change once set',
    );
    // Dropping clusterIP from what fedsvc applies is not a change: the server keeps the one it has.
    const dropped = await clusters
      .applyShard({ kind: 'conform', cluster: 'c1', manifest: manifest([http], { type: 'ClusterIP' }), fields: ['spec.clusterIP'] })
      .catch((e: unknown) => e);
    expect(dropped).toBeUndefined();
    expect(live(api).spec.clusterIP).toBe('None');
  });
});

describe('a watch from a resourceVersion newer than the server has', () => {
  test('waits (bounded) for it, then ends with an ERROR event carrying the 504 Timeout Status, as the watch cache does', async () => {
    const api = await server();
    api.setTooLargeResourceVersionWait(300);
    api.putService(service('ns', 'web'));
    const kc = api.kubeConfig();
    const ahead = api.store.resourceVersion + 10;
    const started = Date.now();
    const events: { type: string; object: unknown }[] = [];
    const ended = await new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(
        '/api/v1/namespaces/ns/services',
        { resourceVersion: String(ahead) },
        (type, object) => events.push({ type, object }),
        resolve,
      );
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(ended).toBeNull();
    expect(events).toEqual([
      {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          reason: 'Timeout',
          code: 504,
          message: `Timeout: Too large resource version: ${ahead}, current: ${api.store.resourceVersion}`,
          details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
        },
      },
    ]);

    // Reached within the wait, the watch goes on from there as usual.
    const target = api.store.resourceVersion + 1;
    const got: string[] = [];
    let stop: AbortController | undefined;
    const seen = new Promise<void>((resolve) => {
      void new Watch(kc)
        .watch(
          '/api/v1/namespaces/ns/services',
          { resourceVersion: String(target) },
          (type, object) => {
            got.push(`${type} ${(object as { metadata: { name: string } }).metadata.name}`);
            if (got.length === 1) resolve();
          },
          () => resolve(),
        )
        .then((c) => (stop = c));
    });
    setTimeout(() => {
      api.putService(service('ns', 'first')); // reaches `target`: not sent (the watch starts after it)
      api.putService(service('ns', 'second'));
    }, 50);
    await seen;
    stop?.abort();
    expect(got).toEqual(['ADDED second']);
  });

  test('the adapter relists and carries on when the server went back in time (etcd restored from a backup)', async () => {
    const api = await server();
    api.setTooLargeResourceVersionWait(100);
    const clusters = createKubernetesClusters({
      clusters: [{ name: 'c1', server: api.url, token: 't', skipTLSVerify: true, topology: { zones: ['zone-a'], region: 'region-1' } }],
      namespace: 'ns',
      healthPeriodMs: 40,
      probeTimeoutMs: 1000,
      failureThreshold: 2,
      successThreshold: 2,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    const log = new EventLog();
    const watch = clusters.watch(log.push);
    cleanup.push(() => watch.stop());
    const isShard =
      (name: string) =>
      (e: ClusterEvent): e is Extract<ClusterEvent, { type: 'shard' }> =>
        e.type === 'shard' && e.shard.name === name;

    api.putService(service('ns', 'kept'));
    await log.waitFor(isShard('kept'));
    const backup = api.store.snapshot();
    api.putService(service('ns', 'lost'));
    await log.waitFor(isShard('lost'));

    // The API server comes back with etcd restored from the backup: every resourceVersion the
    // adapter holds is now ahead of the server's.
    api.setOffline(true);
    api.store.restore(backup);
    const mark = log.length;
    const requestsBefore = api.requests.length;
    api.setOffline(false);

    // It relists and sees the restored state: the Service written after the backup is gone.
    await log.waitFor((e) => e.type === 'shard-removed' && e.name === 'lost', 5000, mark);
    const later = api.requests.slice(requestsBefore).filter((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/ns/services');
    const tooLarge = later.filter((r) => r.query.get('watch') === 'true' && Number(r.query.get('resourceVersion')) > backup.rv);
    expect(tooLarge.length).toBeGreaterThanOrEqual(1);
    // Not the same resourceVersion again and again: a list follows the refusal.
    const firstRefused = later.indexOf(tooLarge[0]!);
    expect(later.slice(firstRefused + 1).some((r) => r.query.get('watch') !== 'true')).toBe(true);

    // And it watches on from the list: a new write arrives.
    api.putService(service('ns', 'new'));
    const arrived = await log.waitFor(isShard('new'), 5000, mark);
    expect((arrived.shard as ShardStatus).name).toBe('new');
    expect(log.events.slice(mark).filter((e) => e.type === 'shard-removed' && e.name === 'kept')).toEqual([]);
    // A server that went back is no error of the Service data: no error event for it.
    expect(log.events.slice(mark).filter((e) => e.type === 'error')).toEqual([]);
  });
});
