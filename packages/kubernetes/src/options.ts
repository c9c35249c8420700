// Options of the kubernetes member clusters, validated at the boundary, and the KubeConfig of
// each cluster built from a kubeconfig context or from explicit connection settings.
import { KubeConfig } from '@kubernetes/client-node';
import { type Logger, ValidationError, positiveInteger } from '@fedsvc/core/provider';
import type { BackoffOptions } from './backoff.js';
import { DEFAULT_MIN_WATCH_TIMEOUT_SECONDS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_WATCH_IDLE_TIMEOUT_MS } from './deadline.js';
import type { HealthThresholds, ProbeTiming } from './health.js';
import { FIELD_MANAGER } from './apply.js';
import { type Topology, isDns1123Label } from './topology.js';

interface ClusterCommon {
  /** Labels of the member cluster, for placement's cluster selector. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Zones and region, for clusters whose nodes carry no topology labels; overrides the nodes' labels. */
  readonly topology?: Topology;
}

/** A cluster named by its kubeconfig context, exactly as for `kubectl --context=…`. The context name is the cluster's name. */
export interface ContextCluster extends ClusterCommon {
  readonly context: string;
  /** Path of the kubeconfig file; default: `$KUBECONFIG` or `~/.kube/config`. */
  readonly kubeconfig?: string;
}

/** A cluster given by explicit connection settings. Certificate data is base64 PEM, as in a kubeconfig. */
export interface ServerCluster extends ClusterCommon {
  readonly name: string;
  /** API server URL, `https://…` (or `http://…` together with `skipTLSVerify`). */
  readonly server: string;
  readonly caData?: string;
  readonly token?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
  readonly skipTLSVerify?: boolean;
}

/**
 * A cluster given by a `KubeConfig` built in code; its current context is used. Authentication
 * is the KubeConfig's own, request by request, so a token it reads from a file (see
 * `inClusterKubeConfig`) may change under it.
 */
export interface KubeConfigCluster extends ClusterCommon {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
}

export type ClusterSource = ContextCluster | ServerCluster | KubeConfigCluster;

export interface KubernetesClustersOptions {
  readonly clusters: readonly ClusterSource[];
  /** Watch Services and EndpointSlices of this namespace only; default: all namespaces. */
  readonly namespace?: string;
  /**
   * Period of readiness probes while all is well, milliseconds. Default 5 000: with the suspect
   * probes below, an API server that stops answering is out within about 11 s of its last
   * answer, for one `GET /readyz` per cluster every 5 s.
   */
  readonly healthPeriodMs?: number;
  /**
   * A probe not answered within this many milliseconds counts as failed (one failure decides
   * nothing: it only makes the cluster suspect). Default 2 000.
   */
  readonly probeTimeoutMs?: number;
  /**
   * Period of probes while a Ready cluster is suspect (its last probe failed, the failure
   * threshold not reached yet), milliseconds; never longer than `healthPeriodMs`. With the
   * defaults, an API server that stops answering is declared out within
   * `healthPeriodMs` + `probeTimeoutMs` + 2 × (1 000 + 1 000) ms (11 s; it was 45 s). Default 1 000.
   */
  readonly suspectPeriodMs?: number;
  /** The probe timeout while a cluster is suspect, milliseconds; never longer than `probeTimeoutMs`. Default 1 000. */
  readonly suspectProbeTimeoutMs?: number;
  /**
   * Consecutive failed probes before a Ready cluster is reported NotReady/Offline. A member's
   * watch streams breaking (connection reset or refused) brings the next probe forward; it is
   * never a verdict by itself. Default 3.
   */
  readonly failureThreshold?: number;
  /** Consecutive ready probes before a failed cluster is reported Ready again. Default 2. */
  readonly successThreshold?: number;
  /** Reconnect backoff of lists and watches. Default 500 ms doubling up to 30 s. */
  readonly backoff?: BackoffOptions;
  /** Page size of lists. Default 500. */
  readonly pageSize?: number;
  /**
   * Deadline of every request but watches (server-side applies, deletes, list pages), milliseconds.
   * A request without an answer by then fails as if the cluster were unreachable. Default 10 000.
   */
  readonly requestTimeoutMs?: number;
  /**
   * The field manager of every server-side apply. Default `fedsvc`. Give each federation that
   * shares member clusters its own (say `fedsvc-<owner id>`), so that one federation's apply
   * never takes over or removes the fields, and the created-by mark, of another's.
   */
  readonly fieldManager?: string;
  /**
   * How long a watch waits for every member cluster to be heard from (shard lists in, or Offline)
   * before it says `synced` anyway, naming the clusters still silent in a warning; those are
   * reported once their lists come in. Milliseconds. Default 60 000.
   */
  readonly syncTimeoutMs?: number;
  /**
   * Watches ask the server to end them after a random time between this and twice this
   * (`timeoutSeconds`), then resume from the last resourceVersion. Seconds. Default 300.
   */
  readonly minWatchTimeoutSeconds?: number;
  /**
   * A watch that receives nothing (no event, no bookmark) for this long is abandoned and resumed
   * from the last resourceVersion. Milliseconds. Default 120 000.
   */
  readonly watchIdleTimeoutMs?: number;
  /** Default: silent. */
  readonly logger?: Logger;
}

