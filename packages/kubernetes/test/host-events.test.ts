// Events on FederatedServices are written once per event while their writes wait for the rate
// limit: repeats meanwhile raise the count of the write that waits, so a burst of happenings
// (every shard of a large federation created at start) never queues a write each.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EventRecorder } from '../src/host/events.js';
import { HostApi } from '../src/host/host-api.js';
import { TokenBucket } from '../src/host/token-bucket.js';
import { FakeKubeApi } from '../src/testing/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const nginx = { metadata: { name: 'nginx', namespace: 'mynamespace', uid: 'u-1' } };

describe('Events through the rate limit', () => {
  let server: FakeKubeApi;
  let api: HostApi;
  beforeAll(async () => {
    server = await FakeKubeApi.start();
    api = new HostApi(server.kubeConfig(), { requestTimeoutMs: 5_000, pageSize: 100, fieldManager: 'fedsvc' });
  });
  afterAll(() => server.stop());

  const eventWrites = () => server.requests.filter((r) => r.path.includes('/events') && r.method !== 'GET').length;

  test('repeats while a write waits cost no write of their own, and the counts add up', async () => {
    const recorder = new EventRecorder(api, new TokenBucket({ perSecond: 20, burst: 1 }), silent);
    const before = eventWrites();
    for (let i = 0; i < 50; i++)
      recorder.record(nginx, { kind: 'dns-updated', names: ['nginx.mynamespace.myfederation.svc.example.com.'] });
    for (let c = 0; c < 100; c++) recorder.record(nginx, { kind: 'shard', action: 'created', cluster: `cluster-${c}` });
    await recorder.flushed();
    await recorder.stop();
    const events = server.listEvents('mynamespace');
    const counts = events.map((event) => event['count'] as number);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(150);
    expect(events.find((event) => event['reason'] === 'DNSUpdated')?.['count']).toBe(50);
    // One write per Event: every repeat was folded into the write still waiting for its turn.
    expect(eventWrites() - before).toBe(events.length);
  });

  test('a repeat recorded while the write before it is under way is written after it', async () => {
    const quick = new HostApi(server.kubeConfig(), { requestTimeoutMs: 300, pageSize: 100, fieldManager: 'fedsvc' });
    const recorder = new EventRecorder(quick, new TokenBucket({ perSecond: 1_000, burst: 10 }), silent);
    const web = { metadata: { name: 'web', namespace: 'shop', uid: 'u-2' } };
    server.hangNext((r) => r.method === 'POST' && r.path.endsWith('/namespaces/shop/events'));
    const before = eventWrites();
    recorder.record(web, { kind: 'dns-updated', names: ['web.shop.myfederation.svc.example.com.'] });
    // Once the create is on the wire (held by the server), the same happening again.
    for (let i = 0; i < 100 && eventWrites() === before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    recorder.record(web, { kind: 'dns-updated', names: ['web.shop.myfederation.svc.example.com.'] });
    await recorder.flushed();
    await recorder.stop();
    expect(eventWrites() - before).toBe(2);
  });

  test('past 1 000 Events waiting, new ones are dropped with one log line as dropping starts and one once there is room', async () => {
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { ...silent, warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }) };
    // One write at once, then none for the length of the test: the queue stays full.
    const recorder = new EventRecorder(api, new TokenBucket({ perSecond: 0.001, burst: 1 }), logger);
    const object = (i: number) => ({ metadata: { name: `svc-${i}`, namespace: 'crowd', uid: `crowd-${i}` } });
    const happen = (i: number) => recorder.record(object(i), { kind: 'dns-updated', names: [`svc-${i}.crowd.fed.svc.example.com.`] });
    const before = eventWrites();
    for (let i = 0; i < 1_200; i++) happen(i);
    expect(warnings).toHaveLength(1);
    // The first write leaves the queue: room for one more, which ends the dropping.
    for (let i = 0; i < 200 && eventWrites() === before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    happen(1_200);
    await recorder.stop();
    expect(warnings.map((warning) => warning.fields['dropped'])).toEqual([undefined, 200]);
    expect(server.listEvents('crowd')).toHaveLength(1);
  });
});
