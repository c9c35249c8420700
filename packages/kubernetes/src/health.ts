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

/** When probes run: a steady period while all is well, a short one while a Ready cluster is suspect. */
export interface ProbeTiming {
  /** Period of probes while the cluster is not suspect. */
  readonly periodMs: number;
  /** A probe not answered within this counts as unreachable, while the cluster is not suspect. */
  readonly timeoutMs: number;
  /** Period of probes while the cluster is suspect, so that the failure threshold is reached in seconds. */
  readonly suspectPeriodMs: number;
  /** The probe timeout while the cluster is suspect. */
  readonly suspectTimeoutMs: number;
}

/**
 * A Ready cluster whose last probe failed: not out yet (one lost probe changes nothing), but the
 * next probes come at the suspect period, until it is declared out or a probe succeeds.
 */
export const isSuspect = (state: HealthState): boolean => state.health === 'Ready' && state.failures > 0;

/** How long to wait before the next probe, and how long that probe may take. */
export function nextProbe(state: HealthState, timing: ProbeTiming): { readonly delayMs: number; readonly timeoutMs: number } {
  // Suspect probes are never slower than steady ones, whatever the options say.
  return isSuspect(state)
    ? { delayMs: Math.min(timing.suspectPeriodMs, timing.periodMs), timeoutMs: Math.min(timing.suspectTimeoutMs, timing.timeoutMs) }
    : { delayMs: timing.periodMs, timeoutMs: timing.timeoutMs };
}

/**
 * Whether a member's watch stream breaking (reset, refused) should bring the next probe forward:
 * only for a Ready cluster with no failed probe. The break is no verdict; the probe decides, and
 * a suspect cluster is probed at the suspect period already, never faster.
 */
export const probesAtOnceOnConnectionLoss = (state: HealthState): boolean => state.health === 'Ready' && state.failures === 0;
