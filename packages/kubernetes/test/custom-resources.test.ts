// The fixture serves custom resources as kube-apiserver does, driven through the real
// @kubernetes/client-node over HTTP: CRDs installed by POST, the structural schema (pruning,
// strict field validation, 422 causes naming the field), the status subresource, generation,
// finalizers, optimistic concurrency, merge and JSON patches, server-side apply with conflicts,
// lists with pages and watches with resume and 410.
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  type V1CustomResourceDefinition,
  Watch,
  loadYaml,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { fc } from '@fast-check/vitest';
import { afterEach, describe, expect, test } from 'vitest';
import { crdManifests } from '../src/index.js';
import { FakeKubeApi } from '../src/testing/index.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

// biome-ignore lint/suspicious/noExplicitAny: custom objects are loose JSON, read field by field as the API shows them
type Obj = Record<string, any>;
const FSVC = { group: 'fedsvc.io', version: 'v1alpha1', plural: 'federatedservices' } as const;
const FCLUSTER = { group: 'fedsvc.io', version: 'v1alpha1', plural: 'federatedclusters' } as const;

/** A fixture with both CRDs installed through the API, and a CustomObjectsApi client of it. */
async function host(): Promise<{ api: FakeKubeApi; kc: KubeConfig; custom: CustomObjectsApi }> {
  const api = await FakeKubeApi.start({ token: 't' });
  cleanup.push(() => api.stop());
  const kc = api.kubeConfig();
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  for (const body of crdModels()) await extensions.createCustomResourceDefinition({ body });
  return { api, kc, custom: kc.makeApiClient(CustomObjectsApi) };
}

/**
 * The CRD files as client-node models: its typed APIs serialize models, and would drop the wire
 * names (`x-kubernetes-*`, `enum`) of a plain object.
 */
function crdModels(): V1CustomResourceDefinition[] {
  return crdManifests().map((crd) => loadYaml<V1CustomResourceDefinition>(JSON.stringify(crd)));
}

/** The guide's nginx as a FederatedService. */
export function nginx(spec: Obj = {}): Obj {
  return {
    apiVersion: 'fedsvc.io/v1alpha1',
    kind: 'FederatedService',
    metadata: { name: 'nginx', namespace: 'mynamespace' },
    spec: {
      template: {
        metadata: { labels: { run: 'nginx' } },
        spec: { type: 'LoadBalancer', selector: { run: 'nginx' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }] },
      },
      ...spec,
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: number; body: Obj }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiException);
  const { code, body } = error as ApiException<unknown>;
  return { code, body: (typeof body === 'string' ? JSON.parse(body) : body) as Obj };
}

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

const create = (custom: CustomObjectsApi, body: Obj, fieldValidation?: string): Promise<Obj> =>
  custom.createNamespacedCustomObject({ ...FSVC, namespace: 'mynamespace', body, ...(fieldValidation ? { fieldValidation } : {}) });
const get = (custom: CustomObjectsApi, name = 'nginx'): Promise<Obj> =>
  custom.getNamespacedCustomObject({ ...FSVC, namespace: 'mynamespace', name });

describe('CRDs installed through the API', () => {
  test('serve their resources at their paths, namespaced or cluster-scoped, and answer 404 before', async () => {
    const api = await FakeKubeApi.start();
    cleanup.push(() => api.stop());
    const custom = api.kubeConfig().makeApiClient(CustomObjectsApi);
    expect((await refusal(create(custom, nginx()))).code).toBe(404);
    const [services] = crdModels();
    const [, clusters] = crdManifests();
    const installed = await api.kubeConfig().makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: services! });
    expect(installed.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
    api.installCrd(clusters!);
    const created = await create(custom, nginx());
    expect(created).toMatchObject({ kind: 'FederatedService', metadata: { name: 'nginx', namespace: 'mynamespace', generation: 1 } });
    await custom.createClusterCustomObject({
      ...FCLUSTER,
      body: {
        apiVersion: 'fedsvc.io/v1alpha1',
        kind: 'FederatedCluster',
        metadata: { name: 'a' },
        spec: { server: 'https://10.0.0.1:6443', secretRef: { name: 'a' } },
      },
    });
    expect((await custom.getClusterCustomObject({ ...FCLUSTER, name: 'a' })).metadata.name).toBe('a');
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toContain(
      'POST /apis/fedsvc.io/v1alpha1/namespaces/mynamespace/federatedservices',
    );
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /apis/fedsvc.io/v1alpha1/federatedclusters');
    // A second definition of the same name is refused, as the API server does.
    expect(
      (await refusal(api.kubeConfig().makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: services! }))).code,
    ).toBe(409);
  });

  test('the fixture refuses a CRD whose CEL rules it cannot evaluate, rather than skipping them', async () => {
    const api = await FakeKubeApi.start();
    cleanup.push(() => api.stop());
    const crd = structuredClone(crdManifests()[1]!) as Obj;
    crd.spec.versions[0].schema.openAPIV3Schema.properties.spec['x-kubernetes-validations'] = [{ rule: 'self.server != ""' }];
    expect(() => api.installCrd(crd)).toThrow(/cannot evaluate "self.server != \\"\\""/);
  });
});

