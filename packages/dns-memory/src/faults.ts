// The faults a test arms on the in-memory provider, and which request each one hits.
import type { ProviderError } from '@fedsvc/core/provider';

export type RequestKind = 'zones' | 'read' | 'write' | 'version';
/**
 * Which requests a fault hits: listing pages, change requests, `zoneVersion` requests, or any
 * (zone listings included) but `zoneVersion` ones, which only faults armed for them hit, so that
 * a fault armed for the next read or write still lands there when the zone's version is asked first.
 */
export type FaultTarget = 'read' | 'write' | 'version' | 'any';

/** How a fault answers the request it hits. */
export interface FaultAnswer {
  readonly error: ProviderError;
  /** The answer comes this long after the request (a timeout). */
  readonly afterMs: number;
  /** The request is carried out before the error is answered: the answer was lost on its way back. */
  readonly applied: boolean;
}

interface Fault {
  readonly on: FaultTarget;
  /** Matching requests to let through before the fault starts. */
  skip: number;
  remaining: number;
  readonly answer: () => FaultAnswer;
}

/** Armed faults, in the order they were armed: the first that matches a request answers it. */
export class Faults {
  readonly #armed: Fault[] = [];

  arm(on: FaultTarget, skip: number, remaining: number, answer: () => FaultAnswer): void {
    this.#armed.push({ on, skip, remaining, answer });
  }

  /**
   * The answer a request of `kind` gets, if a fault fires. Every matching fault still waiting
   * out its `skip` counts the request too.
   */
  fire(kind: RequestKind): FaultAnswer | undefined {
    let fired: FaultAnswer | undefined;
    for (const fault of this.#armed) {
      if (fault.remaining === 0 || !hits(fault.on, kind)) continue;
      if (fault.skip > 0) {
        fault.skip--;
        continue;
      }
      if (fired === undefined) {
        fault.remaining--;
        fired = fault.answer();
      }
    }
    this.#armed.splice(0, this.#armed.length, ...this.#armed.filter((fault) => fault.remaining > 0));
    return fired;
  }

  clear(): void {
    this.#armed.length = 0;
  }
}

const hits = (on: FaultTarget, kind: RequestKind): boolean => on === kind || (on === 'any' && kind !== 'version');
