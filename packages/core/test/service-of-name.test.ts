// The controller reads a record name's service in place; it finds exactly the service that
// parseRecordName, which takes the name apart label by label, finds.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { serviceOfName } from '../src/controller/services.js';
import { parseRecordName } from '../src/planning/plan.js';
import type { Federation } from '../src/types.js';

const federations: Federation[] = [
  { name: 'fed', domain: 'example.com' },
  { name: 'fed', domain: 'svc.' },
  { name: 'f', domain: 'Fed.Example.ORG' },
];
// Labels that make names of the federation, near misses, and malformed spellings.
const piece = fc.constantFrom(
  'fed',
  'f',
  'svc',
  'svcs',
  'fedx',
  'fe',
  'ns',
  'web',
  'a',
  'example',
  'com',
  'org',
  'EXAMPLE',
  'Svc',
  '',
  '_fedsvc',
  '_x',
);
const name = fc
  .tuple(fc.array(piece, { maxLength: 9 }), fc.constantFrom('', '.'), fc.constantFrom('', '_fedsvc.', '_x.'))
  .map(([labels, dot, prefix]) => `${prefix}${labels.join('.')}${dot}`);
const nameOf = (federation: Federation) =>
  fc.oneof(
    name,
    // A name of the federation's own (or nearly), with a place, so that matches are frequent.
    fc
      .tuple(piece, piece, fc.constantFrom('svc', 'svcs'), fc.array(piece, { maxLength: 3 }), fc.constantFrom('', '_fedsvc.'))
      .map(([service, namespace, svc, place, prefix]) =>
        [`${prefix}${service}`, namespace, federation.name, svc, ...place, federation.domain].join('.'),
      ),
    // One without `svc`: under the domain `svc.` it ends as a name of the federation would.
    fc.tuple(piece, piece).map(([service, namespace]) => [service, namespace, federation.name, federation.domain].join('.')),
  );

test.prop([fc.constantFrom(...federations).chain((federation) => fc.tuple(fc.constant(federation), nameOf(federation)))], {
  numRuns: 2_000,
})('a record name belongs to the service parseRecordName finds, or to none', ([federation, recordName]) => {
  const parts = parseRecordName(federation, recordName, '_fedsvc.');
  expect(serviceOfName(federation, recordName, '_fedsvc.')).toBe(parts && `${parts.namespace}/${parts.name}`);
});
