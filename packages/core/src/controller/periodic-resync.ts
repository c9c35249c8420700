// The periodic resync, which repairs drift made by others: its timer, the zone-version check that
// lets a resync that would find nothing cost one request, and the period a provider's request
// budget stretches it to (resync.ts decides the period).
import type { EventEmitter } from 'eventemitter3';
import type { DnsProvider, DnsZone, Logger } from '../types.js';
import { providerRequest } from './deadline.js';
import { resyncPeriod, type ResyncPeriod } from './resync.js';
import type { Scheduler } from './scheduler.js';
import type { ControllerEvents, ResyncStatusView, ServiceKey } from './types.js';
import type { ZoneCache } from './zone-cache.js';

/** What the periodic resync reads of the controller, at every decision. */
export interface ResyncContext {
  readonly provider: DnsProvider;
  readonly zone: DnsZone;
  readonly logger: Logger | undefined;
  /** `false`: no periodic resync. */
  readonly resyncMs: number | false;
  readonly callTimeoutMs: number;
  readonly scheduler: Scheduler;
  readonly cache: ZoneCache;
  readonly running: () => boolean;
  readonly leading: () => boolean;
  readonly synced: () => boolean;
  readonly term: () => number;
  /** Reads the zone anew and plans every service. */
  readonly sweep: () => void;
  /** The services whose last pass failed for a reason retrying cannot fix: a resync passes them again. */
  readonly parked: () => Iterable<ServiceKey>;
  readonly emit: EventEmitter<ControllerEvents>['emit'];
}

export class PeriodicResync {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #period: ResyncPeriod;
  /** When the timer last fired (or was first set). */
  #since = 0;
  readonly #counts = { read: 0, skipped: 0 };
  /** A version check waits in the zone's queue: the next tick adds none, so checks never pile up behind a long pass. */
  #checking = false;

  constructor(private readonly ctx: ResyncContext) {
    this.#period = resyncPeriod(ctx.resyncMs, undefined);
  }

  /** The period in force, why, and how many resyncs read the zone or skipped the read. */
  get status(): ResyncStatusView {
    return { ...this.#period, resyncs: { ...this.#counts } };
  }

  start(): void {
    this.#since = performance.now();
    this.#arm();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  /** After a full read: the provider may want more time between full reads (its `readInterval`). */
  zoneRead(): void {
    const { provider, zone, logger, resyncMs } = this.ctx;
    if (resyncMs === false) return;
    let said: number | undefined;
    try {
      said = provider.readInterval?.(zone);
    } catch (error) {
      logger?.warn({ zone: zone.dnsName, error: String(error) }, 'the provider could not say its read interval; keeping resyncMs');
    }
    const period = resyncPeriod(resyncMs, said);
    const before = this.#period;
    this.#period = period;
    if (period.periodMs === before.periodMs) return;
    const figures = { zone: zone.dnsName, periodMs: period.periodMs, resyncMs: period.configuredMs, readIntervalMs: period.readIntervalMs };
    if (period.reason === 'provider-read-interval')
      logger?.warn(figures, "resync period stretched to fit the provider's request budget for full reads");
    else logger?.info(figures, 'resync period back to resyncMs');
    this.#arm();
  }

  /** Sets the timer to fire one period after it last fired. */
  #arm(): void {
    clearTimeout(this.#timer);
    if (!this.ctx.running() || this.ctx.resyncMs === false) return;
    const wait = Math.max(0, this.#since + this.#period.periodMs - performance.now());
    // Timers take at most 2^31 - 1 ms; a longer wait would fire at once.
    this.#timer = setTimeout(() => this.#fire(), Math.min(wait, 2 ** 31 - 1));
    this.#timer.unref?.();
  }

  /**
   * Reads the zone anew and plans every service, unless the provider tells the zone's version
   * and it has not moved since this controller last read or wrote it; then the zone holds what
   * the controller wrote, and the resync costs one request and passes only the services whose
   * last pass failed for a reason retrying cannot fix.
   */
  #fire(): void {
    const { ctx } = this;
    this.#since = performance.now();
    this.#arm();
    // A MemberClusters implementation that never says 'synced' would leave the controller idle without a word.
    if (!ctx.synced()) ctx.logger?.warn({}, "the member clusters have not said 'synced' yet: nothing is planned until they do");
    const ask = ctx.provider.zoneVersion;
    if (!ask || ctx.cache.version === undefined || !ctx.leading() || !ctx.synced()) {
      this.#read();
      return;
    }
    if (this.#checking) return;
    this.#checking = true;
    const term = ctx.term();
    void ctx.scheduler.zone(async () => {
      const now = await providerRequest(ctx.provider.name, ctx.callTimeoutMs, 'zoneVersion', () => ask.call(ctx.provider, ctx.zone)).catch(
        () => undefined,
      );
      this.#checking = false;
      if (term !== ctx.term() || !ctx.running()) return;
      if (now === undefined || now !== ctx.cache.version) {
        this.#read();
        return;
      }
      this.#counts.skipped++;
      ctx.logger?.info(
        { zone: ctx.zone.dnsName, version: now },
        'resync skipped: the zone has not changed since this controller last read or wrote it',
      );
      ctx.emit('resync-skipped', { version: now });
      // A refused write leaves the version where it was: the services it failed are passed again all the same.
      ctx.scheduler.mark(ctx.parked());
    });
  }

  #read(): void {
    this.#counts.read++;
    this.ctx.sweep();
  }
}
