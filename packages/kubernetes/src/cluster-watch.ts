// Everything watched in one member cluster: readiness probes (sooner while suspect or when a watch breaks), nodes (topology), Services and
// EndpointSlices (shards). Emits the port's events; a bad object or answer becomes an 'error'
// event naming the cluster and never stops the watch.
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, Watch } from '@kubernetes/client-node';
import { type ClusterEvent, sleep } from '@fedsvc/core/provider';
import { BadInput } from './bad-input.js';
import { ClusterStatusReporter } from './cluster-status-reporter.js';
import { type ListWatchOptions, startListWatch } from './list-watch.js';
import type { ResolvedCluster, ResolvedOptions } from './options.js';
import { nextProbe, probesAtOnceOnConnectionLoss } from './health.js';
import { probeReadiness } from './probe.js';
import { shardHandlers } from './shard-watch.js';
import { topologyHandlers } from './topology-watch.js';
import { endpointSliceSource, nodeSource, serviceSource } from './watched-resources.js';

/**
 * `settled` is called once, when the cluster has been heard from: its shard lists are in, or it
 * is Offline. Its status is reported only then (or when Offline), so that the controller never
 * sees a Ready cluster whose shards are still on their way. `carriedShards` (`namespace/name`) are
 * the shards an earlier watch of the cluster reported: those not listed any more are reported removed.
 */
export function watchCluster(
  cluster: ResolvedCluster,
  options: ResolvedOptions,
  emit: (event: ClusterEvent) => void,
  settled: () => void,
  carriedShards: readonly string[] = [],
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
    connectionLost: () => prober.probeSoon(),
  };
  const bad = new BadInput(name, options.logger, emit);
  const status = new ClusterStatusReporter(cluster, emit, settled);
  const prober = new Prober(kc, options, status, stopping.signal);
  const probing = prober.run();
  const watchers: { stop(): Promise<void> }[] = [];
  if (!cluster.topology) {
    const handlers = topologyHandlers(bad, (topology) => status.setTopology(topology));
    watchers.push(startListWatch(nodeSource(core, watch, options.pageSize), handlers, listWatchOptions));
  }
  const shards = shardHandlers(name, bad, status, emit, carriedShards);
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

/**
 * Probes the cluster's readiness until `stopping` aborts: every health period while all is well,
 * every suspect period after a failed probe (nextProbe), and at once when a watch stream of a
 * Ready cluster breaks.
 */
class Prober {
  /** Aborts the wait before the next probe. */
  #soon = new AbortController();

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: ResolvedOptions,
    private readonly status: ClusterStatusReporter,
    private readonly stopping: AbortSignal,
  ) {
    stopping.addEventListener('abort', () => this.#soon.abort(), { once: true });
  }

  async run(): Promise<void> {
    const { options, status, stopping } = this;
    let timeoutMs = options.probeTiming.timeoutMs;
    while (!stopping.aborted) {
      const result = await probeReadiness(this.kc, timeoutMs);
      if (stopping.aborted) return;
      status.observeProbe(result, options.thresholds);
      const next = nextProbe(status.probed, options.probeTiming);
      timeoutMs = next.timeoutMs;
      if (stopping.aborted) return;
      this.#soon = new AbortController();
      await sleep(next.delayMs, this.#soon.signal);
    }
  }

  /** A watch stream broke: probe now, unless a probe is due within the suspect period anyway. */
  probeSoon(): void {
    if (probesAtOnceOnConnectionLoss(this.status.probed)) this.#soon.abort();
  }
}
