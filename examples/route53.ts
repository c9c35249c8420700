// The Federated Services guide's nginx records, kept in an AWS Route 53 hosted zone.
//
//   pnpm tsx --conditions=@fedsvc/source examples/route53.ts --local   # a local Route 53 wire server, no AWS account
//   pnpm tsx --conditions=@fedsvc/source examples/route53.ts           # your hosted zone, your AWS credentials
//
// Without --local the hosted zone named FEDSVC_DOMAIN (default example.com) must exist, and the
// credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
// AWS_PROFILE, SSO, an instance or task role). They need route53:ListHostedZones,
// route53:ListResourceRecordSets, route53:ChangeResourceRecordSets and route53:GetChange on that zone.
//
// When a public and a private hosted zone share the name (split-horizon), the name alone is
// ambiguous: set FEDSVC_HOSTED_ZONE_ID (Z…, with or without /hostedzone/) to the one to write.
// The zone is then read by GetHostedZone (route53:GetHostedZone instead of ListHostedZones).
// With --local and FEDSVC_HOSTED_ZONE_ID, the local server holds a public zone with that id and a
// private zone of the same name, to show the id picking one.
//
// The cluster state is the guide's: 13 clusters, nginx ready in 8 zones. A host feeds the same
// calls from its member clusters (or lets the controller do it, as in examples/quickstart.ts).
import { findZone, formatChanges, planServiceRecords, reconcileZone, type DnsZone, type Federation, type RecordSet } from '@fedsvc/core';
import { guideClusters, guideService, guideShards } from '@fedsvc/core/testing';
import { createRoute53Provider, type Route53ProviderOptions } from '@fedsvc/dns-route53';
import { columns } from './columns.js';

const local = process.argv.includes('--local');
const domain = process.env.FEDSVC_DOMAIN ?? 'example.com';
/** Marks the records this deployment owns; records with another owner (or none) are never touched. */
const ownerId = process.env.FEDSVC_OWNER_ID ?? 'fedsvc-example';
/** The hosted zone to write, when its name is not enough. */
const hostedZoneId = process.env.FEDSVC_HOSTED_ZONE_ID?.replace(/^\/hostedzone\//, '') || undefined;
const federation: Federation = { name: 'myfederation', domain };

const fixture = local ? await startLocalRoute53() : undefined;
const options: Route53ProviderOptions = {
  clientConfig: fixture
    ? { endpoint: fixture.url, region: 'us-east-1', credentials: fixture.credentials }
    : // Route 53 is global; the region only picks the signing endpoint. No `credentials`: the default chain.
      { region: process.env.AWS_REGION ?? 'us-east-1' },
  hostedZoneIds: hostedZoneId === undefined ? undefined : [hostedZoneId],
  // As the package README recommends: each change batch is waited on until Route 53 serves it
  // everywhere (INSYNC), so a later batch never runs ahead of it. The local server is quick.
  waitForInSync: fixture ? { pollIntervalMs: 50 } : true,
};

let provider: ReturnType<typeof createRoute53Provider> | undefined;
try {
  provider = createRoute53Provider(options);
  const zone = hostedZoneId === undefined ? await findZone(provider, { dnsName: domain }) : await findZone(provider, { id: hostedZoneId });
  if (zone.dnsName !== (domain.endsWith('.') ? domain : `${domain}.`).toLowerCase()) {
    throw new Error(`hosted zone ${hostedZoneId} is ${zone.dnsName}, not FEDSVC_DOMAIN ${domain}`);
  }
  console.log(`hosted zone ${zone.dnsName} (${zone.id})${fixture ? ` on the local Route 53 at ${fixture.url}` : ''}\n`);
  const desired = planServiceRecords({ federation, service: guideService, clusters: guideClusters, shards: guideShards });

  console.log('# converge: nginx ready in 8 of 13 zones');
  await converge(zone, desired);
  console.log('\n$ aws route53 list-resource-record-sets');
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
  provider?.close();
  await fixture?.close();
}

async function converge(zone: DnsZone, desired: readonly RecordSet[]): Promise<void> {
  const report = await reconcileZone({ provider: provider!, zone, desired, ownerId });
  console.log(formatChanges(report.changes));
  console.log(`${report.writes} ChangeResourceRecordSets request(s), ${report.reads} full read(s) of the zone, ${report.retries} retries`);
}

/** Starts the Route 53 wire fixture with the hosted zone, as the tests do. */
async function startLocalRoute53() {
  const { startRoute53Fixture, FIXTURE_CREDENTIALS } = await import('@fedsvc/dns-route53/testing');
  const server = await startRoute53Fixture();
  if (hostedZoneId === undefined) {
    server.createZone(domain);
  } else {
    server.createZone(domain, { id: hostedZoneId });
    server.createZone(domain, { privateZone: true });
  }
  return { url: server.url, credentials: FIXTURE_CREDENTIALS, close: () => server.close() };
}

/** The zone listing, ownership markers counted rather than shown. */
function dnsTable(records: readonly RecordSet<string>[], zone: DnsZone): string {
  const markers = records.filter((r) => r.name.startsWith('_fedsvc.')).length;
  const rows = records
    .filter((r) => !r.name.startsWith('_fedsvc.') && r.name !== zone.dnsName)
    .map((r) => [r.name, r.type, String(r.ttl), r.rrdatas.join(', ')]);
  return `${columns([['NAME', 'TYPE', 'TTL', 'DATA'], ...rows])}\n(besides the apex NS and SOA, and ${markers} ownership TXT records at _fedsvc.<name>)`;
}
