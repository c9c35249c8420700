// Ownership markers in a change set: a marker goes in its name's group, and a guard (a marker
// rewritten as it stands) holds a request to the marker as the change set then leaves it.
import { normalizeName } from '../dns/names.js';
import { DEFAULT_MARKER_PREFIX } from '../dns/ownership.js';
import type { Change } from '../types.js';

/**
 * Whether a change rewrites a marker exactly as it stands: it changes nothing, but the request
 * carrying it holds only while the marker is so. A diff adds one to the group that points a
 * CNAME at the marker's name, so it belongs to that group, whatever its name. `prefix` is the
 * ownership markers' (default `_fedsvc.`).
 */
export function isGuard(change: Change, prefix: string = DEFAULT_MARKER_PREFIX): boolean {
  return change.kind === 'update' && isGuardAt(change, normalizeName(change.record.name), prefix);
}

/** isGuard for a change whose name is `name` (normalized), where the caller has normalized it already. */
export function isGuardAt(change: Change, name: string, prefix: string): boolean {
  return (
    change.kind === 'update' &&
    isMarkerName(name, prefix) &&
    change.before.name === change.record.name &&
    change.before.ttl === change.record.ttl &&
    change.before.rrdatas.length === change.record.rrdatas.length &&
    change.before.rrdatas.every((rrdata, i) => rrdata === change.record.rrdatas[i])
  );
}

/** Whether a change is to an ownership marker (`<prefix><name>`), however the name is spelled. */
export const isMarker = (change: Change, prefix: string = DEFAULT_MARKER_PREFIX): boolean =>
  isMarkerName(normalizeName(change.record.name), prefix);

/** Whether a normalized name is a marker's: its ownership subject (ownershipSubject) is another name. */
export const isMarkerName = (name: string, prefix: string): boolean => prefix !== '' && name.startsWith(prefix);
