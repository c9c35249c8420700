// Prometheus metrics from the controller's events, with prom-client. The controller has no
// metrics dependency of its own: everything a dashboard needs rides on its typed events.
import type { FederationController } from '@fedsvc/core';
import { Counter, Gauge, Histogram, type Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Registers the federation's metrics in `registry` and keeps them up to date from `controller`'s
 * events: `fedsvc_records_applied_total{kind}`, `fedsvc_apply_errors_total{reason}`,
 * `fedsvc_propagation_latency_seconds`, `fedsvc_shards{service}`, `fedsvc_shards_healthy{service}`,
 * `fedsvc_fail_static_clusters{service}`, `fedsvc_cluster_ready{cluster}` and `fedsvc_leader`.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * controllerMetrics(controller, registry);
 * const text = await registry.metrics();
 * ```
 */
export function controllerMetrics(controller: FederationController, registry: Registry): void {
  const registers = [registry];
  const applied = new Counter({
    name: 'fedsvc_records_applied_total',
    help: 'Record set changes written to DNS, by kind.',
    labelNames: ['kind'],
    registers,
  });
  const errors = new Counter({
    name: 'fedsvc_apply_errors_total',
    help: 'Failed passes, by reason (a provider error kind, cluster, invalid-input, error).',
    labelNames: ['reason'],
    registers,
  });
  const latency = new Histogram({
    name: 'fedsvc_propagation_latency_seconds',
    help: 'From the first event that asked for a change to the DNS zone holding it.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const healthy = new Gauge({
    name: 'fedsvc_shards_healthy',
    help: 'Healthy shards per federated service.',
    labelNames: ['service'],
    registers,
  });
  const shards = new Gauge({ name: 'fedsvc_shards', help: 'Shards per federated service.', labelNames: ['service'], registers });
  const failStatic = new Gauge({
    name: 'fedsvc_fail_static_clusters',
    help: 'Clusters out of sight whose last good addresses a service keeps in DNS.',
    labelNames: ['service'],
    registers,
  });
  const clusterReady = new Gauge({
    name: 'fedsvc_cluster_ready',
    help: '1 when the member cluster is Ready, 0 when it went offline.',
    labelNames: ['cluster'],
    registers,
  });
  const leader = new Gauge({ name: 'fedsvc_leader', help: '1 while this replica leads (writes).', registers });

  controller.on('records-applied', ({ changes, latencyMs }) => {
    for (const change of changes) applied.inc({ kind: change.kind });
    latency.observe(latencyMs / 1000);
  });
  controller.on('apply-failed', ({ reason }) => errors.inc({ reason }));
  controller.on('service-synced', (event) => {
    healthy.set({ service: event.service }, event.healthyShards);
    shards.set({ service: event.service }, event.shards);
  });
  controller.on('fail-static-engaged', ({ service, clusters }) => failStatic.set({ service }, clusters.length));
  controller.on('fail-static-released', ({ service }) => failStatic.set({ service }, 0));
  controller.on('cluster-ready', ({ cluster }) => clusterReady.set({ cluster }, 1));
  controller.on('cluster-offline', ({ cluster }) => clusterReady.set({ cluster }, 0));
  controller.on('leader-acquired', () => leader.set(1));
  controller.on('leader-lost', () => leader.set(0));
}

/**
 * Registers prom-client's process metrics in `registry` (CPU, resident memory, open file
 * descriptors, event loop lag, heap, garbage collection), named with prom-client's default
 * names (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `nodejs_…`).
 */
export function processMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
}
