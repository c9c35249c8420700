import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { networkOf, overlaps } from '../src/addresses.js';
import { clientPlace, clusterTopology, type NodePlacement } from '../src/place.js';
import type { ClientSubnet } from '../src/query.js';
import { zoneLabel } from './arbitraries.js';

const REGION = 'us-central1';

/** Nodes with pod CIDRs 10.244.<i>.0/24 and fd00:244:<i>::/64, each in one of `zones`. */
const cluster = fc.uniqueArray(zoneLabel, { minLength: 1, maxLength: 3 }).chain((zones) =>
  fc.array(fc.constantFrom(...zones), { minLength: zones.length, maxLength: 8 }).map((assigned) =>
    assigned.map(
      (zone, i): NodePlacement => ({
        name: `node-${i}`,
        zone,
        region: REGION,
        podCIDRs: [networkOf(`10.244.${i}.0/24`)!, networkOf(`fd00:244:${i.toString(16)}::/64`)!],
      }),
    ),
  ),
);

const source = (text: string) => () => networkOf(`${text}/${text.includes(':') ? 128 : 32}`)!;
const subnetOf = (cidr: string): ClientSubnet => {
  const network = networkOf(cidr)!;
  const address = new Uint8Array(network.bytes.length);
  address.set(network.bytes.subarray(0, Math.ceil(network.prefix / 8)));
  return { family: network.family === 4 ? 1 : 2, sourcePrefix: network.prefix, address };
};

/** The zones of the nodes whose pod CIDRs share an address with `network`. */
const zonesAt = (nodes: readonly NodePlacement[], network: ReturnType<typeof networkOf> & object) =>
  new Set(nodes.filter((n) => n.podCIDRs.some((c) => overlaps(c, network))).map((n) => n.zone));

describe("the client's zone", () => {
  test.prop([cluster, fc.nat(), fc.integer({ min: 1, max: 254 }), fc.boolean()])(
    "a pod's own address (asked directly): its node's zone; one cluster zone: that zone whoever asks",
    (nodes, pick, host, v6) => {
      const node = pick % nodes.length;
      const address = v6 ? `fd00:244:${node.toString(16)}::${host.toString(16)}` : `10.244.${node}.${host}`;
      const topology = clusterTopology(nodes);
      expect(clientPlace({ source: source(address) }, topology).place).toEqual({ zone: nodes[node]!.zone, region: REGION });
      const outside = clientPlace({ source: source(`192.168.0.${host}`) }, topology).place;
      expect(outside).toEqual(topology.zones.length === 1 ? { zone: topology.zones[0], region: REGION } : { region: REGION });
    },
  );

  test.prop([cluster, fc.nat(), fc.integer({ min: 16, max: 32 }), fc.integer({ min: 0, max: 255 })])(
    "the client subnet decides over the source (a forwarder's): the one zone of the nodes it spans, else the region's name, never a guess",
    (nodes, pick, prefix, host) => {
      const node = pick % nodes.length;
      const topology = clusterTopology(nodes);
      const cidr = `10.244.${node}.${host}/${prefix}`;
      const network = networkOf(cidr)!;
      const subnet = subnetOf(`${[...network.bytes].join('.')}/${prefix}`);
      const masked = networkOf(`${[...subnet.address].join('.')}/${prefix}`)!;
      const zones = zonesAt(nodes, masked);
      const expected = topology.zones.length === 1 || zones.size === 1 ? { zone: [...zones][0], region: REGION } : { region: REGION };
      const got = clientPlace({ subnet, source: source('10.96.0.10') }, topology);
      expect(got.place).toEqual(expected);
      expect(got.scopePrefix).toBe(topology.zones.length === 1 ? 0 : prefix);
    },
  );

  test.prop([cluster])(
    'a subnet of /0 (the client asks not to be placed) spans every node: the region only, in a cluster of several zones',
    (nodes) => {
      const topology = clusterTopology(nodes);
      const got = clientPlace(
        { subnet: { family: 1, sourcePrefix: 0, address: new Uint8Array(4) }, source: source('10.244.0.1') },
        topology,
      );
      expect(got.place).toEqual(topology.zones.length === 1 ? { zone: topology.zones[0], region: REGION } : { region: REGION });
    },
  );

  test.prop([cluster, fc.nat()])('a node without a zone label places no one in a cluster of several zones', (nodes, pick) => {
    const node = pick % nodes.length;
    const unlabelled = nodes.map((n, i) => (i === node ? { name: n.name, region: REGION, podCIDRs: n.podCIDRs } : n));
    const topology = clusterTopology(unlabelled);
    fc.pre(topology.zones.length > 1);
    expect(clientPlace({ source: source(`10.244.${node}.7`) }, topology).place).toEqual({ region: REGION });
  });

  test('nodes of no known region give neither zone nor region in a cluster of several zones', () => {
    const nodes = [
      { name: 'a', zone: 'z-a', podCIDRs: [networkOf('10.244.0.0/24')!] },
      { name: 'b', zone: 'z-b', podCIDRs: [networkOf('10.244.1.0/24')!] },
    ];
    expect(clientPlace({ source: source('10.244.1.9') }, clusterTopology(nodes)).place).toEqual({ zone: 'z-b' });
    expect(clientPlace({ source: source('10.9.9.9') }, clusterTopology(nodes)).place).toEqual({});
  });
});
