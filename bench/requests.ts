// What a change set asks of a provider, and the fewest requests any batching could send it in:
// the yardstick the provider benchmarks compare their write requests with.
import type { Change, ProviderLimits, RequestCost } from '@fedsvc/core';
import { changeCost } from '@fedsvc/core/provider';

/** What a change set weighs against each limit, as the provider counts a change (core's cost model by default). */
export function load(changes: readonly Change[], cost: (change: Change) => RequestCost = changeCost): RequestCost {
  const total = { changes: 0, rrdatas: 0, chars: 0 };
  for (const change of changes) {
    const each = cost(change);
    total.changes += each.changes;
    total.rrdatas += each.rrdatas;
    total.chars += each.chars;
  }
  return total;
}

/** The fewest requests any batching could use, plus one: ceil(load / limit) + 1 for the limit that binds. */
export function target(
  changes: readonly Change[],
  limits: ProviderLimits,
  cost: (change: Change) => RequestCost = changeCost,
): { requests: number; binding: string } {
  if (changes.length === 0) return { requests: 0, binding: '' };
  const l = load(changes, cost);
  const needs = [
    { binding: 'changes', n: Math.ceil(l.changes / limits.maxChangesPerRequest) },
    { binding: 'rrdatas', n: Math.ceil(l.rrdatas / limits.maxRrdatasPerRequest) },
    { binding: 'characters', n: Math.ceil(l.chars / limits.maxRrdataCharsPerRequest) },
  ].sort((a, b) => b.n - a.n);
  return { requests: needs[0]!.n + 1, binding: needs[0]!.binding };
}
