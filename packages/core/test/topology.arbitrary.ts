// Random federations for property tests: regions, zones, clusters (some spanning several zones),
// shards with random health and IPv4/IPv6 mixes, written in non-canonical forms too.
import fc from 'fast-check';
import type { Cluster, Federation, ServiceRef, Shard } from '@fedsvc/core';

export interface Topology {
  readonly federation: Federation;
  readonly service: ServiceRef;
  readonly clusters: Cluster[];
  readonly shards: Shard[];
}

// Loopback and link-local addresses are refused by the planner: none here.
const v4 = fc
  .tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
  .filter(([a, b]) => a !== 127 && !(a === 169 && b === 254))
  .map((octets) => octets.join('.'));
// A small pool makes shards share addresses, so de-duplication is exercised.
const v6 = fc.constantFrom('2001:db8::1', '2001:DB8:0:0:0:0:0:1', '2001:db8::a:0:0:1', 'fd00::17', 'fd00:0::17', '2600:1f18:4::9');
export const address = fc.oneof(
  { weight: 3, arbitrary: v4 },
  { weight: 1, arbitrary: v6 },
  { weight: 1, arbitrary: fc.constantFrom('104.197.247.191', '130.211.57.243') },
);

/** AWS load-balancer hostnames, in the forms Kubernetes and people write them; a small pool, so shards share some. */
export const loadBalancerHostname = fc.constantFrom(
  'a1b2-123.us-east-1.elb.amazonaws.com',
  'A1B2-123.us-east-1.elb.amazonaws.com.',
  'net-9f.elb.eu-west-1.amazonaws.com',
  'dualstack.web-7.us-west-2.elb.amazonaws.com',
  'internal-api-4.ap-south-1.elb.amazonaws.com.',
);

/**
 * `hostnames`: shards may also carry load-balancer hostnames to alias; `hostnameAddresses`: and
 * what those resolve to (none, some or all of them resolved).
 */
export function topology(options: { maxClusters?: number; hostnames?: boolean; hostnameAddresses?: boolean } = {}): fc.Arbitrary<Topology> {
  const maxClusters = options.maxClusters ?? 40;
  const hostnames = options.hostnames ? fc.array(loadBalancerHostname, { maxLength: 2 }) : fc.constant([]);
  const resolved = options.hostnameAddresses ? fc.array(address, { maxLength: 2 }) : fc.constant([]);
  return fc
    .record({
      regionCount: fc.integer({ min: 1, max: 8 }),
      zonesPerRegion: fc.integer({ min: 1, max: 5 }),
      format: fc.constantFrom('zone' as const, 'zone.region' as const, undefined),
      federationTtl: fc.option(fc.integer({ min: 0, max: 86400 }), { nil: undefined }),
      serviceTtl: fc.option(fc.integer({ min: 0, max: 86400 }), { nil: undefined }),
      domain: fc.constantFrom('example.com', 'Example.COM.', 'fed.example.org.', 'svc'),
      clusters: fc.array(
        fc.record({
          region: fc.nat(7),
          zones: fc.uniqueArray(fc.nat(4), { minLength: 1, maxLength: 3 }),
          ready: fc.boolean(),
          shard: fc.option(
            fc.record({
              addresses: fc.array(address, { maxLength: 3 }),
              hostnames,
              resolved,
              readyEndpoints: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 })),
            }),
            { freq: 5, nil: null },
          ),
        }),
        { minLength: 1, maxLength: maxClusters },
      ),
    })
    .map((t) => {
      const clusters: Cluster[] = [];
      const shards: Shard[] = [];
      t.clusters.forEach((c, i) => {
        const region = `region${c.region % t.regionCount}`;
        const zones = [...new Set(c.zones.map((z) => `${region}-${String.fromCharCode(97 + (z % t.zonesPerRegion))}`))];
        clusters.push({ name: `cluster-${i}`, zones, region, ready: c.ready });
        if (c.shard) {
          const { hostnames: names, resolved: hostnameAddresses, ...shard } = c.shard;
          shards.push({
            cluster: `cluster-${i}`,
            ...shard,
            hostnames: names.length > 0 ? names : undefined,
            ...(names.length > 0 && hostnameAddresses.length > 0 ? { hostnameAddresses } : {}),
          });
        }
      });
      const federation: Federation = {
        name: 'myfederation',
        domain: t.domain,
        ttl: t.federationTtl,
        zoneNameFormat: t.format,
      };
      const service: ServiceRef = { namespace: 'mynamespace', name: 'nginx', ttl: t.serviceTtl };
      return { federation, service, clusters, shards };
    });
}
