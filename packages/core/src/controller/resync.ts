// How often the controller reads the whole zone again: its configured period, stretched to what
// the provider's request budget allows. Pure.

/** The period of the periodic resync, and why it is what it is. */
export interface ResyncPeriod {
  /** The period in force, in milliseconds; `Infinity` when the periodic resync is off. */
  readonly periodMs: number;
  /** `resyncMs` as configured (default 5 minutes); `false` when the periodic resync is off. */
  readonly configuredMs: number | false;
  /** What the provider last said (its `readInterval` after the last full read), when it says anything. */
  readonly readIntervalMs?: number;
  /**
   * `configured`: the period is `resyncMs`; `provider-read-interval`: the provider's request
   * budget needs more time between full reads, and the period is its `readInterval`; `off`:
   * `resyncMs: false`, no periodic resync.
   */
  readonly reason: 'configured' | 'provider-read-interval' | 'off';
}

/**
 * The resync period for a configured period and what the provider said: the longer of the two.
 * A figure that is not a finite number of at least 0 says nothing (a provider fault is no reason
 * to stop repairing drift).
 */
export function resyncPeriod(configuredMs: number | false, readIntervalMs: number | undefined): ResyncPeriod {
  if (configuredMs === false) return { configuredMs, periodMs: Number.POSITIVE_INFINITY, reason: 'off' };
  const said = typeof readIntervalMs === 'number' && Number.isFinite(readIntervalMs) && readIntervalMs >= 0 ? readIntervalMs : undefined;
  const base = said === undefined ? { configuredMs } : { configuredMs, readIntervalMs: said };
  return said !== undefined && said > configuredMs
    ? { ...base, periodMs: Math.ceil(said), reason: 'provider-read-interval' }
    : { ...base, periodMs: configuredMs, reason: 'configured' };
}
