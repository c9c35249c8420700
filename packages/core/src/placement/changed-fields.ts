// What differs between the Service the federation applies and what a member cluster holds,
// field by field, compared as server-side apply merges: fields others set stay theirs.
import type { ServiceManifest } from '../types.js';
import { isObject, sameJson } from './json.js';

/**
 * JSON paths of the fields `desired` sets that `current` holds differently. Fields only
 * `current` has belong to other writers (server-side apply leaves them), so they are not
 * differences. Lists of objects compare element by element; other lists as a whole.
 */
export function changedFields(desired: ServiceManifest, current: ServiceManifest): string[] {
  const out: string[] = [];
  compare('metadata.labels', desired.metadata.labels ?? {}, current.metadata.labels ?? {}, out);
  compare('metadata.annotations', desired.metadata.annotations ?? {}, current.metadata.annotations ?? {}, out);
  compare('spec', desired.spec, current.spec, out);
  return out;
}

/** Whether the API server merges the list at `path` entry by entry; other lists are replaced whole. */
export const isMapList = (path: string): boolean => path === 'spec.ports';

/**
 * The key of an entry of a list the API server merges entry by entry (a "map" list): a Service
 * port is keyed by its port and protocol, so entries other writers added stay theirs. Other
 * lists of objects compare element by element.
 */
export function listEntryKey(path: string, entry: Record<string, unknown>): string | undefined {
  if (!isMapList(path) || typeof entry['port'] !== 'number') return undefined;
  return `${entry['port']}/${typeof entry['protocol'] === 'string' ? entry['protocol'] : 'TCP'}`;
}

function compare(path: string, desired: unknown, current: unknown, out: string[]): void {
  if (isObject(desired)) {
    if (!isObject(current)) {
      if (Object.keys(desired).length > 0) out.push(path);
      return;
    }
    for (const key of Object.keys(desired).sort()) compare(`${path}.${key}`, desired[key], current[key], out);
    return;
  }
  if (Array.isArray(desired) && desired.length > 0 && desired.every(isObject)) {
    if (!Array.isArray(current)) {
      out.push(path);
      return;
    }
    // Keyed when every entry has a key and no two share one (a Service the API server would accept).
    const keys = desired.map((item) => listEntryKey(path, item));
    if (keys.every((key) => key !== undefined) && new Set(keys).size === keys.length) {
      desired.forEach((item, i) => {
        const match = current.find((held) => isObject(held) && listEntryKey(path, held) === listEntryKey(path, item));
        if (match === undefined) out.push(`${path}[${i}]`);
        else compare(`${path}[${i}]`, item, match, out);
      });
      return;
    }
    if (current.length !== desired.length) {
      out.push(path);
      return;
    }
    desired.forEach((item, i) => compare(`${path}[${i}]`, item, current[i], out));
    return;
  }
  if (!sameJson(desired, current)) out.push(path);
}
