// The patch formats the API server applies to a JSON object besides server-side apply: JSON merge
// patch (RFC 7386) and JSON patch (RFC 6902: add, remove, replace and test; move and copy are not
// emulated and refused).
import { type Json, type JsonObject, isObject, sameJson } from './fields.js';

/** `target` with `patch` merged in (RFC 7386): null removes a field, objects merge, anything else replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** `target` with the operations of a JSON patch applied, or the reason it cannot be. */
export function jsonPatch(target: JsonObject, operations: Json): { ok: true; object: JsonObject } | { ok: false; reason: string } {
  if (!Array.isArray(operations)) return { ok: false, reason: 'a JSON patch is an array of operations' };
  const object = structuredClone(target);
  for (const operation of operations) {
    if (!isObject(operation) || typeof operation['path'] !== 'string') return { ok: false, reason: 'an operation needs op and path' };
    const tokens = operation['path']
      .split('/')
      .slice(1)
      .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = tokens.pop();
    let parent: Json | undefined = object;
    for (const token of tokens) parent = Array.isArray(parent) ? parent[Number(token)] : isObject(parent) ? parent[token] : undefined;
    if (last === undefined || (!isObject(parent) && !Array.isArray(parent)))
      return { ok: false, reason: `doc is missing path: "${operation['path']}"` };
    const failed = applyOperation(parent, last, String(operation['op']), operation['value'] ?? null);
    if (failed) return { ok: false, reason: `${failed}: "${operation['path']}"` };
  }
  return { ok: true, object };
}

/** Applies one operation at `key` of `parent`; the failure, if any. */
function applyOperation(parent: JsonObject | Json[], key: string, op: string, value: Json): string | undefined {
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) return 'index out of range';
    if (op === 'add') parent.splice(index, 0, structuredClone(value));
    else if (index === parent.length) return 'index out of range';
    else if (op === 'remove') parent.splice(index, 1);
    else if (op === 'replace') parent[index] = structuredClone(value);
    else if (op === 'test') return sameJson(parent[index], value) ? undefined : 'testing value failed';
    else return `unsupported operation ${op}`;
    return undefined;
  }
  if (op === 'add') parent[key] = structuredClone(value);
  else if (!(key in parent)) return `doc is missing key`;
  else if (op === 'remove') delete parent[key];
  else if (op === 'replace') parent[key] = structuredClone(value);
  else if (op === 'test') return sameJson(parent[key], value) ? undefined : 'testing value failed';
  else return `unsupported operation ${op}`;
  return undefined;
}
