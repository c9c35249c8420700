// The diff's name groups in the order they are written: a CNAME is written only once its
// target holds our data, and moved away before its old target loses it. Runs once per diff over
// the groups that change.
import type { Change } from '../types.js';

/** One name's changes (its marker's included): applied together, never split between batches. */
export interface Group {
  readonly name: string;
  readonly changes: Change[];
  /**
   * Whether the name holds record sets of ours before and after the group. Others' records do
   * not count: a CNAME of ours must never lead to a name that holds only someone's MX.
   */
  readonly existsBefore: boolean;
  readonly existsAfter: boolean;
  /** CNAME target before and after the group, when the group changes the CNAME. */
  readonly cnameBefore: string | undefined;
  readonly cnameAfter: string | undefined;
}

/**
 * Orders name groups so that, after every group, each CNAME the change set writes points at a
 * name that holds our data, and each name the change set withdraws ours from is no longer pointed
 * at by a CNAME the change set rewrites: a name that gains our data precedes the CNAMEs written
 * to it, and the CNAMEs moved away from a name precede its withdrawal. Otherwise groups go in name order, so
 * the result does not depend on the order of the inputs. A CNAME loop (never planned) is
 * broken at an arbitrary point.
 */
export function orderGroups(groups: readonly Group[]): Group[] {
  const sorted = [...groups].sort((a, b) => (a.name < b.name ? -1 : 1));
  const index = new Map(sorted.map((g, i) => [g.name, i]));
  const before: number[][] = sorted.map(() => []);
  sorted.forEach((g, i) => {
    if (g.cnameAfter !== undefined && g.cnameAfter !== g.cnameBefore) {
      const target = index.get(g.cnameAfter);
      if (target !== undefined && !sorted[target]!.existsBefore && sorted[target]!.existsAfter) before[i]!.push(target);
    }
    if (g.cnameBefore !== undefined && g.cnameBefore !== g.cnameAfter) {
      const target = index.get(g.cnameBefore);
      if (target !== undefined && sorted[target]!.existsBefore && !sorted[target]!.existsAfter) before[target]!.push(i);
    }
  });
  // Depth-first, predecessors first; an explicit stack because CNAME chains in a zone may be long.
  const state = new Uint8Array(sorted.length); // 0 unseen, 1 on the stack, 2 emitted
  const out: Group[] = [];
  for (let root = 0; root < sorted.length; root++) {
    if (state[root] !== 0) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, next] = top;
      const predecessor = before[node]![next];
      if (predecessor === undefined) {
        stack.pop();
        state[node] = 2;
        out.push(sorted[node]!);
      } else {
        top[1] = next + 1;
        if (state[predecessor] === 0) {
          state[predecessor] = 1;
          stack.push([predecessor, 0]);
        }
      }
    }
  }
  return out;
}
