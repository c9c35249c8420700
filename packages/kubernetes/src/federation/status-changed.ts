// Whether a status write would show anything new. A write that would only move a timestamp is
// skipped: in steady state the source writes nothing.
import { isFields } from './fields.js';

/** Keys whose value moves with the clock, not with what is observed. */
const CLOCK_KEYS = new Set(['lastTransitionTime', 'lastProbeTime']);

/**
 * Whether `next` differs from `previous` in anything a person would see: any field, in any
 * object, but the timestamps (`lastTransitionTime`, `lastProbeTime`) that alone moved. Keys'
 * order, conditions' order and fields left undefined do not count. Pure.
 *
 * @param previous - The object's current `status`, as the API server sent it (anything).
 * @param next - The status about to be written.
 */
export function statusChanged(previous: unknown, next: object): boolean {
  return visible(previous) !== visible(JSON.parse(JSON.stringify(next)));
}

/** Canonical JSON of what a person sees: clock keys dropped, object keys sorted, conditions by type. */
function visible(value: unknown, key?: string): string {
  if (Array.isArray(value)) {
    const items = value.map((item) => visible(item));
    if (key === 'conditions') items.sort();
    return `[${items.join(',')}]`;
  }
  if (isFields(value))
    return `{${Object.keys(value)
      .filter((name) => !CLOCK_KEYS.has(name) && value[name] !== undefined)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${visible(value[name], name)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
