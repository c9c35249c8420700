// The CRD files the package ships: they parse, their schemas are structural and describe every
// field, they define the names the federation's design gives them, and an API server holding them
// (the fixture, through client-node) takes the guide's nginx and a member cluster and refuses
// malformed objects naming the field.
import { fc } from '@fast-check/vitest';
import { type ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { crdManifests } from '../src/index.js';
import { FakeKubeApi } from '../src/testing/index.js';
import { structuralProblems } from '../src/testing/schema.js';

// biome-ignore lint/suspicious/noExplicitAny: CRDs and custom objects are loose JSON, read field by field as the API shows them
type Obj = Record<string, any>;

const crdDir = fileURLToPath(new URL('../crds/', import.meta.url));
const [services, clusters] = crdManifests() as Obj[];

/** Every schema node under `schema`, with its path. */
function nodes(schema: Obj, path = ''): [string, Obj][] {
  const out: [string, Obj][] = [[path, schema]];
  for (const [name, child] of Object.entries((schema['properties'] ?? {}) as Obj)) out.push(...nodes(child, `${path}.${name}`));
  if (schema['items']) out.push(...nodes(schema['items'], `${path}[]`));
  if (typeof schema['additionalProperties'] === 'object') out.push(...nodes(schema['additionalProperties'], `${path}{}`));
  return out;
}

describe('the CRD files', () => {
  test('are the files in crds/, each one CustomResourceDefinition, read by crdManifests()', () => {
    const files = readdirSync(crdDir).sort();
    expect(files).toEqual(['federatedclusters.yaml', 'federatedservices.yaml']);
    for (const file of files) {
      const documents = yaml.loadAll(readFileSync(`${crdDir}${file}`, 'utf8')) as Obj[];
      expect(documents).toHaveLength(1);
      expect(crdManifests()).toContainEqual(documents[0]);
    }
  });

  test('define the design names: group, kinds, plurals, short names, scope, one version with status subresource and printer columns', () => {
    expect(services).toMatchObject({
      apiVersion: 'apiextensions.k8s.io/v1',
      metadata: { name: 'federatedservices.fedsvc.io' },
      spec: {
        group: 'fedsvc.io',
        scope: 'Namespaced',
        names: { kind: 'FederatedService', plural: 'federatedservices', shortNames: ['fsvc'] },
      },
    });
    expect(clusters).toMatchObject({
      metadata: { name: 'federatedclusters.fedsvc.io' },
      spec: {
        group: 'fedsvc.io',
        scope: 'Cluster',
        names: { kind: 'FederatedCluster', plural: 'federatedclusters', shortNames: ['fcluster'] },
      },
    });
    const columns = (crd: Obj) => crd['spec'].versions[0].additionalPrinterColumns.map((c: Obj) => `${c.name} ${c.jsonPath}`);
    expect(columns(services!)).toEqual(['Healthy .status.healthyClusters', 'DNS .status.dns', 'Age .metadata.creationTimestamp']);
    expect(columns(clusters!)).toEqual([
      'Status .status.health',
      'Region .status.region',
      'Zones .status.zones',
      'Age .metadata.creationTimestamp',
    ]);
    for (const crd of [services!, clusters!]) {
      expect(crd['spec'].versions).toEqual([
        expect.objectContaining({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } }),
      ]);
    }
  });

  test('are structural: every node typed, only known keywords, every field described, unknown fields kept only in the Service template', () => {
    for (const crd of [services!, clusters!]) {
      const schema = crd['spec'].versions[0].schema.openAPIV3Schema;
      expect(structuralProblems(schema)).toEqual([]);
      const all = nodes(schema);
      expect(
        all.filter(
          ([, node]) => typeof node['description'] !== 'string' && typeof node['type'] !== 'string' && !node['x-kubernetes-int-or-string'],
        ),
      ).toEqual([]);
      // Every field (a property) says what it is; map values and list items may leave it to their field.
      const fields = all.filter(([path]) => path !== '' && !path.endsWith('[]') && !path.endsWith('{}'));
      expect(fields.filter(([, node]) => typeof node['description'] !== 'string').map(([path]) => path)).toEqual([]);
      const preserving = all.filter(([, node]) => node['x-kubernetes-preserve-unknown-fields']).map(([path]) => path);
      expect(preserving).toEqual(crd === services ? ['.spec.template.spec'] : []);
    }
  });
});

