// The options of a Lease election, checked and defaulted.
import type { KubeConfig } from '@kubernetes/client-node';
import { type Logger, ValidationError, positiveInteger } from '@fedsvc/core/provider';
import { type ClusterSource, resolveCluster, silentLogger } from './options.js';
import { isDns1123Label } from './topology.js';

export interface LeaseElectionOptions {
  /** The host cluster holding the Lease (kubeconfig context or explicit settings). */
  readonly cluster: ClusterSource;
  readonly namespace: string;
  /** Name of the Lease. */
  readonly name: string;
  /** This replica's identity, unique among replicas (pod name, hostname + pid). */
  readonly identity: string;
  /** How long a Lease stays with a holder that stopped renewing it. Whole seconds on the wire. Default 15 000. */
  readonly leaseDurationMs?: number;
  /**
   * A leader that could not renew for this long (since the renew time it last wrote) steps down,
   * even with a request still unanswered. Default 10 000.
   */
  readonly renewDeadlineMs?: number;
  /** Period of acquire and renew attempts. Default 2 000. */
  readonly retryPeriodMs?: number;
  /** Release the Lease on stop, so a standby takes over at once. Default true. */
  readonly releaseOnStop?: boolean;
  /** Wall clock, milliseconds since the epoch: dates the acquire and renew times written. Default Date.now. */
  readonly now?: () => number;
  /**
   * Monotonic clock, milliseconds from any origin, never stepping back: every deadline and how
   * long the Lease has stayed unchanged are measured on it. Default performance.now.
   */
  readonly monotonicNow?: () => number;
  readonly logger?: Logger;
}

export interface LeaseSettings {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** The lease duration written into the Lease. */
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly releaseOnStop: boolean;
  readonly now: () => number;
  readonly monotonicNow: () => number;
  readonly logger: Logger;
  /** Names the Lease and this replica in log entries. */
  readonly log: { readonly lease: string; readonly identity: string };
}

/**
 * @throws ValidationError when an option is malformed, or unless
 *   `leaseDurationMs` > `renewDeadlineMs` > `retryPeriodMs`.
 */
export function resolveLeaseOptions(options: LeaseElectionOptions): LeaseSettings {
  const { kubeConfig } = resolveCluster(options.cluster, 'options.cluster');
  if (typeof options.namespace !== 'string' || !isDns1123Label(options.namespace))
    throw new ValidationError('options.namespace', options.namespace, 'must be a DNS-1123 label');
  if (typeof options.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(options.name) || options.name.length > 253) {
    throw new ValidationError('options.name', options.name, 'must be a DNS-1123 subdomain (a Lease name)');
  }
  if (typeof options.identity !== 'string' || options.identity.length === 0)
    throw new ValidationError('options.identity', options.identity, 'must be a non-empty string');
  const leaseDurationMs = positiveInteger('options.leaseDurationMs', options.leaseDurationMs, 15_000);
  const renewDeadlineMs = positiveInteger('options.renewDeadlineMs', options.renewDeadlineMs, 10_000);
  const retryPeriodMs = positiveInteger('options.retryPeriodMs', options.retryPeriodMs, 2_000);
  if (leaseDurationMs <= renewDeadlineMs)
    throw new ValidationError('options.leaseDurationMs', leaseDurationMs, `must exceed renewDeadlineMs (${renewDeadlineMs})`);
  if (renewDeadlineMs <= retryPeriodMs)
    throw new ValidationError('options.renewDeadlineMs', renewDeadlineMs, `must exceed retryPeriodMs (${retryPeriodMs})`);
  const { namespace, name, identity } = options;
  return {
    kubeConfig,
    namespace,
    name,
    identity,
    leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
    renewDeadlineMs,
    retryPeriodMs,
    releaseOnStop: options.releaseOnStop !== false,
    now: clock(options.now, 'options.now', Date.now),
    monotonicNow: clock(options.monotonicNow, 'options.monotonicNow', () => performance.now()),
    logger: options.logger ?? silentLogger,
    log: { lease: `${namespace}/${name}`, identity },
  };
}

function clock(value: unknown, field: string, fallback: () => number): () => number {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new ValidationError(field, value, 'must be a function returning milliseconds');
  return value as () => number;
}
