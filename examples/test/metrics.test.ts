// The metrics example: gauges and counters follow the controller's events, and /metrics serves them.
import { createController } from '@fedsvc/core';
import { MemoryClusters } from '@fedsvc/core/testing';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, test } from 'vitest';
import { controllerMetrics, serveMetrics } from '../metrics.js';

const zones = ['us-central1-a', 'us-central1-b', 'us-east1-b', 'us-east1-c', 'europe-west1-b'];
const clusters = new MemoryClusters(
  zones.map((zone, i) => ({
    name: `c-${zone}`,
    zones: [zone],
    region: zone.slice(0, zone.lastIndexOf('-')),
    loadBalancerAddresses: [`203.0.113.${i + 1}`],
  })),
);
const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'z' }] });
const controller = createController({
  federation: { name: 'fed', domain: 'example.com' },
  ownerId: 'metrics-test',
  clusters,
  dns: { provider, zone: { id: 'z', dnsName: 'example.com.' } },
  coalesceMs: 1,
  backoff: { baseMs: 1, maxMs: 5 },
  sleep: async () => {},
  zoneRateLimit: 1000,
});
const registry = new Registry();
controllerMetrics(controller, registry);
let applies = 0;
controller.on('records-applied', () => applies++);
const served = await serveMetrics(registry, 0);
controller.start();

afterAll(async () => {
  await controller.stop();
  served.server.close();
});

async function value(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  // A histogram's samples are named `<name>_bucket`, `<name>_sum` and `<name>_count`.
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name || name.startsWith(`${m.name}_`));
  const sample = metric?.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? metric.name) === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return sample?.value;
}

describe('controller metrics', () => {
  test('shard gauges, records applied, latency histogram, apply errors, fail static, served over HTTP', async () => {
    controller.applyService({
      manifest: { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: 'web' }, spec: { type: 'LoadBalancer' } },
    });
    await controller.idle();
    expect(await value('fedsvc_shards', { service: 'ns/web' })).toBe(5);
    expect(await value('fedsvc_shards_healthy', { service: 'ns/web' })).toBe(0);

    for (const zone of zones) clusters.setReadyEndpoints(`c-${zone}`, 'ns', 'web', 1);
    await controller.idle();
    expect(await value('fedsvc_shards_healthy', { service: 'ns/web' })).toBe(5);
    const creates = provider.snapshot('z').filter((r) => r.type !== 'SOA' && r.type !== 'NS').length;
    expect(await value('fedsvc_records_applied_total', { kind: 'create' })).toBe(creates);
    expect(await value('fedsvc_propagation_latency_seconds_count')).toBe(applies);

    provider.failNext(50, { on: 'write' });
    clusters.setReadyEndpoints('c-us-east1-c', 'ns', 'web', 0);
    await controller.idle();
    expect(await value('fedsvc_apply_errors_total', { reason: 'transient' })).toBeGreaterThan(0);
    expect(await value('fedsvc_shards_healthy', { service: 'ns/web' })).toBe(4);

    // Three of five clusters out of sight at once: more than half the healthy shards would go.
    for (const zone of zones.slice(0, 3)) clusters.setHealth(`c-${zone}`, 'Offline');
    await controller.idle();
    expect(await value('fedsvc_cluster_ready', { cluster: 'c-us-central1-a' })).toBe(0);
    expect(await value('fedsvc_fail_static_clusters', { service: 'ns/web' })).toBeGreaterThan(0);
    for (const zone of zones.slice(0, 3)) clusters.setHealth(`c-${zone}`, 'Ready');
    await controller.idle();
    expect(await value('fedsvc_fail_static_clusters', { service: 'ns/web' })).toBe(0);
    expect(await value('fedsvc_cluster_ready', { cluster: 'c-us-central1-a' })).toBe(1);

    const response = await fetch(served.url);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^fedsvc_shards_healthy\{service="ns\/web"\} 4$/m);
    expect(text).toMatch(/^fedsvc_leader 1$/m);
    expect((await fetch(served.url.replace('/metrics', '/other'))).status).toBe(404);
  });
});
