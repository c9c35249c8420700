// The raw objects of one member cluster (Services, EndpointSlices, nodes) for a consumer that
// decodes them itself, on the same list-watch machinery as the member cluster watches: paged
// lists, watches resumed from the last resourceVersion, relists on 410 Gone, backoff, deadlines.
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, Watch } from '@kubernetes/client-node';
import type { Logger } from '@fedsvc/core/provider';
import type { BackoffOptions } from './backoff.js';
import { type ListWatchHandlers, startListWatch } from './list-watch.js';
import { silentLogger } from './options.js';
import { endpointSliceSource, nodeSource, serviceSource } from './watched-resources.js';
import type { WatchEventType } from './watch-once.js';

/** What is told about one resource: the whole list after every (re)list, then each change. */
export interface MemberObjectHandlers {
  /** The complete list, as the API server serves it (wire field names). */
  replace(items: readonly unknown[]): void;
  event(type: WatchEventType, object: unknown): void;
  /** The server sent something unusable (garbage, an error status); connection failures are logged, not told. */
  error(error: Error): void;
}

export interface MemberObjectsOptions {
  /** Reaches the member cluster's API server. */
  readonly kubeConfig: KubeConfig;
  /** The cluster's name in logs and errors. Default `local`. */
  readonly cluster?: string;
  /** Services and EndpointSlices of this namespace only. Default: all namespaces. */
  readonly namespace?: string;
  /** Reconnect backoff of lists and watches. Default 500 ms doubling up to 30 s. */
  readonly backoff?: BackoffOptions;
  /** Page size of lists. Default 500. */
  readonly pageSize?: number;
  /** Deadline of each list page, milliseconds. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** A watch that receives nothing for this long is resumed, milliseconds. Default 120 000. */
  readonly watchIdleTimeoutMs?: number;
  /** Default: silent. */
  readonly logger?: Logger;
}

/** One set of handlers per resource watched; a resource without handlers is not watched. */
export interface MemberObjectWatches {
  readonly services?: MemberObjectHandlers;
  readonly endpointSlices?: MemberObjectHandlers;
  readonly nodes?: MemberObjectHandlers;
}

/**
 * List-watches a member cluster's Services, EndpointSlices and nodes and hands over the objects
 * as they come, for a consumer that needs fields the `MemberClusters` port leaves out (cluster
 * IPs, endpoint addresses, pod CIDRs). Every watch runs until `stop()`.
 *
 * @example
 * ```ts
 * const watch = watchMemberObjects({ kubeConfig: inClusterKubeConfig() }, {
 *   services: { replace: (items) => {}, event: (type, object) => {}, error: (error) => {} },
 * });
 * await watch.stop();
 * ```
 */
export function watchMemberObjects(options: MemberObjectsOptions, handlers: MemberObjectWatches): { stop(): Promise<void> } {
  const kc = options.kubeConfig;
  const core = kc.makeApiClient(CoreV1Api);
  const watch = new Watch(kc);
  const pageSize = options.pageSize ?? 500;
  const listWatchOptions = {
    backoff: options.backoff ?? { initialMs: 500, maxMs: 30_000 },
    logger: options.logger ?? silentLogger,
    cluster: options.cluster ?? 'local',
    requestTimeoutMs: options.requestTimeoutMs,
    watchIdleTimeoutMs: options.watchIdleTimeoutMs,
  };
  const loops: { stop(): Promise<void> }[] = [];
  const start = (source: Parameters<typeof startListWatch>[0], given: ListWatchHandlers | undefined): void => {
    if (given) loops.push(startListWatch(source, given, listWatchOptions));
  };
  start(serviceSource(core, watch, options.namespace, pageSize), handlers.services);
  start(endpointSliceSource(kc.makeApiClient(DiscoveryV1Api), watch, options.namespace, pageSize), handlers.endpointSlices);
  start(nodeSource(core, watch, pageSize), handlers.nodes);
  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