export interface ResolvedCluster {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  readonly labels: Readonly<Record<string, string>>;
  readonly topology?: Topology;
}

export interface ResolvedOptions {
  readonly clusters: readonly ResolvedCluster[];
  readonly namespace?: string;
  readonly probeTiming: ProbeTiming;
  readonly thresholds: HealthThresholds;
  readonly backoff: BackoffOptions;
  readonly pageSize: number;
  readonly requestTimeoutMs: number;
  readonly fieldManager: string;
  readonly syncTimeoutMs: number;
  readonly minWatchTimeoutSeconds: number;
  readonly watchIdleTimeoutMs: number;
  readonly logger: Logger;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The API server takes a field manager of at most 128 printable characters. */
function fieldManager(value: unknown): string {
  if (value === undefined) return FIELD_MANAGER;
  if (typeof value !== 'string' || value.length === 0 || value.length > 128 || !/^[\x21-\x7e]+$/.test(value)) {
    throw new ValidationError('options.fieldManager', value, 'must be 1 to 128 printable characters without spaces');
  }
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(field, value, 'must be a non-empty string');
  return value;
}

/**
 * Like optionalString for credentials: the ValidationError never carries the value, since
 * `describe()` would put the first bytes of, say, a Buffer of PEM key material into the message.
 */
function optionalSecret(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(
      field,
      '(secret withheld)',
      `must be a non-empty string (got ${Buffer.isBuffer(value) ? 'a Buffer' : typeof value})`,
    );
  }
  return value;
}

/** Why a kubeconfig could not be loaded, without quoting the file: YAML errors cite the offending lines, tokens included. */
function loadFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'cannot be read';
  const yaml = error as Error & { reason?: unknown; mark?: { line?: unknown } };
  if (yaml.name === 'YAMLException') {
    const line = typeof yaml.mark?.line === 'number' ? ` at line ${yaml.mark.line + 1}` : '';
    return `is not valid YAML${line}${typeof yaml.reason === 'string' ? `: ${yaml.reason}` : ''}`;
  }
  return `cannot be read: ${error.message}`;
}

function clusterName(value: unknown, field: string): string {
  // Cluster names never reach DNS; kubeconfig context names such as `gke_project_zone_name` are fine.
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new ValidationError(field, value, 'must be 1 to 253 printable characters');
  }
  return value;
}

function labels(value: unknown, field: string): Readonly<Record<string, string>> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new ValidationError(field, value, 'must be an object of strings');
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new ValidationError(`${field}["${key}"]`, v, 'must be a string');
  }
  return value as Record<string, string>;
}

function topology(value: unknown, field: string): Topology | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw new ValidationError(field, value, 'must be an object with zones and region');
  const zones = value['zones'];
  if (!Array.isArray(zones) || zones.length === 0)
    throw new ValidationError(`${field}.zones`, zones, 'must be a non-empty array of zone names');
  zones.forEach((zone: unknown, i) => {
    if (typeof zone !== 'string' || !isDns1123Label(zone))
      throw new ValidationError(`${field}.zones[${i}]`, zone, 'must be a DNS-1123 label');
  });
  const region = value['region'];
  if (typeof region !== 'string' || !isDns1123Label(region))
    throw new ValidationError(`${field}.region`, region, 'must be a DNS-1123 label');
  return { zones: [...new Set(zones as string[])].sort(), region };
}

function fromContext(source: Record<string, unknown>, field: string): { name: string; kubeConfig: KubeConfig } {
  const context = clusterName(source['context'], `${field}.context`);
  const file = optionalString(source['kubeconfig'], `${field}.kubeconfig`);
  const kubeConfig = new KubeConfig();
  try {
    if (file !== undefined) kubeConfig.loadFromFile(file);
    else kubeConfig.loadFromDefault();
  } catch (error) {
    throw new ValidationError(`${field}.kubeconfig`, file ?? '(default)', loadFailure(error));
  }
  const known = kubeConfig.getContexts().map((c) => c.name);
  if (!known.includes(context)) {
    throw new ValidationError(`${field}.context`, context, `is not a context of the kubeconfig (contexts: ${known.join(', ') || 'none'})`);
  }
  kubeConfig.setCurrentContext(context);
  if (!kubeConfig.getCurrentCluster())
    throw new ValidationError(`${field}.context`, context, 'names a cluster the kubeconfig does not define');
  return { name: context, kubeConfig };
}

