// Conditions as metav1.Condition: a condition keeps the time it last changed status, so that
// `kubectl describe` says since when, and a pass that decides the same writes the same.
import { isFields } from './fields.js';

/** A condition of a federation resource's status, as metav1.Condition. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  /** CamelCase, for machines: `InvalidSpec`, `ClustersUnreachable`. */
  readonly reason: string;
  /** For a person: what is wrong, where, and what to do. */
  readonly message: string;
  /** When `status` last changed (RFC 3339, seconds). */
  readonly lastTransitionTime: string;
  /** The object's generation the condition was decided on; absent on cluster-scoped status without one. */
  readonly observedGeneration?: number;
}

export type ConditionDecision = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
export const wireTime = (time: Date): string => `${time.toISOString().slice(0, 19)}Z`;

/** The conditions of a previous status, by type; ill-formed entries are left out. */
export function previousConditions(previous: unknown): ReadonlyMap<string, Condition> {
  const list = isFields(previous) ? previous['conditions'] : undefined;
  const out = new Map<string, Condition>();
  if (Array.isArray(list))
    for (const item of list) if (isFields(item) && typeof item['type'] === 'string') out.set(item['type'], item as unknown as Condition);
  return out;
}

/** The condition decided now, keeping the previous one's lastTransitionTime while its status holds. */
export function condition(
  decision: ConditionDecision,
  previous: ReadonlyMap<string, Condition>,
  now: Date,
  observedGeneration?: number,
): Condition {
  const before = previous.get(decision.type);
  const kept = before?.status === decision.status && typeof before.lastTransitionTime === 'string';
  return {
    ...decision,
    lastTransitionTime: kept ? before.lastTransitionTime : wireTime(now),
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
  };
}

/** How many names a message lists before `and N more`: a condition stays readable with 100 clusters. */
const NAMES_SHOWN = 5;

/** `a, b, c, d, e and 3 more`. */
export function nameList(names: readonly string[]): string {
  if (names.length <= NAMES_SHOWN) return names.join(', ');
  return `${names.slice(0, NAMES_SHOWN).join(', ')} and ${names.length - NAMES_SHOWN} more`;
}
