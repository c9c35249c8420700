// A burst holding echoes of the controller's own shard writes: reduced into the same state with
// the same tellings as without them, only the services whose every event was an echo unmarked.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { reduceClusterEvents } from '../src/controller/cluster-burst.js';
import { commitClusterStep, type JudgeHealth, type ServiceShards, type StateEvent } from '../src/controller/cluster-state.js';
import { WrittenShards } from '../src/controller/echoes.js';
import type { ClusterHealth, ClusterStatus, ServiceManifest, ShardAction } from '../src/types.js';

const CLUSTERS = ['a', 'b', 'c'];
const SERVICES: readonly (readonly [string, string])[] = [
  ['ns', 'web'],
  ['ns', 'api'],
];
/** Specs a shard may hold, and a pass may write: a write sets its fields; a shard may hold others' besides. */
const SPECS: readonly Readonly<Record<string, unknown>>[] = [
  {},
  { type: 'LoadBalancer' },
  { type: 'ClusterIP' },
  { type: 'LoadBalancer', externalTrafficPolicy: 'Local' },
];

const manifest = ([namespace, name]: readonly [string, string], spec: Readonly<Record<string, unknown>>): ServiceManifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace, name },
  spec,
});

const event: fc.Arbitrary<StateEvent> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...CLUSTERS).map((name) => ({ type: 'cluster' as const, cluster: status(name, 'Ready') })) },
  {
    weight: 8,
    arbitrary: fc
      .record({
        cluster: fc.constantFrom(...CLUSTERS),
        service: fc.constantFrom(...SERVICES),
        spec: fc.constantFrom(...SPECS),
        ready: fc.nat(1),
      })
      .map(({ cluster, service, spec, ready }) => ({
        type: 'shard' as const,
        shard: {
          cluster,
          namespace: service[0],
          name: service[1],
          readyEndpoints: ready,
          ingress: [{ ip: '192.0.2.1' }],
          manifest: manifest(service, spec),
        },
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ cluster: fc.constantFrom(...CLUSTERS), service: fc.constantFrom(...SERVICES) })
      .map(({ cluster, service: [namespace, name] }) => ({ type: 'shard-removed' as const, cluster, namespace, name })),
  },
);

/** The actions passes under way carry out: per service, per cluster, a create or conform of one spec, or a delete. */
const writes: fc.Arbitrary<ReadonlyMap<string, readonly ShardAction[]>> = fc
  .array(
    fc.record({
      service: fc.constantFrom(...SERVICES),
      cluster: fc.constantFrom(...CLUSTERS),
      kind: fc.constantFrom('create', 'conform', 'delete'),
      spec: fc.constantFrom(...SPECS),
    }),
    { maxLength: 8 },
  )
  .map((list) => {
    const byService = new Map<string, ShardAction[]>();
    for (const { service, cluster, kind, spec } of list) {
      const key = `${service[0]}/${service[1]}`;
      const actions = (byService.get(key) ?? []).filter((action) => action.cluster !== cluster);
      const action: ShardAction =
        kind === 'delete'
          ? { kind, cluster, namespace: service[0], name: service[1] }
          : kind === 'create'
            ? { kind, cluster, manifest: manifest(service, spec) }
            : { kind, cluster, manifest: manifest(service, spec), fields: ['spec'] };
      byService.set(key, [...actions, action]);
    }
    return byService;
  });

function status(name: string, health: ClusterHealth): ClusterStatus {
  return { name, zones: [`${name}-1`], region: 'r', labels: {}, health };
}

const judge: JudgeHealth = (cluster, shard) => cluster?.health === 'Ready' && shard.readyEndpoints > 0;

const empty = () => ({ clusters: new Map() as ReadonlyMap<string, ClusterStatus>, shards: new Map<string, ServiceShards>() });

