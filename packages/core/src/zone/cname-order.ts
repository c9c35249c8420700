// The diff's name groups in the order they are written: a CNAME is written only once its
// target exists and moved away before its old target goes, and one that would lead to a name in
// conflict is not written at all. Runs once per diff over the groups that change.
import type { Change, RecordConflict } from '../types.js';

/** One name's changes (its marker's included): applied together, never split between batches. */
export interface Group {
  readonly name: string;
  readonly changes: Change[];
  readonly existsBefore: boolean;
  readonly existsAfter: boolean;
  /** CNAME target before and after the group, when the group changes the CNAME. */
  readonly cnameBefore: string | undefined;
  readonly cnameAfter: string | undefined;
}

/**
 * The groups, less those that point a CNAME at a name in conflict (which would dangle, or lead
 * to someone else's records), transitively: a zone's CNAME to a region whose CNAME goes to a
 * global name held by someone else is not written either. Each one dropped is added to
 * `conflicts`. A dropped group leaves its old CNAME in place, so the group that would remove
 * the old target is dropped too (that name stays until a later pass can move the CNAME).
 */
export function withoutCnamesToConflicts(groups: readonly Group[], conflicts: RecordConflict[]): Group[] {
  if (conflicts.length === 0) return [...groups];
  const pointingAt = new Map<string, Group[]>();
  const removing = new Map<string, Group>();
  for (const group of groups) {
    if (group.existsBefore && !group.existsAfter) removing.set(group.name, group);
    if (group.cnameAfter === undefined || group.cnameAfter === group.cnameBefore) continue;
    const list = pointingAt.get(group.cnameAfter);
    if (list) list.push(group);
    else pointingAt.set(group.cnameAfter, [group]);
  }
  const dropped = new Set<Group>();
  const drop = (group: Group): void => {
    dropped.add(group);
    const kept = group.cnameBefore !== group.cnameAfter ? group.cnameBefore : undefined;
    const removal = kept === undefined ? undefined : removing.get(kept);
    if (removal && !dropped.has(removal)) drop(removal);
  };
  const blocked = conflicts.map((conflict) => conflict.name);
  // Each group is dropped at most once, so the walk ends.
  for (let target = blocked.pop(); target !== undefined; target = blocked.pop()) {
    for (const group of pointingAt.get(target) ?? []) {
      if (dropped.has(group)) continue;
      conflicts.push({ name: group.name, types: [], owner: null, target });
      drop(group);
      blocked.push(group.name);
    }
  }
  return groups.filter((group) => !dropped.has(group));
}

/**
 * Orders name groups so that, after every group, each CNAME the change set writes points at a
 * name that exists, and each name the change set removes is no longer pointed at by a CNAME
 * the change set rewrites: a name that comes into being precedes the CNAMEs written to it, and
 * the CNAMEs moved away from a name precede its removal. Otherwise groups go in name order, so
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
