// Replies sent again: whatever the queries, their case, transport, client subnet or source, and
// however the cluster changes between them, the responder that keeps replies sends exactly what
// answering afresh would (the ID and the name's letters included), and what it keeps is bounded.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { RRType } from '@fedsvc/dns-rfc2136/wire';
import { MAX_KEPT_BYTES, ReplyCache } from '../src/replies.js';
import { cachedResponder, respond, sourceOf } from '../src/responder.js';
import { FEDERATION, clusterIPService, clusterOf, node, slice } from './world.js';

const config = {
  federation: FEDERATION,
  ttl: 5,
  services: ['nginx', 'away'].map((name) => ({ namespace: 'mynamespace', name })),
};
const objects = {
  services: [clusterIPService('mynamespace', 'nginx', ['10.96.0.10']), clusterIPService('mynamespace', 'away', ['10.96.0.11'])],
  endpointSlices: [slice('mynamespace', 'nginx', 'nginx-1', ['10.244.0.5']), slice('mynamespace', 'away', 'away-1', [], ['10.244.1.9'])],
  nodes: [node('node-a', 'us-central1-a', ['10.244.0.0/24']), node('node-b', 'us-central1-b', ['10.244.1.0/24'])],
};

/** A query: the name as given (case kept), the type, an ID, and optionally EDNS with a client subnet. */
function queryWire(name: string, type: number, id: number, edns: { subnet?: number } | undefined): Buffer {
  const labels = name.split('.').filter((l) => l !== '');
  const question = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0]),
  ]);
  const header = Buffer.from([id >> 8, id & 255, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, edns ? 1 : 0]);
  const tail = Buffer.from([type >> 8, type & 255, 0, 1]);
  if (!edns) return Buffer.concat([header, question, tail]);
  // ECS for 10.244.<subnet>.0/24: family 1, source prefix 24, scope 0, three address bytes.
  const option = edns.subnet === undefined ? [] : [0, 8, 0, 7, 0, 1, 24, 0, 10, 244, edns.subnet];
  const opt = Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, option.length, ...option]);
  return Buffer.concat([header, question, tail, opt]);
}

/** What a query asks; the same few asked again and again, with another ID, letter case and source each time. */
const shape = fc.record({
  name: fc.constantFrom(
    'nginx.mynamespace.myfederation.svc.cluster.local.',
    'away.mynamespace.myfederation.svc.cluster.local.',
    'mynamespace.myfederation.svc.cluster.local.',
    'other.mynamespace.myfederation.svc.cluster.local.',
    'example.com.',
  ),
  type: fc.constantFrom(RRType.A, RRType.AAAA, RRType.CNAME, RRType.TXT, RRType.SOA),
  edns: fc.option(fc.record({ subnet: fc.option(fc.constantFrom(0, 1, 7), { nil: undefined }) }), { nil: undefined }),
  udp: fc.boolean(),
});
const ask = fc.record({
  ask: fc.nat(),
  id: fc.integer({ min: 0, max: 0xffff }),
  capitals: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
  // Pods on node-a and node-b, and an address in no pod CIDR (a forwarder's).
  address: fc.constantFrom('10.244.0.7', '10.244.1.8', '192.0.2.1'),
});
/** What may happen between queries: an endpoint becomes ready or not, a node moves zone, a node reports its status. */
const change = fc.oneof(
  fc.record({ ready: fc.boolean() }),
  fc.record({ zone: fc.constantFrom('us-central1-a', 'us-central1-c') }),
  fc.record({ status: fc.constant(true) }),
);
const withCapitals = (name: string, capitals: readonly boolean[]) => [...name].map((c, i) => (capitals[i] ? c.toUpperCase() : c)).join('');

describe('replies sent again', () => {
  test.prop([
    fc.array(shape, { minLength: 1, maxLength: 4 }),
    fc.array(fc.oneof({ arbitrary: ask, weight: 6 }, { arbitrary: change, weight: 1 }), { maxLength: 80 }),
  ])('equal byte for byte what answering afresh gives, through any sequence of queries and cluster changes', (shapes, steps) => {
    const { catalog, cluster } = clusterOf(config, objects);
    const cached = cachedResponder(catalog, cluster);
    for (const step of steps) {
      if ('ready' in step) {
        const ready = step.ready ? ['10.244.1.9'] : [];
        cluster.endpointSlices.event('MODIFIED', slice('mynamespace', 'away', 'away-1', ready, step.ready ? [] : ['10.244.1.9']));
      } else if ('zone' in step) cluster.nodes.event('MODIFIED', node('node-a', step.zone, ['10.244.0.0/24']));
      else if ('status' in step) cluster.nodes.event('MODIFIED', node('node-b', 'us-central1-b', ['10.244.1.0/24']));
      else {
        const asked = shapes[step.ask % shapes.length]!;
        const wire = queryWire(withCapitals(asked.name, step.capitals), asked.type, step.id, asked.edns);
        const fresh = respond(wire, asked.udp, sourceOf(step.address), catalog, cluster);
        expect(cached(wire, asked.udp, step.address)).toEqual(fresh);
      }
    }
  });

  test('a node reporting its status without moving keeps the replies; one changing zone drops them', () => {
    const { cluster } = clusterOf(config, objects);
    const before = cluster.version;
    cluster.nodes.event('MODIFIED', { ...node('node-b', 'us-central1-b', ['10.244.1.0/24']), status: { phase: 'Running' } });
    expect(cluster.version).toBe(before);
    cluster.nodes.event('MODIFIED', node('node-b', 'us-central1-c', ['10.244.1.0/24']));
    expect(cluster.version).not.toBe(before);
  });

  // Up to 8,000 replies of 1,232 bytes: more than twice the bound.
  test.prop([fc.array(fc.stringMatching(/^[a-z0-9]{1,63}$/), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 40 })], {
    numRuns: 20,
  })('what is kept stays within its bound, however many names are asked', (labels, repeat) => {
    const cache = new ReplyCache();
    for (let i = 0; i < repeat; i++) {
      for (const label of labels) {
        const wire = queryWire(`${label}.${i}.example.com.`, RRType.A, i, undefined);
        // A reply as large as UDP allows, echoing the question.
        const reply = Buffer.alloc(1232);
        wire.copy(reply, 0, 0, wire.length);
        cache.keep(wire, true, undefined, { kind: 'nxdomain', reply });
        expect(cache.bytes).toBeLessThanOrEqual(MAX_KEPT_BYTES);
      }
    }
    const last = queryWire(`${labels.at(-1)}.${repeat - 1}.example.com.`, RRType.A, 9, undefined);
    expect(cache.reuse(last, true, '')?.reply.subarray(2, last.length)).toEqual(last.subarray(2));
  });
});
