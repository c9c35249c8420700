// The Federated Services guide against BIND 9 (or any server that takes RFC 2136 updates):
// the controller drives 13 in-memory member clusters and keeps nginx's records in your zone,
// signed with your TSIG key; the answers are then asked of the server like any client would.
//
//   pnpm tsx --conditions=@fedsvc/source examples/bind/index.ts --local        # starts a BIND 9 here
//   pnpm tsx --conditions=@fedsvc/source examples/bind/index.ts --server 192.0.2.53 --zone example.com --key-file fedsvc.key
//
// See examples/bind/README.md for the server's side (key, allow-update, allow-transfer).
// At the end the service is deleted, which removes every record this run wrote.
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import {
  createController,
  findZone,
  markerOwner,
  ownershipSubject,
  type DnsZone,
  type FederationController,
  type RecordSet,
} from '@fedsvc/core';
import { MemoryClusters } from '@fedsvc/core/testing';
import {
  guideClusterName,
  guideHealthyAddresses,
  guideLoadBalancerAddresses,
  guideNginx,
  guideZones,
  regionOfZone,
} from '@fedsvc/core/testing';
import { createRfc2136Provider } from '@fedsvc/dns-rfc2136';
import { startBind, type BindServer } from '@fedsvc/dns-rfc2136/testing';
import { readConfig, USAGE, type Config, type OwnServer } from './config.js';
import { columns } from '../columns.js';

const zones: readonly string[] = guideZones;
const addresses = guideLoadBalancerAddresses;
/** Where the guide's pods became ready; in the other zones they are still starting. */
const readyZones = Object.keys(guideHealthyAddresses);
const regionOf = regionOfZone;
const clusterOf = guideClusterName;
const nginx = guideNginx;

