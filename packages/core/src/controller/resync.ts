// How often the controller reads the whole zone again: its configured period, stretched to what
// the provider's request budget allows. Pure.

/** The period of the periodic resync, and why it is what it is. */
export interface ResyncPeriod {
  /** The period in force, in milliseconds. */
  readonly periodMs: number;
  /** `resyncMs` as configured (default 5 minutes). */
  readonly configuredMs: number;
  /** What the provider last said (its `readInterval` after the last full read), when it says anything. */
  readonly readIntervalMs?: number;
  /**
   * `configured`: the period is `resyncMs`; `provider-read-interval`: the provider's request
   * budget needs more time between full reads, and the period is its `readInterval`.
   */
  readonly reason: 'configured' | 'provider-read-interval';
}

/**
 * The resync period for a configured period and what the provider said: the longer of the two.
 * A figure that is not a finite number of at least 0 says nothing (a provider fault is no reason
 * to stop repairing drift).
 */
export function resyncPeriod(configuredMs: number, readIntervalMs: number | undefined): ResyncPeriod {
  const said = typeof readIntervalMs === 'number' && Number.isFinite(readIntervalMs) && readIntervalMs >= 0 ? readIntervalMs : undefined;
  const base = said === undefined ? { configuredMs } : { configuredMs, readIntervalMs: said };
  return said !== undefined && said > configuredMs
    ? { ...base, periodMs: Math.ceil(said), reason: 'provider-read-interval' }
    : { ...base, periodMs: configuredMs, reason: 'configured' };
}
