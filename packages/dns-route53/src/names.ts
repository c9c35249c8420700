// Route 53's spelling of names, undone.

/** Route 53 writes every byte outside a-z 0-9 - _ . as a `\ooo` octal escape (`\052` for `*`). */
export function unescapeName(name: string): string {
  return name.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Lower-case, unescaped, with the trailing dot: the port's spelling of a name. */
export function normalizeZoneName(name: string): string {
  const lower = unescapeName(name).toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}
