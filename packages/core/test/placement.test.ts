import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { changedFields } from '../src/placement/changed-fields.js';
import {
  ADOPTED_BY_ANNOTATION,
  APPLIED_ANNOTATION,
  CLUSTER_OWNED_FIELDS,
  CREATED_BY_ANNOTATION,
  createdBy,
  desiredManifest,
} from '../src/placement/manifest.js';
import { placeShards, type FederatedService } from '../src/placement/placement.js';
import { selectorMatches, validateSelector, type LabelSelector } from '../src/placement/selector.js';
import { ValidationError } from '../src/errors.js';
import { serverSideApply } from '../src/testing/memory-clusters.js';
import type { ClusterStatus, ServiceManifest, ShardAction, ShardStatus } from '../src/types.js';

const OWNER = 'fed-a';

const manifest = (spec: Record<string, unknown>, labels?: Record<string, string>): ServiceManifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx', namespace: 'default', labels },
  spec,
});

const base = manifest(
  { type: 'LoadBalancer', selector: { run: 'nginx' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  { run: 'nginx' },
);

const cluster = (name: string, labels: Record<string, string> = {}, health: ClusterStatus['health'] = 'Ready'): ClusterStatus => ({
  name,
  zones: ['z'],
  region: 'r',
  labels,
  health,
});

const shardOf = (clusterName: string, m: ServiceManifest): ShardStatus => ({
  cluster: clusterName,
  namespace: 'default',
  name: 'nginx',
  manifest: m,
  clusterIP: '10.0.0.1',
  ingress: [],
  readyEndpoints: 0,
});

describe('placeShards, examples', () => {
  test('creates where missing, marked as created, without cluster-owned fields', () => {
    const service: FederatedService = {
      manifest: manifest({ ...base.spec, clusterIP: '10.9.9.9', ports: [{ port: 80, nodePort: 30080 }] }),
    };
    const [action] = placeShards({ service, clusters: [cluster('a')], existing: [], created: new Set(), ownerId: OWNER });
    expect(action?.kind).toBe('create');
    const created = (action as Extract<ShardAction, { kind: 'create' }>).manifest;
    expect(createdBy(created, OWNER)).toBe(true);
    expect(created.spec['clusterIP']).toBeUndefined();
    expect(created.spec['ports']).toEqual([{ port: 80 }]);
  });

  test('adopts a different Service and names exactly the fields that change, keeping what the cluster owns', () => {
    const theirs = manifest(
      {
        type: 'ClusterIP',
        selector: { run: 'nginx' },
        clusterIP: '10.0.0.7',
        sessionAffinity: 'None',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP', nodePort: 31000 }],
      },
      { run: 'nginx', team: 'x' },
    );
    const [action] = placeShards({
      service: { manifest: base },
      clusters: [cluster('a')],
      existing: [shardOf('a', theirs)],
      created: new Set(),
      ownerId: OWNER,
    });
    expect(action).toMatchObject({
      kind: 'conform',
      fields: [`metadata.annotations.${ADOPTED_BY_ANNOTATION}`, `metadata.annotations.${APPLIED_ANNOTATION}`, 'spec.ports[0]', 'spec.type'],
    });
    // Adopted, so not marked as created.
    expect(createdBy((action as Extract<ShardAction, { kind: 'conform' }>).manifest, OWNER)).toBe(false);
  });

  test("leaves a conforming shard and an Offline cluster; releases this owner's adopted shard of a deleted service, leaves another's", () => {
    const held = serverSideApply(manifest({ clusterIP: '10.0.0.3' }), desiredManifest(base, OWNER, false));
    const actions = placeShards({
      service: { manifest: base },
      clusters: [cluster('a'), cluster('b', {}, 'Offline')],
      existing: [shardOf('a', held)],
      created: new Set(),
      ownerId: OWNER,
    });
    expect(actions).toEqual([
      { kind: 'leave', cluster: 'a' },
      { kind: 'leave', cluster: 'b' },
    ]);
    expect(
      placeShards({
        service: { manifest: base },
        clusters: [cluster('a')],
        existing: [shardOf('a', held)],
        created: new Set(),
        ownerId: OWNER,
        deleting: true,
      }),
    ).toEqual([{ kind: 'release', cluster: 'a', namespace: 'default', name: 'nginx' }]);
    // Adopted by another federation: not this owner's to release.
    expect(
      placeShards({
        service: { manifest: base },
        clusters: [cluster('a')],
        existing: [shardOf('a', held)],
        created: new Set(),
        ownerId: 'fed-b',
        deleting: true,
      }),
    ).toEqual([{ kind: 'leave', cluster: 'a' }]);
    expect(
      placeShards({
        service: { manifest: base },
        clusters: [cluster('a')],
        existing: [shardOf('a', held)],
        created: new Set(),
        ownerId: OWNER,
        deleting: true,
        deleteAdopted: true,
      }),
    ).toEqual([{ kind: 'delete', cluster: 'a', namespace: 'default', name: 'nginx' }]);
  });

  test('a field dropped from the federated spec makes the shard conform, so that server-side apply removes it', () => {
    const guarded = manifest({ ...base.spec, loadBalancerSourceRanges: ['192.0.2.0/24'] }, { run: 'nginx' });
    const held = serverSideApply(manifest({ clusterIP: '10.0.0.3' }), desiredManifest(guarded, OWNER, true));
    const place = (service: ServiceManifest) =>
      placeShards({
        service: { manifest: service },
        clusters: [cluster('a')],
        existing: [shardOf('a', held)],
        created: new Set(['a']),
        ownerId: OWNER,
      });
    expect(place(guarded)).toEqual([{ kind: 'leave', cluster: 'a' }]);
    const [action] = place(base);
    expect(action).toMatchObject({ kind: 'conform', fields: [`metadata.annotations.${APPLIED_ANNOTATION}`] });
    expect((action as Extract<ShardAction, { kind: 'conform' }>).manifest.spec['loadBalancerSourceRanges']).toBeUndefined();
  });

  test('a port another writer added stays theirs: no conform, and applying keeps it (ports merge by port and protocol)', () => {
    const ours = desiredManifest(base, OWNER, true);
    const held = serverSideApply(manifest({ clusterIP: '10.0.0.3' }), ours);
    const withTheirs = {
      ...held,
      spec: { ...held.spec, ports: [...(held.spec['ports'] as object[]), { name: 'metrics', port: 9090, protocol: 'TCP' }] },
    };
    const place = () =>
      placeShards({
        service: { manifest: base },
        clusters: [cluster('a')],
        existing: [shardOf('a', withTheirs)],
        created: new Set(['a']),
        ownerId: OWNER,
      });
    expect(place()).toEqual([{ kind: 'leave', cluster: 'a' }]);
    // Our port changes: only ours is replaced, theirs stays.
    const moved = manifest({ ...base.spec, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }, { run: 'nginx' });
    const next = desiredManifest(moved, OWNER, true);
    const applied = serverSideApply(withTheirs, next, ours);
    expect((applied.spec['ports'] as { port: number }[]).map((p) => p.port).sort()).toEqual([8080, 9090]);
  });

  test('a headless Service keeps clusterIP None; a cluster-assigned clusterIP is never sent', () => {
    expect(desiredManifest(manifest({ ...base.spec, clusterIP: 'None' }), OWNER, true).spec['clusterIP']).toBe('None');
    expect(desiredManifest(manifest({ ...base.spec, clusterIP: '10.0.0.9' }), OWNER, true).spec['clusterIP']).toBeUndefined();
  });

  test('selectors: matchLabels and every operator', () => {
    const labels = { env: 'prod', tier: 'web' };
    const cases: [LabelSelector, boolean][] = [
      [{ matchLabels: { env: 'prod' } }, true],
      [{ matchLabels: { env: 'dev' } }, false],
      [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'db'] }] }, true],
      [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, false],
      [{ matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['yes'] }] }, true],
      [{ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, true],
      [{ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, false],
      [{ matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, false],
    ];
    for (const [selector, expected] of cases) expect(selectorMatches(selector, labels), JSON.stringify(selector)).toBe(expected);
  });

  test('a selector the API server would refuse is refused, naming the field: guessed, it could deselect every cluster', () => {
    const refused: [unknown, RegExp][] = [
      [{ matchExpressions: [{ key: 'tier', operator: 'in', values: ['web'] }] }, /matchExpressions\[0\]\.operator.*"in"/],
      [{ matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }, /matchExpressions\[0\]\.values.*must not be empty with In/],
      [{ matchExpressions: [{ key: 'tier', operator: 'NotIn' }] }, /values.*must not be empty with NotIn/],
      [{ matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['x'] }] }, /values.*must be empty with Exists/],
      [{ matchExpressions: [{ key: 'bad key', operator: 'Exists' }] }, /matchExpressions\[0\]\.key/],
      [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['not a value'] }] }, /values/],
      [{ matchExpressions: { key: 'tier', operator: 'Exists' } }, /matchExpressions.*must be a list/],
      [{ matchLabels: { env: 42 } }, /matchLabels\.env.*42/],
      [{ matchLabels: { 'Bad..prefix/env': 'prod' } }, /matchLabels.*Bad\.\.prefix\/env/],
      ['env=prod', /must be a label selector object/],
    ];
    for (const [selector, reason] of refused) {
      expect(() => validateSelector(selector, 'clusterSelector'), JSON.stringify(selector)).toThrow(ValidationError);
      expect(() => validateSelector(selector, 'clusterSelector'), JSON.stringify(selector)).toThrow(reason);
    }
    const taken: LabelSelector[] = [
      { matchLabels: { 'topology.kubernetes.io/region': 'us-east1', env: '' } },
      {
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['web', 'db'] },
          { key: 'gpu', operator: 'DoesNotExist' },
          { key: 'env', operator: 'Exists', values: [] },
        ],
      },
    ];
    for (const selector of taken) expect(validateSelector(selector, 'clusterSelector')).toBe(selector);
    expect(validateSelector(undefined, 'clusterSelector')).toBeUndefined();
  });
});

