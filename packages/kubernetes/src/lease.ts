// Leader election through a coordination.k8s.io/v1 Lease, after client-go's leaderelection:
// a candidate takes the Lease when it is free or its holder has not renewed it for a whole lease
// duration, measured on the candidate's own monotonic clock from when it last saw the Lease
// record (holder, renew time, ...) change, never by comparing the remote renewTime with its wall
// clock: clock skew between replicas, or a replica's wall clock stepping, does not matter. Local
// deadlines are on the monotonic clock too; the wall clock only dates the times written into the
// Lease (RFC 3339, as Kubernetes expects). Writes go through resourceVersion, so of two
// candidates racing, one gets 409 Conflict and stays standby. As client-go bounds renewals by
// RenewDeadline, every attempt is bounded by the time left before the renew deadline: a leader
// whose API server stops answering steps down when that passes, not when the OS gives up on the
// socket, so it has stepped down before a standby can take the Lease (a lease duration, longer).
import { ApiException, CoordinationV1Api, V1MicroTime, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { type LeaderElection, type Logger, ValidationError, positiveInteger, sleep } from '@fedsvc/core/provider';
import { abortedBy } from './deadline.js';
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

interface Observed {
  /** The Lease record: holder, lease duration, acquire and renew times, transitions. */
  readonly record: string;
  /** When this replica saw the record change, on its monotonic clock. */
  readonly at: number;
}

function recordOf(spec: V1LeaseSpec | undefined): string {
  const time = (t: Date | undefined) => (t instanceof Date ? t.toISOString() : (t ?? null));
  return JSON.stringify([
    spec?.holderIdentity ?? '',
    spec?.leaseDurationSeconds ?? null,
    time(spec?.acquireTime),
    time(spec?.renewTime),
    spec?.leaseTransitions ?? null,
  ]);
}

type Outcome =
  /** This replica holds the Lease, renewed at `at` (when the attempt began, on the monotonic clock). */
  | { readonly kind: 'held'; readonly lease: V1Lease; readonly at: number }
  /** A live holder has it. */
  | { readonly kind: 'other' }
  /** Another write won the race. */
  | { readonly kind: 'raced' }
  | { readonly kind: 'failed' }
  /** No answer before the deadline. */
  | { readonly kind: 'late' };

function clock(value: unknown, field: string, fallback: () => number): () => number {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new ValidationError(field, value, 'must be a function returning milliseconds');
  return value as () => number;
}

/**
 * Core's `LeaderElection` port on a `coordination.k8s.io/v1` Lease. `onChange(true)` when this
 * replica starts leading, `onChange(false)` when it stops: the Lease was taken, could not be
 * renewed within the renew deadline, or the campaign was stopped. Stopping a leader releases
 * the Lease (unless `releaseOnStop` is false) so that a standby takes over at once. Deadlines
 * are measured on the monotonic clock, so clock skew between replicas never hands the Lease
 * over early.
 *
 * @throws ValidationError (from `@fedsvc/core`) when an option is malformed, or unless
 *   `leaseDurationMs` > `renewDeadlineMs` > `retryPeriodMs`.
 * @example
 * ```ts
 * const leaderElection = createLeaseElection({
 *   cluster: { context: 'host-cluster' },
 *   namespace: 'fedsvc-system',
 *   name: 'fedsvc-controller',
 *   identity: process.env.POD_NAME ?? `${hostname()}-${process.pid}`,
 * });
 * const controller = createController({ federation, ownerId, clusters, dns, leaderElection });
 * ```
 */
export function createLeaseElection(options: LeaseElectionOptions): LeaderElection {
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
  const leaseDurationSeconds = Math.ceil(leaseDurationMs / 1000);
  const { namespace, name, identity } = options;
  const now = clock(options.now, 'options.now', Date.now);
  const monotonicNow = clock(options.monotonicNow, 'options.monotonicNow', () => performance.now());
  const logger = options.logger ?? silentLogger;
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  const log = { lease: `${namespace}/${name}`, identity };

  let observed: Observed | undefined;
  let lease: V1Lease | undefined;

  const conflict = (error: unknown): boolean => error instanceof ApiException && error.code === 409;

  /** One attempt; its requests are aborted with `signal`. */
  const tryAcquireOrRenew = async (signal: AbortSignal): Promise<Outcome> => {
    const began = monotonicNow();
    const time = now();
    const options = abortedBy(signal);
    let current: V1Lease;
    try {
      current = await api.readNamespacedLease({ name, namespace }, options);
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
      try {
        const created = await api.createNamespacedLease(
          {
            namespace,
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name, namespace },
              spec: {
                holderIdentity: identity,
                leaseDurationSeconds,
                acquireTime: new V1MicroTime(time),
                renewTime: new V1MicroTime(time),
                leaseTransitions: 0,
              },
            },
          },
          options,
        );
        observed = { record: recordOf(created.spec), at: monotonicNow() };
        return { kind: 'held', lease: created, at: began };
      } catch (createError) {
        if (conflict(createError)) return { kind: 'raced' };
        throw createError;
      }
    }
    const seen = monotonicNow();
    const record = recordOf(current.spec);
    if (observed?.record !== record) observed = { record, at: seen };
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const duration = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    // Expired only once this replica has watched the same record for a whole lease duration.
    if (holder !== '' && holder !== identity && observed.at + duration > seen) return { kind: 'other' };
    const mine = holder === identity;
    try {
      const replaced = await api.replaceNamespacedLease(
        {
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
        },
        options,
      );
      observed = { record: recordOf(replaced.spec), at: monotonicNow() };
      return { kind: 'held', lease: replaced, at: began };
    } catch (error) {
      if (conflict(error)) return { kind: 'raced' };
      throw error;
    }
  };

  const release = async (): Promise<void> => {
    if (!lease || lease.spec?.holderIdentity !== identity) return;
    const time = now();
    try {
      // Bounded like a renewal: an unanswered release must not hold up stopping.
      await api.replaceNamespacedLease(
        {
          name,
          namespace,
          body: {
            ...lease,
            spec: {
              ...lease.spec,
              holderIdentity: '',
              leaseDurationSeconds: 1,
              acquireTime: new V1MicroTime(time),
              renewTime: new V1MicroTime(time),
            },
          },
        },
        abortedBy(AbortSignal.timeout(renewDeadlineMs)),
      );
    } catch (error) {
      logger.warn({ ...log, err: describeError(error) }, 'could not release the lease; a standby takes over when it expires');
    }
  };

  return {
    campaign(onChange) {
      const stopping = new AbortController();
      let leading = false;
      /**
       * One attempt, given `timeLeftMs`: its requests are aborted then, and it answers `late`
       * then even if a request ignores the abort, so a hung connection never keeps a leader leading.
       */
      const attempt = async (timeLeftMs: number): Promise<Outcome> => {
        if (timeLeftMs <= 0) return { kind: 'late' };
        const abort = new AbortController();
        let timedOut = false;
        let cut: (outcome: Outcome) => void = () => {};
        const cutShort = new Promise<Outcome>((resolve) => (cut = resolve));
        const timer = setTimeout(() => {
          timedOut = true;
          abort.abort();
          cut({ kind: 'late' });
        }, timeLeftMs);
        const onStop = () => {
          abort.abort();
          cut({ kind: 'failed' });
        };
        stopping.signal.addEventListener('abort', onStop, { once: true });
        try {
          const tried = tryAcquireOrRenew(abort.signal).catch((error: unknown): Outcome => {
            if (!abort.signal.aborted) logger.warn({ ...log, err: describeError(error) }, 'lease request failed');
            return { kind: 'failed' };
          });
          const outcome = await Promise.race([tried, cutShort]);
          return outcome.kind === 'failed' && timedOut ? { kind: 'late' } : outcome;
        } finally {
          clearTimeout(timer);
          stopping.signal.removeEventListener('abort', onStop);
        }
      };
      const loop = (async () => {
        // When the attempt that last renewed began, on the monotonic clock.
        let lastRenew = 0;
        const untilDeadlineMs = () => lastRenew + renewDeadlineMs - monotonicNow();
        while (!stopping.signal.aborted) {
          // A standby's attempt gets a whole renew deadline; a leader's, what is left of it.
          const timeLeftMs = untilDeadlineMs();
          const outcome: Outcome = leading && timeLeftMs <= 0 ? { kind: 'late' } : await attempt(leading ? timeLeftMs : renewDeadlineMs);
          if (stopping.signal.aborted) break;
          if (outcome.kind === 'held') {
            lease = outcome.lease;
            lastRenew = outcome.at;
            if (!leading) {
              leading = true;
              logger.info(log, 'became leader');
              onChange(true);
            }
          } else if (leading) {
            // Another holder means the Lease is gone now; a failing API server is given until the renew deadline.
            if (outcome.kind === 'other' || outcome.kind === 'late' || untilDeadlineMs() < 0) {
              leading = false;
              lease = undefined;
              logger.warn(log, 'lost leadership');
              onChange(false);
            }
          }
          // A leader that could not renew tries again, but never sleeps past its renew deadline:
          // it must have stepped down by then, whatever retryPeriodMs is.
          await sleep(
            leading && outcome.kind !== 'held' ? Math.min(retryPeriodMs, Math.max(0, untilDeadlineMs())) : retryPeriodMs,
            stopping.signal,
          );
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
