// The fault campaign: seeded random schedules of cluster, shard and service events, other
// writers editing the zone (during paged reads too), and every fault dns-memory injects, atomic
// and not, against the public API. Run and replay: CONTRIBUTING.md, "The fault campaign".
//
//   FEDSVC_CAMPAIGN_SEED=123 npx vitest run packages/core/test/campaign    replays seed 123
//   FEDSVC_CAMPAIGN_SEEDS=2000 npx vitest run packages/core/test/campaign  a longer campaign
import { describe, expect, test } from 'vitest';
import { INVARIANTS, type Invariant, type Violation } from './ledger.js';
import { runCampaign } from './run.js';
import { makeSetup } from './schedule.js';

/**
 * Invariants today's controller breaks in the CI's seeds, and why: their tests are `test.fails`
 * until the fixes land. Then `test.fails` itself fails, and the invariant leaves this list.
 * A replay (`FEDSVC_CAMPAIGN_SEED`) checks every invariant as it is.
 */
const KNOWN_FAILURES: ReadonlyMap<Invariant, string> = new Map<Invariant, string>([]);

const WORDING: Record<Invariant, string> = {
  'atomic-only': 'a provider that applies part of a request is refused when the controller is created, before any request',
  'foreign-untouched': 'after every accepted write, no record set another writer made was changed or deleted',
  'cname-target': 'no write leaves a CNAME of ours pointing at a missing name or at a name holding only other writers’ data',
  'cname-alone': 'after every accepted write, no name holds a CNAME beside other data',
  'in-domain': 'no write touches a name outside the federation’s',
  marked: 'after every accepted write, every record set of ours sits at a name carrying this owner’s marker',
  converges: 'once faults stop, the controller becomes idle',
  'zone-is-plan': 'once faults stop and a resync ran, the zone holds exactly the plan (names others block left alone)',
  'resync-idle': 'once converged, a further resync writes nothing',
};

const replaying = process.env['FEDSVC_CAMPAIGN_SEED'];
const FIRST_SEED = 1;
const seeds = replaying
  ? [Number(replaying)]
  : Array.from({ length: Number(process.env['FEDSVC_CAMPAIGN_SEEDS'] ?? 1_000) }, (_, i) => FIRST_SEED + i);
const replay = (seed: number) => `FEDSVC_CAMPAIGN_SEED=${seed} npx vitest run packages/core/test/campaign`;

describe('fault campaign', () => {
  const found = new Map<Invariant, Map<number, Violation[]>>(INVARIANTS.map((invariant) => [invariant, new Map()]));
  const ran = (async () => {
    for (const seed of seeds) {
      const outcome = await runCampaign(makeSetup(seed));
      for (const violation of outcome.violations) {
        const bySeed = found.get(violation.invariant)!;
        bySeed.set(seed, [...(bySeed.get(seed) ?? []), violation]);
      }
      if (replaying) {
        console.log(JSON.stringify(makeSetup(seed)));
        console.log(`the zone at the end:\n${outcome.zone.join('\n')}`);
        for (const violation of outcome.violations) console.log(`${violation.invariant} at ${violation.at}: ${violation.detail}`);
      }
    }
  })();
  // Every test awaits the run and fails with its error; this only keeps Node from calling it unhandled meanwhile.
  ran.catch(() => undefined);

  for (const invariant of INVARIANTS) {
    const known = !replaying && KNOWN_FAILURES.has(invariant);
    const title = `${invariant}: ${WORDING[invariant]}${known ? ` (known to fail: ${KNOWN_FAILURES.get(invariant)})` : ''}`;
    (known ? test.fails : test)(title, { timeout: 600_000 }, async () => {
      await ran;
      const failing = [...found.get(invariant)!].map(([seed, violations]) => {
        const first = violations[0]!;
        return `seed ${seed} (replay: ${replay(seed)}): ${first.detail} — at ${first.at}`;
      });
      expect(failing, `${invariant} broken in ${failing.length} of ${seeds.length} seeds`).toEqual([]);
    });
  }
});