/** Whether the shard sets every field the written Service sets as it does: the test's own reading of "as written". */
function asWritten(actions: ReadonlyMap<string, readonly ShardAction[]>, shard: Extract<StateEvent, { type: 'shard' }>['shard']): boolean {
  const action = actions.get(`${shard.namespace}/${shard.name}`)?.find((action) => action.cluster === shard.cluster);
  const spec = action?.kind === 'create' || action?.kind === 'conform' ? action.manifest.spec : undefined;
  return spec !== undefined && Object.entries(spec).every(([field, value]) => shard.manifest.spec[field] === value);
}

describe('reduceClusterEvents with shard writes under way', () => {
  test.prop([fc.array(event, { maxLength: 20 }), fc.array(event, { maxLength: 40 }), writes], { numRuns: 500 })(
    'the same state and tellings as without them; a service is marked unless every event of it echoes a create or conform as written',
    (before, burst, actions) => {
      const written = new WrittenShards();
      for (const [service, list] of actions) written.writing(service, list);
      const plain = empty();
      const echoing = empty();
      commitClusterStep(plain, reduceClusterEvents(plain, before, judge));
      commitClusterStep(echoing, reduceClusterEvents(echoing, before, judge));
      const without = reduceClusterEvents(plain, burst, judge);
      const step = reduceClusterEvents(echoing, burst, judge, written);
      expect([...step.shards]).toEqual([...without.shards]);
      expect(step.clusters).toEqual(without.clusters);
      const told = step.notifications.filter((n) => n.type !== 'dirty');
      expect(told).toEqual(without.notifications.filter((n) => n.type !== 'dirty'));
      const marked = step.notifications.filter((n) => n.type === 'dirty').map((n) => n.service);
      if (burst.some((e) => e.type === 'cluster' || e.type === 'cluster-removed')) {
        expect(marked).toEqual(['all']);
        return;
      }
      const expected = new Set<string>();
      for (const e of burst) {
        if (e.type === 'shard-removed') expected.add(`${e.namespace}/${e.name}`);
        else if (e.type === 'shard' && !asWritten(actions, e.shard)) expected.add(`${e.shard.namespace}/${e.shard.name}`);
      }
      expect(new Set(marked)).toEqual(expected);
    },
  );

  test.prop([fc.array(event, { maxLength: 40 }), writes], { numRuns: 300 })(
    'once no longer awaited, the writes answer the shard last heard as each one written',
    (burst, actions) => {
      const written = new WrittenShards();
      for (const [service, list] of actions) written.writing(service, list);
      reduceClusterEvents(empty(), burst, judge, written);
      const echoes = written.forget(SERVICES.map(([namespace, name]) => `${namespace}/${name}`));
      for (const [namespace, name] of SERVICES) {
        for (const cluster of CLUSTERS) {
          const last = burst.findLast(
            (e) =>
              e.type === 'shard' &&
              e.shard.cluster === cluster &&
              e.shard.namespace === namespace &&
              e.shard.name === name &&
              asWritten(actions, e.shard),
          );
          expect(echoes.of(`${namespace}/${name}`, cluster)).toBe(last?.type === 'shard' ? last.shard.manifest : undefined);
        }
      }
    },
  );

  test.prop([fc.array(event, { maxLength: 40 }), writes, fc.subarray(SERVICES.map(([namespace, name]) => `${namespace}/${name}`))])(
    'a service whose writes are no longer awaited (forget) is marked by every event, as with no write under way',
    (burst, actions, moved) => {
      const written = new WrittenShards();
      for (const [service, list] of actions) written.writing(service, list);
      written.forget(moved);
      const marked = (step: ReturnType<typeof reduceClusterEvents>) =>
        step.notifications.flatMap((n) => (n.type === 'dirty' && moved.includes(String(n.service)) ? [n.service] : []));
      expect(marked(reduceClusterEvents(empty(), burst, judge, written))).toEqual(marked(reduceClusterEvents(empty(), burst, judge)));
    },
  );
});
