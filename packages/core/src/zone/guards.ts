// Ownership markers in a change set: a marker goes in its name's group, and a guard (a marker
// rewritten as it stands) holds a request to the marker as the change set then leaves it.
import { normalizeName } from '../dns/names.js';
import { DEFAULT_MARKER_PREFIX, ownershipSubject } from '../dns/ownership.js';
import type { Change } from '../types.js';

/**
 * Whether a change rewrites a marker exactly as it stands: it changes nothing, but the request
 * carrying it holds only while the marker is so. A diff adds one to the group that points a
 * CNAME at the marker's name, so it belongs to that group, whatever its name. `prefix` is the
 * ownership markers' (default `_fedsvc.`).
 */
export function isGuard(change: Change, prefix: string = DEFAULT_MARKER_PREFIX): boolean {
  return (
    change.kind === 'update' &&
    isMarker(change, prefix) &&
    change.before.name === change.record.name &&
    change.before.ttl === change.record.ttl &&
    change.before.rrdatas.length === change.record.rrdatas.length &&
    change.before.rrdatas.every((rrdata, i) => rrdata === change.record.rrdatas[i])
  );
}

/** Whether a change is to an ownership marker (`<prefix><name>`), however the name is spelled. */
export const isMarker = (change: Change, prefix: string = DEFAULT_MARKER_PREFIX): boolean => {
  const name = normalizeName(change.record.name);
  return ownershipSubject(name, prefix) !== name;
};