describe('structural schema', () => {
  test('an invalid object is refused with 422 and causes naming each field in the API server words, CEL rules last', async () => {
    const { custom } = await host();
    const bad = nginx({ dns: { ttl: 2 ** 31 }, placement: { clusters: [{ name: 'a' }], clusterSelector: { matchLabels: { x: 'y' } } } });
    bad['spec'].template.spec.type = 'Headless';
    const { code, body } = await refusal(create(custom, bad));
    expect(code).toBe(422);
    expect(body).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      details: { name: 'nginx', group: 'fedsvc.io', kind: 'FederatedService' },
    });
    expect(body['details'].causes).toEqual([
      {
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "Headless": supported values: "ClusterIP", "NodePort", "LoadBalancer", "ExternalName"',
        field: 'spec.template.spec.type',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 2147483648: spec.dns.ttl in body should be less than or equal to 2147483647',
        field: 'spec.dns.ttl',
      },
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "object": clusters and clusterSelector are mutually exclusive',
        field: 'spec.placement',
      },
    ]);
    expect(body['message']).toMatch(/^FederatedService\.fedsvc\.io "nginx" is invalid: \[spec\.template\.spec\.type: Unsupported value/);
  });

  test('a CEL rule ratchets: an object stored before it failed the rule takes writes leaving that value as it was, not ones changing it', async () => {
    const { api, custom } = await host();
    // Stored past admission, as an object written before its CRD gained the rule.
    const placement = { clusters: [{ name: 'a' }], clusterSelector: { matchLabels: { x: 'y' } } };
    api.store.put('federatedservices.fedsvc.io', { ...nginx({ placement }), metadata: { name: 'nginx', namespace: 'mynamespace' } }, []);
    const status = { apiVersion: 'fedsvc.io/v1alpha1', kind: 'FederatedService', metadata: { name: 'nginx', namespace: 'mynamespace' } };
    await custom.patchNamespacedCustomObjectStatus(
      {
        ...FSVC,
        namespace: 'mynamespace',
        name: 'nginx',
        body: { ...status, status: { dns: 'InSync' } },
        fieldManager: 'fedsvc',
        force: true,
      },
      ssa,
    );
    expect((await get(custom))['status']).toEqual({ dns: 'InSync' });
    await custom.patchNamespacedCustomObject(
      { ...FSVC, namespace: 'mynamespace', name: 'nginx', body: { spec: { dns: { ttl: 60 } } } },
      merge,
    );
    const changed = { spec: { placement: { ...placement, clusters: [{ name: 'b' }] } } };
    const { code, body } = await refusal(
      custom.patchNamespacedCustomObject({ ...FSVC, namespace: 'mynamespace', name: 'nginx', body: changed }, merge),
    );
    expect(code).toBe(422);
    expect(body['details'].causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "object": clusters and clusterSelector are mutually exclusive',
        field: 'spec.placement',
      },
    ]);
  });

  test('required fields, types and duplicate list-map keys are named', async () => {
    const { custom } = await host();
    const missing = await refusal(create(custom, { ...nginx(), spec: { dns: { ttl: '60' } } }));
    expect(missing.body['details'].causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template' },
      {
        reason: 'FieldValueTypeInvalid',
        message: 'Invalid value: "60": spec.dns.ttl in body must be of type integer: "60"',
        field: 'spec.dns.ttl',
      },
      {
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
        field: '<nil>',
      },
    ]);
    const twice = await refusal(
      create(custom, nginx({ overrides: [{ clusterName: 'a' }, { clusterName: 'a', externalTrafficPolicy: 'Local' }] })),
    );
    expect(twice.body['message']).toBe(
      'FederatedService.fedsvc.io "nginx" is invalid: spec.overrides[1]: Duplicate value: map[string]interface {}{"clusterName":"a"}',
    );
  });

  test('unknown fields are pruned, kept under the template spec, and refused with fieldValidation=Strict', async () => {
    const { custom } = await host();
    const object = nginx({ surprise: 1 });
    object['spec'].template.spec.sessionAffinity = 'ClientIP';
    object['spec'].template.spec.ports[0].bogus = true;
    const strict = await refusal(create(custom, object, 'Strict'));
    expect(strict).toMatchObject({ code: 400, body: { reason: 'BadRequest' } });
    expect(strict.body['message']).toBe(
      'strict decoding error: unknown field "spec.template.spec.ports[0].bogus", unknown field "spec.surprise"',
    );
    const created = await create(custom, object);
    expect(created['spec'].surprise).toBeUndefined();
    expect(created['spec'].template.spec.ports[0].bogus).toBeUndefined();
    expect(created['spec'].template.spec.sessionAffinity).toBe('ClientIP');
  });
});

