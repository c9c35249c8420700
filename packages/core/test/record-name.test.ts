// parseRecordName is the inverse of recordNames, at every level and in every spelling.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ownershipRecordName } from '../src/dns/ownership.js';
import { parseRecordName, recordNames } from '../src/planning/plan.js';
import type { Federation } from '../src/types.js';

const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,8}[a-z0-9])?$/);
const federation = fc.record({
  name: label,
  domain: fc.constantFrom('example.com', 'Example.COM.', 'fed.example.org.', 'svc'),
  zoneNameFormat: fc.constantFrom('zone' as const, 'zone.region' as const),
});
/** As a provider may list it: upper case, without the trailing dot, or as its ownership marker. */
const spelling = fc.constantFrom(
  (name: string) => name,
  (name: string) => name.toUpperCase(),
  (name: string) => name.slice(0, -1),
  (name: string) => ownershipRecordName(name),
);

describe('parseRecordName', () => {
  test.prop([federation, label, label, label, label, spelling])(
    'gives back the service and place of every name recordNames makes',
    (fed, namespace, name, zone, region, spell) => {
      const names = recordNames(fed, { namespace, name });
      const zonePlace = fed.zoneNameFormat === 'zone' ? zone : `${zone}.${region}`;
      expect(parseRecordName(fed, spell(names.global))).toEqual({ namespace, name });
      expect(parseRecordName(fed, spell(names.region(region)))).toEqual({ namespace, name, place: region });
      expect(parseRecordName(fed, spell(names.zone(zone, region)))).toEqual({ namespace, name, place: zonePlace });
    },
  );

  test.prop([federation, label, label, label])(
    'no name of another federation, another domain, or outside `svc` is taken',
    (fed, namespace, name, other) => {
      const global = recordNames(fed, { namespace, name }).global;
      const elsewhere: Federation = { ...fed, name: `${fed.name}x` };
      expect(parseRecordName(fed, recordNames(elsewhere, { namespace, name }).global)).toBeUndefined();
      expect(parseRecordName(fed, `${global}${other}.`)).toBeUndefined();
      expect(parseRecordName(fed, global.replace('.svc.', `.${other}x.`))).toBeUndefined();
      expect(parseRecordName(fed, `${namespace}.${fed.name}.svc.${fed.domain}`)).toBeUndefined();
    },
  );
});
