// Decoding the federation's resources: a valid object decodes to what it says, every single
// corrupted field is refused naming exactly that field, and no input crashes the decoder.
import { fc, test } from '@fast-check/vitest';
import { ValidationError } from '@fedsvc/core';
import { guideNginx } from '@fedsvc/core/testing';
import { describe, expect } from 'vitest';
import { decodeFederatedCluster, decodeFederatedService, federatedMember } from '../src/index.js';

const label1123 = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?$/);
const label1035 = fc.stringMatching(/^[a-z]([-a-z0-9]{0,8}[a-z0-9])?$/);
const subdomain = fc.array(label1123, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.'));
const uniqueNames = (names: fc.Arbitrary<string>, maxLength: number) => fc.uniqueArray(names, { minLength: 1, maxLength });
const stringMap = fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 10 }), { maxKeys: 3 });

const ports = fc.integer({ min: 1, max: 4 }).chain((count) =>
  fc
    .tuple(
      fc.uniqueArray(label1123, { minLength: count, maxLength: count }),
      fc.array(
        fc.record(
          {
            port: fc.integer({ min: 1, max: 65535 }),
            protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'),
            targetPort: fc.integer({ min: 1, max: 65535 }),
          },
          { requiredKeys: ['port'] },
        ),
        { minLength: count, maxLength: count },
      ),
    )
    .map(([names, items]) => items.map((item, i) => ({ name: names[i]!, ...item }))),
);

const template = fc.record(
  {
    metadata: fc.record({ labels: stringMap, annotations: stringMap }, { requiredKeys: [] }),
    spec: fc.record(
      { type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'), selector: stringMap, ports },
      { requiredKeys: ['ports'] },
    ),
  },
  { requiredKeys: ['spec'] },
);

const placement = fc.oneof(
  fc.constant(undefined),
  uniqueNames(subdomain, 4).map((names) => ({ clusters: names.map((name) => ({ name })) })),
  fc
    .dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z0-9]{0,8}$/), { maxKeys: 3 })
    .map((matchLabels) => ({ clusterSelector: { matchLabels } })),
);

const cidr = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([address, bits]) => `${address}/${bits}`),
  fc.tuple(fc.constantFrom('2001:db8::', 'fd00::1', '::'), fc.integer({ min: 0, max: 128 })).map(([address, bits]) => `${address}/${bits}`),
);

const overrides = fc.oneof(
  fc.constant(undefined),
  uniqueNames(subdomain, 3).chain((names) =>
    fc.tuple(
      ...names.map((clusterName) =>
        fc.record(
          {
            clusterName: fc.constant(clusterName),
            annotations: stringMap,
            loadBalancerSourceRanges: fc.array(cidr, { minLength: 1, maxLength: 3 }),
            externalTrafficPolicy: fc.constantFrom('Cluster', 'Local'),
          },
          { requiredKeys: ['clusterName'] },
        ),
      ),
    ),
  ),
);

const federatedService = fc
  .record({
    name: label1035,
    namespace: label1123,
    template,
    placement,
    overrides,
    ttl: fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { nil: undefined }),
  })
  .map(({ name, namespace, template, placement, overrides, ttl }) => ({
    apiVersion: 'fedsvc.io/v1alpha1',
    kind: 'FederatedService',
    metadata: { name, namespace, generation: 1, uid: 'u-1' },
    spec: {
      template,
      ...(placement ? { placement } : {}),
      ...(overrides ? { overrides } : {}),
      ...(ttl === undefined ? {} : { dns: { ttl } }),
    },
  }));

type Json = Record<string, unknown>;
type Path = readonly (string | number)[];

/** The object with the value at `path` replaced (objects on the way made when absent). */
function withValue(object: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(object) as Json;
  let at: Json = copy;
  for (const key of path.slice(0, -1)) at = (at[key as string] ??= {}) as Json;
  at[path.at(-1) as string] = value;
  return copy;
}

const pathText = (path: Path): string =>
  path
    .map((key, i) =>
      typeof key === 'number' ? `[${key}]` : /^[A-Za-z]+$/.test(key) ? `${i === 0 ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`,
    )
    .join('');

