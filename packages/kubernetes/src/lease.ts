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
import { type LeaderElection, sleep } from '@fedsvc/core/provider';
import { LeaseLock, type Outcome } from './lease-lock.js';
import { type LeaseElectionOptions, type LeaseSettings, resolveLeaseOptions } from './lease-options.js';
import { describeError } from './api-errors.js';

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
  const settings = resolveLeaseOptions(options);
  const lock = new LeaseLock(settings);
  return {
    campaign(onChange) {
      const campaign = new Campaign(lock, settings, onChange);
      return { stop: () => campaign.stop() };
    },
  };
}

/** Acquires and renews the Lease every retry period until stopped, telling `onChange` when leadership changes. */
class Campaign {
  private readonly stopping = new AbortController();
  private leading = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly lock: LeaseLock,
    private readonly settings: LeaseSettings,
    private readonly onChange: (leading: boolean) => void,
  ) {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    if (!this.leading) return;
    this.leading = false;
    if (this.settings.releaseOnStop) await this.lock.release();
    const { onChange } = this;
    onChange(false);
  }

  private async run(): Promise<void> {
    const { renewDeadlineMs, retryPeriodMs, monotonicNow, logger, log } = this.settings;
    const { stopping, lock, onChange } = this;
    // When the attempt that last renewed began, on the monotonic clock.
    let lastRenew = 0;
    const untilDeadlineMs = () => lastRenew + renewDeadlineMs - monotonicNow();
    while (!stopping.signal.aborted) {
      // A standby's attempt gets a whole renew deadline; a leader's, what is left of it.
      const timeLeftMs = untilDeadlineMs();
      const outcome: Outcome =
        this.leading && timeLeftMs <= 0 ? { kind: 'late' } : await this.attempt(this.leading ? timeLeftMs : renewDeadlineMs);
      if (stopping.signal.aborted) break;
      if (outcome.kind === 'held') {
        lock.held = outcome.lease;
        lastRenew = outcome.at;
        if (!this.leading) {
          this.leading = true;
          logger.info(log, 'became leader');
          onChange(true);
        }
      } else if (this.leading) {
        // Another holder means the Lease is gone now; a failing API server is given until the renew deadline.
        if (outcome.kind === 'other' || outcome.kind === 'late' || untilDeadlineMs() < 0) {
          this.leading = false;
          lock.held = undefined;
          logger.warn(log, 'lost leadership');
          onChange(false);
        }
      }
      // A leader that could not renew tries again, but never sleeps past its renew deadline:
      // it must have stepped down by then, whatever retryPeriodMs is.
      await sleep(
        this.leading && outcome.kind !== 'held' ? Math.min(retryPeriodMs, Math.max(0, untilDeadlineMs())) : retryPeriodMs,
        stopping.signal,
      );
    }
  }

  /**
   * One attempt, given `timeLeftMs`: its requests are aborted then, and it answers `late`
   * then even if a request ignores the abort, so a hung connection never keeps a leader leading.
   */
  private async attempt(timeLeftMs: number): Promise<Outcome> {
    if (timeLeftMs <= 0) return { kind: 'late' };
    const { logger, log } = this.settings;
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
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    try {
      const tried = this.lock.tryAcquireOrRenew(abort.signal).catch((error: unknown): Outcome => {
        if (!abort.signal.aborted) logger.warn({ ...log, err: describeError(error) }, 'lease request failed');
        return { kind: 'failed' };
      });
      const outcome = await Promise.race([tried, cutShort]);
      return outcome.kind === 'failed' && timedOut ? { kind: 'late' } : outcome;
    } finally {
      clearTimeout(timer);
      this.stopping.signal.removeEventListener('abort', onStop);
    }
  }
}
