// Property tests of the deciding parts: health thresholds, backoff, topology, and the shard join.
import { fc, test } from '@fast-check/vitest';
import { type ClusterEvent, type ShardStatus, ValidationError } from '@fedsvc/core';
import { describe, expect } from 'vitest';
import { reconnectDelay } from '../src/backoff.js';
import { decodeEndpointSlice, decodeService } from '../src/decode.js';
import {
  type HealthState,
  type ProbeResult,
  UNKNOWN_HEALTH,
  isSuspect,
  nextProbe,
  observeProbe,
  probesAtOnceOnConnectionLoss,
} from '../src/health.js';
import { notReadyReason } from '../src/probe.js';
import { clusterStatus } from '../src/status.js';
import { ShardIndex } from '../src/shard-index.js';
import { clusterTopology, nodeTopology } from '../src/topology.js';
import { endpointSlice, service } from '../src/testing/objects.js';

const probe = fc.oneof(
  fc.constant<ProbeResult>({ kind: 'ready' }),
  fc.constant<ProbeResult>({ kind: 'not-ready', reason: '/readyz check failed: etcd' }),
  fc.constant<ProbeResult>({ kind: 'unreachable', reason: 'API server unreachable: ECONNREFUSED' }),
);
const thresholds = fc.record({ failureThreshold: fc.integer({ min: 1, max: 5 }), successThreshold: fc.integer({ min: 1, max: 5 }) });

const run = (
  results: readonly ProbeResult[],
  t: { failureThreshold: number; successThreshold: number },
  from: HealthState = UNKNOWN_HEALTH,
) => results.reduce((state, r) => observeProbe(state, r, t), from);

/** Length of the run of equal-kind outcomes (ready vs failed) at the end of the list. */
function trailingRun(results: readonly ProbeResult[], ready: boolean): number {
  let n = 0;
  for (let i = results.length - 1; i >= 0 && (results[i]!.kind === 'ready') === ready; i--) n++;
  return n;
}

describe('health thresholds', () => {
  test.prop([thresholds, fc.array(probe, { minLength: 1, maxLength: 40 })])(
    'the status only changes after a threshold of consecutive probes',
    (t, results) => {
      let state = run(results.slice(0, 1), t);
      for (let i = 1; i < results.length; i++) {
        const next = observeProbe(state, results[i]!, t);
        const seen = results.slice(0, i + 1);
        if (next.health === 'Ready' && state.health !== 'Ready') expect(trailingRun(seen, true)).toBeGreaterThanOrEqual(t.successThreshold);
        if (next.health !== 'Ready' && state.health === 'Ready')
          expect(trailingRun(seen, false)).toBeGreaterThanOrEqual(t.failureThreshold);
        state = next;
      }
    },
  );

  test.prop([thresholds, fc.array(probe, { maxLength: 20 }), probe])(
    'enough consecutive equal outcomes always decide, with the last failure kind and reason',
    (t, prefix, last) => {
      const repeated = Array.from({ length: Math.max(t.failureThreshold, t.successThreshold) }, () => last);
      const state = run([...prefix, ...repeated], t);
      if (last.kind === 'ready') {
        expect(state).toMatchObject({ health: 'Ready' });
        expect(state.reason).toBeUndefined();
      } else {
        expect(state).toMatchObject({ health: last.kind === 'not-ready' ? 'NotReady' : 'Offline', reason: last.reason });
      }
    },
  );

  test.prop([thresholds, probe])('the first probe decides at once', (t, first) => {
    expect(run([first], t).health).toBe(first.kind === 'ready' ? 'Ready' : first.kind === 'not-ready' ? 'NotReady' : 'Offline');
  });
});

