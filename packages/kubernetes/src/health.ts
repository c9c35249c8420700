// Cluster health from readiness probes, with thresholds so that one lost probe does not flap DNS.
import type { ClusterHealth } from '@fedsvc/core/provider';

export type ProbeResult =
  | { readonly kind: 'ready' }
  /** The API server answered, but not ready. */
  | { readonly kind: 'not-ready'; readonly reason: string }
  /** The API server could not be reached or did not answer in time. */
  | { readonly kind: 'unreachable'; readonly reason: string };

export interface HealthThresholds {
  /** Consecutive failed probes that take a Ready cluster out of service. */
  readonly failureThreshold: number;
  /** Consecutive ready probes that bring a cluster back. */
  readonly successThreshold: number;
}

export interface HealthState {
  /** Undefined until the first probe. */
  readonly health: ClusterHealth | undefined;
  readonly reason?: string;
  readonly failures: number;
  readonly successes: number;
}

export const UNKNOWN_HEALTH: HealthState = { health: undefined, failures: 0, successes: 0 };

/** The state after one more probe. The first probe decides at once: there is nothing to flap from. */
export function observeProbe(state: HealthState, result: ProbeResult, thresholds: HealthThresholds): HealthState {
  if (result.kind === 'ready') {
    const successes = state.successes + 1;
    if (state.health === undefined || state.health === 'Ready' || successes >= thresholds.successThreshold) {
      return { health: 'Ready', failures: 0, successes };
    }
    return { ...state, failures: 0, successes };
  }
  const failures = state.failures + 1;
  const failed: ClusterHealth = result.kind === 'not-ready' ? 'NotReady' : 'Offline';
  if (state.health === 'Ready' && failures < thresholds.failureThreshold) {
    return { health: 'Ready', failures, successes: 0 };
  }
  return { health: failed, reason: result.reason, failures, successes: 0 };
}
