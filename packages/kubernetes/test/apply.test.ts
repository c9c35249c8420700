// applyShard: server-side apply with field manager 'fedsvc', keeping other managers' fields.
import {
  ADOPTED_BY_ANNOTATION,
  APPLIED_ANNOTATION,
  CREATED_BY_ANNOTATION,
  type ServiceManifest,
  ValidationError,
  desiredManifest,
} from '@fedsvc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ClusterApiError, createKubernetesClusters } from '../src/index.js';
import { FakeKubeApi, service } from '../src/testing/index.js';

const manifest = (labels: Record<string, string>, spec: Record<string, unknown> = {}): ServiceManifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx', namespace: 'mynamespace', labels },
  spec: { type: 'LoadBalancer', selector: { app: 'nginx' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }], ...spec },
});

describe('applyShard', () => {
  let api: FakeKubeApi;
  const clusters = () => createKubernetesClusters({ clusters: [{ name: 'c1', server: api.url, token: 't', skipTLSVerify: true }] });

  beforeAll(async () => {
    api = await FakeKubeApi.start({ token: 't' });
  });
  afterAll(async () => {
    await api.stop();
  });

  const live = () => api.store.list('services', 'mynamespace').find((s) => (s['metadata'] as { name: string }).name === 'nginx');

  test('create: applies only our fields with fieldManager fedsvc; the cluster fills in the rest', async () => {
    await clusters().applyShard({
      kind: 'create',
      cluster: 'c1',
      manifest: manifest({ app: 'nginx', 'federation.fedsvc.io/service': 'nginx' }),
    });
    const request = api.requests.at(-1)!;
    expect(request).toMatchObject({
      method: 'PATCH',
      path: '/api/v1/namespaces/mynamespace/services/nginx',
      contentType: 'application/apply-patch+yaml',
      authorization: 'Bearer t',
    });
    expect(request.query.get('fieldManager')).toBe('fedsvc');
    expect(request.query.get('force')).toBe('true');
    const created = live()!;
    expect(created['spec']).toMatchObject({ type: 'LoadBalancer', clusterIP: expect.stringMatching(/^10\.96\./) });
    const managed = (created['metadata'] as { managedFields: { manager: string; operation: string; fieldsV1: Record<string, unknown> }[] })
      .managedFields;
    expect(managed).toEqual([
      expect.objectContaining({
        manager: 'fedsvc',
        operation: 'Apply',
        fieldsV1: expect.objectContaining({ 'f:metadata': { 'f:labels': { 'f:app': {}, 'f:federation.fedsvc.io/service': {} } } }),
      }),
    ]);
    // The allocated cluster IP is the cluster's, not ours.
    expect(JSON.stringify(managed)).not.toContain('clusterIP');
  });

  test('create finds a Service someone made since the controller looked: it is adopted, not marked as created', async () => {
    api.deleteService('mynamespace', 'nginx');
    const theirs = service('mynamespace', 'nginx', { type: 'ClusterIP', sessionAffinity: 'ClientIP' });
    api.putService(theirs);
    const ours = manifest({ app: 'nginx' });
    const marked = { ...ours, metadata: { ...ours.metadata, annotations: { [CREATED_BY_ANNOTATION]: 'fed-a' } } };
    await clusters().applyShard({ kind: 'create', cluster: 'c1', manifest: marked });
    const after = live()!;
    expect((after['metadata'] as { annotations?: Record<string, string> }).annotations?.[CREATED_BY_ANNOTATION]).toBeUndefined();
    // Marked as adopted by the owner instead, so that it is released, not left marked, when its service goes.
    expect((after['metadata'] as { annotations?: Record<string, string> }).annotations?.[ADOPTED_BY_ANNOTATION]).toBe('fed-a');
    expect(after['spec']).toMatchObject({ type: 'LoadBalancer', sessionAffinity: 'ClientIP' });
    // Where nothing is there, the create marks it; a second create of our own Service (its first answer lost) keeps the mark.
    api.deleteService('mynamespace', 'nginx');
    await clusters().applyShard({ kind: 'create', cluster: 'c1', manifest: marked });
    expect((live()!['metadata'] as { annotations?: Record<string, string> }).annotations?.[CREATED_BY_ANNOTATION]).toBe('fed-a');
    await clusters().applyShard({ kind: 'create', cluster: 'c1', manifest: marked });
    expect((live()!['metadata'] as { annotations?: Record<string, string> }).annotations?.[CREATED_BY_ANNOTATION]).toBe('fed-a');
  });

  test("each federation its own field manager: one adopting another's Service leaves that one's mark and fields alone", async () => {
    api.deleteService('mynamespace', 'nginx');
    const a = createKubernetesClusters({
      clusters: [{ name: 'c1', server: api.url, token: 't', skipTLSVerify: true }],
      fieldManager: 'fedsvc-a',
    });
    const b = createKubernetesClusters({
      clusters: [{ name: 'c1', server: api.url, token: 't', skipTLSVerify: true }],
      fieldManager: 'fedsvc-b',
    });
    const ours = manifest({ app: 'nginx' });
    await a.applyShard({
      kind: 'create',
      cluster: 'c1',
      manifest: { ...ours, metadata: { ...ours.metadata, annotations: { [CREATED_BY_ANNOTATION]: 'fed-a' } } },
    });
    expect(api.requests.at(-1)!.query.get('fieldManager')).toBe('fedsvc-a');
    await b.applyShard({
      kind: 'conform',
      cluster: 'c1',
      manifest: manifest({ app: 'nginx', team: 'b' }),
      fields: ['metadata.labels.team'],
    });
    expect(api.requests.at(-1)!.query.get('fieldManager')).toBe('fedsvc-b');
    const meta = live()!['metadata'] as { labels: Record<string, string>; annotations?: Record<string, string> };
    expect(meta.annotations?.[CREATED_BY_ANNOTATION]).toBe('fed-a');
    expect(meta.labels).toEqual({ app: 'nginx', team: 'b' });
    expect(() => createKubernetesClusters({ clusters: [], fieldManager: 'has space' })).toThrow(ValidationError);
  });

  test('conform: an adopted Service keeps the fields other managers own; ours change, and ours we drop go', async () => {
    api.deleteService('mynamespace', 'nginx');
    const existing = service('mynamespace', 'nginx', { type: 'ClusterIP', clusterIP: '10.96.7.7', sessionAffinity: 'ClientIP' });
    (existing['metadata'] as Record<string, unknown>)['labels'] = { app: 'nginx', team: 'payments' };
    (existing['metadata'] as Record<string, unknown>)['annotations'] = { 'owner.example.com/oncall': 'alice' };
    api.putService(existing, 'kubectl');
    const members = clusters();
    await members.applyShard({
      kind: 'conform',
      cluster: 'c1',
      manifest: manifest({ app: 'nginx', tier: 'web' }),
      fields: ['spec.type', 'metadata.labels.tier'],
    });
    let after = live()!;
    expect(after['metadata']).toMatchObject({
      labels: { app: 'nginx', team: 'payments', tier: 'web' },
      annotations: { 'owner.example.com/oncall': 'alice' },
    });
    // spec.type was kubectl's and differed: forced to ours. clusterIP and sessionAffinity stay.
    expect(after['spec']).toMatchObject({ type: 'LoadBalancer', clusterIP: '10.96.7.7', sessionAffinity: 'ClientIP' });

    // Dropping a label we applied removes it; labels others own stay.
    await members.applyShard({ kind: 'conform', cluster: 'c1', manifest: manifest({ app: 'nginx' }), fields: ['metadata.labels.tier'] });
    after = live()!;
    expect((after['metadata'] as { labels: Record<string, string> }).labels).toEqual({ app: 'nginx', team: 'payments' });
    const managers = (after['metadata'] as { managedFields: { manager: string }[] }).managedFields.map((m) => m.manager).sort();
    expect(managers).toEqual(['fedsvc', 'kubectl']);
  });

  test('without force the fixture refuses a conflicting apply, as the API server does', async () => {
    const response = await fetch(`${api.url}/api/v1/namespaces/mynamespace/services/nginx?fieldManager=other`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer t', 'content-type': 'application/apply-patch+yaml' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { type: 'NodePort' } }),
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      kind: 'Status',
      reason: 'Conflict',
      message: expect.stringContaining('conflict with "fedsvc": .spec.type'),
    });
  });

  test("release removes the federation's annotations by merge patch and nothing else; another federation's mark stays", async () => {
    api.deleteService('mynamespace', 'nginx');
    // Someone's Service, created by another federation, adopted by this one.
    const theirs = service('mynamespace', 'nginx', { type: 'ClusterIP', sessionAffinity: 'ClientIP' });
    const meta = theirs['metadata'] as Record<string, unknown>;
    meta['annotations'] = { [CREATED_BY_ANNOTATION]: 'fed-other', team: 'web' };
    api.putService(theirs);
    const members = clusters();
    await members.applyShard({
      kind: 'conform',
      cluster: 'c1',
      manifest: desiredManifest(manifest({ app: 'nginx' }), 'fed-a', false),
      fields: [],
    });
    const adopted = live()!;
    const annotationsOf = (object: Record<string, unknown>) => (object['metadata'] as { annotations?: Record<string, string> }).annotations;
    expect(annotationsOf(adopted)).toMatchObject({ [ADOPTED_BY_ANNOTATION]: 'fed-a', [CREATED_BY_ANNOTATION]: 'fed-other', team: 'web' });

    await members.applyShard({ kind: 'release', cluster: 'c1', namespace: 'mynamespace', name: 'nginx' });
    const request = api.requests.at(-1)!;
    expect(request).toMatchObject({
      method: 'PATCH',
      path: '/api/v1/namespaces/mynamespace/services/nginx',
      contentType: 'application/merge-patch+json',
    });
    const released = live()!;
    expect(annotationsOf(released)).toEqual({ [CREATED_BY_ANNOTATION]: 'fed-other', team: 'web' });
    expect(released['spec']).toEqual(adopted['spec']);
    expect((released['metadata'] as { labels?: unknown }).labels).toEqual((adopted['metadata'] as { labels?: unknown }).labels);
    // The annotations it removed are no manager's any more.
    const managed = JSON.stringify((released['metadata'] as { managedFields?: unknown }).managedFields);
    expect(managed).not.toContain(ADOPTED_BY_ANNOTATION);
    expect(managed).not.toContain(APPLIED_ANNOTATION);

    // Releasing again, or a Service that is gone, is not an error.
    await members.applyShard({ kind: 'release', cluster: 'c1', namespace: 'mynamespace', name: 'nginx' });
    api.deleteService('mynamespace', 'nginx');
    await members.applyShard({ kind: 'release', cluster: 'c1', namespace: 'mynamespace', name: 'nginx' });
    expect(live()).toBeUndefined();
  });

  test('delete removes the Service; deleting it again is not an error; leave sends nothing', async () => {
    const members = clusters();
    await members.applyShard({ kind: 'delete', cluster: 'c1', namespace: 'mynamespace', name: 'nginx' });
    expect(live()).toBeUndefined();
    await members.applyShard({ kind: 'delete', cluster: 'c1', namespace: 'mynamespace', name: 'nginx' });
    const count = api.requests.length;
    await members.applyShard({ kind: 'leave', cluster: 'c1' });
    expect(api.requests.length).toBe(count);
  });

  test('bad actions are ValidationErrors and send nothing; server refusals are ClusterApiErrors naming the cluster', async () => {
    const members = clusters();
    const count = api.requests.length;
    await expect(members.applyShard({ kind: 'create', cluster: 'elsewhere', manifest: manifest({}) })).rejects.toThrow(
      /action\.cluster: is not a member cluster/,
    );
    const bad = { ...manifest({}), metadata: { name: 'Nginx_1', namespace: 'mynamespace' } };
    const error = await members.applyShard({ kind: 'create', cluster: 'c1', manifest: bad }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'action.manifest.metadata.name', value: 'Nginx_1' });
    expect(api.requests.length).toBe(count);

    const denied = createKubernetesClusters({ clusters: [{ name: 'c1', server: api.url, token: 'wrong', skipTLSVerify: true }] });
    const refusal = await denied.applyShard({ kind: 'create', cluster: 'c1', manifest: manifest({}) }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ClusterApiError);
    expect(refusal).toMatchObject({ cluster: 'c1', status: 401 });
    expect(String((refusal as Error).message)).not.toContain('wrong');
  });
});
