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
  // Most shards conform: a first look that stops at the first difference, and neither sorts keys
  // nor keeps paths, spares a pass over every shard the garbage of a full comparison.
  if (conforms(desired, current, undefined)) return [];
  const out: string[] = [];
  conforms(desired, current, out);
  return out;
}

/** Whether `current` holds every field of `desired` as it sets it; with `out`, every path that differs is added to it. */
function conforms(desired: ServiceManifest, current: ServiceManifest, out: string[] | undefined): boolean {
  const at: FieldPath = ['metadata'];
  const { labels = NO_FIELDS, annotations = NO_FIELDS } = desired.metadata;
  let same = compareAt(at, 'labels', labels, current.metadata.labels ?? NO_FIELDS, out);
  if (same || out) same = compareAt(at, 'annotations', annotations, current.metadata.annotations ?? NO_FIELDS, out) && same;
  at.pop();
  if (same || out) same = compareAt(at, 'spec', desired.spec, current.spec, out) && same;
  return same;
}

const NO_FIELDS: Readonly<Record<string, string>> = {};

/**
 * Where a comparison stands in the manifest, as its keys and list indices: written out
 * (`spec.ports[0].port`) only where a path is needed, so that walking a conforming shard builds no string.
 */
type FieldPath = (string | number)[];

const pathOf = (at: FieldPath): string =>
  at.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');

/** {@link compare} one step further than `at`, which is left as it was. */
function compareAt(at: FieldPath, step: string | number, desired: unknown, current: unknown, out: string[] | undefined): boolean {
  at.push(step);
  const same = compare(at, desired, current, out);
  at.pop();
  return same;
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

/**
 * Whether `current` holds `desired` where `at` stands. Without `out` it stops at the first
 * difference; with it, it goes on and adds each path that differs, in key order.
 */
function compare(at: FieldPath, desired: unknown, current: unknown, out: string[] | undefined): boolean {
  if (isObject(desired)) {
    if (!isObject(current)) return Object.keys(desired).length === 0 || differs(at, out);
    const keys = Object.keys(desired);
    if (out) keys.sort();
    let same = true;
    for (const key of keys) {
      same = compareAt(at, key, desired[key], current[key], out) && same;
      if (!same && out === undefined) return false;
    }
    return same;
  }
  if (Array.isArray(desired) && desired.length > 0 && desired.every(isObject)) {
    if (!Array.isArray(current)) return differs(at, out);
    const path = pathOf(at);
    // Keyed when every entry has a key and no two share one (a Service the API server would accept).
    const keys = desired.map((item) => listEntryKey(path, item));
    const keyed = keys.every((key) => key !== undefined) && new Set(keys).size === keys.length;
    if (!keyed && current.length !== desired.length) return differs(at, out);
    let same = true;
    for (const [i, item] of desired.entries()) {
      const held = keyed ? current.find((entry) => isObject(entry) && listEntryKey(path, entry) === keys[i]) : current[i];
      same = (held === undefined && keyed ? differs([...at, i], out) : compareAt(at, i, item, held, out)) && same;
      if (!same && out === undefined) return false;
    }
    return same;
  }
  return sameJson(desired, current) || differs(at, out);
}

/** A difference where `at` stands: its path added to `out` when paths are kept. */
function differs(at: FieldPath, out: string[] | undefined): false {
  out?.push(pathOf(at));
  return false;
}