// ---- properties -------------------------------------------------------------------------

const labelsArb = fc.dictionary(fc.constantFrom('env', 'tier', 'geo'), fc.constantFrom('a', 'b'), { maxKeys: 3 });
const selectorArb: fc.Arbitrary<LabelSelector | undefined> = fc.option(
  fc.record({
    matchLabels: labelsArb,
    matchExpressions: fc.array(
      fc.record({
        key: fc.constantFrom('env', 'tier', 'geo'),
        operator: fc.constantFrom('In' as const, 'NotIn' as const, 'Exists' as const, 'DoesNotExist' as const),
        values: fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 }),
      }),
      { maxLength: 2 },
    ),
  }),
  { nil: undefined },
);
const portArb = fc.record(
  { port: fc.integer({ min: 1, max: 3 }), protocol: fc.constantFrom('TCP', 'UDP'), nodePort: fc.integer({ min: 30000, max: 30002 }) },
  { requiredKeys: ['port'] },
);
const specArb = fc.record(
  {
    type: fc.constantFrom('ClusterIP', 'LoadBalancer'),
    selector: labelsArb,
    ports: fc.array(portArb, { minLength: 1, maxLength: 2 }),
    clusterIP: fc.constantFrom('10.0.0.1', '10.0.0.2'),
    sessionAffinity: fc.constantFrom('None', 'ClientIP'),
  },
  { requiredKeys: ['ports'] },
);
const manifestArb = fc.tuple(specArb, labelsArb).map(([spec, labels]) => manifest(spec, labels));

