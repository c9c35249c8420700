// Property: whatever the interleaving of events (health flips, cluster outages, provider
// faults, controller restarts, services applied and deleted), once events stop the zone holds
// exactly the plan, and records the federation does not own are never touched.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { FederationController } from '../src/controller/controller.js';
import { decideFailStatic } from '../src/controller/fail-static.js';
import { CREATED_BY_ANNOTATION } from '../src/placement/manifest.js';
import type { Change, ClusterStatus, RecordSet, Shard } from '../src/types.js';
import { ADDRESSES, FOREIGN, OWNER, clusterOf, expected, guideWorld, nginx, published, within, type World } from './controller.fixture.js';

const ZONES = ['us-central1-a', 'us-central1-b', 'us-east1-b', 'us-east1-c', 'asia-east1-a', 'europe-west1-b'] as const;
const SERVICES = ['nginx', 'web'] as const;

type Command =
  | { kind: 'pods'; service: number; zone: number; ready: number }
  | { kind: 'health'; zone: number; health: ClusterStatus['health'] }
  | { kind: 'dns-fault'; what: 'fail' | 'throttle'; n: number; on: 'read' | 'write' }
  | { kind: 'cluster-fault'; n: number }
  | { kind: 'restart' }
  | { kind: 'apply'; service: number }
  | { kind: 'delete'; service: number }
  | { kind: 'foreign'; at: number }
  | { kind: 'ingress'; service: number; zone: number; loadBalancer: boolean }
  | { kind: 'wait'; ms: number };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('pods' as const), service: fc.nat(1), zone: fc.nat(ZONES.length - 1), ready: fc.nat(2) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('health' as const),
      zone: fc.nat(ZONES.length - 1),
      health: fc.constantFrom('Ready' as const, 'NotReady' as const, 'Offline' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('dns-fault' as const),
      what: fc.constantFrom('fail' as const, 'throttle' as const),
      n: fc.integer({ min: 1, max: 8 }),
      on: fc.constantFrom('read' as const, 'write' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cluster-fault' as const), n: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('apply' as const), service: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), service: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('foreign' as const), at: fc.nat(ZONES.length - 1) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('ingress' as const),
      service: fc.nat(1),
      zone: fc.nat(ZONES.length - 1),
      loadBalancer: fc.boolean(),
    }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 8 }) }) },
);

function smallWorld(): World {
  // The provider writes aliases: a shard's load balancer may become a hostname (an ALIAS target) and back.
  const world = guideWorld({ canAlias: (hostname) => hostname.endsWith('.lb.example.net.') });
  // Keep six of the guide's clusters: a smaller world runs more interleavings.
  for (const cluster of world.clusters.clusters()) {
    if (!ZONES.some((zone) => clusterOf(zone) === cluster.name)) world.clusters.removeCluster(cluster.name);
  }
  return world;
}

