// Writes per object, coalesced: the first mark of an object opens a window; marks within it join
// it; at its end the object is written once, from what holds then. One write per object at a
// time: a mark during a write opens the next window after it. A failed write is tried again
// after a backoff.
import type { Logger } from '@fedsvc/core/provider';
import { type BackoffOptions, reconnectDelay } from '../backoff.js';

export interface CoalescerOptions<K> {
  readonly windowMs: number;
  readonly backoff: BackoffOptions;
  readonly logger: Logger;
  /** Writes the object if it needs it; throws to be tried again later. */
  readonly write: (key: K, signal: AbortSignal) => Promise<void>;
}

export class Coalescer<K> {
  readonly #timers = new Map<K, ReturnType<typeof setTimeout>>();
  readonly #writing = new Map<K, Promise<void>>();
  /** Marked while being written: written again once that write is done. */
  readonly #again = new Set<K>();
  readonly #failures = new Map<K, number>();
  readonly #stopping = new AbortController();

  constructor(private readonly options: CoalescerOptions<K>) {}

  mark(key: K): void {
    if (this.#stopping.signal.aborted || this.#timers.has(key)) return;
    if (this.#writing.has(key)) {
      this.#again.add(key);
      return;
    }
    this.#schedule(key, this.options.windowMs);
  }

  /** Whether nothing is waiting or being written. */
  get idle(): boolean {
    return this.#timers.size === 0 && this.#writing.size === 0;
  }

  /** Drops what waits; waits for the writes under way (their requests are aborted). */
  async stop(): Promise<void> {
    this.#stopping.abort();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(this.#writing.values());
  }

  #schedule(key: K, delayMs: number): void {
    const timer = setTimeout(() => this.#flush(key), delayMs);
    timer.unref?.();
    this.#timers.set(key, timer);
  }

  #flush(key: K): void {
    this.#timers.delete(key);
    const writing = this.options
      .write(key, this.#stopping.signal)
      .then(
        () => {
          this.#failures.delete(key);
        },
        (error: unknown) => {
          if (this.#stopping.signal.aborted) return;
          const failures = (this.#failures.get(key) ?? 0) + 1;
          this.#failures.set(key, failures);
          this.options.logger.warn(
            { object: String(key), err: error instanceof Error ? error.message : String(error) },
            'host write failed',
          );
          this.#again.delete(key);
          this.#schedule(key, reconnectDelay(failures, this.options.backoff));
        },
      )
      .finally(() => {
        this.#writing.delete(key);
        if (this.#again.delete(key)) this.mark(key);
      });
    this.#writing.set(key, writing);
  }
}
