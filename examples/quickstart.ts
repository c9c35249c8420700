// Quick start: the Federated Services guide, run in memory. The whole controller drives 13
// in-memory member clusters and the in-memory DNS provider: it creates the nginx shards,
// follows the pods as they become ready, and moves DNS when a zone, then a region, loses them.
//
//   pnpm quickstart
import { createController, parseRecordName, type FederationController, type RecordSet } from '@fedsvc/core';
import { MemoryClusters } from '@fedsvc/core/testing';
import {
  guideClusterName,
  guideFederation,
  guideHealthyAddresses,
  guideLoadBalancerAddresses,
  guideNginx,
  guideZones,
  regionOfZone,
} from '@fedsvc/core/testing';
import { createMemoryProvider, type MemoryDnsProvider } from '@fedsvc/dns-memory';
import { columns } from './columns.js';

const federation = guideFederation;
const zones: readonly string[] = guideZones;
/** Where the guide's pods became ready; in the other zones they are still starting. */
const readyZones = Object.keys(guideHealthyAddresses);
const regionOf = regionOfZone;
const clusterOf = guideClusterName;
const nginx = guideNginx;

const clusters = new MemoryClusters(
  zones.map((zone) => ({
    name: clusterOf(zone),
    zones: [zone],
    region: regionOf(zone),
    loadBalancerAddresses: [guideLoadBalancerAddresses[zone]!],
  })),
);
const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'example-dot-com' }] });
const zone = { id: 'example-dot-com', dnsName: 'example.com.' };
const controller = createController({ federation, ownerId: 'quickstart', clusters, dns: { provider, zone } });
controller.start();

console.log('$ kubectl --context=federation-cluster create -f services/nginx.yaml');
controller.applyService(nginx);
await controller.idle();
const created = clusters.shards('mynamespace', 'nginx');
console.log(`service "nginx" created: ${created.length} shards, one in each of ${clusters.clusters().length} clusters\n`);

console.log('$ kubectl --context=gce-us-east1-d get services nginx');
const shard = clusters.shard('gce-us-east1-d', 'mynamespace', 'nginx')!;
console.log(
  columns([
    ['NAME', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)'],
    ['nginx', shard.clusterIP ?? '', shard.ingress.map((i) => i.ip).join(','), '80/TCP'],
  ]),
);

console.log('\n# backend pods become ready in 8 zones (in the other 5 they are still starting)');
await timed(() => {
  for (const z of readyZones) clusters.setReadyEndpoints(clusterOf(z), 'mynamespace', 'nginx', 1);
});

console.log('\n$ gcloud dns record-sets list --zone example-dot-com');
console.log(dnsTable(provider));

console.log('\n$ kubectl --context=federation-cluster describe services nginx');
console.log(describe(controller));

console.log('\n# zone us-central1-a loses its pods');
await timed(() => clusters.setReadyEndpoints(clusterOf('us-central1-a'), 'mynamespace', 'nginx', 0));
console.log('\n$ gcloud dns record-sets list --zone example-dot-com');
console.log(dnsTable(provider));

console.log('\n# region us-central1 loses all its pods');
await timed(() => {
  for (const z of ['us-central1-b', 'us-central1-c']) clusters.setReadyEndpoints(clusterOf(z), 'mynamespace', 'nginx', 0);
});
console.log('\n$ gcloud dns record-sets list --zone example-dot-com');
console.log(dnsTable(provider));

await controller.stop();

/** Runs `change`, waits for DNS to follow, and says how long it took (the controller's own measure). */
async function timed(change: () => void): Promise<void> {
  const latencies: number[] = [];
  const listener = (event: { latencyMs: number }) => latencies.push(event.latencyMs);
  controller.on('records-applied', listener);
  change();
  await controller.idle();
  controller.off('records-applied', listener);
  if (latencies.length === 0) {
    console.log('DNS unchanged: the zone already matched the plan');
    return;
  }
  console.log(`DNS updated: ${latencies.length} change set(s) applied, ${Math.max(...latencies).toFixed(1)} ms from the event to the zone`);
}

/** The zone as the guide's `gcloud dns record-sets list` shows it: apex, global, then each region's zones and region. */
function dnsTable(dns: MemoryDnsProvider): string {
  const held = dns.snapshot(zone);
  const markers = held.filter((r) => r.name.startsWith('_fedsvc.')).length;
  const rank = (r: RecordSet<string>): string => {
    if (r.name === zone.dnsName) return `0${r.type === 'NS' ? 0 : 1}`;
    // The zone's place first: with the `zone.region` format it is `<zone>.<region>`.
    const place = parseRecordName(federation, r.name)?.place?.split('.')[0];
    if (place === undefined) return '1';
    const region = zones.includes(place) ? regionOf(place) : place;
    return `2${region}${zones.includes(place) ? `0${place}` : '1'}`;
  };
  const rows = held
    .filter((r) => !r.name.startsWith('_fedsvc.'))
    .sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0))
    .map((r) => [r.name, r.type, String(r.ttl), r.rrdatas.join(', ')]);
  return `${columns([['NAME', 'TYPE', 'TTL', 'DATA'], ...rows])}\n(and ${markers} ownership TXT records at _fedsvc.<name>)`;
}

function describe(c: FederationController): string {
  const status = c.status('mynamespace', 'nginx');
  const head = [
    ['Name:', 'nginx'],
    ['Namespace:', 'mynamespace'],
    ['Labels:', 'run=nginx'],
    ['Selector:', 'run=nginx'],
    ['Type:', 'LoadBalancer'],
    ['IP:', ''],
    ['LoadBalancer Ingress:', status.loadBalancer.ingress.map((i) => i.ip ?? i.hostname).join(', ')],
    ['Port:', 'http 80/TCP'],
    ['Endpoints:', '<none>'],
    ['Session Affinity:', 'None'],
  ];
  const perCluster = status.clusters.map((v) => [
    v.cluster,
    v.health,
    v.shard ? 'yes' : 'no',
    String(v.readyEndpoints),
    v.ingress.map((i) => i.ip).join(','),
    v.healthy ? 'yes' : 'no',
  ]);
  const clusterRows = columns([['CLUSTER', 'HEALTH', 'SHARD', 'READY', 'INGRESS', 'HEALTHY'], ...perCluster])
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `${columns(head)}\nClusters:\n${clusterRows}\nNo events.`;
}
