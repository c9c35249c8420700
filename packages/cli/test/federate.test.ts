// `fedsvc federate` writes FederatedServices the host source reads back as the same service, and
// an API server holding the CRDs takes; service files may hold Services or FederatedServices.
import { fc, test } from '@fast-check/vitest';
import { type ServiceManifest, ValidationError } from '@fedsvc/core';
import { guideNginx } from '@fedsvc/core/testing';
import { crdManifests, decodeFederatedService } from '@fedsvc/kubernetes';
import { FakeKubeApi, type JsonObject } from '@fedsvc/kubernetes/testing';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { federate, federatedService } from '../src/commands/federate.js';
import { parseFederatedServices } from '../src/config/services.js';

const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
const manifest: fc.Arbitrary<ServiceManifest> = fc
  .record({
    name: label,
    namespace: label,
    labels: fc.dictionary(label, label, { maxKeys: 3 }),
    type: fc.constantFrom('ClusterIP', 'LoadBalancer', 'NodePort'),
    ports: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }),
    clusterIP: fc.option(fc.constant('10.0.0.7'), { nil: undefined }),
  })
  .map(({ name, namespace, labels, type, ports, clusterIP }) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: {
      type,
      selector: { app: name },
      ports: ports.map((port) => ({ name: `p${port}`, port, protocol: 'TCP' })),
      ...(clusterIP ? { clusterIP } : {}),
    },
  }));

describe('fedsvc federate', () => {
  test.prop([manifest, fc.uniqueArray(label, { maxLength: 3 }), fc.option(fc.integer({ min: 0, max: 86_400 }), { nil: undefined })])(
    'what it writes decodes to the same Service, placement and TTL, without the fields the API server sets',
    (service, clusters, ttl) => {
      const object = parse(stringify(federatedService(service, { clusters, ttl })));
      const decoded = decodeFederatedService(object);
      const { clusterIP: _set, ...spec } = service.spec;
      expect(decoded.manifest).toEqual({ ...service, spec });
      expect(decoded.clusters).toEqual(clusters.length > 0 ? clusters : undefined);
      expect(decoded.ttl).toEqual(ttl);
    },
  );

  describe('against an API server holding the CRDs', () => {
    let api: FakeKubeApi;
    beforeAll(async () => {
      api = await FakeKubeApi.start();
      for (const crd of crdManifests()) api.installCrd(crd);
    });
    afterAll(() => api.stop());

    test("the guide's nginx is taken as it is written, and reads back as the guide's service", () => {
      const [document] = federate(stringify(guideNginx.manifest), 'nginx.yaml', { clusters: ['gce-us-central1-a'], ttl: 60 }).split(
        '---\n',
      );
      const stored = api.putObject('federatedservices.fedsvc.io', parse(document!) as JsonObject);
      expect(stored['spec']).toEqual(parse(document!).spec);
      expect(decodeFederatedService(stored)).toEqual({ ...guideNginx, clusters: ['gce-us-central1-a'], ttl: 60 });
    });
  });
});

describe('service files', () => {
  test('hold plain Services and FederatedServices, each read with what it says', async () => {
    const federated = federate(stringify(guideNginx.manifest), 'nginx.yaml', { ttl: 30 });
    const other: ServiceManifest = { ...guideNginx.manifest, metadata: { name: 'web', namespace: 'shop' } };
    const services = await parseFederatedServices(`${stringify(other)}---\n${federated}`, 'services.yaml');
    expect(services).toEqual([{ manifest: other }, { ...guideNginx, ttl: 30 }]);
  });

  test('a FederatedService that does not decode is refused naming the document and its field', async () => {
    const object = parse(federate(stringify(guideNginx.manifest), 'nginx.yaml'));
    object.spec.dns = { ttl: -1 };
    const refused = await parseFederatedServices(`${stringify(guideNginx.manifest)}---\n${stringify(object)}`, 'services.yaml').catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).field).toBe('services.yaml (document 2)');
    expect((refused as ValidationError).reason).toMatch(/^spec\.dns\.ttl: /);
  });

  test('any other kind is refused naming what it is', async () => {
    const refused = await parseFederatedServices('apiVersion: apps/v1\nkind: Deployment\n', 'x.yaml').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).value).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment' });
  });
});