const worldArb = fc.record({
  service: fc.record({ manifest: manifestArb, clusterSelector: selectorArb }, { requiredKeys: ['manifest'] }),
  clusters: fc.uniqueArray(
    fc.record({
      name: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6'),
      labels: labelsArb,
      health: fc.constantFrom('Ready' as const, 'NotReady' as const, 'Offline' as const),
      held: fc.option(fc.record({ manifest: manifestArb, created: fc.boolean() }), { nil: undefined }),
    }),
    { selector: (c) => c.name, maxLength: 6 },
  ),
  deleting: fc.boolean(),
  deleteAdopted: fc.boolean(),
});

type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function inputOf(world: World) {
  const clusters = world.clusters.map((c) => cluster(c.name, c.labels, c.health));
  const existing = world.clusters.flatMap((c) => (c.held ? [shardOf(c.name, c.held.manifest)] : []));
  const created = new Set(world.clusters.filter((c) => c.held?.created).map((c) => c.name));
  return {
    service: world.service as FederatedService,
    clusters,
    existing,
    created,
    ownerId: OWNER,
    deleting: world.deleting,
    deleteAdopted: world.deleteAdopted,
  };
}

/** Carries actions out the way a cluster would (server-side apply), giving the next world's holdings. */
function carryOut(world: World, actions: readonly ShardAction[]): World {
  return {
    ...world,
    clusters: world.clusters.map((c) => {
      const action = actions.find((a) => a.cluster === c.name)!;
      if (action.kind === 'create') return { ...c, held: { manifest: action.manifest, created: true } };
      if (action.kind === 'conform')
        return { ...c, held: { manifest: serverSideApply(c.held!.manifest, action.manifest), created: c.held!.created } };
      if (action.kind === 'delete') return { ...c, held: undefined };
      return c;
    }),
  };
}

const ownedPath = (path: string) =>
  CLUSTER_OWNED_FIELDS.some((owned) => {
    const pattern = new RegExp(`^${owned.replace(/\./g, '\\.').replace(/\[\]/g, '\\[\\d+\\]')}(\\.|\\[|$)`);
    return pattern.test(path);
  });

