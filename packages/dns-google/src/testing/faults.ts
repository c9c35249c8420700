// Faults a test arms on the fixture: error answers (429, 5xx), connections cut after serving, and
// requests never answered.
import { ApiError } from './api-error.js';
import type { Operation } from './routes.js';

interface Fault {
  readonly operation?: Operation;
  readonly error: ApiError;
}

const matches = (operation: Operation) => (fault: { readonly operation?: Operation }) =>
  fault.operation === undefined || fault.operation === operation;

/** Armed faults, each hitting one request (of its operation, if it names one), first armed first. */
export class Faults {
  readonly #errors: Fault[] = [];
  readonly #cuts: { readonly operation?: Operation }[] = [];
  readonly #hangs: { readonly operation?: Operation }[] = [];

  throttle(count: number, operation: Operation | undefined, retryAfterSeconds: number | undefined): void {
    const metric = operation === 'changes.create' ? 'Write requests' : 'Read requests';
    for (let i = 0; i < count; i += 1) {
      const error = new ApiError(
        429,
        [
          {
            reason: 'rateLimitExceeded',
            message: `Quota exceeded for quota metric '${metric}' and limit '${metric} per minute' of service 'dns.googleapis.com' for consumer 'project_number:123456789'.`,
          },
        ],
        retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
      );
      this.#errors.push({ operation, error });
    }
  }

  fail(count: number, operation: Operation | undefined, status: number): void {
    for (let i = 0; i < count; i += 1) {
      const error = new ApiError(status, [
        { reason: 'backendError', message: status === 503 ? 'The service is currently unavailable.' : 'Internal error encountered.' },
      ]);
      this.#errors.push({ operation, error });
    }
  }

  cut(count: number, operation: Operation | undefined): void {
    for (let i = 0; i < count; i += 1) this.#cuts.push({ operation });
  }

  hang(count: number, operation: Operation | undefined): void {
    for (let i = 0; i < count; i += 1) this.#hangs.push({ operation });
  }

  /** Whether a hang is armed for a request of `operation`; it is taken off the list. */
  takeHang(operation: Operation): boolean {
    const index = this.#hangs.findIndex(matches(operation));
    if (index >= 0) this.#hangs.splice(index, 1);
    return index >= 0;
  }

  /** The error answer armed for a request of `operation`, taken off the list; undefined if none. */
  takeError(operation: Operation): ApiError | undefined {
    const index = this.#errors.findIndex(matches(operation));
    return index < 0 ? undefined : this.#errors.splice(index, 1)[0]?.error;
  }

  /** Whether a cut is armed for a request of `operation`; it is taken off the list. */
  takeCut(operation: Operation): boolean {
    const index = this.#cuts.findIndex(matches(operation));
    if (index >= 0) this.#cuts.splice(index, 1);
    return index >= 0;
  }
}
