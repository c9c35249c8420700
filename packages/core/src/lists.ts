// Lists built one item at a time where most stay empty or hold one item: each is made only when
// its first item comes, and made to that size (a push onto an empty list makes room for 16).

/** `list` with `item` appended: a new list of just `item` when there is none yet. */
export function withOne<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}
