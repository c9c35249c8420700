// The Federated Services guide's nginx records, kept in a Google Cloud DNS managed zone.
//
//   pnpm tsx --conditions=@fedsvc/source examples/google-cloud-dns.ts --local   # a local Cloud DNS wire server, no Google Cloud project
//   pnpm tsx --conditions=@fedsvc/source examples/google-cloud-dns.ts           # your managed zone, your Google credentials
//
// Without --local the managed zone FEDSVC_MANAGED_ZONE (default example-dot-com, the guide's)
// must exist in project GOOGLE_CLOUD_PROJECT, and serve FEDSVC_DOMAIN (default example.com).
// Credentials: a service-account key file named by FEDSVC_GOOGLE_KEY_FILE, or else Application
// Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default login`,
// the metadata server). They need dns.managedZones.list, dns.resourceRecordSets.list and
// dns.changes.create (roles/dns.admin on the zone's project).
//
// The cluster state is the guide's: 13 clusters, nginx ready in 8 zones. A host feeds the same
// calls from its member clusters (or lets the controller do it, as in examples/quickstart.ts).
import {
  findZone,
  formatChanges,
  normalizeName,
  planServiceRecords,
  reconcileZone,
  type DnsZone,
  type Federation,
  type RecordSet,
} from '@fedsvc/core';
import { guideClusters, guideService, guideShards } from '@fedsvc/core/testing';
import { createGoogleProvider, type GoogleProviderOptions } from '@fedsvc/dns-google';
import { columns } from './columns.js';

const local = process.argv.includes('--local');
const domain = process.env.FEDSVC_DOMAIN ?? 'example.com';
/** Marks the records this deployment owns; records with another owner (or none) are never touched. */
const ownerId = process.env.FEDSVC_OWNER_ID ?? 'fedsvc-example';
const federation: Federation = { name: 'myfederation', domain };
const managedZone = process.env.FEDSVC_MANAGED_ZONE ?? 'example-dot-com';
const keyFilename = process.env.FEDSVC_GOOGLE_KEY_FILE || undefined;

const fixture = local ? await startLocalCloudDns() : undefined;
const options: GoogleProviderOptions = fixture
  ? // The local server is also the token endpoint of the workload-identity credential it hands out.
    { projectId: fixture.projectId, credentials: fixture.credentials, apiEndpoint: fixture.url }
  : {
      projectId: process.env.GOOGLE_CLOUD_PROJECT || undefined,
      // No key file: Application Default Credentials.
      keyFilename,
    };
const provider = createGoogleProvider(options);

try {
  const zone = await findZone(provider, { id: managedZone });
  if (zone.dnsName !== normalizeName(domain)) throw new Error(`managed zone ${managedZone} serves ${zone.dnsName}, not ${domain}`);
  console.log(`managed zone ${zone.id} (${zone.dnsName})${fixture ? ` on the local Cloud DNS at ${fixture.url}` : ''}\n`);
  const desired = planServiceRecords({ federation, service: guideService, clusters: guideClusters, shards: guideShards });

  console.log('# converge: nginx ready in 8 of 13 zones');
  await converge(zone, desired);
  console.log(`\n$ gcloud dns record-sets list --zone ${zone.id}`);
  console.log(dnsTable(await provider.records(zone), zone));

  console.log('\n# us-central1-a loses its pods');
  const lost = guideShards.map((shard) => (shard.cluster === 'gce-us-central1-a' ? { ...shard, readyEndpoints: 0 } : shard));
  const after = planServiceRecords({ federation, service: guideService, clusters: guideClusters, shards: lost });
  await converge(zone, after);

  console.log('\n# converge again: nothing changed');
  await converge(zone, after);
} catch (error) {
  console.error(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await fixture?.close();
}

async function converge(zone: DnsZone, desired: readonly RecordSet[]): Promise<void> {
  const report = await reconcileZone({ provider, zone, desired, ownerId });
  console.log(formatChanges(report.changes));
  console.log(`${report.writes} changes.create request(s), ${report.reads} full read(s) of the zone, ${report.retries} retries`);
}

/** Starts the Cloud DNS wire fixture with the managed zone, as the tests do. */
async function startLocalCloudDns() {
  const { startCloudDnsServer } = await import('@fedsvc/dns-google/testing');
  const server = await startCloudDnsServer();
  server.createZone(managedZone, domain);
  return server;
}

/** The zone listing, ownership markers counted rather than shown. */
function dnsTable(records: readonly RecordSet<string>[], zone: DnsZone): string {
  const markers = records.filter((r) => r.name.startsWith('_fedsvc.')).length;
  const rows = records
    .filter((r) => !r.name.startsWith('_fedsvc.') && r.name !== zone.dnsName)
    .map((r) => [r.name, r.type, String(r.ttl), r.rrdatas.join(', ')]);
  return `${columns([['NAME', 'TYPE', 'TTL', 'DATA'], ...rows])}\n(besides the apex NS and SOA, and ${markers} ownership TXT records at _fedsvc.<name>)`;
}
