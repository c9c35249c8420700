// Splitting an ordered change set into requests a provider accepts. Batches are cut only
// between name groups, so every batch boundary keeps the order's guarantee: no CNAME points at
// a name that does not exist.
import { ValidationError } from './errors.js';
import { ownershipSubject } from './ownership.js';
import type { Change, ProviderLimits } from './types.js';

/** Adjacent changes at one name, its ownership record included. */
export function changeGroups(changes: readonly Change[]): Change[][] {
  const groups: Change[][] = [];
  let subject: string | undefined;
  for (const change of changes) {
    const next = ownershipSubject(change.record.name);
    const last = groups[groups.length - 1];
    if (last && next === subject) last.push(change);
    else groups.push([change]);
    subject = next;
  }
  return groups;
}

interface Cost {
  changes: number;
  rrdatas: number;
  chars: number;
}

/** An update is a deletion and an addition to every provider we know (Route 53 counts UPSERT twice). */
function cost(change: Change): Cost {
  const sides = change.kind === 'update' ? [change.before, change.record] : [change.record];
  let rrdatas = 0;
  let chars = 0;
  for (const side of sides) {
    rrdatas += side.rrdatas.length;
    for (const rrdata of side.rrdatas) chars += rrdata.length;
  }
  return { changes: sides.length, rrdatas, chars };
}

export function batchChanges(changes: readonly Change[], limits: ProviderLimits): Change[][] {
  for (const key of ['maxChangesPerRequest', 'maxRrdatasPerRequest', 'maxRrdataCharsPerRequest'] as const) {
    if (!Number.isSafeInteger(limits[key]) || limits[key] < 1) throw new ValidationError(`limits.${key}`, limits[key], 'must be a positive integer');
  }
  const batches: Change[][] = [];
  let batch: Change[] = [];
  const used: Cost = { changes: 0, rrdatas: 0, chars: 0 };
  for (const group of changeGroups(changes)) {
    const need: Cost = { changes: 0, rrdatas: 0, chars: 0 };
    for (const change of group) {
      const c = cost(change);
      need.changes += c.changes;
      need.rrdatas += c.rrdatas;
      need.chars += c.chars;
    }
    if (need.changes > limits.maxChangesPerRequest || need.rrdatas > limits.maxRrdatasPerRequest || need.chars > limits.maxRrdataCharsPerRequest) {
      throw new ValidationError('changes', group[0]!.record.name,
        `this name's changes need ${need.changes} changes, ${need.rrdatas} records and ${need.chars} characters in one request; the provider allows ${limits.maxChangesPerRequest}, ${limits.maxRrdatasPerRequest} and ${limits.maxRrdataCharsPerRequest}`);
    }
    if (used.changes + need.changes > limits.maxChangesPerRequest || used.rrdatas + need.rrdatas > limits.maxRrdatasPerRequest
      || used.chars + need.chars > limits.maxRrdataCharsPerRequest) {
      batches.push(batch);
      batch = [];
      used.changes = used.rrdatas = used.chars = 0;
    }
    batch.push(...group);
    used.changes += need.changes;
    used.rrdatas += need.rrdatas;
    used.chars += need.chars;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