/** Every single-field corruption the object admits: a path and the bad values for it. */
function corruptions(object: ReturnType<typeof federatedService.generate>['value']): [Path, unknown[]][] {
  const out: [Path, unknown[]][] = [
    [
      ['metadata', 'name'],
      ['Nginx', '1nginx', '', 7, 'a.b'],
    ],
    [
      ['metadata', 'namespace'],
      ['My_NS', '', null, 'a.b'],
    ],
    [
      ['spec', 'template', 'spec', 'type'],
      ['Balanced', 3],
    ],
    [
      ['spec', 'template', 'metadata', 'labels', 'x.io/k'],
      [5, null, {}],
    ],
    [
      ['spec', 'template', 'spec', 'selector', 'x.io/k'],
      [true, 1],
    ],
    [
      ['spec', 'dns', 'ttl'],
      [-1, 2 ** 31, 1.5, '180'],
    ],
  ];
  const spec = object.spec as Json;
  const portList = ((spec['template'] as Json)['spec'] as Json)['ports'] as Json[];
  portList.forEach((_, i) => {
    const at = ['spec', 'template', 'spec', 'ports', i];
    out.push([
      [...at, 'port'],
      [0, 65536, '80', 1.5, null],
    ]);
    out.push([
      [...at, 'protocol'],
      ['HTTP', 6],
    ]);
    out.push([
      [...at, 'targetPort'],
      [0, 70000, 'Not_A_Name', 'has--two'],
    ]);
    out.push([
      [...at, 'name'],
      ['Bad Name', 'a_b'],
    ]);
    if (i > 0) out.push([[...at, 'name'], [portList[0]!['name']]]);
  });
  const listed = (spec['placement'] as Json | undefined)?.['clusters'] as Json[] | undefined;
  listed?.forEach((_, i) => {
    out.push([
      ['spec', 'placement', 'clusters', i, 'name'],
      ['Bad_Name', '', 4],
    ]);
    if (i > 0) out.push([['spec', 'placement', 'clusters', i, 'name'], [listed[0]!['name']]]);
  });
  if (listed) out.push([['spec', 'placement', 'clusterSelector'], [{ matchLabels: { tier: 'edge' } }]]);
  if ((spec['placement'] as Json | undefined)?.['clusterSelector'])
    out.push([
      ['spec', 'placement', 'clusterSelector', 'matchExpressions'],
      ['tier', 5],
    ]);
  ((spec['overrides'] as Json[] | undefined) ?? []).forEach((override, i) => {
    const at = ['spec', 'overrides', i];
    out.push([
      [...at, 'clusterName'],
      ['Bad_Name', undefined],
    ]);
    out.push([
      [...at, 'externalTrafficPolicy'],
      ['Remote', 'local'],
    ]);
    out.push([[...at, 'annotations', 'x.io/k'], [1]]);
    if (i > 0) out.push([[...at, 'clusterName'], [(spec['overrides'] as Json[])[0]!['clusterName']]]);
    ((override['loadBalancerSourceRanges'] as string[] | undefined) ?? []).forEach((_, j) =>
      out.push([
        [...at, 'loadBalancerSourceRanges', j],
        ['10.0.0.0/33', '10.0.0.0', 'x/8', '2001:db8::/129', '10.0.0.0/8/1'],
      ]),
    );
  });
  return out;
}

/** The field a corruption at `path` is named by: the exclusive placement names `spec.placement`, a selector's part core names. */
function expectedField(path: Path): string {
  if (pathText(path) === 'spec.placement.clusterSelector') return 'spec.placement';
  return pathText(path);
}

