// The fixture serves Secrets (read, listed and watched; written by test hooks) and Events of both
// APIs (core/v1 and events.k8s.io/v1: created, patched, listed), through the real client-node, and
// records every request so a test can tell which verbs and resources the code used.
import {
  type ApiException,
  CoreV1Api,
  EventsV1Api,
  type KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterEach, describe, expect, test } from 'vitest';
import { FakeKubeApi, requestAttributes } from '../src/testing/index.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function start(): Promise<{ api: FakeKubeApi; kc: KubeConfig }> {
  const api = await FakeKubeApi.start();
  cleanup.push(() => api.stop());
  return { api, kc: api.kubeConfig() };
}

const involved = { apiVersion: 'fedsvc.io/v1alpha1', kind: 'FederatedService', name: 'nginx', namespace: 'mynamespace', uid: 'uid-1' };

describe('Secrets', () => {
  test('are read, listed and watched as set by the test hooks, data base64-encoded as on the wire', async () => {
    const { api, kc } = await start();
    const core = kc.makeApiClient(CoreV1Api);
    api.putSecret('fedsvc-system', 'member-a', { token: 'first', 'ca.crt': 'PEM' });
    const secret = await core.readNamespacedSecret({ namespace: 'fedsvc-system', name: 'member-a' });
    expect(Buffer.from(secret.data?.['token'] ?? '', 'base64').toString()).toBe('first');
    const list = await core.listNamespacedSecret({ namespace: 'fedsvc-system' });
    const events: string[] = [];
    const watching = await new Watch(kc).watch(
      '/api/v1/namespaces/fedsvc-system/secrets',
      { resourceVersion: list.metadata?.resourceVersion },
      (type, object: { data?: Record<string, string> }) =>
        events.push(`${type} ${Buffer.from(object.data?.['token'] ?? '', 'base64').toString()}`),
      () => undefined,
    );
    cleanup.push(async () => watching.abort());
    api.putSecret('fedsvc-system', 'member-a', { token: 'rotated' });
    api.deleteSecret('fedsvc-system', 'member-a');
    await expect.poll(() => events).toEqual(['MODIFIED rotated', 'DELETED rotated']);
    const missing = await core.readNamespacedSecret({ namespace: 'fedsvc-system', name: 'member-a' }).catch((e: unknown) => e);
    expect((missing as ApiException<unknown>).code).toBe(404);
    expect(
      api.requests.filter((r) => r.path.includes('/secrets')).map((r) => `${r.method} ${r.query.get('watch') ? 'watch' : ''}`),
    ).toEqual(['GET ', 'GET ', 'GET watch', 'GET ']);
  });

  test('are not written through the API (the fixture serves reads only)', async () => {
    const { kc } = await start();
    const core = kc.makeApiClient(CoreV1Api);
    const refused = await core
      .createNamespacedSecret({ namespace: 'ns', body: { metadata: { name: 's' }, data: {} } })
      .catch((e: unknown) => e as ApiException<unknown>);
    expect((refused as ApiException<unknown>).code).toBe(405);
  });
});

describe('Events', () => {
  test('core/v1 Events are created and patched (a repeat counted), and kept for the test to read', async () => {
    const { api, kc } = await start();
    const core = kc.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedEvent({
      namespace: 'mynamespace',
      body: {
        metadata: { name: 'nginx.1', namespace: 'mynamespace' },
        involvedObject: involved,
        reason: 'ShardCreated',
        message: 'shard created in gce-us-central1-a',
        type: 'Normal',
        count: 1,
        source: { component: 'fedsvc' },
      },
    });
    expect(created.metadata.resourceVersion).toBeDefined();
    await core.patchNamespacedEvent(
      { namespace: 'mynamespace', name: 'nginx.1', body: { count: 2, lastTimestamp: new Date('2026-12-04T23:00:00Z') } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const listed = await core.listNamespacedEvent({ namespace: 'mynamespace' });
    expect(listed.items.map((e) => [e.reason, e.count])).toEqual([['ShardCreated', 2]]);
    expect(api.listEvents('mynamespace')).toEqual([
      expect.objectContaining({ apiVersion: 'v1', kind: 'Event', reason: 'ShardCreated', count: 2 }),
    ]);
  });

  test('events.k8s.io/v1 Events are created (generateName too), merge-patched and listed apart from core ones', async () => {
    const { api, kc } = await start();
    const events = kc.makeApiClient(EventsV1Api);
    const created = await events.createNamespacedEvent({
      namespace: 'mynamespace',
      body: {
        metadata: { generateName: 'nginx.', namespace: 'mynamespace' },
        eventTime: new Date('2026-12-04T23:00:00.000000Z'),
        regarding: involved,
        reason: 'DNSUpdated',
        note: '3 record sets changed',
        type: 'Normal',
        action: 'Update',
        reportingController: 'fedsvc.io/controller',
        reportingInstance: 'fedsvc-0',
      },
    });
    const name = created.metadata?.name ?? '';
    expect(name).toMatch(/^nginx\./);
    await events.patchNamespacedEvent(
      { namespace: 'mynamespace', name, body: { series: { count: 2, lastObservedTime: new Date('2026-12-04T23:01:00.000000Z') } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const listed = await events.listNamespacedEvent({ namespace: 'mynamespace' });
    expect(listed.items.map((e) => [e.reason, e.series?.count])).toEqual([['DNSUpdated', 2]]);
    expect(api.listEvents()).toEqual([expect.objectContaining({ apiVersion: 'events.k8s.io/v1', note: '3 record sets changed' })]);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /apis/events.k8s.io/v1/namespaces/mynamespace/events',
      `PATCH /apis/events.k8s.io/v1/namespaces/mynamespace/events/${name}`,
      'GET /apis/events.k8s.io/v1/namespaces/mynamespace/events',
    ]);
  });
});

describe('requestAttributes', () => {
  test("tells each recorded request's RBAC verb, group, resource, subresource, namespace and name", () => {
    const at = (method: string, path: string, query = '') => requestAttributes({ method, path, query: new URLSearchParams(query) });
    expect(at('GET', '/api/v1/namespaces/ns/secrets', 'watch=true')).toEqual({
      verb: 'watch',
      group: '',
      resource: 'secrets',
      subresource: '',
      namespace: 'ns',
      name: '',
    });
    expect(at('GET', '/api/v1/namespaces/ns/secrets')).toMatchObject({ verb: 'list', resource: 'secrets' });
    expect(at('GET', '/api/v1/namespaces/ns/secrets/s')).toMatchObject({ verb: 'get', name: 's' });
    expect(at('PATCH', '/apis/fedsvc.io/v1alpha1/namespaces/ns/federatedservices/nginx/status')).toEqual({
      verb: 'patch',
      group: 'fedsvc.io',
      resource: 'federatedservices',
      subresource: 'status',
      namespace: 'ns',
      name: 'nginx',
    });
    expect(at('POST', '/apis/events.k8s.io/v1/namespaces/ns/events')).toMatchObject({
      verb: 'create',
      group: 'events.k8s.io',
      resource: 'events',
    });
    expect(at('PUT', '/apis/fedsvc.io/v1alpha1/federatedclusters/a')).toMatchObject({
      verb: 'update',
      namespace: '',
      resource: 'federatedclusters',
      name: 'a',
    });
    expect(at('DELETE', '/apis/fedsvc.io/v1alpha1/federatedclusters/a')).toMatchObject({ verb: 'delete' });
    expect(at('GET', '/readyz')).toBeUndefined();
  });
});
