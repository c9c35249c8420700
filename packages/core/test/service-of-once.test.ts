// A pass works out each record name's service once: the remembered answer is the direct one,
// whatever the order of the questions, and no name is worked out twice.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { oncePerName, serviceOfName } from '../src/controller/services.js';

const federation = { name: 'myfederation', domain: 'example.com' };
const markerPrefix = '_fedsvc.';
// Names of services, their markers, and names of nothing the federation owns, often asked again.
const name = fc.oneof(
  fc
    .tuple(fc.constantFrom('nginx', 'api'), fc.constantFrom('ns1', 'ns2'), fc.constantFrom('', 'us-east1.', 'us-east1-b.us-east1.'))
    .map(([service, namespace, place]) => `${service}.${namespace}.myfederation.svc.${place}example.com.`),
  fc.constantFrom(
    '_fedsvc.nginx.ns1.myfederation.svc.example.com.',
    'www.example.com.',
    'nginx.ns1.other.svc.example.com.',
    'NGINX.ns1.myfederation.svc.example.com',
  ),
);

test.prop([fc.array(name, { maxLength: 40 })])('each answer is the direct one, each name worked out once', (names) => {
  const direct = (n: string) => serviceOfName(federation, n, markerPrefix);
  const asked = new Map<string, number>();
  const remembered = oncePerName((n) => {
    asked.set(n, (asked.get(n) ?? 0) + 1);
    return direct(n);
  });
  for (const n of names) expect(remembered(n)).toBe(direct(n));
  expect([...asked.keys()].sort()).toEqual([...new Set(names)].sort());
  expect([...asked.values()].every((count) => count === 1)).toBe(true);
});
