// Load-balancer hostnames (AWS ELB) resolved to addresses, and resolved again every record
// TTL, so that the addresses in DNS follow the load balancer's (defect 3 of the original).
import type { Logger } from '../types.js';

interface Entry {
  addresses: readonly string[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class HostnameCache {
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(
    private readonly resolve: (hostname: string) => Promise<readonly string[]>,
    private readonly ttlMs: number,
    /** Whether any shard still names the hostname; unused ones are forgotten at their refresh. */
    private readonly inUse: (hostname: string) => boolean,
    /** Told when a hostname's addresses changed. */
    private readonly onChange: (hostname: string) => void,
    private readonly logger: Logger | undefined,
  ) {}

  /** The addresses last resolved; empty when never resolved or the last resolution failed. */
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
          this.#store(hostname, addresses);
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

  async #lookup(hostname: string): Promise<readonly string[]> {
    try {
      return [...await this.resolve(hostname)].sort();
    } catch (error) {
      this.logger?.warn({ hostname, error: (error as Error).message }, 'could not resolve load-balancer hostname');
      return [];
    }
  }

  #store(hostname: string, addresses: readonly string[]): void {
    if (this.#stopped) return;
    const entry: Entry = { addresses, timer: undefined };
    this.#entries.set(hostname, entry);
    entry.timer = setTimeout(() => void this.#refresh(hostname, entry), this.ttlMs);
    entry.timer.unref?.();
  }

  async #refresh(hostname: string, entry: Entry): Promise<void> {
    const addresses = await this.#lookup(hostname);
    if (this.#stopped || this.#entries.get(hostname) !== entry) return;
    const changed = addresses.length !== entry.addresses.length || addresses.some((a, i) => a !== entry.addresses[i]);
    this.#entries.delete(hostname);
    if (!this.inUse(hostname)) return;
    this.#store(hostname, addresses);
    if (changed) this.onChange(hostname);
  }
}