let config: Config;
try {
  config = await readConfig(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`failed: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}

let bind: BindServer | undefined;
let controller: FederationController | undefined;
try {
  if (config.local) bind = await startBind({ zones: [config.zone] });
  const { server, tsig } = bind ? { server: { host: bind.host, port: bind.port }, tsig: bind.key } : (config as OwnServer);
  const provider = createRfc2136Provider({ server, zones: [config.zone], tsig });
  // A signed SOA query: the server must be authoritative for the zone before anything is written.
  const zone = await findZone(provider, { dnsName: config.zone });
  console.log(
    `zone ${zone.dnsName} on ${bind ? 'a BIND 9 started here' : 'BIND'} at ${server.host}:${server.port}, TSIG key ${tsig.name} (${tsig.algorithm}), owner id ${config.ownerId}\n`,
  );

  const resolver = new dns.Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers([`${isIP(server.host) ? server.host : (await dns.lookup(server.host)).address}:${server.port}`]);

  const federation = { name: 'myfederation', domain: config.zone, ttl: config.ttl };
  const clusters = new MemoryClusters(
    zones.map((z) => ({ name: clusterOf(z), zones: [z], region: regionOf(z), loadBalancerAddresses: [addresses[z]!] })),
  );
  const running = createController({ federation, ownerId: config.ownerId, clusters, dns: { provider, zone } });
  controller = running;
  running.on('apply-failed', (event) => console.error(`apply failed: ${event.service}: ${event.reason}: ${event.error.message}`));
  running.start();

  // What the controller's passes for one step did. `records-applied` comes only from a pass that
  // wrote (an UPDATE the server accepted); a pass with nothing to write still ends in
  // `service-synced`, and one that failed in `apply-failed` (printed above as it happens).
  const timed = async (change: () => void): Promise<void> => {
    const applied: { changes: number; latencyMs: number }[] = [];
    let passes = 0;
    let failures = 0;
    const onApplied = (event: { changes: readonly unknown[]; latencyMs: number }) =>
      applied.push({ changes: event.changes.length, latencyMs: event.latencyMs });
    const onSynced = () => {
      passes += 1;
    };
    const onFailed = () => {
      failures += 1;
    };
    running.on('records-applied', onApplied);
    running.on('service-synced', onSynced);
    running.on('apply-failed', onFailed);
    change();
    await running.idle();
    running.off('records-applied', onApplied);
    running.off('service-synced', onSynced);
    running.off('apply-failed', onFailed);
    const changes = applied.reduce((sum, a) => sum + a.changes, 0);
    if (applied.length > 0) {
      const slowest = Math.max(...applied.map((a) => a.latencyMs));
      console.log(
        `DNS updated: ${applied.length} change set(s) applied (${changes} record set change(s)), ${slowest.toFixed(1)} ms from the event to the server accepting the UPDATE`,
      );
    } else if (failures > 0) {
      console.log(`DNS not updated: ${failures} failed attempt(s), see above`);
    } else {
      console.log(`DNS unchanged: ${passes} pass(es), no record to write (the zone already matches the plan)`);
    }
  };
  const show = async (): Promise<void> => {
    console.log('\n$ dig -y … AXFR   (through the provider: a TSIG-signed zone transfer)');
    console.log(zoneTable(await provider.records(zone), zone, config.ownerId));
    const names = [...zones.map((z) => `${z}.`), ...[...new Set(zones.map(regionOf))].map((r) => `${r}.`), ''].map(
      (place) => `nginx.mynamespace.myfederation.svc.${place}${zone.dnsName}`,
    );
    console.log('\n# what a client resolves (CNAMEs followed, addresses last)');
    for (const name of names) console.log(await lookup(resolver, name));
  };

  console.log('$ kubectl --context=federation-cluster create -f services/nginx.yaml');
  await timed(() => running.applyService(nginx));
  console.log(`service "nginx" created: ${clusters.shards('mynamespace', 'nginx').length} shards, one in each of ${zones.length} clusters`);

  console.log('\n# backend pods become ready in 8 zones (in the other 5 they are still starting)');
  await timed(() => {
    for (const z of readyZones) clusters.setReadyEndpoints(clusterOf(z), 'mynamespace', 'nginx', 1);
  });
  await show();

  console.log('\n# zone us-central1-a loses its pods');
  await timed(() => clusters.setReadyEndpoints(clusterOf('us-central1-a'), 'mynamespace', 'nginx', 0));
  await show();

  console.log('\n$ kubectl --context=federation-cluster delete services nginx');
  await timed(() => running.deleteService('mynamespace', 'nginx'));
  console.log('\n$ dig -y … AXFR');
  console.log(zoneTable(await provider.records(zone), zone, config.ownerId));
} catch (error) {
  console.error(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await controller?.stop();
  await bind?.stop();
}

/** The records this owner holds in the zone, global name first (others' records are counted, not shown). */
function zoneTable(records: readonly RecordSet<string>[], zone: DnsZone, ownerId: string): string {
  const owned = new Set(records.filter((r) => markerOwner(r) === ownerId).map((r) => ownershipSubject(r.name)));
  const global = `nginx.mynamespace.myfederation.svc.${zone.dnsName}`;
  const key = (r: RecordSet<string>) => `${r.name === global ? 0 : 1}${r.name}`;
  const rows = records
    .filter((r) => owned.has(r.name))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .map((r) => [r.name, r.type, String(r.ttl), [...r.rrdatas].sort().join(', ')]);
  const others = records.filter((r) => !owned.has(ownershipSubject(r.name))).length;
  return `${columns([['NAME', 'TYPE', 'TTL', 'DATA'], ...rows])}\n(besides ${owned.size} ownership TXT records at _fedsvc.<name>, and ${others} record set(s) of others, SOA not counted)`;
}

/** `name → cname → … → addresses`, as the server answers a resolver that follows the chain. */
async function lookup(resolver: dns.Resolver, name: string): Promise<string> {
  const chain = [name];
  for (let hop = 0; hop < 8; hop++) {
    const target = await resolver.resolveCname(chain[chain.length - 1]!).then(
      (t) => `${t[0]}.`,
      (error: NodeJS.ErrnoException) => {
        if (error.code === dns.NODATA) return undefined;
        throw error;
      },
    );
    if (target === undefined) break;
    chain.push(target);
  }
  const found = await resolver.resolve4(chain[chain.length - 1]!).then(
    (a) => a.sort().join(', '),
    (error: NodeJS.ErrnoException) => {
      if (error.code === dns.NODATA || error.code === dns.NOTFOUND) return '(no address)';
      throw error;
    },
  );
  return [...chain, found].join(' → ');
}