describe('status subresource and generation', () => {
  test('writes to the object ignore status, writes to /status ignore all else; generation follows the spec only', async () => {
    const { custom } = await host();
    const created = await create(custom, { ...nginx(), status: { dns: 'InSync' } });
    expect(created['status']).toBeUndefined();
    expect(created['metadata'].generation).toBe(1);
    const statusWrite = await custom.replaceNamespacedCustomObjectStatus({
      ...FSVC,
      namespace: 'mynamespace',
      name: 'nginx',
      body: { ...created, spec: { ...created['spec'], dns: { ttl: 5 } }, status: { dns: 'Pending', observedGeneration: 1 } },
    });
    expect(statusWrite['status']).toEqual({ dns: 'Pending', observedGeneration: 1 });
    expect(statusWrite['spec'].dns).toBeUndefined();
    expect(statusWrite['metadata'].generation).toBe(1);
    expect(Number(statusWrite['metadata'].resourceVersion)).toBeGreaterThan(Number(created['metadata'].resourceVersion));
    const labelled = await custom.patchNamespacedCustomObject(
      { ...FSVC, namespace: 'mynamespace', name: 'nginx', body: { metadata: { labels: { tier: 'web' } }, status: { dns: 'Failed' } } },
      merge,
    );
    expect(labelled['metadata'].generation).toBe(1);
    expect(labelled['status'].dns).toBe('Pending');
    const respec = await custom.patchNamespacedCustomObject(
      { ...FSVC, namespace: 'mynamespace', name: 'nginx', body: { spec: { dns: { ttl: 30 } } } },
      merge,
    );
    expect(respec['metadata'].generation).toBe(2);
    const statusValidated = await refusal(
      custom.patchNamespacedCustomObjectStatus(
        { ...FSVC, namespace: 'mynamespace', name: 'nginx', body: { status: { dns: 'Bad' } } },
        merge,
      ),
    );
    expect(statusValidated.body['details'].causes[0].field).toBe('status.dns');
  });

  test('a write that changes nothing stores nothing: same resourceVersion, no watch event', async () => {
    const { api, custom } = await host();
    const created = await create(custom, nginx());
    const before = api.store.resourceVersion;
    const again = await custom.replaceNamespacedCustomObject({ ...FSVC, namespace: 'mynamespace', name: 'nginx', body: created });
    expect(again['metadata'].resourceVersion).toBe(created['metadata'].resourceVersion);
    expect(api.store.resourceVersion).toBe(before);
  });
});