describe('an API server holding the CRDs', () => {
  let api: FakeKubeApi;
  let custom: CustomObjectsApi;
  beforeAll(async () => {
    api = await FakeKubeApi.start();
    for (const crd of crdManifests()) api.installCrd(crd);
    custom = api.kubeConfig().makeApiClient(CustomObjectsApi);
  });
  afterAll(() => api.stop());

  let serial = 0;
  const nginx = (spec: Obj = {}): Obj => ({
    apiVersion: 'fedsvc.io/v1alpha1',
    kind: 'FederatedService',
    metadata: { name: `nginx-${++serial}`, namespace: 'mynamespace' },
    spec: {
      template: {
        metadata: { labels: { run: 'nginx' } },
        spec: { type: 'LoadBalancer', selector: { run: 'nginx' }, ports: [{ port: 80, targetPort: 80, protocol: 'TCP', name: 'http' }] },
      },
      ...spec,
    },
  });
  const cluster = (spec: Obj = {}): Obj => ({
    apiVersion: 'fedsvc.io/v1alpha1',
    kind: 'FederatedCluster',
    metadata: { name: `gce-us-central1-${++serial}`, labels: { tier: 'edge' } },
    spec: { server: 'https://10.0.0.1:6443', secretRef: { name: 'gce-us-central1-a', namespace: 'fedsvc-system' }, ...spec },
  });
  const createService = (body: Obj) =>
    custom.createNamespacedCustomObject({
      group: 'fedsvc.io',
      version: 'v1alpha1',
      namespace: 'mynamespace',
      plural: 'federatedservices',
      body,
    });
  const createCluster = (body: Obj) =>
    custom.createClusterCustomObject({ group: 'fedsvc.io', version: 'v1alpha1', plural: 'federatedclusters', body });
  /** The fields a refusal names, or [] when the object was taken. */
  const refusedFields = async (created: Promise<unknown>): Promise<string[]> => {
    const error = await created.then(
      () => undefined,
      (e: unknown) => e as ApiException<string>,
    );
    if (!error) return [];
    expect(error.code).toBe(422);
    return (JSON.parse(error.body) as Obj)['details'].causes.map((c: Obj) => c.field);
  };

  test("takes the guide's nginx, with placement, overrides and TTL, and a member cluster with topology", async () => {
    const full = nginx({
      placement: {
        clusterSelector: { matchLabels: { tier: 'edge' }, matchExpressions: [{ key: 'region', operator: 'In', values: ['us-central1'] }] },
      },
      overrides: [
        {
          clusterName: 'gce-us-central1-a',
          annotations: { 'cloud.google.com/load-balancer-type': 'Internal' },
          loadBalancerSourceRanges: ['10.0.0.0/8'],
          externalTrafficPolicy: 'Local',
        },
      ],
      dns: { ttl: 180, trafficPolicy: { type: 'failover', regions: ['us-central1', 'us-east1'] } },
    });
    expect((await createService(full))['spec']).toEqual(full['spec']);
    expect(await refusedFields(createService(nginx({ placement: { clusters: [{ name: 'gce-us-central1-a' }] } })))).toEqual([]);
    const member = cluster({ topology: { region: 'us-central1', zones: ['us-central1-a', 'us-central1-b'] } });
    expect((await createCluster(member))['spec']).toEqual(member['spec']);
  });

  test('refuses malformed objects, naming the field', async () => {
    const noPorts = nginx();
    delete noPorts['spec'].template.spec.ports;
    const cases: [() => Promise<unknown>, string[]][] = [
      [() => createService(noPorts), ['spec.template.spec']],
      [
        () => createService(nginx({ overrides: [{ clusterName: 'a', externalTrafficPolicy: 'Nearest' }] })),
        ['spec.overrides[0].externalTrafficPolicy'],
      ],
      [
        () => createService(nginx({ placement: { clusterSelector: { matchExpressions: [{ key: 'tier', operator: 'In' }] } } })),
        ['spec.placement.clusterSelector.matchExpressions[0]'],
      ],
      [() => createService(nginx({ placement: { clusters: [{ name: '' }] } })), ['spec.placement.clusters[0].name']],
      [() => createService({ ...nginx(), spec: { template: { spec: { ports: [{ port: 0 }] } } } }), ['spec.template.spec.ports[0].port']],
      [() => createService(nginx({ dns: { trafficPolicy: { type: 'geo' } } })), ['spec.dns.trafficPolicy.type']],
      [() => createService(nginx({ dns: { trafficPolicy: { type: 'failover', regions: [] } } })), ['spec.dns.trafficPolicy.regions']],
      [
        () => createService(nginx({ dns: { trafficPolicy: { type: 'weighted', weights: { a: 0 } } } })),
        ['spec.dns.trafficPolicy.weights.a'],
      ],
      [() => createCluster(cluster({ server: 'ftp://10.0.0.1' })), ['spec.server']],
      [() => createCluster({ ...cluster(), spec: { server: 'https://x' } }), ['spec.secretRef']],
      [() => createCluster(cluster({ topology: { region: 'r', zones: ['a', 'a'] } })), ['spec.topology.zones[1]']],
      [() => createCluster(cluster({ topology: { region: 'r', zones: [] } })), ['spec.topology.zones']],
      [() => createCluster(cluster({ topology: { zones: ['us-central1-a'] } })), ['spec.topology']],
      [() => createCluster(cluster({ topology: { region: 'us-central1' } })), ['spec.topology']],
    ];
    for (const [created, fields] of cases) expect(await refusedFields(created())).toEqual(fields);
  });

  test('a TTL is taken exactly when it is a whole number of seconds DNS can carry', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ min: -5, max: 2 ** 31 + 5 }),
          fc.constantFrom(0, 2 ** 31 - 1, 2 ** 31, -1),
          fc.double({ min: 0.1, max: 1e3, noInteger: true }),
        ),
        async (ttl) => {
          const valid = Number.isInteger(ttl) && ttl >= 0 && ttl <= 2 ** 31 - 1;
          expect(await refusedFields(createService(nginx({ dns: { ttl } })))).toEqual(
            valid ? [] : ttl % 1 === 0 ? ['spec.dns.ttl'] : ['spec.dns.ttl', '<nil>'],
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  test('status values outside the enums and conditions without their required fields are refused', async () => {
    const created = await createService(nginx());
    const name = created['metadata'].name as string;
    const writeStatus = (status: Obj) =>
      custom.replaceNamespacedCustomObjectStatus({
        group: 'fedsvc.io',
        version: 'v1alpha1',
        namespace: 'mynamespace',
        plural: 'federatedservices',
        name,
        body: { ...created, metadata: { name, namespace: 'mynamespace' }, status },
      });
    const condition = {
      type: 'DNSInSync',
      status: 'True',
      reason: 'InSync',
      message: 'records match',
      lastTransitionTime: '2026-12-04T23:00:00Z',
    };
    expect(
      await refusedFields(
        writeStatus({
          dns: 'InSync',
          healthyClusters: '13/13',
          conditions: [condition],
          clusters: [{ name: 'a', health: 'Ready', shard: 'Created' }],
        }),
      ),
    ).toEqual([]);
    expect(await refusedFields(writeStatus({ clusters: [{ name: 'a', shard: 'Lost' }] }))).toEqual(['status.clusters[0].shard']);
    expect(await refusedFields(writeStatus({ conditions: [{ ...condition, lastTransitionTime: 'yesterday' }] }))).toEqual([
      'status.conditions[0].lastTransitionTime',
    ]);
    expect(await refusedFields(writeStatus({ healthyClusters: 'most' }))).toEqual(['status.healthyClusters']);
  });
});
