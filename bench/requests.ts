// What a change set asks of a provider, and the fewest requests any batching could send it in:
// the yardstick the provider benchmarks compare their write requests with.
import type { Change, ProviderLimits } from '@fedsvc/core';

/** What a change set weighs against each limit, in the cost model of ProviderLimits. */
export function load(changes: readonly Change[]): { changes: number; rrdatas: number; chars: number } {
  const total = { changes: 0, rrdatas: 0, chars: 0 };
  for (const change of changes) {
    for (const side of change.kind === 'update' ? [change.before, change.record] : [change.record]) {
      total.changes += 1;
      total.rrdatas += side.rrdatas.length;
      total.chars += side.rrdatas.reduce((sum, rrdata) => sum + rrdata.length, 0);
    }
  }
  return total;
}

/** The fewest requests any batching could use, plus one: ceil(load / limit) + 1 for the limit that binds. */
export function target(changes: readonly Change[], limits: ProviderLimits): { requests: number; binding: string } {
  if (changes.length === 0) return { requests: 0, binding: '' };
  const l = load(changes);
  const needs = [
    { binding: 'changes', n: Math.ceil(l.changes / limits.maxChangesPerRequest) },
    { binding: 'rrdatas', n: Math.ceil(l.rrdatas / limits.maxRrdatasPerRequest) },
    { binding: 'characters', n: Math.ceil(l.chars / limits.maxRrdataCharsPerRequest) },
  ].sort((a, b) => b.n - a.n);
  return { requests: needs[0]!.n + 1, binding: needs[0]!.binding };
}
