import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  type ServicePlanInput,
  MAX_RECORD_NAME_LENGTH,
  planFederation,
  planServiceRecords,
  recordNames,
  ValidationError,
} from '@fedsvc/core';
import { guideClusters, guideFederation, guideService, guideShards } from '@fedsvc/core/testing';
import { topology } from './topology.arbitrary.js';

type Loose = Record<string, unknown>;
/** The guide's input, as plain data a test may break. */
const valid = () =>
  structuredClone({ federation: guideFederation, service: guideService, clusters: guideClusters, shards: guideShards }) as unknown as {
    federation: Loose;
    service: Loose;
    clusters: Loose[];
    shards: Loose[];
  };

function rejects(mutate: (input: ReturnType<typeof valid>) => void, field: string, value: unknown) {
  const input = valid();
  mutate(input);
  let error: unknown;
  try {
    planServiceRecords(input as never);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).field).toBe(field);
  expect((error as ValidationError).value).toEqual(value);
  expect((error as ValidationError).message).toContain(field);
}

describe('bad input names the field and the value', () => {
  test('service name: a DNS-1035 label', () =>
    rejects(
      (i) => {
        i.service.name = '9nginx';
      },
      'service.name',
      '9nginx',
    ));
  test('service name: lower case', () =>
    rejects(
      (i) => {
        i.service.name = 'Nginx';
      },
      'service.name',
      'Nginx',
    ));
  test('namespace: a DNS-1123 label', () =>
    rejects(
      (i) => {
        i.service.namespace = 'my.ns';
      },
      'service.namespace',
      'my.ns',
    ));
  test('federation name', () =>
    rejects(
      (i) => {
        i.federation.name = 'fed_1';
      },
      'federation.name',
      'fed_1',
    ));
  test('domain: a DNS-1123 subdomain', () =>
    rejects(
      (i) => {
        i.federation.domain = 'example..com';
      },
      'federation.domain',
      'example..com',
    ));
  test('domain: no wildcard', () =>
    rejects(
      (i) => {
        i.federation.domain = '*.example.com';
      },
      'federation.domain',
      '*.example.com',
    ));
  // toLowerCase turns U+212A KELVIN SIGN into an ASCII k: the records would land in kexample.com.
  test('domain: ASCII only, even where lower case would make it ASCII', () =>
    rejects(
      (i) => {
        i.federation.domain = '\u212Aexample.com';
      },
      'federation.domain',
      '\u212Aexample.com',
    ));
  test('zone: a DNS-1123 label', () =>
    rejects(
      (i) => {
        i.clusters[0]!.zones = ['asia east1-a'];
      },
      'clusters[0].zones[0]',
      'asia east1-a',
    ));
  test('region: a DNS-1123 label', () =>
    rejects(
      (i) => {
        i.clusters[2]!.region = '-asia';
      },
      'clusters[2].region',
      '-asia',
    ));
  test('a cluster has a zone', () =>
    rejects(
      (i) => {
        i.clusters[1]!.zones = [];
      },
      'clusters[1].zones',
      [],
    ));
  test('IP addresses', () =>
    rejects(
      (i) => {
        i.shards[4]!.addresses = ['130.211.56.256'];
      },
      'shards[4].addresses[0]',
      '130.211.56.256',
    ));
  test('IP addresses: no leading zeros', () =>
    rejects(
      (i) => {
        i.shards[0]!.addresses = ['010.0.0.1'];
      },
      'shards[0].addresses[0]',
      '010.0.0.1',
    ));
  test('IP addresses: not unspecified', () =>
    rejects(
      (i) => {
        i.shards[0]!.addresses = ['::'];
      },
      'shards[0].addresses[0]',
      '::',
    ));
  test('load-balancer hostnames: DNS names', () =>
    rejects(
      (i) => {
        i.shards[2]!.hostnames = ['elb_1.example.com'];
      },
      'shards[2].hostnames[0]',
      'elb_1.example.com',
    ));
  test('load-balancer hostnames: ASCII only', () =>
    rejects(
      (i) => {
        i.shards[0]!.hostnames = ['\u212Aelb.example.com'];
      },
      'shards[0].hostnames[0]',
      '\u212Aelb.example.com',
    ));
  test('load-balancer hostnames: more than one label', () =>
    rejects(
      (i) => {
        i.shards[0]!.hostnames = ['elb.example.com', 'localhost'];
      },
      'shards[0].hostnames[1]',
      'localhost',
    ));
  test('TTL range', () =>
    rejects(
      (i) => {
        i.service.ttl = 2 ** 31;
      },
      'service.ttl',
      2 ** 31,
    ));
  test('TTL an integer', () =>
    rejects(
      (i) => {
        i.federation.ttl = 1.5;
      },
      'federation.ttl',
      1.5,
    ));
  test('unknown cluster in a shard', () =>
    rejects(
      (i) => {
        i.shards[3]!.cluster = 'gce-mars-1a';
      },
      'shards[3].cluster',
      'gce-mars-1a',
    ));
  test('two shards in one cluster', () =>
    rejects(
      (i) => {
        i.shards[3]!.cluster = 'gce-asia-east1-a';
      },
      'shards[3].cluster',
      'gce-asia-east1-a',
    ));
  test('duplicate cluster names', () =>
    rejects(
      (i) => {
        i.clusters[5]!.name = 'gce-asia-east1-a';
      },
      'clusters[5].name',
      'gce-asia-east1-a',
    ));
  test('a zone claimed by two regions', () =>
    rejects(
      (i) => {
        i.clusters[4]!.zones = ['asia-east1-a'];
      },
      'clusters[4].zones',
      'asia-east1-a',
    ));
  test('a zone named like a region', () =>
    rejects(
      (i) => {
        i.clusters[0]!.zones = ['us-east1'];
        i.clusters[0]!.region = 'asia-east1';
      },
      'clusters[0].zones',
      'us-east1',
    ));
  test('ready endpoints', () =>
    rejects(
      (i) => {
        i.shards[0]!.readyEndpoints = -1;
      },
      'shards[0].readyEndpoints',
      -1,
    ));
  test('name format', () =>
    rejects(
      (i) => {
        i.federation.zoneNameFormat = 'region';
      },
      'federation.zoneNameFormat',
      'region',
    ));

  test('the 253-character limit of a full name, counting the ownership record', () => {
    const fits = 'a'.repeat(63);
    const domain = ['b'.repeat(63), 'c'.repeat(63), 'd'.repeat(63), 'e'.repeat(19)].join('.');
    const ok = {
      clusters: guideClusters,
      shards: guideShards,
      federation: { name: 'f', domain },
      service: { namespace: 'n', name: 's' },
    } satisfies ServicePlanInput;
    const zoneLength = (names: ReturnType<typeof recordNames>) => names.zone('europe-west1-b', 'europe-west1').length - 1;
    expect(zoneLength(recordNames(ok.federation, ok.service))).toBeLessThan(MAX_RECORD_NAME_LENGTH);
    const room = MAX_RECORD_NAME_LENGTH - zoneLength(recordNames(ok.federation, ok.service));
    expect(room).toBe(9);
    const longest = { namespace: 'n', name: `s${fits}`.slice(0, 1 + room) };
    expect(zoneLength(recordNames(ok.federation, longest))).toBe(MAX_RECORD_NAME_LENGTH);
    expect(planServiceRecords({ ...ok, service: longest }).every((r) => r.name.length - 1 <= MAX_RECORD_NAME_LENGTH)).toBe(true);
    const tooLong = { namespace: 'n', name: `s${fits}`.slice(0, 2 + room) };
    expect(() => planServiceRecords({ ...ok, service: tooLong })).toThrow(ValidationError);
  });

  test('duplicate services in a federation plan', () => {
    expect(() =>
      planFederation({
        federation: guideFederation,
        clusters: guideClusters,
        services: [
          { service: guideService, shards: [] },
          { service: guideService, shards: [] },
        ],
      }),
    ).toThrow(expect.objectContaining({ field: 'services[1].service', value: 'mynamespace/nginx' }));
  });
});