describe('probe schedule and thresholds over random probe sequences', () => {
  const ready: ProbeResult = { kind: 'ready' };
  const failed = fc.constantFrom<ProbeResult>(
    { kind: 'not-ready', reason: '/readyz check failed: etcd' },
    { kind: 'unreachable', reason: 'API server did not answer within 1000 ms' },
  );
  const timing = fc.record({
    periodMs: fc.integer({ min: 1, max: 60_000 }),
    timeoutMs: fc.integer({ min: 1, max: 30_000 }),
    suspectPeriodMs: fc.integer({ min: 1, max: 60_000 }),
    suspectTimeoutMs: fc.integer({ min: 1, max: 30_000 }),
  });
  /** A Ready cluster with no failed probe: where any run of probes in service starts. */
  const settledReady = (t: { failureThreshold: number; successThreshold: number }) => run([ready], t);

  test.prop([thresholds, fc.array(fc.boolean(), { maxLength: 60 }), failed])(
    'a single failed probe between successes never changes a Ready cluster',
    (t, pattern, failure) => {
      // Failures never two in a row, as with probes lost one at a time.
      const results = pattern.flatMap((lose) => (lose ? [failure, ready] : [ready]));
      let state = settledReady(t);
      for (const result of results) {
        state = observeProbe(state, result, t);
        if (t.failureThreshold > 1) expect(state.health).toBe('Ready');
      }
    },
  );

  test.prop([thresholds, fc.array(probe, { maxLength: 20 }), failed])(
    'a Ready cluster is declared out at exactly the threshold of consecutive failures',
    (t, prefix, failure) => {
      let state = observeProbe(run(prefix, t, settledReady(t)), ready, t);
      // However it got there, a Ready cluster after a ready probe starts counting afresh.
      if (state.health !== 'Ready')
        state = run(
          Array.from({ length: t.successThreshold }, () => ready),
          t,
          state,
        );
      for (let k = 1; k <= t.failureThreshold; k++) {
        state = observeProbe(state, failure, t);
        expect(state.health === 'Ready').toBe(k < t.failureThreshold);
      }
    },
  );

  test.prop([thresholds, failed])('recovery takes exactly the success threshold of consecutive ready probes', (t, failure) => {
    let state = run(
      Array.from({ length: t.failureThreshold }, () => failure),
      t,
      settledReady(t),
    );
    expect(state.health).not.toBe('Ready');
    for (let k = 1; k <= t.successThreshold; k++) {
      state = observeProbe(state, ready, t);
      expect(state.health === 'Ready').toBe(k >= t.successThreshold);
    }
  });

  test.prop([thresholds, timing, fc.array(probe, { minLength: 1, maxLength: 40 })])(
    'after a failed probe of a Ready cluster the next come at the suspect period, until it is out or a probe succeeds',
    (t, timing, results) => {
      let state = settledReady(t);
      for (const result of results) {
        const before = state;
        state = observeProbe(state, result, t);
        const next = nextProbe(state, timing);
        const suspect = state.health === 'Ready' && result.kind !== 'ready';
        expect(isSuspect(state)).toBe(suspect);
        expect(next).toEqual(
          suspect
            ? { delayMs: Math.min(timing.suspectPeriodMs, timing.periodMs), timeoutMs: Math.min(timing.suspectTimeoutMs, timing.timeoutMs) }
            : { delayMs: timing.periodMs, timeoutMs: timing.timeoutMs },
        );
        // A broken watch brings a probe forward only for a cluster in service and not suspect:
        // never faster than the suspect period, never a change of state by itself.
        expect(probesAtOnceOnConnectionLoss(state)).toBe(state.health === 'Ready' && !suspect);
        if (before.health === 'Ready' && state.health !== 'Ready') expect(before.failures).toBe(t.failureThreshold - 1);
      }
    },
  );

  test.prop([fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 100, maxLength: 2_000 })])(
    'one probe in a hundred lost at random, with the default thresholds: no state change unless three are lost in a row',
    (draws) => {
      const t = { failureThreshold: 3, successThreshold: 2 };
      const results = draws.map((d): ProbeResult => (d === 0 ? { kind: 'unreachable', reason: 'lost' } : ready));
      let state = settledReady(t);
      let changes = 0;
      for (const result of results) {
        const next = observeProbe(state, result, t);
        if (next.health !== state.health) changes++;
        state = next;
      }
      const threeInARow = draws.some((d, i) => d === 0 && draws[i + 1] === 0 && draws[i + 2] === 0);
      if (!threeInARow) expect(changes).toBe(0);
    },
  );
});