function fromServer(source: Record<string, unknown>, field: string): { name: string; kubeConfig: KubeConfig } {
  const name = clusterName(source['name'], `${field}.name`);
  const server = optionalString(source['server'], `${field}.server`);
  let url: URL;
  try {
    url = new URL(server ?? '');
  } catch {
    throw new ValidationError(`${field}.server`, server, 'must be an http(s) URL');
  }
  const skipTLSVerify = source['skipTLSVerify'];
  if (skipTLSVerify !== undefined && typeof skipTLSVerify !== 'boolean')
    throw new ValidationError(`${field}.skipTLSVerify`, skipTLSVerify, 'must be a boolean');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ValidationError(`${field}.server`, server, 'must be an http(s) URL');
  if (url.protocol === 'http:' && skipTLSVerify !== true) {
    throw new ValidationError(`${field}.server`, server, 'plain http is only allowed with skipTLSVerify: true');
  }
  const caData = optionalString(source['caData'], `${field}.caData`);
  const token = optionalSecret(source['token'], `${field}.token`);
  const certData = optionalString(source['clientCert'], `${field}.clientCert`);
  const keyData = optionalSecret(source['clientKey'], `${field}.clientKey`);
  if ((certData === undefined) !== (keyData === undefined)) {
    throw new ValidationError(
      certData === undefined ? `${field}.clientCert` : `${field}.clientKey`,
      undefined,
      'clientCert and clientKey go together',
    );
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser(
    { name, server: url.toString().replace(/\/$/, ''), skipTLSVerify: skipTLSVerify === true, caData },
    { name: `${name}-user`, token, certData, keyData },
  );
  return { name, kubeConfig };
}

function fromKubeConfig(source: Record<string, unknown>, field: string): { name: string; kubeConfig: KubeConfig } {
  const name = clusterName(source['name'], `${field}.name`);
  const kubeConfig = source['kubeConfig'];
  if (!(kubeConfig instanceof KubeConfig)) throw new ValidationError(`${field}.kubeConfig`, kubeConfig, 'must be a KubeConfig');
  if (!kubeConfig.getCurrentCluster())
    throw new ValidationError(`${field}.kubeConfig`, kubeConfig.getCurrentContext(), 'has no current context with a cluster');
  return { name, kubeConfig };
}

/** One cluster source checked and turned into its KubeConfig; `field` names it in errors. */
export function resolveCluster(source: unknown, field: string): ResolvedCluster {
  if (!isRecord(source))
    throw new ValidationError(field, source, 'must be an object with a context, a name and a server, or a name and a kubeConfig');
  const built =
    source['context'] !== undefined
      ? fromContext(source, field)
      : source['kubeConfig'] !== undefined
        ? fromKubeConfig(source, field)
        : fromServer(source, field);
  return { ...built, labels: labels(source['labels'], `${field}.labels`), topology: topology(source['topology'], `${field}.topology`) };
}

export function resolveOptions(options: KubernetesClustersOptions): ResolvedOptions {
  if (!isRecord(options)) throw new ValidationError('options', options, 'must be an object');
  const list: unknown = options.clusters;
  if (!Array.isArray(list)) throw new ValidationError('options.clusters', list, 'must be an array of cluster sources');
  const seen = new Set<string>();
  const clusters = list.map((source: unknown, i): ResolvedCluster => {
    const cluster = resolveCluster(source, `options.clusters[${i}]`);
    if (seen.has(cluster.name)) throw new ValidationError(`options.clusters[${i}]`, cluster.name, 'names a cluster given before');
    seen.add(cluster.name);
    return cluster;
  });
  const namespace = optionalString(options.namespace, 'options.namespace');
  if (namespace !== undefined && !isDns1123Label(namespace))
    throw new ValidationError('options.namespace', namespace, 'must be a DNS-1123 label');
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const initialMs = positiveInteger('options.backoff.initialMs', backoff.initialMs, 500);
  const maxMs = positiveInteger('options.backoff.maxMs', backoff.maxMs, 30_000);
  if (maxMs < initialMs) throw new ValidationError('options.backoff.maxMs', maxMs, `must be at least initialMs (${initialMs})`);
  return {
    clusters,
    namespace,
    probeTiming: {
      periodMs: positiveInteger('options.healthPeriodMs', options.healthPeriodMs, 5_000),
      timeoutMs: positiveInteger('options.probeTimeoutMs', options.probeTimeoutMs, 2_000),
      suspectPeriodMs: positiveInteger('options.suspectPeriodMs', options.suspectPeriodMs, 1_000),
      suspectTimeoutMs: positiveInteger('options.suspectProbeTimeoutMs', options.suspectProbeTimeoutMs, 1_000),
    },
    thresholds: {
      failureThreshold: positiveInteger('options.failureThreshold', options.failureThreshold, 3),
      successThreshold: positiveInteger('options.successThreshold', options.successThreshold, 2),
    },
    backoff: { initialMs, maxMs },
    pageSize: positiveInteger('options.pageSize', options.pageSize, 500),
    requestTimeoutMs: positiveInteger('options.requestTimeoutMs', options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
    syncTimeoutMs: positiveInteger('options.syncTimeoutMs', options.syncTimeoutMs, 60_000),
    fieldManager: fieldManager(options.fieldManager),
    minWatchTimeoutSeconds: positiveInteger(
      'options.minWatchTimeoutSeconds',
      options.minWatchTimeoutSeconds,
      DEFAULT_MIN_WATCH_TIMEOUT_SECONDS,
    ),
    watchIdleTimeoutMs: positiveInteger('options.watchIdleTimeoutMs', options.watchIdleTimeoutMs, DEFAULT_WATCH_IDLE_TIMEOUT_MS),
    logger: options.logger ?? silentLogger,
  };
}