describe('optimistic concurrency and patches', () => {
  test('PUT with a stale resourceVersion answers 409 Conflict; JSON patch applies operations', async () => {
    const { custom } = await host();
    const created = await create(custom, nginx());
    await custom.patchNamespacedCustomObject(
      { ...FSVC, namespace: 'mynamespace', name: 'nginx', body: { spec: { dns: { ttl: 9 } } } },
      merge,
    );
    const stale = await refusal(custom.replaceNamespacedCustomObject({ ...FSVC, namespace: 'mynamespace', name: 'nginx', body: created }));
    expect(stale).toMatchObject({
      code: 409,
      body: { reason: 'Conflict', details: { name: 'nginx', group: 'fedsvc.io', kind: 'federatedservices' } },
    });
    const patched = await custom.patchNamespacedCustomObject(
      {
        ...FSVC,
        namespace: 'mynamespace',
        name: 'nginx',
        body: [
          { op: 'test', path: '/spec/dns/ttl', value: 9 },
          { op: 'replace', path: '/spec/dns/ttl', value: 10 },
          { op: 'add', path: '/metadata/finalizers', value: ['fedsvc.io/shards'] },
        ],
      },
      jsonPatch,
    );
    expect(patched['spec'].dns.ttl).toBe(10);
    expect(patched['metadata'].finalizers).toEqual(['fedsvc.io/shards']);
    const strategic = await refusal(
      custom.patchNamespacedCustomObject(
        { ...FSVC, namespace: 'mynamespace', name: 'nginx', body: {} },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(strategic.code).toBe(415);
  });
});

describe('server-side apply', () => {
  const apply = (custom: CustomObjectsApi, body: Obj, manager: string | undefined, force = false, status = false) => {
    const request = {
      ...FSVC,
      namespace: 'mynamespace',
      name: 'nginx',
      body,
      ...(manager ? { fieldManager: manager } : {}),
      ...(force ? { force } : {}),
    };
    return status ? custom.patchNamespacedCustomObjectStatus(request, ssa) : custom.patchNamespacedCustomObject(request, ssa);
  };

  test('creates, needs a field manager, and two managers setting one field differently conflict unless forced', async () => {
    const { custom } = await host();
    expect((await refusal(apply(custom, nginx(), undefined))).code).toBe(400);
    const created = await apply(custom, nginx({ dns: { ttl: 60 } }), 'kubectl');
    expect(created['metadata'].managedFields).toEqual([expect.objectContaining({ manager: 'kubectl', operation: 'Apply' })]);
    // The same value is no conflict: both own it.
    await apply(custom, { ...nginx({ dns: { ttl: 60 } }), spec: { template: nginx()['spec'].template, dns: { ttl: 60 } } }, 'ops');
    const { code, body } = await refusal(apply(custom, nginx({ dns: { ttl: 30 } }), 'other'));
    expect(code).toBe(409);
    expect(body['details'].causes).toContainEqual({
      reason: 'FieldManagerConflict',
      message: 'conflict with "kubectl"',
      field: '.spec.dns.ttl',
    });
    expect(body['details'].causes).toContainEqual({
      reason: 'FieldManagerConflict',
      message: 'conflict with "ops"',
      field: '.spec.dns.ttl',
    });
    const forced = await apply(custom, nginx({ dns: { ttl: 30 } }), 'other', true);
    expect(forced['spec'].dns.ttl).toBe(30);
  });

  test('on /status: status only, owned per subresource, conflicts named; the object must exist', async () => {
    const { custom } = await host();
    expect((await refusal(apply(custom, { ...nginx(), status: { dns: 'InSync' } }, 'fedsvc', false, true))).code).toBe(404);
    await create(custom, nginx());
    const written = await apply(
      custom,
      { ...nginx({ dns: { ttl: 1 } }), status: { dns: 'InSync', healthyClusters: '13/13' } },
      'fedsvc',
      false,
      true,
    );
    expect(written['status']).toEqual({ dns: 'InSync', healthyClusters: '13/13' });
    expect(written['spec'].dns).toBeUndefined();
    expect(written['metadata'].managedFields).toContainEqual(
      expect.objectContaining({ manager: 'fedsvc', operation: 'Apply', subresource: 'status' }),
    );
    // A later apply by the same manager that leaves a field out removes it.
    const next = await apply(custom, { ...nginx(), status: { dns: 'Pending' } }, 'fedsvc', false, true);
    expect(next['status']).toEqual({ dns: 'Pending' });
    const { code, body } = await refusal(apply(custom, { ...nginx(), status: { dns: 'Failed' } }, 'intruder', false, true));
    expect(code).toBe(409);
    expect(body['details'].causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "fedsvc"', field: '.status.dns' }]);
  });
});

describe('finalizers', () => {
  test('are a set in server-side apply: each manager owns its own, and dropping it from its apply removes only that one', async () => {
    const { custom } = await host();
    const withFinalizer = (finalizers: string[]) => ({ ...nginx(), metadata: { ...nginx()['metadata'], finalizers } });
    const target = { ...FSVC, namespace: 'mynamespace', name: 'nginx' };
    await custom.patchNamespacedCustomObject({ ...target, body: withFinalizer(['other/x']), fieldManager: 'other' }, ssa);
    const both = await custom.patchNamespacedCustomObject(
      { ...target, body: withFinalizer(['fedsvc.io/shards']), fieldManager: 'fedsvc' },
      ssa,
    );
    expect(both['metadata'].finalizers).toEqual(['other/x', 'fedsvc.io/shards']);
    const fedsvc = both['metadata'].managedFields.find((m: Obj) => m.manager === 'fedsvc');
    expect(fedsvc.fieldsV1['f:metadata']['f:finalizers']).toEqual({ 'v:"fedsvc.io/shards"': {} });
    const released = await custom.patchNamespacedCustomObject({ ...target, body: nginx(), fieldManager: 'fedsvc' }, ssa);
    expect(released['metadata'].finalizers).toEqual(['other/x']);
  });

  test('DELETE marks the object deleting and keeps it; removing the last finalizer deletes it; none may be added meanwhile', async () => {
    const { api, kc, custom } = await host();
    await create(custom, { ...nginx(), metadata: { ...nginx()['metadata'], finalizers: ['fedsvc.io/shards', 'other/x'] } });
    const events: { type: string; object: Obj }[] = [];
    const watching = await new Watch(kc).watch(
      '/apis/fedsvc.io/v1alpha1/namespaces/mynamespace/federatedservices',
      { resourceVersion: String(api.store.resourceVersion) },
      (type, object: Obj) => events.push({ type, object }),
      () => undefined,
    );
    cleanup.push(async () => watching.abort());
    const deleting = (await custom.deleteNamespacedCustomObject({ ...FSVC, namespace: 'mynamespace', name: 'nginx' })) as Obj;
    expect(deleting['metadata']).toMatchObject({
      deletionGracePeriodSeconds: 0,
      generation: 2,
      finalizers: ['fedsvc.io/shards', 'other/x'],
    });
    expect(Date.parse(deleting['metadata'].deletionTimestamp)).toBeGreaterThan(0);
    const kept = await get(custom);
    expect(kept['metadata'].deletionTimestamp).toBe(deleting['metadata'].deletionTimestamp);
    const added = await refusal(
      custom.patchNamespacedCustomObject(
        { ...FSVC, namespace: 'mynamespace', name: 'nginx', body: { metadata: { finalizers: ['fedsvc.io/shards', 'other/x', 'late/y'] } } },
        merge,
      ),
    );
    expect(added.code).toBe(422);
    expect(added.body['details'].causes).toEqual([
      {
        reason: 'FieldValueForbidden',
        message: 'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"late/y"}',
        field: 'metadata.finalizers',
      },
    ]);
    await custom.patchNamespacedCustomObject(
      { ...FSVC, namespace: 'mynamespace', name: 'nginx', body: { metadata: { finalizers: ['other/x'] } } },
      merge,
    );
    expect((await get(custom))['metadata'].finalizers).toEqual(['other/x']);
    await custom.patchNamespacedCustomObject(
      { ...FSVC, namespace: 'mynamespace', name: 'nginx', body: { metadata: { finalizers: null } } },
      merge,
    );
    expect((await refusal(get(custom))).code).toBe(404);
    await expect.poll(() => events.map((e) => e.type), { timeout: 5000 }).toEqual(['MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED']);
    expect(events[0]!.object['metadata'].deletionTimestamp).toBeDefined();
  });

  test('DELETE of an object without finalizers removes it at once', async () => {
    const { custom } = await host();
    await create(custom, nginx());
    await custom.deleteNamespacedCustomObject({ ...FSVC, namespace: 'mynamespace', name: 'nginx' });
    expect((await refusal(get(custom))).code).toBe(404);
  });
});

describe('list and watch', () => {
  test('lists page with continue tokens; watches resume from a resourceVersion and answer 410 once compacted', async () => {
    const { api, kc, custom } = await host();
    for (const name of ['a', 'b', 'c']) await create(custom, { ...nginx(), metadata: { name, namespace: 'mynamespace' } });
    const first = await custom.listNamespacedCustomObject({ ...FSVC, namespace: 'mynamespace', limit: 2 });
    expect(first['items'].map((o: Obj) => o['metadata'].name)).toEqual(['a', 'b']);
    const second = await custom.listNamespacedCustomObject({
      ...FSVC,
      namespace: 'mynamespace',
      limit: 2,
      _continue: first['metadata'].continue,
    });
    expect(second['items'].map((o: Obj) => o['metadata'].name)).toEqual(['c']);
    expect(first['kind']).toBe('FederatedServiceList');
    const from = first['metadata'].resourceVersion as string;
    await custom.patchNamespacedCustomObject({ ...FSVC, namespace: 'mynamespace', name: 'b', body: { spec: { dns: { ttl: 1 } } } }, merge);
    const seen: string[] = [];
    const watching = await new Watch(kc).watch(
      '/apis/fedsvc.io/v1alpha1/namespaces/mynamespace/federatedservices',
      { resourceVersion: from, allowWatchBookmarks: true },
      (type, object: Obj) => seen.push(`${type} ${object['metadata'].name ?? ''}`),
      () => undefined,
    );
    cleanup.push(async () => watching.abort());
    await expect.poll(() => seen).toEqual(['MODIFIED b']);
    api.bookmark();
    await expect.poll(() => seen).toEqual(['MODIFIED b', 'BOOKMARK ']);
    api.store.compact();
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(
        '/apis/fedsvc.io/v1alpha1/namespaces/mynamespace/federatedservices',
        { resourceVersion: from },
        (type, object: Obj) => {
          if (type === 'ERROR') resolve(object);
        },
        resolve,
      );
    });
    expect(await ended).toMatchObject({ code: 410, reason: 'Expired' });
  });
});

describe('test hooks', () => {
  test('putObject writes through the same admission as requests; deleteObject honours finalizers; getObject reads', async () => {
    const { api, custom } = await host();
    const written = api.putObject('federatedservices.fedsvc.io', { ...nginx(), status: { dns: 'InSync' } });
    expect(written['metadata']).toMatchObject({
      generation: 1,
      managedFields: [expect.objectContaining({ manager: 'kubectl', operation: 'Update' })],
    });
    expect(written['status']).toBeUndefined();
    expect((await get(custom))['metadata'].uid).toBe((written['metadata'] as Obj)['uid']);
    expect(() => api.putObject('federatedservices.fedsvc.io', nginx({ dns: { ttl: -1 } }))).toThrow(
      'HTTP 422: FederatedService.fedsvc.io "nginx" is invalid: spec.dns.ttl: Invalid value: -1: spec.dns.ttl in body should be greater than or equal to 0',
    );
    const withFinalizer = { ...nginx(), metadata: { ...nginx()['metadata'], finalizers: ['fedsvc.io/shards'] } };
    expect(api.putObject('federatedservices.fedsvc.io', withFinalizer)['metadata']).toMatchObject({ generation: 1 });
    api.deleteObject('federatedservices.fedsvc.io', 'mynamespace', 'nginx');
    expect(api.getObject('federatedservices.fedsvc.io', 'mynamespace', 'nginx')?.['metadata']).toMatchObject({
      deletionGracePeriodSeconds: 0,
      generation: 2,
    });
    expect(() => api.putObject('services', nginx())).toThrow(/HTTP 405/);
  });
});

describe('generation and resourceVersion', () => {
  type Write = { kind: 'label'; value: string } | { kind: 'ttl'; value: number } | { kind: 'status'; value: string };
  const write: fc.Arbitrary<Write> = fc.oneof(
    fc.record({ kind: fc.constant('label' as const), value: fc.constantFrom('a', 'b') }),
    fc.record({ kind: fc.constant('ttl' as const), value: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ kind: fc.constant('status' as const), value: fc.constantFrom('InSync', 'Pending') }),
  );

  test('generation counts the writes that changed the spec; resourceVersion moves on every write that changed anything', async () => {
    const { custom } = await host();
    let serial = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 6 }), async (writes) => {
        const name = `svc-${++serial}`;
        const target = { ...FSVC, namespace: 'mynamespace', name };
        let object = await create(custom, { ...nginx(), metadata: { name, namespace: 'mynamespace' } });
        let specChanges = 0;
        for (const w of writes) {
          const before = object;
          if (w.kind === 'status')
            object = await custom.patchNamespacedCustomObjectStatus({ ...target, body: { status: { dns: w.value } } }, merge);
          else
            object = await custom.patchNamespacedCustomObject(
              { ...target, body: w.kind === 'label' ? { metadata: { labels: { tier: w.value } } } : { spec: { dns: { ttl: w.value } } } },
              merge,
            );
          const changed =
            JSON.stringify({ ...before, metadata: { ...before['metadata'], resourceVersion: 0, managedFields: 0 } }) !==
            JSON.stringify({
              ...object,
              metadata: { ...object['metadata'], resourceVersion: 0, managedFields: 0, generation: before['metadata'].generation },
            });
          if (w.kind === 'ttl' && before['spec'].dns?.ttl !== w.value) specChanges += 1;
          expect(object['metadata'].generation).toBe(1 + specChanges);
          expect(Number(object['metadata'].resourceVersion) > Number(before['metadata'].resourceVersion)).toBe(changed);
        }
      }),
      { numRuns: 15 },
    );
  });
});
