// Events aggregated as client-go's correlator does: a repeat patches the first event's count,
// many different messages of one reason are combined into one event, never one event per pass.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { type EventHistory, type EventWrite, type FederationOccurrence, type InvolvedObject, recordEvent } from '../src/index.js';

const nginx: InvolvedObject = {
  apiVersion: 'fedsvc.io/v1alpha1',
  kind: 'FederatedService',
  namespace: 'mynamespace',
  name: 'nginx',
  uid: 'u-1',
};
const cluster = fc.constantFrom('gce-asia-east1-a', 'gce-us-central1-a', 'gce-us-east1-b');
const occurrence: fc.Arbitrary<FederationOccurrence> = fc.oneof(
  fc.record({
    kind: fc.constant('shard' as const),
    action: fc.constantFrom('created' as const, 'adopted' as const, 'deleted' as const),
    cluster,
  }),
  fc.record({ kind: fc.constant('dns-updated' as const), names: fc.subarray(['nginx.a.', 'nginx.b.'], { minLength: 1 }) }),
  fc.record({ kind: fc.constant('records-conflict' as const), names: fc.constant(['nginx.a.']) }),
  fc.record({
    kind: fc.constantFrom('fail-static-engaged' as const, 'fail-static-released' as const),
    clusters: fc.subarray(['a', 'b'], { minLength: 1 }),
  }),
);

/** Runs the occurrences, `stepMs` apart, and returns every write. */
function run(occurrences: readonly FederationOccurrence[], stepMs: number, involved = nginx): EventWrite[] {
  let history: EventHistory | undefined;
  const start = Date.parse('2026-12-04T23:00:00Z');
  return occurrences.map((happened, i) => {
    const result = recordEvent(history, involved, happened, new Date(start + i * stepMs));
    history = result.history;
    return result.write;
  });
}

/** The events as the host cluster holds them after the writes: by name, the last body written. */
const stored = (writes: readonly EventWrite[]) => new Map(writes.map((write) => [write.event.metadata.name, write.event]));

describe('recordEvent', () => {
  test.prop([occurrence, fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 3_600_000 })])(
    'a repeat of one happening is one event whose count is the repeats',
    (happened, times, stepMs) => {
      const writes = run(Array(times).fill(happened), stepMs);
      expect(writes.filter((write) => write.action === 'create')).toHaveLength(1);
      const events = [...stored(writes).values()];
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ count: times, firstTimestamp: '2026-12-04T23:00:00Z', source: { component: 'fedsvc' } });
      for (const write of writes.slice(1)) expect(write).toMatchObject({ action: 'patch', patch: { count: write.event.count } });
    },
  );

  test.prop([fc.array(occurrence, { maxLength: 60 }), fc.integer({ min: 0, max: 120_000 })])(
    'every happening is counted once, in one event per reason and message at most',
    (occurrences, stepMs) => {
      const writes = run(occurrences, stepMs);
      const events = [...stored(writes).values()];
      expect(events.reduce((sum, event) => sum + event.count, 0)).toBe(occurrences.length);
      const kinds = new Set(events.map((event) => JSON.stringify([event.reason, event.message])));
      expect(kinds.size).toBe(events.length);
      for (const event of events) {
        expect(event).toMatchObject({ involvedObject: nginx, metadata: { namespace: 'mynamespace' } });
        expect(event.type).toBe(['RecordsConflict', 'FailStaticEngaged'].includes(event.reason) ? 'Warning' : 'Normal');
      }
    },
  );

  test('a shard created in each of 13 clusters: 9 events, then one combined event counting the other 4', () => {
    const clusters = Array.from({ length: 13 }, (_, i) => `cluster-${i}`);
    const writes = run(
      clusters.map((name) => ({ kind: 'shard', action: 'created', cluster: name })),
      1000,
    );
    const events = [...stored(writes).values()];
    expect(events).toHaveLength(10);
    const combined = events.filter((event) => event.message.startsWith('(combined from similar events): '));
    expect(combined).toHaveLength(1);
    expect(combined[0]).toMatchObject({ reason: 'ShardCreated', count: 4, message: expect.stringContaining('cluster-12') });
    expect(events.filter((event) => event !== combined[0]).map((event) => event.message)).toEqual(
      clusters.slice(0, 9).map((name) => `Created the Service in cluster ${name}`),
    );
  });

  test('after ten quiet minutes a new message of the reason is its own event again', () => {
    const many = Array.from({ length: 12 }, (_, i): FederationOccurrence => ({ kind: 'shard', action: 'deleted', cluster: `c-${i}` }));
    const writes = run([...many, { kind: 'shard', action: 'deleted', cluster: 'later' }], 60_000);
    expect(writes.at(-2)?.event.message).toMatch(/^\(combined/);
    expect(writes.at(-1)?.event.message).toMatch(/^\(combined/);
    const spaced = run([...many, { kind: 'shard', action: 'deleted', cluster: 'later' }], 11 * 60_000);
    expect(spaced.every((write) => !write.event.message.startsWith('(combined'))).toBe(true);
  });

  test.prop([fc.array(occurrence, { minLength: 1, maxLength: 40 })])(
    'events of a cluster-scoped object go to default; names never repeat',
    (occurrences) => {
      const writes = run(occurrences, 0, { apiVersion: 'fedsvc.io/v1alpha1', kind: 'FederatedCluster', name: 'gce-us-central1-a' });
      const created = writes.filter((write) => write.action === 'create').map((write) => write.event.metadata.name);
      expect(new Set(created).size).toBe(created.length);
      for (const write of writes) expect(write.event.metadata.namespace).toBe('default');
    },
  );
});
