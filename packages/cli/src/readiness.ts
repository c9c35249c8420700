// Whether the process is ready (`/readyz`): the member clusters synced and the passes settled
// (a standby's at once; again after it takes over), and no service stuck on a failure retrying
// cannot fix.
import type { FederationController, Logger } from '@fedsvc/core';

/**
 * Failure reasons (a ProviderError kind or the controller's own) that the same pass, retried,
 * meets again: the zone or credentials are wrong, or a service's input is.
 */
export const UNFIXABLE_REASONS: ReadonlySet<string> = new Set(['invalid-input', 'invalid', 'denied', 'not-found']);

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
  readonly #stuck = new Map<string, string>();

  constructor(
    private readonly controller: FederationController,
    logger: Logger,
  ) {
    controller.on('apply-failed', ({ service, reason, error }) => {
      if (!UNFIXABLE_REASONS.has(reason)) return;
      const line = `${service}: ${reason}: ${error.message}`;
      if (this.#stuck.get(service) !== line)
        logger.error(
          { service, reason, error: error.message },
          'a pass failed for a reason retrying cannot fix; fix the input or the DNS settings',
        );
      this.#stuck.set(service, line);
    });
    // A standby that takes over has every service to pass again: it is not ready until they settle.
    // The controller schedules them right after telling, hence the next turn.
    controller.on('leader-acquired', () => setImmediate(() => this.#synced && this.#settle()));
    controller.on('service-synced', ({ service }) => {
      if (this.#stuck.delete(service)) logger.info({ service }, 'service synced again');
    });
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
    else if (!this.#settled) reasons.push('the first sync is under way');
    for (const line of this.#stuck.values()) reasons.push(line);
    return { ready: reasons.length === 0, reasons };
  }
}