// Long labels everywhere: region labels longer than every zone label are the case that slipped through.
const padded = (prefix: string, length: number) => prefix + 'a'.repeat(Math.max(0, length - prefix.length));
const longNames = fc
  .record({
    regions: fc.array(
      fc.record({
        length: fc.integer({ min: 1, max: 63 }),
        zones: fc.array(fc.integer({ min: 1, max: 63 }), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    domain: fc.array(fc.integer({ min: 1, max: 63 }), { minLength: 1, maxLength: 3 }),
    format: fc.constantFrom('zone' as const, 'zone.region' as const),
    federation: fc.integer({ min: 1, max: 30 }),
    namespace: fc.integer({ min: 1, max: 63 }),
    name: fc.integer({ min: 1, max: 63 }),
  })
  .map((g) => {
    const clusters = g.regions.map((r, i) => ({
      name: `c${i}`,
      region: padded(`r${i}`, r.length),
      zones: r.zones.map((z, j) => padded(`z${i}-${j}`, z)),
      ready: true,
    }));
    return {
      federation: {
        name: padded('f', g.federation),
        domain: g.domain.map((n, i) => padded(`d${i}`, n)).join('.'),
        zoneNameFormat: g.format,
      },
      service: { namespace: padded('n', g.namespace), name: padded('s', g.name) },
      clusters,
      shards: clusters.map((c) => ({ cluster: c.name, addresses: ['192.0.2.1'], readyEndpoints: 1 })),
    } satisfies ServicePlanInput;
  });

/** Independent of the planner: the longest name of any level, without the trailing dot. */
function longestName(input: ServicePlanInput): number {
  const prefix = `${input.service.name}.${input.service.namespace}.${input.federation.name}.svc.`.length;
  const places = input.clusters.flatMap((c) => [
    c.region,
    ...c.zones.map((z) => (input.federation.zoneNameFormat === 'zone.region' ? `${z}.${c.region}` : z)),
  ]);
  return prefix + Math.max(...places.map((p) => p.length + 1)) + input.federation.domain.length;
}

describe('the record name limit holds for every level', () => {
  test.prop([longNames], { numRuns: 300 })('each planned name fits MAX_RECORD_NAME_LENGTH, or the service name is refused', (input) => {
    const tooLong = longestName(input) > MAX_RECORD_NAME_LENGTH;
    const plans = [
      { field: 'service.name', plan: () => planServiceRecords(input) },
      {
        field: 'services[0].service.name',
        plan: () =>
          planFederation({
            federation: input.federation,
            clusters: input.clusters,
            services: [{ service: input.service, shards: input.shards }],
          }),
      },
    ];
    for (const { field, plan } of plans) {
      if (tooLong) {
        expect(plan).toThrow(expect.objectContaining({ name: 'ValidationError', field }));
      } else {
        const records = plan();
        expect(records.length).toBeGreaterThan(0);
        for (const r of records) expect(r.name.length - 1).toBeLessThanOrEqual(MAX_RECORD_NAME_LENGTH);
      }
    }
  });
});

// Values that are nearly right are the ones that slip through.
const nasty = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    '',
    '.',
    '..',
    'evil.com.',
    'example.com.evil.net',
    '*',
    'a'.repeat(64),
    'A',
    '-',
    'a-',
    'x\u0000y',
    'é',
    'ns.evil',
    '1.2.3.4.5',
    '::ffff:1.2.3.256',
    'fe80::1%eth0',
    '::',
    '0.0.0.0',
    '1:2:3:4:5:6:7:8:9',
    '01.1.1.1',
    ' 1.1.1.1',
    NaN,
    Infinity,
    -0,
    2 ** 53,
  ),
);
const paths: readonly (readonly (string | number)[])[] = [
  [],
  ['federation'],
  ['federation', 'name'],
  ['federation', 'domain'],
  ['federation', 'ttl'],
  ['federation', 'zoneNameFormat'],
  ['service'],
  ['service', 'name'],
  ['service', 'namespace'],
  ['service', 'ttl'],
  ['clusters'],
  ['clusters', 0],
  ['clusters', 0, 'name'],
  ['clusters', 0, 'zones'],
  ['clusters', 0, 'zones', 0],
  ['clusters', 0, 'region'],
  ['clusters', 0, 'ready'],
  ['shards'],
  ['shards', 0],
  ['shards', 0, 'cluster'],
  ['shards', 0, 'addresses'],
  ['shards', 0, 'addresses', 0],
  ['shards', 0, 'readyEndpoints'],
];

function setPath(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (typeof root !== 'object' || root === null) return root;
  const copy: Record<string | number, unknown> = Array.isArray(root) ? ([...root] as never) : { ...root };
  copy[head] = setPath(copy[head], rest, value);
  return copy;
}

describe('fuzzed input', () => {
  test.prop([topology({ maxClusters: 20 }), fc.array(fc.tuple(fc.constantFrom(...paths), nasty), { minLength: 1, maxLength: 3 })], {
    numRuns: 1500,
  })('throws ValidationError and nothing else, and never yields a record outside the domain', (t, mutations) => {
    const input = mutations.reduce<unknown>((acc, [path, value]) => setPath(acc, path, value), t);
    let records: ReturnType<typeof planServiceRecords>;
    try {
      records = planServiceRecords(input as never);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return;
    }
    const domain = (input as { federation: { domain: string } }).federation.domain.toLowerCase().replace(/\.?$/, '.');
    for (const r of records) {
      expect(r.name.endsWith(`.${domain}`)).toBe(true);
      if (r.type === 'CNAME') expect(r.rrdatas[0]!.endsWith(`.${domain}`)).toBe(true);
    }
  });
});
