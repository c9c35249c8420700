// Whether the process is ready (`/readyz`): the member clusters synced and the passes settled
// (a standby's at once; again after it takes over), and no service held by a failure retrying
// cannot fix (the controller tells which, and logs each once at error level).
import type { FederationController } from '@fedsvc/core';

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

  constructor(private readonly controller: FederationController) {
    // A standby that takes over has every service to pass again: it is not ready until they settle.
    // The controller schedules them right after telling, hence the next turn.
    controller.on('leader-acquired', () => setImmediate(() => this.#synced && this.#settle()));
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
    for (const { service, reason, cluster, error } of this.controller.permanentFailures())
      reasons.push(`${service}: ${reason}${cluster === undefined ? '' : ` in ${cluster}`}: ${error.message}`);
    return { ready: reasons.length === 0, reasons };
  }
}
