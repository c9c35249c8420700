// Load-balancer hostnames (AWS ELB) resolved to addresses, and resolved again every record
// TTL, so that the addresses in DNS follow the load balancer's (docs/design.md, Decisions:
// load-balancer hostnames are re-resolved at the TTL).
import type { Logger } from '../types.js';
import { withDeadline } from './deadline.js';

interface Entry {
  addresses: readonly string[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** A TTL of 0 must not turn into a lookup on every turn of the event loop. */
const MIN_REFRESH_MS = 1_000;
/** After a failed lookup: soon, but not in a tight loop. */
const RETRY_AFTER_FAILURE_MS = 5_000;

export interface HostnameCacheOptions {
  readonly resolve: (hostname: string) => Promise<readonly string[]>;
  /** How long addresses are kept before the next lookup (the record TTL); at least a second. */
  readonly ttlMs: number;
  /** How long a lookup may take; one that takes longer counts as failed. */
  readonly timeoutMs: number;
  /** Whether any shard still names the hostname; unused ones are forgotten at their refresh. */
  readonly inUse: (hostname: string) => boolean;
  /** Told when a hostname's addresses changed. */
  readonly onChange: (hostname: string) => void;
  readonly logger?: Logger | undefined;
}

export class HostnameCache {
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<void>>();
  #stopped = false;

  readonly #options: HostnameCacheOptions;
  readonly #refreshMs: number;
  readonly #retryMs: number;

  constructor(options: HostnameCacheOptions) {
    this.#options = options;
    this.#refreshMs = Math.max(MIN_REFRESH_MS, options.ttlMs);
    this.#retryMs = Math.min(this.#refreshMs, RETRY_AFTER_FAILURE_MS);
  }

  /** The addresses last resolved; empty when never resolved, or when every lookup so far failed. */
  addresses(hostname: string): readonly string[] {
    return this.#entries.get(hostname)?.addresses ?? [];
  }

  /** Resolves every hostname not resolved yet. */
  async ensure(hostnames: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const hostname of hostnames) {
      if (this.#entries.has(hostname)) continue;
      let pending = this.#pending.get(hostname);
      if (!pending) {
        pending = this.#lookup(hostname).then((addresses) => {
          this.#pending.delete(hostname);
          this.#store(hostname, addresses ?? [], addresses === undefined);
        });
        this.#pending.set(hostname, pending);
      }
      waits.push(pending);
    }
    await Promise.all(waits);
  }

  stop(): void {
    this.#stopped = true;
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    this.#entries.clear();
  }

  /** The sorted addresses, or undefined when the lookup failed. */
  async #lookup(hostname: string): Promise<readonly string[] | undefined> {
    try {
      return [...(await withDeadline(() => this.#options.resolve(hostname), this.#options.timeoutMs, 'resolveHostname'))].sort();
    } catch (error) {
      this.#options.logger?.warn({ hostname, error: (error as Error).message }, 'could not resolve load-balancer hostname');
      return undefined;
    }
  }

  #store(hostname: string, addresses: readonly string[], failed: boolean): void {
    if (this.#stopped) return;
    const entry: Entry = { addresses, timer: undefined };
    this.#entries.set(hostname, entry);
    entry.timer = setTimeout(() => void this.#refresh(hostname, entry), failed ? this.#retryMs : this.#refreshMs);
    entry.timer.unref?.();
  }

  async #refresh(hostname: string, entry: Entry): Promise<void> {
    const resolved = await this.#lookup(hostname);
    if (this.#stopped || this.#entries.get(hostname) !== entry) return;
    this.#entries.delete(hostname);
    if (!this.#options.inUse(hostname)) return;
    // A resolver that fails says nothing about the load balancer: its last addresses stay in DNS.
    const addresses = resolved ?? entry.addresses;
    this.#store(hostname, addresses, resolved === undefined);
    const changed = addresses.length !== entry.addresses.length || addresses.some((a, i) => a !== entry.addresses[i]);
    if (changed) this.#options.onChange(hostname);
  }
}