describe('decodeFederatedService', () => {
  test.prop([federatedService])('decodes a valid object to its template, placement, overrides and TTL', (object) => {
    const decoded = decodeFederatedService(object);
    const spec = object.spec as Json;
    const template = spec['template'] as { metadata?: { labels?: object; annotations?: object }; spec: object };
    expect(decoded.manifest).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      },
      spec: template.spec,
    });
    const placement = spec['placement'] as { clusters?: { name: string }[]; clusterSelector?: object } | undefined;
    expect(decoded.clusters).toEqual(placement?.clusters?.map((cluster) => cluster.name));
    expect(decoded.clusterSelector).toEqual(placement?.clusterSelector);
    const overrides = spec['overrides'] as ({ clusterName: string } & Json)[] | undefined;
    expect(decoded.overrides).toEqual(
      overrides && Object.fromEntries(overrides.map(({ clusterName, ...override }) => [clusterName, override])),
    );
    expect(decoded.ttl).toEqual((spec['dns'] as { ttl?: number } | undefined)?.ttl);
  });

  test.prop([federatedService])('the decoded manifest is a copy of the template', (original) => {
    const object = structuredClone(original);
    const decoded = decodeFederatedService(object);
    ((object.spec as Json)['template'] as { spec: Json }).spec['type'] = 'ExternalName';
    expect(decoded.manifest.spec['type']).not.toBe('ExternalName');
  });

  test.prop([federatedService.chain((object) => fc.tuple(fc.constant(object), fc.constantFrom(...corruptions(object))))])(
    'refuses every single corrupted field, naming exactly that field and value',
    ([object, [path, values]]) => {
      for (const value of values) {
        const error = catchError(() => decodeFederatedService(withValue(object, path, value)));
        expect(error, `${pathText(path)} = ${JSON.stringify(value)}`).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(expectedField(path));
        if (expectedField(path) === pathText(path)) expect((error as ValidationError).value).toEqual(value);
      }
    },
  );

  test.prop([fc.jsonValue()])('arbitrary JSON decodes or is a ValidationError', (value) => {
    const error = catchError(() => decodeFederatedService(value));
    if (error !== undefined) expect(error).toBeInstanceOf(ValidationError);
  });

  test.prop([
    federatedService,
    fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 6 }),
    fc.anything(),
  ])('a valid object with anything anywhere decodes or is a ValidationError', (object, path, value) => {
    const copy = structuredClone(object) as unknown as Json;
    let at: unknown = copy;
    for (const key of path.slice(0, -1)) if (typeof at === 'object' && at !== null) at = (at as Json)[key as string];
    if (typeof at === 'object' && at !== null) (at as Json)[path.at(-1) as string] = value;
    const error = catchError(() => decodeFederatedService(copy));
    if (error !== undefined) expect(error).toBeInstanceOf(ValidationError);
  });

  test('the guide nginx as a FederatedService decodes to the guide Service', () => {
    const { metadata, spec } = guideNginx.manifest;
    const decoded = decodeFederatedService({
      apiVersion: 'fedsvc.io/v1alpha1',
      kind: 'FederatedService',
      metadata: { name: metadata.name, namespace: metadata.namespace },
      spec: { template: { metadata: { labels: metadata.labels }, spec } },
    });
    expect(decoded).toEqual(guideNginx);
  });

  test.prop([
    fc.oneof(
      fc.constant({ type: 'all' }),
      fc
        .uniqueArray(fc.constantFrom('us-central1', 'us-east1', 'asia-east1'), { minLength: 1 })
        .map((regions) => ({ type: 'failover', regions })),
      fc
        .dictionary(fc.constantFrom('us-central1', 'us-east1'), fc.constantFrom('us-central1', 'eu-west-1'))
        .map((locations) => ({ type: 'nearest', locations })),
      fc.dictionary(fc.constantFrom('gce-a', 'gce-b'), fc.integer({ min: 1, max: 255 })).map((weights) => ({ type: 'weighted', weights })),
    ),
  ])('spec.dns.trafficPolicy becomes the service trafficPolicy', (trafficPolicy) => {
    const decoded = decodeFederatedService({
      metadata: { name: 'nginx', namespace: 'ns' },
      spec: { template: { spec: {} }, dns: { trafficPolicy } },
    });
    expect(decoded.trafficPolicy).toEqual(trafficPolicy);
  });

  test.each([
    [{ type: 'failover', regions: [] }, 'spec.dns.trafficPolicy.regions'],
    [{ type: 'geo' }, 'spec.dns.trafficPolicy.type'],
    [{ type: 'weighted', weights: { 'gce-a': 0 } }, 'spec.dns.trafficPolicy.weights.gce-a'],
  ])('a malformed spec.dns.trafficPolicy is refused naming the field: %j', (trafficPolicy, field) => {
    const error = catchError(() =>
      decodeFederatedService({ metadata: { name: 'nginx', namespace: 'ns' }, spec: { template: { spec: {} }, dns: { trafficPolicy } } }),
    );
    expect(error).toMatchObject({ name: 'ValidationError', field });
  });

  test('clusters and clusterSelector together are refused at spec.placement', () => {
    const placement = { clusters: [{ name: 'a' }], clusterSelector: { matchLabels: { tier: 'edge' } } };
    const error = catchError(() =>
      decodeFederatedService({ metadata: { name: 'nginx', namespace: 'ns' }, spec: { template: { spec: {} }, placement } }),
    );
    expect(error).toMatchObject({ field: 'spec.placement', value: placement });
  });
});