describe('placeShards, properties', () => {
  test.prop([worldArb], { numRuns: 300 })('one action per cluster, each allowed by the rules', (world) => {
    const input = inputOf(world);
    const actions = placeShards(input);
    expect(actions.map((a) => a.cluster)).toEqual(world.clusters.map((c) => c.name));
    for (const [i, c] of world.clusters.entries()) {
      const action = actions[i]!;
      const selected = !world.deleting && selectorMatches(world.service.clusterSelector, c.labels);
      if (c.health === 'Offline') expect(action.kind).toBe('leave');
      else if (!selected) {
        const mayDelete = c.held !== undefined && (c.held.created || world.deleteAdopted);
        expect(action.kind).toBe(mayDelete ? 'delete' : 'leave');
      } else if (!c.held) expect(action.kind).toBe('create');
      else expect(['conform', 'leave']).toContain(action.kind);
      if (action.kind === 'conform') {
        expect(action.fields.length).toBeGreaterThan(0);
        for (const field of action.fields) expect(ownedPath(field), field).toBe(false);
        expect(action.fields).toEqual(changedFields(action.manifest, c.held!.manifest));
        // Adopting never marks a Service as created; a created one keeps its mark.
        expect(createdBy(action.manifest, OWNER)).toBe(c.held!.created);
      }
      if (action.kind === 'create' || action.kind === 'conform') {
        const spec = action.manifest.spec;
        expect(spec['clusterIP']).toBeUndefined();
        for (const port of spec['ports'] as Record<string, unknown>[]) expect(port['nodePort']).toBeUndefined();
        expect(action.manifest.metadata.annotations?.[CREATED_BY_ANNOTATION] === OWNER).toBe(action.kind === 'create' || c.held!.created);
      }
    }
  });

  test.prop([worldArb], { numRuns: 300 })('carrying the actions out reaches a fixed point: every cluster is then left alone', (world) => {
    const after = carryOut(world, placeShards(inputOf(world)));
    expect(placeShards(inputOf(after)).filter((a) => a.kind !== 'leave')).toEqual([]);
    // Fields the cluster owns survive conforming.
    for (const c of after.clusters) {
      const before = world.clusters.find((x) => x.name === c.name)!.held;
      if (before && c.held) expect(c.held.manifest.spec['clusterIP']).toBe(before.manifest.spec['clusterIP']);
    }
  });
});

/** changedFields as a plain walk of every field desired sets, paths in key order: the model the function is checked against. */
function fieldsThatDiffer(path: string, desired: unknown, current: unknown): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(desired)) {
    if (!isObj(current)) return Object.keys(desired).length > 0 ? [path] : [];
    return Object.keys(desired)
      .sort()
      .flatMap((key) => fieldsThatDiffer(`${path}.${key}`, desired[key], current[key]));
  }
  if (Array.isArray(desired) && desired.length > 0 && desired.every(isObj)) {
    if (!Array.isArray(current)) return [path];
    const keyOf = (item: unknown) =>
      path === 'spec.ports' && isObj(item) && typeof item['port'] === 'number' ? `${item['port']}/${item['protocol'] ?? 'TCP'}` : undefined;
    const keys = desired.map(keyOf);
    if (keys.every((key) => key !== undefined) && new Set(keys).size === keys.length) {
      return desired.flatMap((item, i) => {
        const match = current.find((held) => isObj(held) && keyOf(held) === keys[i]);
        return match === undefined ? [`${path}[${i}]`] : fieldsThatDiffer(`${path}[${i}]`, item, match);
      });
    }
    if (current.length !== desired.length) return [path];
    return desired.flatMap((item, i) => fieldsThatDiffer(`${path}[${i}]`, item, current[i]));
  }
  return JSON.stringify(desired) === JSON.stringify(current) ? [] : [path];
}

describe('changedFields', () => {
  const scalar = fc.constantFrom<unknown>('a', 'b', 1, 2, true, null);
  const port = fc.record(
    { port: fc.constantFrom(80, 443), protocol: fc.constantFrom('TCP', 'UDP'), name: fc.constantFrom('http', 'https') },
    { requiredKeys: [] },
  );
  const labels = fc.dictionary(fc.constantFrom('app', 'tier', 'run'), fc.constantFrom('x', 'y'), { maxKeys: 3 });
  const spec = fc.record(
    {
      type: fc.constantFrom('LoadBalancer', 'ClusterIP'),
      selector: labels,
      ports: fc.array(port, { maxLength: 3 }),
      sessionAffinity: scalar,
      extra: fc.oneof(scalar, labels, fc.array(scalar, { maxLength: 2 })),
    },
    { requiredKeys: [] },
  );
  const manifestArb = fc.record({ labels: fc.option(labels, { nil: undefined }), spec }).map(({ labels, spec }) => manifest(spec, labels));

  test.prop([manifestArb, manifestArb], { numRuns: 500 })(
    'names every field desired sets that current holds otherwise, in key order',
    (desired, current) => {
      const expected = [
        ...fieldsThatDiffer('metadata.labels', desired.metadata.labels ?? {}, current.metadata.labels ?? {}),
        ...fieldsThatDiffer('metadata.annotations', {}, {}),
        ...fieldsThatDiffer('spec', desired.spec, current.spec),
      ];
      expect(changedFields(desired, current)).toEqual(expected);
    },
  );
});
