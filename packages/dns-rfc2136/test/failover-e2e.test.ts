// The failover policy end to end: the controller writes the guide's federation into a real BIND
// through this adapter, and BIND answers the global name, and the CNAME chain of a zone without
// healthy shards, from the first listed region that has a healthy shard.
import { Resolver } from 'node:dns/promises';
import { createController, type FederationController } from '@fedsvc/core';
import {
  guideFederation,
  guideHealthyAddresses,
  guideLoadBalancerAddresses,
  guideNginx,
  guideZones,
  MemoryClusters,
  regionOfZone,
} from '@fedsvc/core/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRfc2136Provider } from '../src/index.js';
import { startBind, type BindServer } from '../src/testing/index.js';

const GLOBAL = 'nginx.mynamespace.myfederation.svc.example.com';
/** europe-west1 never has a healthy shard: its zones walk zone → region → global. */
const EUROPE_ZONE = 'nginx.mynamespace.myfederation.svc.europe-west1-b.example.com';

let bind: BindServer;
let controller: FederationController;
let clusters: MemoryClusters;
let resolver: Resolver;

/** The zones the guide shows with a healthy shard. */
const HEALTHY_ZONES = Object.keys(guideHealthyAddresses);

const addressesIn = (...regions: string[]) =>
  HEALTHY_ZONES.filter((zone) => regions.includes(regionOfZone(zone)))
    .map((zone) => guideHealthyAddresses[zone]!)
    .sort();

/** Ready endpoints in the guide's healthy zones of `regions`. */
function pods(regions: readonly string[], ready: number): void {
  for (const zone of HEALTHY_ZONES)
    if (regions.includes(regionOfZone(zone))) clusters.setReadyEndpoints(`gce-${zone}`, 'mynamespace', 'nginx', ready);
}

/** BIND's answer for `name`, asked until it is `want` (a pass lands within moments), at most 200 times. */
async function answers(name: string, want: readonly string[]): Promise<string[]> {
  let got: string[] = [];
  for (let i = 0; i < 200; i++) {
    got = (await resolver.resolve4(name).catch(() => [] as string[])).sort();
    if (JSON.stringify(got) === JSON.stringify(want)) break;
    await controller.idle();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return got;
}

beforeAll(async () => {
  bind = await startBind({ zones: ['example.com.'] });
  resolver = new Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${bind.port}`]);
  clusters = new MemoryClusters(
    guideZones.map((zone) => ({
      name: `gce-${zone}`,
      zones: [zone],
      region: regionOfZone(zone),
      loadBalancerAddresses: [guideLoadBalancerAddresses[zone]!],
    })),
  );
  const provider = createRfc2136Provider({
    server: { host: bind.host, port: bind.port },
    zones: ['example.com.'],
    tsig: bind.key,
    timeoutMs: 5_000,
  });
  controller = createController({
    federation: guideFederation,
    ownerId: 'failover-e2e',
    clusters,
    dns: { provider, zone: { id: 'example.com.', dnsName: 'example.com.' } },
    services: [{ ...guideNginx, trafficPolicy: { type: 'failover', regions: ['us-central1', 'us-east1'] } }],
    coalesceMs: 5,
    resyncMs: false,
  });
  controller.start();
  await controller.idle();
  pods(['asia-east1', 'us-central1', 'us-east1'], 1);
  await controller.idle();
}, 60_000);

afterAll(async () => {
  await controller?.stop();
  await bind?.stop();
});

describe('failover [us-central1, us-east1] through BIND', () => {
  test('the global name, and a zone without healthy shards, answer us-central1 while it has a healthy shard', async () => {
    expect(await answers(GLOBAL, addressesIn('us-central1'))).toEqual(addressesIn('us-central1'));
    expect(await answers(EUROPE_ZONE, addressesIn('us-central1'))).toEqual(addressesIn('us-central1'));
  });

  test('us-central1 without pods: us-east1 answers; without either: every healthy shard; us-central1 back: it answers again', async () => {
    pods(['us-central1'], 0);
    expect(await answers(GLOBAL, addressesIn('us-east1'))).toEqual(addressesIn('us-east1'));
    expect(await answers(EUROPE_ZONE, addressesIn('us-east1'))).toEqual(addressesIn('us-east1'));
    pods(['us-east1'], 0);
    expect(await answers(GLOBAL, addressesIn('asia-east1'))).toEqual(addressesIn('asia-east1'));
    pods(['us-central1'], 1);
    expect(await answers(GLOBAL, addressesIn('us-central1'))).toEqual(addressesIn('us-central1'));
  });
});
