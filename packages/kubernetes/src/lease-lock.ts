// The Lease on the API server as one candidate reads and writes it. It takes the Lease when it is
// free or its holder has not renewed it for a whole lease duration, measured on this replica's
// monotonic clock from when it last saw the Lease record change. Writes go through
// resourceVersion, so of two candidates racing, one gets 409 Conflict.
import { ApiException, CoordinationV1Api, V1MicroTime, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { abortedBy } from './deadline.js';
import type { LeaseSettings } from './lease-options.js';
import { describeError } from './api-errors.js';

interface Observed {
  /** The Lease record: holder, lease duration, acquire and renew times, transitions. */
  readonly record: string;
  /** When this replica saw the record change, on its monotonic clock. */
  readonly at: number;
}

export type Outcome =
  /** This replica holds the Lease, renewed at `at` (when the attempt began, on the monotonic clock). */
  | { readonly kind: 'held'; readonly lease: V1Lease; readonly at: number }
  /** A live holder has it. */
  | { readonly kind: 'other' }
  /** Another write won the race. */
  | { readonly kind: 'raced' }
  | { readonly kind: 'failed' }
  /** No answer before the deadline. */
  | { readonly kind: 'late' };

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

function conflict(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

export class LeaseLock {
  private readonly api: CoordinationV1Api;
  private observed: Observed | undefined;
  /** The Lease as this replica last held it; cleared when it lost it. What `release` writes over. */
  held: V1Lease | undefined;

  constructor(private readonly settings: LeaseSettings) {
    this.api = settings.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** One attempt; its requests are aborted with `signal`. */
  async tryAcquireOrRenew(signal: AbortSignal): Promise<Outcome> {
    const { name, namespace, identity, leaseDurationSeconds, now, monotonicNow } = this.settings;
    const began = monotonicNow();
    const time = now();
    const options = abortedBy(signal);
    let current: V1Lease;
    try {
      current = await this.api.readNamespacedLease({ name, namespace }, options);
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
      return this.write(began, () =>
        this.api.createNamespacedLease(
          {
            namespace,
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name, namespace },
              spec: firstSpec(identity, leaseDurationSeconds, time),
            },
          },
          options,
        ),
      );
    }
    const seen = monotonicNow();
    const record = recordOf(current.spec);
    if (this.observed?.record !== record) this.observed = { record, at: seen };
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const duration = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    // Expired only once this replica has watched the same record for a whole lease duration.
    if (holder !== '' && holder !== identity && this.observed.at + duration > seen) return { kind: 'other' };
    return this.write(began, () =>
      this.api.replaceNamespacedLease(
        { name, namespace, body: { ...current, spec: takenSpec(spec, identity, leaseDurationSeconds, time) } },
        options,
      ),
    );
  }

  /** Gives the Lease up if this replica holds it; a failure is logged, the Lease then expires. */
  async release(): Promise<void> {
    const { name, namespace, identity, renewDeadlineMs, now, logger, log } = this.settings;
    const lease = this.held;
    if (!lease || lease.spec?.holderIdentity !== identity) return;
    const time = now();
    try {
      // Bounded like a renewal: an unanswered release must not hold up stopping.
      await this.api.replaceNamespacedLease(
        { name, namespace, body: { ...lease, spec: releasedSpec(lease.spec, time) } },
        abortedBy(AbortSignal.timeout(renewDeadlineMs)),
      );
    } catch (error) {
      logger.warn({ ...log, err: describeError(error) }, 'could not release the lease; a standby takes over when it expires');
    }
  }

  /** A create or replace that makes this replica the holder; losing the race to another write is `raced`. */
  private async write(began: number, request: () => Promise<V1Lease>): Promise<Outcome> {
    try {
      const written = await request();
      const { monotonicNow } = this.settings;
      this.observed = { record: recordOf(written.spec), at: monotonicNow() };
      return { kind: 'held', lease: written, at: began };
    } catch (error) {
      if (conflict(error)) return { kind: 'raced' };
      throw error;
    }
  }
}

/** The spec of a Lease this replica creates. */
function firstSpec(identity: string, leaseDurationSeconds: number, time: number): V1LeaseSpec {
  return {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: new V1MicroTime(time),
    renewTime: new V1MicroTime(time),
    leaseTransitions: 0,
  };
}

/** `spec` renewed by its holder, or taken over by this replica (one more transition). */
function takenSpec(spec: V1LeaseSpec, identity: string, leaseDurationSeconds: number, time: number): V1LeaseSpec {
  const mine = spec.holderIdentity === identity;
  return {
    ...spec,
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: mine && spec.acquireTime ? new V1MicroTime(spec.acquireTime) : new V1MicroTime(time),
    renewTime: new V1MicroTime(time),
    leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
  };
}

/** `spec` with no holder and a one-second lease, so that a standby takes it at once. */
function releasedSpec(spec: V1LeaseSpec | undefined, time: number): V1LeaseSpec {
  return {
    ...spec,
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: new V1MicroTime(time),
    renewTime: new V1MicroTime(time),
  };
}