const federatedCluster = fc
  .record(
    {
      name: subdomain,
      labels: stringMap,
      server: fc
        .tuple(
          fc.constantFrom('https', 'http'),
          fc.oneof(
            fc.ipV4(),
            // A label starting xn-- is punycode, and most such strings are not valid punycode, so no URL.
            fc
              .array(
                label1035.filter((label) => !label.startsWith('xn--')),
                { minLength: 1, maxLength: 3 },
              )
              .map((labels) => labels.join('.')),
          ),
          fc.option(fc.integer({ min: 1, max: 65535 })),
        )
        .map(([scheme, host, port]) => `${scheme}://${host}${port === null ? '' : `:${port}`}`),
      secretName: subdomain,
      secretNamespace: fc.option(label1123, { nil: undefined }),
      region: fc.option(label1123, { nil: undefined }),
      zones: fc.option(fc.uniqueArray(label1123, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    },
    { requiredKeys: ['name', 'server', 'secretName', 'secretNamespace'] },
  )
  .map(({ name, labels, server, secretName, secretNamespace, region, zones }) => ({
    apiVersion: 'fedsvc.io/v1alpha1',
    kind: 'FederatedCluster',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: {
      server,
      secretRef: { name: secretName, ...(secretNamespace ? { namespace: secretNamespace } : {}) },
      ...(region !== undefined || zones !== undefined
        ? { topology: { ...(region !== undefined ? { region } : {}), ...(zones !== undefined ? { zones } : {}) } }
        : {}),
    },
  }));

describe('decodeFederatedCluster', () => {
  test.prop([federatedCluster])('decodes a valid object to its server, secret, labels and topology', (object) => {
    const spec = object.spec as Json & { secretRef: { name: string; namespace?: string } };
    expect(decodeFederatedCluster(object, 'fedsvc-system')).toEqual({
      name: object.metadata.name,
      labels: (object.metadata as { labels?: object }).labels ?? {},
      server: spec['server'],
      secretRef: { name: spec.secretRef.name, namespace: spec.secretRef.namespace ?? 'fedsvc-system' },
      ...(spec['topology'] ? { topology: spec['topology'] } : {}),
    });
  });

  test.prop([
    federatedCluster.chain((object) => {
      const zones = ((object.spec as Json)['topology'] as { zones?: string[] } | undefined)?.zones ?? [];
      const candidates: [Path, unknown[]][] = [
        [
          ['metadata', 'name'],
          ['Bad_Name', '', 3],
        ],
        [['metadata', 'labels', 'x.io/k'], [1]],
        [
          ['spec', 'server'],
          ['ftp://host', 'not a url', 'https://', 'https://user:secret@host', 'https://host?x=1', 42],
        ],
        [
          ['spec', 'secretRef', 'name'],
          ['Bad_Name', undefined],
        ],
        [
          ['spec', 'secretRef', 'namespace'],
          ['Bad_NS', 'a.b'],
        ],
        [
          ['spec', 'topology', 'region'],
          ['US Central', 5],
        ],
        [
          ['spec', 'topology', 'zones'],
          [[], 'a'],
        ],
        ...zones.map((_, i): [Path, unknown[]] => [
          ['spec', 'topology', 'zones', i],
          ['Zone A', ''],
        ]),
      ];
      return fc.tuple(fc.constant(object), fc.constantFrom(...candidates));
    }),
  ])('refuses every single corrupted field, naming exactly that field', ([object, [path, values]]) => {
    for (const value of values) {
      const error = catchError(() => decodeFederatedCluster(withValue(object, path, value), 'fedsvc-system'));
      expect(error, `${pathText(path)} = ${JSON.stringify(value)}`).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(pathText(path));
    }
  });

  test.prop([fc.jsonValue()])('arbitrary JSON decodes or is a ValidationError', (value) => {
    const error = catchError(() => decodeFederatedCluster(value, 'fedsvc-system'));
    if (error !== undefined) expect(error).toBeInstanceOf(ValidationError);
  });

  test('a server URL carrying credentials is refused without naming them', () => {
    const error = catchError(() =>
      decodeFederatedCluster({ metadata: { name: 'a' }, spec: { server: 'https://admin:hunter2@h', secretRef: { name: 's' } } }, 'ns'),
    );
    expect((error as Error).message).not.toContain('hunter2');
  });
});

const CA = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2Fub3QgYmUgdXNlZA==\n-----END CERTIFICATE-----\n';
const tokenSecret = { data: { token: Buffer.from('t0ken').toString('base64'), 'ca.crt': Buffer.from(CA).toString('base64') } };

describe('federatedMember', () => {
  test.prop([federatedCluster])(
    "the member cluster has the object's name, labels and server; the topology override only when it gives region and zones",
    (object) => {
      const spec = object.spec as Json & {
        secretRef: { name: string; namespace?: string };
        topology?: { region?: string; zones?: string[] };
      };
      const namespace = spec.secretRef.namespace ?? 'fedsvc-system';
      const asked: string[] = [];
      const { cluster } = federatedMember(object, namespace, (name) => {
        asked.push(name);
        return tokenSecret;
      });
      expect(asked).toEqual([spec.secretRef.name]);
      expect(cluster.name).toBe(object.metadata.name);
      expect(cluster.labels).toEqual((object.metadata as { labels?: object }).labels ?? {});
      expect(cluster.kubeConfig.getCurrentCluster()?.server).toBe(spec['server']);
      const { region, zones } = spec.topology ?? {};
      expect(cluster.topology).toEqual(region !== undefined && zones !== undefined ? { region, zones } : undefined);
    },
  );

  test.prop([federatedCluster])(
    'an override giving only one of region and zones is ignored, named by its field and value; a whole one is not',
    (object) => {
      const spec = object.spec as Json & { secretRef: { namespace?: string }; topology?: { region?: string; zones?: string[] } };
      const { region, zones } = spec.topology ?? {};
      const { ignoredTopology } = federatedMember(object, spec.secretRef.namespace ?? 'fedsvc-system', () => tokenSecret);
      if ((region === undefined) === (zones === undefined)) expect(ignoredTopology).toBeUndefined();
      else {
        expect(ignoredTopology).toBeInstanceOf(ValidationError);
        expect(ignoredTopology?.field).toBe(region === undefined ? 'spec.topology.zones' : 'spec.topology.region');
        expect(ignoredTopology?.value).toEqual(region ?? zones);
        expect(ignoredTopology?.message).toMatch(region === undefined ? /without spec\.topology\.region/ : /without spec\.topology\.zones/);
      }
    },
  );

  test.prop([federatedCluster, label1123])(
    'a Secret outside the namespace, or missing, is an error naming spec.secretRef',
    (object, other) => {
      const spec = object.spec as Json & { secretRef: { namespace?: string } };
      const namespace = spec.secretRef.namespace ?? 'fedsvc-system';
      const missing = catchError(() => federatedMember(object, namespace, () => undefined));
      expect((missing as Error).message).toMatch(/^spec\.secretRef: Secret .* not found$/);
      if (other === namespace) return;
      const elsewhere = catchError(() =>
        federatedMember(withValue(object, ['spec', 'secretRef', 'namespace'], other), namespace, () => tokenSecret),
      );
      expect((elsewhere as Error).message).toMatch(/^spec\.secretRef\.namespace: /);
    },
  );
});

function catchError(run: () => unknown): unknown {
  try {
    run();
    return undefined;
  } catch (error) {
    return error;
  }
}
