// Options of the host source, validated at the boundary, and the host cluster's KubeConfig.
import type { KubeConfig } from '@kubernetes/client-node';
import { ValidationError, positiveInteger, positiveNumber } from '@fedsvc/core/provider';
import { inClusterKubeConfig } from '../in-cluster.js';
import { type KubernetesClustersOptions, type ResolvedOptions, resolveCluster, resolveOptions } from '../options.js';
import { isDns1123Label } from '../topology.js';
import type { RateLimit } from './token-bucket.js';

export interface HostFederationOptions {
  /** The host cluster's kubeconfig context; default: `kubeConfig`, else in-cluster. */
  readonly context?: string;
  /** Path of the kubeconfig file of `context`; default: `$KUBERNETES` or `~/.kube/config`. */
  readonly kubeconfig?: string;
  /** The host cluster as a KubeConfig built in code (its current context); default: in-cluster when no `context` is given. */
  readonly kubeConfig?: KubeConfig;
  /** The source's own namespace: FederatedClusters' Secrets are read here (only). Required. */
  readonly namespace: string;
  /** Watch the FederatedServices of this namespace only; default: all namespaces. */
  readonly serviceNamespace?: string;
  /**
   * How member clusters are watched (probes, backoff, timeouts, field manager): the options of
   * `createKubernetesClusters` but `clusters`, which the FederatedClusters give. The host cluster's
   * lists and watches use the same backoff, page size, request and watch timeouts.
   * Default: that function's defaults.
   */
  readonly members?: Omit<KubernetesClustersOptions, 'clusters'>;
  /**
   * A status due is written once at the end of a window this long from the first change, with
   * every change within it: milliseconds. Default 1 000.
   */
  readonly statusCoalesceMs?: number;
  /**
   * Writes of statuses and finalizers to the host cluster's API server, per second on average,
   * from a bucket of `writeBurst`. Default 20 per second, burst 30 (kube-controller-manager's
   * client defaults).
   */
  readonly writesPerSecond?: number;
  /** See `writesPerSecond`. Default 30. */
  readonly writeBurst?: number;
  /**
   * Event writes to the host cluster's API server, per second on average, from a bucket of
   * `eventBurst`: a budget of their own, so that a burst of Events (a first sync places every
   * shard) never delays a status or a finalizer. Past 1 000 Events waiting, new ones are dropped
   * (logged), as client-go drops what its spam filter refuses. Default 10 per second, burst 25.
   */
  readonly eventsPerSecond?: number;
  /** See `eventsPerSecond`. Default 25. */
  readonly eventBurst?: number;
}

export interface ResolvedHostOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly serviceNamespace?: string;
  readonly members: ResolvedOptions;
  readonly statusCoalesceMs: number;
  readonly writes: RateLimit;
  readonly events: RateLimit;
}

function namespace(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isDns1123Label(value)) throw new ValidationError(field, value, 'must be a DNS-1123 label');
  return value;
}

function hostKubeConfig(options: HostFederationOptions): KubeConfig {
  if (options.context !== undefined) {
    return resolveCluster({ context: options.context, kubeconfig: options.kubeconfig }, 'options').kubeConfig;
  }
  if (options.kubeConfig !== undefined) return resolveCluster({ name: 'host', kubeConfig: options.kubeConfig }, 'options').kubeConfig;
  return inClusterKubeConfig();
}

export function resolveHostOptions(options: HostFederationOptions): ResolvedHostOptions {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', options, 'must be an object');
  return {
    kubeConfig: hostKubeConfig(options),
    namespace: namespace(options.namespace, 'options.namespace'),
    serviceNamespace: options.serviceNamespace === undefined ? undefined : namespace(options.serviceNamespace, 'options.serviceNamespace'),
    members: resolveOptions({ ...options.members, clusters: [] }),
    statusCoalesceMs: positiveInteger('options.statusCoalesceMs', options.statusCoalesceMs, 1_000),
    writes: {
      perSecond: positiveNumber('options.writesPerSecond', options.writesPerSecond, 20),
      burst: positiveInteger('options.writeBurst', options.writeBurst, 30),
    },
    events: {
      perSecond: positiveNumber('options.eventsPerSecond', options.eventsPerSecond, 10),
      burst: positiveInteger('options.eventBurst', options.eventBurst, 25),
    },
  };
}
