// Clusters DNS can place together: one whose topology clashes with another's is left out, and
// the others plan exactly as they would without it.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ValidationError } from '../src/errors.js';
import { planServiceRecords } from '../src/planning/plan.js';
import { compatibleClusters } from '../src/planning/topology.js';
import { validateFederation, validateTopology } from '../src/planning/validate.js';
import type { Cluster } from '../src/types.js';
import { topology } from './topology.arbitrary.js';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
/** Names and places as a member cluster may report them, malformed ones included. */
const anyCluster = fc.record({
  name: fc.oneof(label, fc.constantFrom('gke_p_us-east1-b_a', 'Cluster A', '')),
  zones: fc.array(fc.oneof({ weight: 5, arbitrary: label }, fc.constantFrom('Bad_Zone', '', 'x'.repeat(64))), { maxLength: 3 }),
  region: fc.oneof({ weight: 5, arbitrary: label }, fc.constantFrom('US-EAST1', '-a')),
});
const format = fc.constantFrom('zone' as const, 'zone.region' as const);

const names = (clusters: readonly { name: string }[]) => clusters.map((c) => c.name);

describe('compatibleClusters', () => {
  test('what it keeps plans together; each cluster it leaves out cannot be planned with them', () => {
    fc.assert(
      fc.property(format, fc.array(anyCluster, { maxLength: 12 }), (zoneNameFormat, clusters) => {
        const federation = validateFederation({ name: 'myfederation', domain: 'example.com', zoneNameFormat });
        const { kept, refused } = compatibleClusters(federation, clusters);
        const asInput = (list: typeof kept) => list.map((c) => ({ ...c, ready: true }));
        expect(() => validateTopology(federation, asInput(kept))).not.toThrow();
        expect(kept.length + refused.length).toBe(clusters.length);
        for (const { cluster, error } of refused) {
          expect(error).toBeInstanceOf(ValidationError);
          const left = clusters.find((c) => c.name === cluster);
          expect(() => validateTopology(federation, asInput([...kept, left!]))).toThrow(ValidationError);
        }
      }),
    );
  });

  test('the order clusters come in changes nothing: the same clusters are left out', () => {
    fc.assert(
      fc.property(
        format,
        // A member cluster's name is unique in a federation.
        fc
          .uniqueArray(anyCluster, { maxLength: 10, selector: (c) => c.name })
          .chain((clusters) => fc.tuple(fc.constant(clusters), fc.shuffledSubarray(clusters, { minLength: clusters.length }))),
        (zoneNameFormat, [clusters, shuffled]) => {
          const federation = { name: 'myfederation', domain: 'example.com', zoneNameFormat };
          const a = compatibleClusters(federation, clusters);
          const b = compatibleClusters(federation, shuffled);
          expect(b.refused.map((r) => r.cluster)).toEqual(a.refused.map((r) => r.cluster));
          expect(new Set(names(b.kept))).toEqual(new Set(names(a.kept)));
        },
      ),
    );
  });

  test('of two clashing clusters, the one whose name sorts later is left out', () => {
    fc.assert(
      fc.property(
        label,
        label,
        label,
        fc.constantFrom('zone', 'zone.region') as fc.Arbitrary<'zone' | 'zone.region'>,
        (a, b, zone, zoneNameFormat) => {
          fc.pre(a !== b && !zone.startsWith('r'));
          const clusters = [
            { name: a, zones: [zone], region: 'r1' },
            { name: b, zones: [zone], region: 'r2' },
          ];
          const { refused } = compatibleClusters({ name: 'f', domain: 'example.com', zoneNameFormat }, clusters);
          expect(refused.map((r) => r.cluster)).toEqual([[a, b].sort()[1]]);
        },
      ),
    );
  });

  test('one clashing cluster: every service of the others plans exactly as without it', () => {
    const clasher = (clusters: readonly Cluster[], zoneNameFormat: string | undefined) =>
      fc.oneof(
        // A zone of another cluster, in another region.
        fc.constantFrom(...clusters).map((c) => ({ zones: [c.zones[0]!], region: `${c.region}x` })),
        // A label that is not a DNS label.
        fc.constantFrom({ zones: ['Bad_Zone'], region: 'region0' }, { zones: ['region0-a'], region: 'Region0' }),
        // With the `zone` format, a zone named like a region, or a region like a zone.
        ...(zoneNameFormat === 'zone.region'
          ? []
          : [
              fc.constantFrom(...clusters).map((c) => ({ zones: [c.region], region: 'elsewhere' })),
              fc.constantFrom(...clusters).map((c) => ({ zones: ['elsewhere-a'], region: c.zones[0]! })),
            ]),
      );
    fc.assert(
      fc.property(
        topology({ maxClusters: 12 }).chain((t) =>
          fc.tuple(
            fc.constant(t),
            clasher(t.clusters, t.federation.zoneNameFormat),
            fc.array(fc.integer({ min: 1, max: 223 }), { maxLength: 2 }),
          ),
        ),
        ([t, place, octets]) => {
          // `cluster-…` sorts before `zz-…`: the clashing cluster comes last.
          const bad = { name: 'zz-clash', ...place };
          const { kept, refused } = compatibleClusters(t.federation, [...t.clusters, bad]);
          expect(refused.map((r) => r.cluster)).toEqual(['zz-clash']);
          const shards = [...t.shards, { cluster: 'zz-clash', addresses: octets.map((o) => `${o}.0.0.1`), readyEndpoints: 1 }];
          const planned = planServiceRecords({
            federation: t.federation,
            service: t.service,
            clusters: kept.map((c) => ({ ...c, ready: 'ready' in c ? c.ready : true })),
            shards: shards.filter((s) => kept.some((c) => c.name === s.cluster)),
          });
          expect(planned).toEqual(planServiceRecords(t));
        },
      ),
    );
  });
});
