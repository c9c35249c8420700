// How Cloud DNS v1 checks and applies one change (additions and deletions), and the errors it
// answers: all or nothing. A name and type holds one record set, plain (rrdatas) or routed (a
// routing policy), so a routed addition where a plain set is held is refused as existing (409),
// and the other way round; a deletion of either must match it exactly, routing policy included.
import { ApiError, type ErrorDetail } from './api-error.js';
import { recordKey, type StoredRrset } from './record-sets.js';
import { policyRrdatas, samePolicy } from './routing-policy.js';
import { parseRrset } from './rrset-input.js';
import type { ChangeLimits, ManagedZone } from './zones.js';

const described = (r: StoredRrset) => `'${r.name} (${r.type})'`;

/**
 * A deletion must match the record set exactly, as Cloud DNS requires (TXT data is case-sensitive):
 * its TTL, its rrdatas in any order, and its routing policy (see routing-policy.ts).
 */
const sameData = (a: StoredRrset, b: StoredRrset) =>
  a.ttl === b.ttl &&
  a.rrdatas.length === b.rrdatas.length &&
  [...a.rrdatas].sort().join('\n') === [...b.rrdatas].sort().join('\n') &&
  samePolicy(a.routingPolicy, b.routingPolicy);

/** A record set's rrdatas, its own or its routing policy's items' (the quotas count both). */
const rrdataLists = (r: StoredRrset): string[][] => [[...r.rrdatas], ...policyRrdatas(r.routingPolicy)];

/**
 * Per-change quotas, all that a change exceeds (the API lists every one): 403 quotaExceeded. A
 * routed record set is one addition or deletion however many items it has; its items' rrdatas
 * count toward the bytes of the change, and each item is held to the rrdatas-per-record-set quota.
 */
function quotaErrors(additions: readonly StoredRrset[], deletions: readonly StoredRrset[], limits: ChangeLimits): ErrorDetail[] {
  const exceeded: string[] = [];
  if (additions.length > limits.additionsPerChange) exceeded.push('additions per change');
  if (deletions.length > limits.deletionsPerChange) exceeded.push('deletions per change');
  const bytes = [...additions, ...deletions]
    .flatMap(rrdataLists)
    .reduce((sum, list) => sum + list.reduce((s, d) => s + Buffer.byteLength(d), 0), 0);
  if (bytes > limits.rrdataBytesPerChange) exceeded.push('total rrdata size per change');
  if (additions.some((r) => rrdataLists(r).some((list) => list.length > limits.rrdatasPerRrset)))
    exceeded.push('resource records per rrset');
  return exceeded.map((what) => ({ reason: 'quotaExceeded', message: `The change would exceed quota for ${what}.` }));
}

/**
 * The zone as it would be after the change: the zone minus `removed`, plus `added`. The change
 * is checked against it and written only once every check passed.
 */
class PendingZone {
  readonly #zone: ManagedZone;
  readonly #removed = new Set<string>();
  readonly #added = new Map<string, StoredRrset>();
  readonly #addedAt = new Map<string, StoredRrset[]>();

  constructor(zone: ManagedZone) {
    this.#zone = zone;
  }

  get size(): number {
    return this.#zone.records.size - this.#removed.size + this.#added.size;
  }

  held(r: StoredRrset): StoredRrset | undefined {
    const key = recordKey(r.name, r.type);
    return this.#added.get(key) ?? (this.#removed.has(key) ? undefined : this.#zone.records.get(r.name, r.type));
  }

  /** The types held at `name`. */
  typesAt(name: string): string[] {
    return [
      ...[...this.#zone.records.at(name).values()].filter((r) => !this.#removed.has(recordKey(r.name, r.type))),
      ...(this.#addedAt.get(name) ?? []),
    ].map((r) => r.type);
  }

  remove(r: StoredRrset): void {
    this.#removed.add(recordKey(r.name, r.type));
  }

  add(r: StoredRrset): void {
    this.#added.set(recordKey(r.name, r.type), r);
    this.#addedAt.set(r.name, [...(this.#addedAt.get(r.name) ?? []), r]);
  }

  /** Writes the change to the zone. */
  commit(deletions: readonly StoredRrset[]): void {
    for (const deletion of deletions) this.#zone.records.delete(deletion.name, deletion.type);
    for (const addition of this.#added.values()) this.#zone.records.set(addition);
  }
}

/** Each deletion must match the record set held exactly: every one that does not is listed (404, then 412). */
function removeDeletions(pending: PendingZone, deletions: readonly StoredRrset[]): void {
  const missing: ErrorDetail[] = [];
  const stale: ErrorDetail[] = [];
  deletions.forEach((deletion, i) => {
    const current = pending.held(deletion);
    if (current === undefined)
      missing.push({
        reason: 'notFound',
        message: `The 'entity.change.deletions[${i}]' resource named ${described(deletion)} does not exist.`,
      });
    else if (!sameData(current, deletion))
      stale.push({ reason: 'conditionNotMet', message: `Precondition not met for 'entity.change.deletions[${i}]'` });
    else pending.remove(deletion);
  });
  if (missing.length > 0) throw new ApiError(404, missing);
  if (stale.length > 0) throw new ApiError(412, stale);
}

/** Each addition must be new, and keep a CNAME alone at its name: the first that does not fails the change. */
function addAdditions(pending: PendingZone, additions: readonly StoredRrset[]): void {
  additions.forEach((addition, i) => {
    if (pending.held(addition) !== undefined) {
      throw new ApiError(409, [
        { reason: 'alreadyExists', message: `The resource 'entity.change.additions[${i}]' named ${described(addition)} already exists` },
      ]);
    }
    const typesAt = pending.typesAt(addition.name);
    if (typesAt.includes('CNAME') || (addition.type === 'CNAME' && typesAt.length > 0)) {
      throw new ApiError(400, [
        {
          reason: 'cnameResourceRecordSetConflict',
          message: `The resource record set 'entity.change.additions[${i}]' is invalid because the DNS name '${addition.name}' may have either one CNAME resource record set or resource record sets of other types, but not both.`,
        },
      ]);
    }
    pending.add(addition);
  });
}

/**
 * Checks and applies one change, all or nothing: deletions first, each matching the current
 * record set exactly (absent → 404 notFound, different → 412 conditionNotMet), then additions
 * (present → 409 alreadyExists; a CNAME beside other types → 400 cnameResourceRecordSetConflict).
 */
export function applyChange(
  zone: ManagedZone,
  rawAdditions: readonly unknown[],
  rawDeletions: readonly unknown[],
  limits: ChangeLimits,
): {
  additions: StoredRrset[];
  deletions: StoredRrset[];
} {
  if (rawAdditions.length === 0 && rawDeletions.length === 0) {
    throw new ApiError(400, [{ reason: 'required', message: "The 'entity.change' parameter is required but was missing." }]);
  }
  const additions = rawAdditions.map((raw, i) => parseRrset(raw, `entity.change.additions[${i}]`, zone.dnsName));
  const deletions = rawDeletions.map((raw, i) => parseRrset(raw, `entity.change.deletions[${i}]`, zone.dnsName));
  const quota = quotaErrors(additions, deletions, limits);
  if (quota.length > 0) throw new ApiError(403, quota);
  const pending = new PendingZone(zone);
  removeDeletions(pending, deletions);
  addAdditions(pending, additions);
  if (pending.size > limits.rrsetsPerZone) {
    throw new ApiError(403, [{ reason: 'quotaExceeded', message: 'The change would exceed quota for rrsets per managed zone.' }]);
  }
  pending.commit(deletions);
  return { additions, deletions };
}
