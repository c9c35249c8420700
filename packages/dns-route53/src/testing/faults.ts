// What refuses or drops a request whatever it asks: injected faults and hangs, served before
// normal processing, and Route 53's account rate when the fixture enforces it.
import { ApiError } from './responses.js';
import type { Operation } from './routes.js';

/** One injected failure; `operation` limits it to one API operation. */
export interface Fault {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly operation?: Operation;
  readonly retryAfterSeconds?: number;
}

/** `request`: nothing is sent back; `headers`: the status line and headers, then no body. */
export type HangAfter = 'request' | 'headers';

interface Hang {
  readonly operation?: Operation;
  readonly after: HangAfter;
}

const PRIOR_REQUEST_NOT_COMPLETE = 'The request was rejected because Route 53 was still processing a prior request.';

export function throttlingFault(options: { operation?: Operation; retryAfterSeconds?: number }): Fault {
  return { status: 400, code: 'Throttling', message: 'Rate exceeded', ...options };
}

export function serverErrorFault(options: { operation?: Operation; status?: number }): Fault {
  const status = options.status ?? 500;
  const code = status === 503 ? 'ServiceUnavailable' : 'InternalFailure';
  const message = status === 503 ? 'Service Unavailable' : 'An internal error occurred.';
  return { status, code, message, operation: options.operation };
}

export const priorRequestNotCompleteFault: Fault = {
  status: 400,
  code: 'PriorRequestNotComplete',
  message: PRIOR_REQUEST_NOT_COMPLETE,
  operation: 'ChangeResourceRecordSets',
};

/** What a change request to a zone still processing the previous batch gets. */
export const priorRequestNotComplete = () => new ApiError(400, 'PriorRequestNotComplete', PRIOR_REQUEST_NOT_COMPLETE);

/** The queued faults and hangs, each taken by the first request of its operation (or of any, without one). */
export class FaultQueue {
  private readonly faults: Fault[] = [];
  private readonly hangs: Hang[] = [];

  add(fault: Fault): void {
    this.faults.push(fault);
  }

  addHang(hang: Hang): void {
    this.hangs.push(hang);
  }

  takeFault(operation: Operation): Fault | undefined {
    const index = this.faults.findIndex((f) => f.operation === undefined || f.operation === operation);
    if (index < 0) return undefined;
    return this.faults.splice(index, 1)[0];
  }

  takeHang(operation: Operation): HangAfter | undefined {
    const index = this.hangs.findIndex((h) => h.operation === undefined || h.operation === operation);
    if (index < 0) return undefined;
    return this.hangs.splice(index, 1)[0]?.after;
  }
}

/** Route 53's account rate (documented: 5 requests per second) over a sliding second. */
export class RateLimit {
  private readonly recent: number[] = [];

  constructor(private readonly requestsPerSecond: number) {}

  /** Counts a request at `now` (host clock), or throws Throttling when the second is full. */
  admit(now: number): void {
    while (this.recent.length > 0 && (this.recent[0] ?? now) <= now - 1000) this.recent.shift();
    if (this.recent.length >= this.requestsPerSecond) throw new ApiError(400, 'Throttling', 'Rate exceeded');
    this.recent.push(now);
  }
}
