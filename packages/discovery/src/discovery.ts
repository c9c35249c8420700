// The responder as a whole: the catalog from the configuration, the local cluster from its
// watches, and the DNS server answering from both.
import { performance } from 'node:perf_hooks';
import type { ValidationError } from '@fedsvc/core';
import type { Logger } from '@fedsvc/core/provider';
import { watchMemberObjects } from '@fedsvc/kubernetes';
import type { KubeConfig } from '@kubernetes/client-node';
import { type DiscoveryConfig, makeCatalog } from './catalog.js';
import { ClusterState, type ObjectHandlers } from './cluster.js';
import { cachedResponder, type Outcome } from './responder.js';
import { startDnsServer } from './server.js';

/** How a query went, for metrics: its answer kind (see {@link Outcome}) and how long answering took. */
export type QueryKind = Exclude<Outcome['kind'], 'dropped'>;

export interface DiscoveryOptions extends DiscoveryConfig {
  /** Reaches the member cluster's API server (in a pod: `inClusterKubeConfig()`). */
  readonly kubeConfig: KubeConfig;
  /** Address to answer on, UDP and TCP. Default `0.0.0.0`. */
  readonly host?: string;
  /** Port to answer on, UDP and TCP; 0 picks a free one. Default 53. */
  readonly port?: number;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Told about every query answered: its kind and the seconds answering took. Default: nothing. */
  readonly onQuery?: (kind: QueryKind, seconds: number) => void;
  /** Told about every packet dropped, and why. Default: nothing. */
  readonly onDropped?: (reason: 'malformed' | 'response') => void;
}

export interface Discovery {
  readonly host: string;
  readonly port: number;
  /** Whether the Services, EndpointSlices and nodes have each been listed once: until then every shard looks absent. */
  ready(): boolean;
  /** What is still to be listed, for /readyz. */
  waitingFor(): readonly string[];
  /** Stops the watches and the server. */
  stop(): Promise<void>;
}

/**
 * Starts the responder: watches the member cluster's Services, EndpointSlices and nodes and
 * answers DNS queries for `<federation>.svc.<cluster domain>` on `host`:`port` (UDP and TCP).
 *
 * @throws {@link ValidationError} for a bad configuration field, naming it.
 * @example
 * ```ts
 * const discovery = await startDiscovery({
 *   federation: { name: 'myfederation', domain: 'example.com' },
 *   services: [{ namespace: 'mynamespace', name: 'nginx' }],
 *   kubeConfig: inClusterKubeConfig(),
 *   port: 1053,
 * });
 * ```
 */
export async function startDiscovery(options: DiscoveryOptions): Promise<Discovery> {
  const catalog = makeCatalog(options);
  const logger = options.logger;
  const report = (error: ValidationError | Error): void => logger?.warn({ err: error.message }, 'bad input from the cluster');
  const cluster = new ClusterState(catalog, report);
  const waiting = new Set(['services', 'endpointslices', 'nodes']);
  const handlers = (resource: string, inner: ObjectHandlers) => ({
    replace(items: readonly unknown[]) {
      inner.replace(items);
      if (waiting.delete(resource)) logger?.info({ resource, items: items.length }, 'listed');
    },
    event: inner.event,
    error: report,
  });
  const watch = watchMemberObjects(
    { kubeConfig: options.kubeConfig, ...(logger ? { logger } : {}) },
    {
      services: handlers('services', cluster.services),
      endpointSlices: handlers('endpointslices', cluster.endpointSlices),
      nodes: handlers('nodes', cluster.nodes),
    },
  );
  const onQuery = options.onQuery;
  const onDropped = options.onDropped;
  const respond = cachedResponder(catalog, cluster);
  try {
    const server = await startDnsServer(
      options.host ?? '0.0.0.0',
      options.port ?? 53,
      (wire, udp, address) => {
        const started = onQuery ? performance.now() : 0;
        const outcome = respond(wire, udp, address);
        if (outcome.kind === 'dropped') {
          onDropped?.(outcome.reason);
          return undefined;
        }
        onQuery?.(outcome.kind, (performance.now() - started) / 1000);
        return outcome.reply;
      },
      (error) => logger?.warn({ err: error instanceof Error ? error.message : String(error) }, 'DNS socket error'),
    );
    return {
      host: server.host,
      port: server.port,
      ready: () => waiting.size === 0,
      waitingFor: () => [...waiting].map((resource) => `${resource} not listed yet`),
      async stop() {
        await Promise.all([server.stop(), watch.stop()]);
      },
    };
  } catch (error) {
    await watch.stop();
    throw error;
  }
}