describe('controller convergence', () => {
  test.prop([fc.array(commandArb, { minLength: 5, maxLength: 30 })], { numRuns: 100, timeout: 120_000 })(
    'random interleavings converge to exactly the plan and leave foreign records alone',
    async (commands) => {
      const world = smallWorld();
      const applied = new Set<number>([0]);
      const deleted = new Set<number>();
      const foreign: RecordSet<string>[] = [...FOREIGN];
      const make = (): FederationController => {
        const c = world.controller({ services: [...applied].map((i) => nginx('mynamespace', SERVICES[i])), random: () => 0.5 });
        c.start();
        for (const i of deleted) c.deleteService('mynamespace', SERVICES[i]!);
        return c;
      };
      let controller = make();
      try {
        // Shards placed and serving first, so that the commands find them and flip something;
        // restarts still race their own placement.
        await within(controller.idle(), 10_000, 'placement');
        for (const zone of ZONES) world.clusters.setReadyEndpoints(clusterOf(zone), 'mynamespace', SERVICES[0], 1);
        for (const command of commands) {
          switch (command.kind) {
            case 'pods': {
              const cluster = clusterOf(ZONES[command.zone]!);
              if (world.clusters.shard(cluster, 'mynamespace', SERVICES[command.service]!)) {
                world.clusters.setReadyEndpoints(cluster, 'mynamespace', SERVICES[command.service]!, command.ready);
              }
              break;
            }
            case 'health':
              world.clusters.setHealth(clusterOf(ZONES[command.zone]!), command.health);
              break;
            case 'dns-fault':
              if (command.what === 'fail') world.provider.failNext(command.n, { on: command.on });
              else world.provider.throttleNext(command.n, { on: command.on });
              break;
            case 'cluster-fault':
              world.clusters.failNextApplies(command.n);
              break;
            case 'restart':
              await within(controller.stop(), 10_000, 'stop');
              controller = make();
              break;
            case 'apply':
              applied.add(command.service);
              deleted.delete(command.service);
              controller.applyService(nginx('mynamespace', SERVICES[command.service]));
              break;
            case 'delete':
              applied.delete(command.service);
              deleted.add(command.service);
              controller.deleteService('mynamespace', SERVICES[command.service]!);
              break;
            case 'foreign': {
              // A person's record among the federation's names, unmarked: no pass may touch it.
              const record = {
                name: `manual${foreign.length}.mynamespace.myfederation.svc.${ZONES[command.at]}.example.com.`,
                type: 'A',
                ttl: 30,
                rrdatas: ['192.0.2.77'],
              };
              world.provider.writeBehind(world.zone, [{ kind: 'create', record } as Change]);
              foreign.push(record);
              break;
            }
            case 'ingress': {
              const zone = ZONES[command.zone]!;
              const cluster = clusterOf(zone);
              if (world.clusters.shard(cluster, 'mynamespace', SERVICES[command.service]!)) {
                world.clusters.setIngress(
                  cluster,
                  'mynamespace',
                  SERVICES[command.service]!,
                  command.loadBalancer ? [{ hostname: `lb-${zone}.lb.example.net` }] : [{ ip: ADDRESSES[zone]! }],
                );
              }
              break;
            }
            case 'wait':
              await new Promise((resolve) => setTimeout(resolve, command.ms));
              break;
          }
        }
        // Events stop and every outage ends. Faults still pending fire on the passes that follow.
        for (const cluster of world.clusters.clusters()) if (cluster.health === 'Offline') world.clusters.setHealth(cluster.name, 'Ready');
        await within(controller.idle(), 30_000, 'convergence');

        for (const [i, name] of SERVICES.entries()) {
          if (applied.has(i)) {
            expect(published(world, 'mynamespace', name)).toEqual(expected(world, 'mynamespace', name));
            expect(world.clusters.shards('mynamespace', name)).toHaveLength(ZONES.length);
          } else {
            expect(world.provider.snapshot(world.zone).filter((r) => r.name.includes(`${name}.mynamespace.myfederation.svc.`))).toEqual([]);
            expect(
              world.clusters.shards('mynamespace', name).filter((s) => s.manifest.metadata.annotations?.[CREATED_BY_ANNOTATION] === OWNER),
            ).toEqual([]);
          }
        }
        const held = world.provider.snapshot(world.zone);
        for (const record of foreign) expect(held).toContainEqual(record);
      } finally {
        await controller.stop();
      }
    },
  );
});

// ---- fail static, decided purely ---------------------------------------------------------

const clusterArb = fc.record({
  health: fc.constantFrom('Ready' as const, 'NotReady' as const, 'Offline' as const),
  healthyShard: fc.boolean(),
  lastGood: fc.boolean(),
});

describe('decideFailStatic', () => {
  test.prop([fc.array(clusterArb, { minLength: 1, maxLength: 12 }), fc.double({ min: 0, max: 1, noNaN: true })], { numRuns: 300 })(
    'seen clusters report the truth; Offline ones are held all together exactly when they exceed the threshold',
    (specs, maxWithdrawFraction) => {
      const clusters: ClusterStatus[] = specs.map((s, i) => ({
        name: `c${i}`,
        zones: [`z${i}`],
        region: 'r',
        labels: {},
        health: s.health,
      }));
      const shards: Shard[] = specs.map((s, i) => ({
        cluster: `c${i}`,
        addresses: [`192.0.2.${i + 1}`],
        readyEndpoints: s.healthyShard ? 1 : 0,
      }));
      const lastGood = new Map(
        specs.flatMap((s, i) =>
          s.lastGood ? [[`c${i}`, { cluster: `c${i}`, addresses: [`198.51.100.${i + 1}`], readyEndpoints: 1 }] as const] : [],
        ),
      );
      const decision = decideFailStatic({ clusters, shards, lastGood, seen: new Set(clusters.map((c) => c.name)), maxWithdrawFraction });

      const good = specs.filter((s) => (s.health === 'Offline' ? s.lastGood : s.health === 'Ready' && s.healthyShard)).length;
      const lost = specs.filter((s) => s.health === 'Offline' && s.lastGood).length;
      const engaged = good > 0 && (lost === good || lost / good > maxWithdrawFraction);
      expect(decision.held.length).toBe(engaged ? lost : 0);
      expect(decision.lastGood.size).toBe(engaged ? good : good - lost);
      for (const [i, s] of specs.entries()) {
        const cluster = decision.clusters[i]!;
        const shard = decision.shards.find((x) => x.cluster === `c${i}`)!;
        if (s.health !== 'Offline') {
          expect(cluster.ready).toBe(s.health === 'Ready');
          expect(shard).toBe(shards[i]);
        } else if (decision.held.includes(`c${i}`)) {
          expect(cluster.ready).toBe(true);
          expect(shard).toBe(lastGood.get(`c${i}`));
        } else {
          expect(cluster.ready).toBe(false);
        }
      }
      // Never everything withdrawn for lost sight alone, unless the threshold allows all of it.
      if (lost === good && good > 0) expect(decision.held).toHaveLength(lost);
    },
  );
});
