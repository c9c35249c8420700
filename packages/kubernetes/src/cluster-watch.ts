// Everything watched in one member cluster: readiness probes, nodes (topology), Services and
// EndpointSlices (shards). Emits the port's events; a bad object or answer becomes an 'error'
// event naming the cluster and never stops the watch.
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, Watch } from '@kubernetes/client-node';
import { type ClusterEvent, sleep } from '@fedsvc/core/provider';
import { BadInput } from './bad-input.js';
import { ClusterStatusReporter } from './cluster-status-reporter.js';
import { type ListWatchOptions, startListWatch } from './list-watch.js';
import type { ResolvedCluster, ResolvedOptions } from './options.js';
import { probeReadiness } from './probe.js';
import { shardHandlers } from './shard-watch.js';
import { topologyHandlers } from './topology-watch.js';
import { endpointSliceSource, nodeSource, serviceSource } from './watched-resources.js';

/**
 * `settled` is called once, when the cluster has been heard from: its shard lists are in, or it
 * is Offline. Its status is reported only then (or when Offline), so that the controller never
 * sees a Ready cluster whose shards are still on their way.
 */
export function watchCluster(
  cluster: ResolvedCluster,
  options: ResolvedOptions,
  emit: (event: ClusterEvent) => void,
  settled: () => void,
): { stop(): Promise<void> } {
  const { name, kubeConfig: kc } = cluster;
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const watch = new Watch(kc);
  const stopping = new AbortController();
  const listWatchOptions: ListWatchOptions = {
    backoff: options.backoff,
    logger: options.logger,
    cluster: name,
    requestTimeoutMs: options.requestTimeoutMs,
    minWatchTimeoutSeconds: options.minWatchTimeoutSeconds,
    watchIdleTimeoutMs: options.watchIdleTimeoutMs,
  };
  const bad = new BadInput(name, options.logger, emit);
  const status = new ClusterStatusReporter(cluster, emit, settled);
  const probing = probeUntilStopped(kc, options, status, stopping.signal);
  const watchers: { stop(): Promise<void> }[] = [];
  if (!cluster.topology) {
    const handlers = topologyHandlers(bad, (topology) => status.setTopology(topology));
    watchers.push(startListWatch(nodeSource(core, watch, options.pageSize), handlers, listWatchOptions));
  }
  const shards = shardHandlers(name, bad, status, emit);
  watchers.push(
    startListWatch(serviceSource(core, watch, options.namespace, options.pageSize), shards.services, listWatchOptions),
    startListWatch(endpointSliceSource(discovery, watch, options.namespace, options.pageSize), shards.slices, listWatchOptions),
  );
  return {
    async stop() {
      stopping.abort();
      await Promise.all([probing, ...watchers.map((w) => w.stop())]);
    },
  };
}

/** Probes the cluster's readiness every health period until `stopping` aborts. */
async function probeUntilStopped(
  kc: KubeConfig,
  options: ResolvedOptions,
  status: ClusterStatusReporter,
  stopping: AbortSignal,
): Promise<void> {
  while (!stopping.aborted) {
    const result = await probeReadiness(kc, options.probeTimeoutMs);
    if (stopping.aborted) return;
    status.observeProbe(result, options.thresholds);
    await sleep(options.healthPeriodMs, stopping);
  }
}