describe('backoff', () => {
  test.prop([
    fc.integer({ min: 1, max: 60 }),
    fc.integer({ min: 1, max: 5000 }),
    fc.integer({ min: 0, max: 100_000 }),
    fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  ])('stays within [step/2, step], the step doubling from initialMs and bounded by maxMs', (failures, initialMs, extra, random) => {
    const maxMs = initialMs + extra;
    const step = Math.min(maxMs, initialMs * 2 ** (failures - 1));
    const delay = reconnectDelay(failures, { initialMs, maxMs }, () => random);
    expect(delay).toBeGreaterThanOrEqual(Math.floor(step / 2));
    expect(delay).toBeLessThanOrEqual(Math.min(step, maxMs));
  });
});

describe('topology', () => {
  const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
  const node = fc.record({ zone: fc.option(label, { nil: undefined }), region: fc.option(label, { nil: undefined }) });

  test.prop([fc.array(node, { maxLength: 12 })])(
    'zones are every zone the nodes span, in a stable order, whatever the node order',
    (nodes) => {
      const result = clusterTopology(nodes);
      const reversed = clusterTopology([...nodes].reverse());
      expect(reversed).toEqual(result);
      const zones = [...new Set(nodes.flatMap((n) => (n.zone ? [n.zone] : [])))].sort();
      const regions = new Set(nodes.flatMap((n) => (n.region ? [n.region] : [])));
      if (zones.length > 0 && regions.size === 1) expect(result).toEqual({ zones, region: [...regions][0] });
      else expect(result).toHaveProperty('reason');
    },
  );

  test.prop([label, label, label, label])('the current labels win over the legacy ones', (zone, region, oldZone, oldRegion) => {
    const read = nodeTopology('n', {
      'topology.kubernetes.io/zone': zone,
      'topology.kubernetes.io/region': region,
      'failure-domain.beta.kubernetes.io/zone': oldZone,
      'failure-domain.beta.kubernetes.io/region': oldRegion,
    });
    expect(read).toEqual({ zone, region });
    expect(
      nodeTopology('n', { 'failure-domain.beta.kubernetes.io/zone': oldZone, 'failure-domain.beta.kubernetes.io/region': oldRegion }),
    ).toEqual({ zone: oldZone, region: oldRegion });
  });

  test.prop([fc.string({ maxLength: 70 }).filter((s) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) || s.length > 63)])(
    'a value that is not a DNS-1123 label is a ValidationError naming node and label',
    (value) => {
      const read = nodeTopology('node-7', { 'topology.kubernetes.io/zone': value });
      expect(read).toBeInstanceOf(ValidationError);
      expect(read).toMatchObject({ field: 'nodes/node-7.metadata.labels["topology.kubernetes.io/zone"]', value });
    },
  );
});

