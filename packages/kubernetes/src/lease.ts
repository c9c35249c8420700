// Leader election through a coordination.k8s.io/v1 Lease, after client-go's leaderelection:
// a candidate takes the Lease when it is free or its holder has not renewed it for a whole lease
// duration (measured on the candidate's own clock from when it last saw the Lease change, so
// clock skew between replicas does not matter); writes go through resourceVersion, so of two
// candidates racing, one gets 409 Conflict and stays standby.
import { ApiException, CoordinationV1Api, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { type LeaderElection, type Logger, ValidationError } from '@fedsvc/core';
import { sleep } from './backoff.js';
import { describeError } from './list-watch.js';
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
  /** A leader that could not renew for this long steps down. Default 10 000. */
  readonly renewDeadlineMs?: number;
  /** Period of acquire and renew attempts. Default 2 000. */
  readonly retryPeriodMs?: number;
  /** Release the Lease on stop, so a standby takes over at once. Default true. */
  readonly releaseOnStop?: boolean;
  /** Clock, milliseconds since the epoch. Default Date.now. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

interface Observed {
  readonly resourceVersion: string;
  /** When this replica saw the Lease change, on its own clock. */
  readonly at: number;
}

function positiveInteger(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ValidationError(field, value, 'must be a positive integer');
  return value;
}

/**
 * Core's `LeaderElection` port on a Lease. `onChange(true)` when this replica starts leading,
 * `onChange(false)` when it stops: the Lease was taken, could not be renewed within the renew
 * deadline, or the campaign was stopped. Stopping a leader releases the Lease (unless
 * `releaseOnStop` is false) so that a standby takes over at once.
 */
export function createLeaseElection(options: LeaseElectionOptions): LeaderElection {
  const { kubeConfig } = resolveCluster(options.cluster, 'options.cluster');
  if (typeof options.namespace !== 'string' || !isDns1123Label(options.namespace)) throw new ValidationError('options.namespace', options.namespace, 'must be a DNS-1123 label');
  if (typeof options.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(options.name) || options.name.length > 253) {
    throw new ValidationError('options.name', options.name, 'must be a DNS-1123 subdomain (a Lease name)');
  }
  if (typeof options.identity !== 'string' || options.identity.length === 0) throw new ValidationError('options.identity', options.identity, 'must be a non-empty string');
  const leaseDurationMs = positiveInteger(options.leaseDurationMs, 'options.leaseDurationMs', 15_000);
  const renewDeadlineMs = positiveInteger(options.renewDeadlineMs, 'options.renewDeadlineMs', 10_000);
  const retryPeriodMs = positiveInteger(options.retryPeriodMs, 'options.retryPeriodMs', 2_000);
  if (leaseDurationMs <= renewDeadlineMs) throw new ValidationError('options.leaseDurationMs', leaseDurationMs, `must exceed renewDeadlineMs (${renewDeadlineMs})`);
  if (renewDeadlineMs <= retryPeriodMs) throw new ValidationError('options.renewDeadlineMs', renewDeadlineMs, `must exceed retryPeriodMs (${retryPeriodMs})`);
  const leaseDurationSeconds = Math.ceil(leaseDurationMs / 1000);
  const { namespace, name, identity } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  const log = { lease: `${namespace}/${name}`, identity };

  let observed: Observed | undefined;
  let lease: V1Lease | undefined;

  const conflict = (error: unknown): boolean => error instanceof ApiException && error.code === 409;

  /** One attempt. `held`: this replica holds the Lease now; `other`: a live holder has it; `raced`: another write won. */
  const tryAcquireOrRenew = async (): Promise<'held' | 'other' | 'raced'> => {
    const time = now();
    let current: V1Lease;
    try {
      current = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
      try {
        lease = await api.createNamespacedLease({
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: new V1MicroTime(time), renewTime: new V1MicroTime(time), leaseTransitions: 0 },
          },
        });
        observed = { resourceVersion: lease.metadata?.resourceVersion ?? '', at: time };
        return 'held';
      } catch (createError) {
        if (conflict(createError)) return 'raced';
        throw createError;
      }
    }
    const rv = current.metadata?.resourceVersion ?? '';
    if (observed?.resourceVersion !== rv) observed = { resourceVersion: rv, at: time };
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const duration = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (holder !== '' && holder !== identity && observed.at + duration > time) return 'other';
    const mine = holder === identity;
    try {
      lease = await api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          ...current,
          spec: {
            ...spec,
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: mine && spec.acquireTime ? new V1MicroTime(spec.acquireTime) : new V1MicroTime(time),
            renewTime: new V1MicroTime(time),
            leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
          },
        },
      });
      observed = { resourceVersion: lease.metadata?.resourceVersion ?? '', at: time };
      return 'held';
    } catch (error) {
      if (conflict(error)) return 'raced';
      throw error;
    }
  };

  const release = async (): Promise<void> => {
    if (!lease || lease.spec?.holderIdentity !== identity) return;
    const time = now();
    try {
      await api.replaceNamespacedLease({
        name,
        namespace,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: new V1MicroTime(time), renewTime: new V1MicroTime(time) } },
      });
    } catch (error) {
      logger.warn({ ...log, err: describeError(error) }, 'could not release the lease; a standby takes over when it expires');
    }
  };

  return {
    campaign(onChange) {
      const stopping = new AbortController();
      let leading = false;
      const attempt = async (): Promise<'held' | 'other' | 'raced' | 'failed'> => {
        try {
          return await tryAcquireOrRenew();
        } catch (error) {
          logger.warn({ ...log, err: describeError(error) }, 'lease request failed');
          return 'failed';
        }
      };
      const loop = (async () => {
        let lastRenew = 0;
        while (!stopping.signal.aborted) {
          const outcome = await attempt();
          if (stopping.signal.aborted) break;
          if (outcome === 'held') {
            lastRenew = now();
            if (!leading) {
              leading = true;
              logger.info(log, 'became leader');
              onChange(true);
            }
          } else if (leading) {
            // Another holder means the Lease is gone now; a failing API server is given until the renew deadline.
            if (outcome === 'other' || now() - lastRenew > renewDeadlineMs) {
              leading = false;
              lease = undefined;
              logger.warn(log, 'lost leadership');
              onChange(false);
            }
          }
          await sleep(retryPeriodMs, stopping.signal);
        }
      })();
      return {
        async stop() {
          stopping.abort();
          await loop;
          if (!leading) return;
          leading = false;
          if (options.releaseOnStop !== false) await release();
          onChange(false);
        },
      };
    },
  };
}
