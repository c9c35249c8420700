// Everything watched in one member cluster: readiness probes, nodes (topology), Services and
// EndpointSlices (shards). Emits the port's events; a bad object or answer becomes an 'error'
// event naming the cluster and never stops the watch.
import { CoreV1Api, DiscoveryV1Api, Watch } from '@kubernetes/client-node';
import { type ClusterEvent, sleep } from '@fedsvc/core/provider';
import { abortedBy } from './deadline.js';
import { type DecodedEndpointSlice, type DecodedService, decodeEndpointSlice, decodeNode, decodeService, objectRef } from './decode.js';
import { type HealthState, UNKNOWN_HEALTH, observeProbe } from './health.js';
import { type ListWatchHandlers, type ListWatchOptions, startListWatch } from './list-watch.js';
import type { ResolvedCluster, ResolvedOptions } from './options.js';
import { probeReadiness } from './probe.js';
import { ShardIndex } from './shard-index.js';
import { clusterStatus } from './status.js';
import { type NodeTopology, type Topology, clusterTopology, nodeTopology } from './topology.js';

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
  const ns = options.namespace;

  const reportError = (error: unknown): void => {
    const err = error instanceof Error ? error : new Error(String(error));
    options.logger.warn({ cluster: name, err: err.message }, 'bad input from member cluster');
    emit({ type: 'error', cluster: name, error: err });
  };
  const decodeOrReport = <T>(decode: (value: unknown) => T, value: unknown): T | undefined => {
    try {
      return decode(value);
    } catch (error) {
      reportError(error);
      return undefined;
    }
  };

  // ---- cluster status: health x topology; reported once the shard lists are in, or when Offline
  const synced = { services: false, slices: false };
  const shardsSynced = (): boolean => synced.services && synced.slices;
  let health: HealthState = UNKNOWN_HEALTH;
  let topology: Topology | { reason: string } | undefined = cluster.topology;
  let reported: string | undefined;
  let heard = false;
  const hear = (): void => {
    if (heard) return;
    heard = true;
    settled();
  };
  // Heard from once its status went out with its shards, or once it is Offline (status first, when it has one).
  const publishStatus = (): void => {
    const offline = health.health === 'Offline';
    if (!shardsSynced() && !offline) return;
    const status = clusterStatus(name, cluster.labels, health, topology);
    const json = status === undefined ? undefined : JSON.stringify(status);
    if (status !== undefined && json !== reported) {
      reported = json;
      emit({ type: 'cluster', cluster: status });
    }
    if (offline || status !== undefined) hear();
  };

  const probing = (async () => {
    while (!stopping.signal.aborted) {
      const result = await probeReadiness(kc, options.probeTimeoutMs);
      if (stopping.signal.aborted) return;
      health = observeProbe(health, result, options.thresholds);
      publishStatus();
      await sleep(options.healthPeriodMs, stopping.signal);
    }
  })();

  const watchers: { stop(): Promise<void> }[] = [];

  if (!cluster.topology) {
    const nodes = new Map<string, NodeTopology>();
    const setNode = (value: unknown): void => {
      const node = decodeOrReport(decodeNode, value);
      if (!node) return;
      const read = nodeTopology(node.name, node.labels);
      if (read instanceof Error) {
        reportError(read);
        nodes.delete(node.name);
      } else {
        nodes.set(node.name, read);
      }
    };
    const handlers: ListWatchHandlers = {
      replace(items) {
        nodes.clear();
        items.forEach(setNode);
        topology = clusterTopology([...nodes.values()]);
        publishStatus();
      },
      event(type, object) {
        if (type === 'DELETED') {
          const ref = objectRef(object);
          if (ref.name !== undefined) nodes.delete(ref.name);
        } else {
          setNode(object);
        }
        topology = clusterTopology([...nodes.values()]);
        publishStatus();
      },
      error: reportError,
    };
    watchers.push(
      startListWatch(
        {
          resource: 'nodes',
          watchPath: '/api/v1/nodes',
          watch,
          list: (token, signal) => core.listNode({ limit: options.pageSize, _continue: token }, abortedBy(signal)),
        },
        handlers,
        listWatchOptions,
      ),
    );
  }

  // ---- shards: Services joined with EndpointSlices; reported once both lists are in.
  const index = new ShardIndex(name);
  const publish = (events: readonly ClusterEvent[]): void => {
    if (shardsSynced()) for (const event of events) emit(event);
  };
  // On a relist, an object that no longer decodes keeps its last good version, as on a watch
  // event: dropping it would report its shard gone (and placement would create it again).
  const decodeAll = <T>(
    decode: (value: unknown) => T,
    items: readonly unknown[],
    lastGood: (namespace: string, name: string) => T | undefined,
  ): T[] =>
    items.flatMap((item) => {
      const decoded = decodeOrReport(decode, item);
      if (decoded !== undefined) return [decoded];
      const ref = objectRef(item);
      const kept = ref.namespace !== undefined && ref.name !== undefined ? lastGood(ref.namespace, ref.name) : undefined;
      return kept === undefined ? [] : [kept];
    });
  const deletedRef = (object: unknown): { namespace: string; name: string } | undefined => {
    const ref = objectRef(object);
    if (ref.namespace !== undefined && ref.name !== undefined) return { namespace: ref.namespace, name: ref.name };
    reportError(new Error(`cluster "${name}": a DELETED event names no object: ${JSON.stringify(object)?.slice(0, 200)}`));
    return undefined;
  };
  // The first time both lists are in, every shard is reported; before that nothing, so a shard is never reported with its endpoints missing.
  const sync = (which: keyof typeof synced, events: readonly ClusterEvent[]): void => {
    const first = !shardsSynced();
    synced[which] = true;
    publish(first && shardsSynced() ? index.start() : events);
    if (first && shardsSynced()) publishStatus();
  };

  watchers.push(
    startListWatch(
      {
        resource: 'services',
        watchPath: ns ? `/api/v1/namespaces/${ns}/services` : '/api/v1/services',
        watch,
        list: (token, signal) => {
          const page = { limit: options.pageSize, _continue: token };
          return ns
            ? core.listNamespacedService({ namespace: ns, ...page }, abortedBy(signal))
            : core.listServiceForAllNamespaces(page, abortedBy(signal));
        },
      },
      {
        replace: (items) =>
          sync('services', index.replaceServices(decodeAll<DecodedService>(decodeService, items, (ns, n) => index.service(ns, n)))),
        event(type, object) {
          if (type === 'DELETED') {
            const ref = deletedRef(object);
            if (ref) publish(index.removeService(ref.namespace, ref.name));
            return;
          }
          // A bad update keeps the last good version of the Service: the plan is never fed garbage.
          const service = decodeOrReport(decodeService, object);
          if (service) publish(index.upsertService(service));
        },
        error: reportError,
      },
      listWatchOptions,
    ),
    startListWatch(
      {
        resource: 'endpointslices',
        watchPath: ns ? `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices` : '/apis/discovery.k8s.io/v1/endpointslices',
        watch,
        list: (token, signal) => {
          const page = { limit: options.pageSize, _continue: token };
          return ns
            ? discovery.listNamespacedEndpointSlice({ namespace: ns, ...page }, abortedBy(signal))
            : discovery.listEndpointSliceForAllNamespaces(page, abortedBy(signal));
        },
      },
      {
        replace: (items) =>
          sync('slices', index.replaceSlices(decodeAll<DecodedEndpointSlice>(decodeEndpointSlice, items, (ns, n) => index.slice(ns, n)))),
        event(type, object) {
          if (type === 'DELETED') {
            const ref = deletedRef(object);
            if (ref) publish(index.removeSlice(ref.namespace, ref.name));
            return;
          }
          const slice = decodeOrReport(decodeEndpointSlice, object);
          if (slice) publish(index.upsertSlice(slice));
        },
        error: reportError,
      },
      listWatchOptions,
    ),
  );

  return {
    async stop() {
      stopping.abort();
      await Promise.all([probing, ...watchers.map((w) => w.stop())]);
    },
  };
}