describe('shard join', () => {
  const names = fc.constantFrom('a', 'b', 'c');
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('service' as const),
      name: names,
      ip: fc.option(fc.constantFrom('192.0.2.1', '192.0.2.2'), { nil: undefined }),
    }),
    fc.record({ kind: fc.constant('drop-service' as const), name: names }),
    fc.record({
      kind: fc.constant('slice' as const),
      service: names,
      slice: fc.constantFrom('s1', 's2', 's3'),
      ready: fc.nat(3),
      notReady: fc.nat(2),
    }),
    fc.record({ kind: fc.constant('drop-slice' as const), slice: fc.constantFrom('s1', 's2', 's3') }),
    fc.record({ kind: fc.constant('relist' as const) }),
  );

  test.prop([fc.array(op, { maxLength: 40 }), fc.nat(40)])(
    'the events describe exactly the shards the final state holds',
    (ops, openAt) => {
      const index = new ShardIndex('c1');
      const services = new Map<string, ReturnType<typeof decodeService>>();
      const slices = new Map<string, ReturnType<typeof decodeEndpointSlice>>();
      const view = new Map<string, ShardStatus>();
      const apply = (events: readonly ClusterEvent[]) => {
        for (const e of events) {
          if (e.type === 'shard') view.set(e.shard.name, e.shard);
          else if (e.type === 'shard-removed') view.delete(e.name);
        }
      };
      ops.forEach((o, i) => {
        if (i === openAt) apply(index.start());
        switch (o.kind) {
          case 'service': {
            const raw = service('ns', o.name);
            if (o.ip) raw['status'] = { loadBalancer: { ingress: [{ ip: o.ip }] } };
            const decoded = decodeService(raw);
            services.set(o.name, decoded);
            return apply(index.upsertService(decoded));
          }
          case 'drop-service':
            services.delete(o.name);
            return apply(index.removeService('ns', o.name));
          case 'slice': {
            const decoded = decodeEndpointSlice(endpointSlice('ns', o.service, o.slice, o.ready, o.notReady));
            slices.set(o.slice, decoded);
            return apply(index.upsertSlice(decoded));
          }
          case 'drop-slice':
            slices.delete(o.slice);
            return apply(index.removeSlice('ns', o.slice));
          case 'relist':
            apply(index.replaceServices([...services.values()]));
            return apply(index.replaceSlices([...slices.values()]));
        }
      });
      if (openAt >= ops.length) apply(index.start());
      const expected = new Map(
        [...services.values()].map((s) => [
          s.name,
          [...slices.values()].filter((sl) => sl.service === s.name).reduce((n, sl) => n + sl.readyEndpoints, 0),
        ]),
      );
      expect(new Map([...view].map(([name, shard]) => [name, shard.readyEndpoints]))).toEqual(expected);
      for (const [name, shard] of view) expect(shard.ingress).toEqual(services.get(name)!.ingress);
    },
  );
});

describe('readiness reason', () => {
  test.prop([fc.array(fc.stringMatching(/^[a-z][a-z-]{0,12}$/), { minLength: 1, maxLength: 4 })])(
    'names every failed check of a verbose answer',
    (checks) => {
      const body = ['[+]ping ok', ...checks.map((c) => `[-]${c} failed: reason withheld`), 'readyz check failed'].join('\n');
      expect(notReadyReason('/readyz', 500, body)).toBe(
        `/readyz check failed: ${checks.map((c) => `${c} failed: reason withheld`).join('; ')}`,
      );
    },
  );
  test.prop([fc.integer({ min: 300, max: 599 })])('falls back to the HTTP status', (status) => {
    expect(notReadyReason('/readyz', status, 'nope')).toBe(`/readyz answered HTTP ${status}`);
  });
});

describe('clusterStatus', () => {
  const offline: HealthState = { ...UNKNOWN_HEALTH, health: 'Offline', reason: 'connect ECONNREFUSED' };
  const ready: HealthState = { ...UNKNOWN_HEALTH, health: 'Ready' };
  test('a cluster Offline before its topology is known is reported, with no zones: the controller must know it is out of sight', () => {
    expect(clusterStatus('west', { env: 'prod' }, offline, undefined)).toEqual({
      name: 'west',
      zones: [],
      region: '',
      labels: { env: 'prod' },
      health: 'Offline',
      reason: 'connect ECONNREFUSED',
    });
  });
  test('a reachable cluster waits for its topology; health unknown is not reported', () => {
    expect(clusterStatus('west', {}, ready, undefined)).toBeUndefined();
    expect(clusterStatus('west', {}, UNKNOWN_HEALTH, undefined)).toBeUndefined();
    expect(clusterStatus('west', {}, ready, { zones: ['z1'], region: 'r1' })).toMatchObject({
      zones: ['z1'],
      region: 'r1',
      health: 'Ready',
    });
  });
});
