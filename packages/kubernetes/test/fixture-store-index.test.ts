// The wire fixture's store indexes: what an index says is taken is what reading every stored
// object finds, whatever writes, deletes and restores came before.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { Json, JsonObject } from '../src/testing/fields.js';
import type { ValueIndex } from '../src/testing/store-index.js';
import { Store, type StoreSnapshot } from '../src/testing/store.js';

type Step =
  | { readonly kind: 'put'; readonly name: string; readonly namespace: string; readonly nodePorts: readonly (number | undefined)[] }
  | { readonly kind: 'delete'; readonly name: string; readonly namespace: string }
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'restore' };

const PORTS = [30000, 30001, 30002, 30003];
const named = { name: fc.constantFrom('a', 'b', 'c'), namespace: fc.constantFrom('default', 'other') };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('put' as const),
    ...named,
    nodePorts: fc.array(fc.option(fc.constantFrom(...PORTS), { nil: undefined }), { maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), ...named }),
  fc.record({ kind: fc.constant('snapshot' as const) }),
  fc.record({ kind: fc.constant('restore' as const) }),
);

const nodePortsOf = (service: Readonly<JsonObject>): Json[] => {
  const ports = (service['spec'] as { ports?: { nodePort?: number }[] } | undefined)?.ports ?? [];
  return ports.flatMap((p) => (p.nodePort === undefined ? [] : [p.nodePort]));
};

function serviceOf(name: string, namespace: string, nodePorts: readonly (number | undefined)[]): JsonObject {
  const ports = nodePorts.map((nodePort, i) => ({ name: `p${i}`, port: 80 + i, ...(nodePort === undefined ? {} : { nodePort }) }));
  return { metadata: { name, namespace }, spec: { type: 'NodePort', ports } };
}

describe('Store.index', () => {
  test.prop([fc.array(step, { maxLength: 25 }), fc.nat({ max: 25 })])(
    'holds a value exactly when some stored object holds it, after every write, delete and restore',
    (steps, madeAt) => {
      const store = new Store();
      // Made before any step, between two, or over everything already stored.
      let index: ValueIndex | undefined;
      let snapshot: StoreSnapshot | undefined;
      steps.forEach((s, i) => {
        if (i === madeAt) index = store.index('services', nodePortsOf);
        if (s.kind === 'put') store.put('services', serviceOf(s.name, s.namespace, s.nodePorts), []);
        else if (s.kind === 'delete') store.delete('services', s.namespace, s.name);
        else if (s.kind === 'snapshot') snapshot = store.snapshot();
        else if (snapshot !== undefined) store.restore(snapshot);
        if (index !== undefined) expectTrueTo(store, index, `after ${s.kind} (step ${i})`);
      });
      expectTrueTo(store, index ?? store.index('services', nodePortsOf), 'at the end');
    },
  );
});

function expectTrueTo(store: Store, index: ValueIndex, when: string): void {
  const held = new Set(store.list('services').flatMap(nodePortsOf));
  for (const port of [...PORTS, 29999]) expect(index.has(port), `node port ${port} ${when}`).toBe(held.has(port));
}
