// diffRecords between two 1,000-service × 100-cluster plans that differ in 1% of shards.
import { applyChangeSet } from '@fedsvc/core/provider';
import { diffRecords, normalizeName, ownershipSubject, planFederation, type RecordSet } from '@fedsvc/core';
import { federation, hundredClusters, onePercent } from './federation.js';
import { machine, ms, table, time } from './measure.js';

const OWNER = 'bench';
const before = planFederation(federation(1_000));
const after = planFederation(federation(1_000, hundredClusters, onePercent(1_000, 100)));

// The zone as the federation left it after converging to `before`: every record set and its marker.
const converged = applyChangeSet([], diffRecords([], before, { ownerId: OWNER }).changes);
if (!converged.ok) throw new Error(converged.reason);
const zone = converged.records;

const fingerprint = (r: RecordSet<string>) => `${r.name} ${r.type} ${r.ttl} ${r.rrdatas.join(',')}`;
const old = new Map(before.map((r) => [`${r.name} ${r.type}`, fingerprint(r)]));
const kept = new Set(after.map((r) => `${r.name} ${r.type}`));
const affected =
  after.filter((r) => old.get(`${r.name} ${r.type}`) !== fingerprint(r)).length +
  before.filter((r) => !kept.has(`${r.name} ${r.type}`)).length;

/**
 * The least any diff must do, for comparison: bring every name to its canonical form and file
 * every record set under the name it is about in one Map. No comparison, no ownership, no
 * conflicts, no ordering, no change set.
 */
function indexingFloor(): number {
  const names = new Map<string, RecordSet<string>>();
  for (const r of zone) names.set(ownershipSubject(normalizeName(r.name)), r);
  for (const r of after) names.set(normalizeName(r.name), r);
  return names.size;
}

const changed = time(() => diffRecords(zone, after, { ownerId: OWNER }), { runs: 9, warmup: 3 });
const same = time(() => diffRecords(zone, before, { ownerId: OWNER }), { runs: 9, warmup: 3 });
const floor = time(indexingFloor, { runs: 9, warmup: 3 });
const recordChanges = changed.last.changes.filter((c) => c.record.type !== 'TXT').length;

console.log(`\n### diffRecords (${machine})\n`);
console.log(
  table(
    ['case', 'zone record sets', 'desired', 'changes', 'median', 'range'],
    [
      [
        '1% of shards changed',
        zone.length.toLocaleString('en'),
        after.length.toLocaleString('en'),
        String(changed.last.changes.length),
        ms(changed.median),
        `${ms(changed.min)} – ${ms(changed.max)}`,
      ],
      [
        'nothing changed',
        zone.length.toLocaleString('en'),
        before.length.toLocaleString('en'),
        String(same.last.changes.length),
        ms(same.median),
        `${ms(same.min)} – ${ms(same.max)}`,
      ],
      [
        'floor: normalize every name and file every record set under it in one Map, nothing else',
        zone.length.toLocaleString('en'),
        after.length.toLocaleString('en'),
        `(${floor.last} names)`,
        ms(floor.median),
        `${ms(floor.min)} – ${ms(floor.max)}`,
      ],
    ],
  ),
);
console.log(
  `\n- record sets that differ between the two plans: ${affected}; changes to A/AAAA/CNAME sets in the change set: ${recordChanges} (the rest are ownership records of names that appear or go)`,
);
console.log(`- target: under 100 ms → ${changed.median < 100 ? 'met' : 'NOT met'}`);
