// Whether the process is ready (`/readyz`), the rule a rollout trusts:
// - not before the member clusters have all been heard from;
// - standing by (another replica leads): ready once they have;
// - leading: ready once the passes that followed the sync (or the takeover) have settled: each
//   service passed, or failed for a reason retrying cannot fix. A service whose pass failed for a
//   reason retrying may fix is retried with backoff, and the first sync waits for it (each named);
// - afterwards, a failure retrying may fix changes nothing (a throttled or flaky provider does
//   not make every replica leave its Service), but a service held by a failure retrying cannot
//   fix does, as long as it holds (the controller tells which, and logs each once at error level).
// A shard whose load balancer has no address yet is not waited for: the cloud may take minutes,
// or never give one, and the pass that writes it follows when it comes.
import type { FederationController, ServiceKey } from '@fedsvc/core';

/** A service's failure as the controller told it. */
type Failure = ReturnType<FederationController['permanentFailures']>[number];

/** The state `/readyz` answers with. */
export interface ReadyState {
  readonly ready: boolean;
  /** Why not, one line each; empty when ready. */
  readonly reasons: readonly string[];
}

/** Follows the controller's events and the clusters' sync to answer `/readyz`. */
export class Readiness {
  #synced = false;
  #settled = false;
  /** Counts the waits for the passes to settle: only the latest one decides. */
  #waits = 0;
  #markLeaderSettled: () => void = () => {};
  /** Resolves when this replica, leading, has first settled its passes after the clusters synced. */
  readonly leaderSettled = new Promise<void>((resolve) => {
    this.#markLeaderSettled = resolve;
  });

  /** The services whose last pass failed for a reason retrying may fix, with that failure. */
  readonly #retrying = new Map<ServiceKey, Omit<Failure, 'service'>>();

  constructor(private readonly controller: FederationController) {
    // A standby that takes over has every service to pass again: it is not ready until they settle.
    // The controller schedules them right after telling, hence the next turn.
    controller.on('leader-acquired', () => setImmediate(() => this.#synced && this.#settle()));
    controller.on('leader-lost', () => this.#retrying.clear());
    controller.on('apply-failed', ({ service, permanent, reason, error, cluster }) => {
      if (permanent) this.#retrying.delete(service);
      else this.#retrying.set(service, { reason, error, ...(cluster === undefined ? {} : { cluster }) });
    });
    controller.on('service-synced', ({ service }) => this.#retrying.delete(service));
    controller.on('service-deleted', ({ service }) => this.#retrying.delete(service));
  }

  /** The member clusters have all been heard from: the first passes run now. */
  synced(): void {
    if (this.#synced) return;
    this.#synced = true;
    this.#settle();
  }

  #settle(): void {
    const wait = ++this.#waits;
    this.#settled = false;
    void this.controller.idle().then(() => {
      if (wait !== this.#waits) return;
      this.#settled = true;
      if (this.controller.leading) this.#markLeaderSettled();
    });
  }

  get settled(): boolean {
    return this.#settled;
  }

  state(): ReadyState {
    const reasons: string[] = [];
    if (!this.#synced) reasons.push('the member clusters have not all been heard from yet');
    else if (!this.#settled && this.#retrying.size === 0) reasons.push('the first sync is under way');
    else if (!this.#settled)
      for (const [service, failure] of [...this.#retrying].sort(([a], [b]) => a.localeCompare(b)))
        reasons.push(`${failureLine({ service, ...failure })}: retried; the first sync waits for it`);
    for (const failure of this.controller.permanentFailures()) reasons.push(failureLine(failure));
    return { ready: reasons.length === 0, reasons };
  }
}

function failureLine({ service, reason, cluster, error }: Failure): string {
  return `${service}: ${reason}${cluster === undefined ? '' : ` in ${cluster}`}: ${error.message}`;
}
