// Run by node-support.test.ts in a child process: imports the adapter and its fixture, makes a
// request through the real SDK, and prints every process warning it saw (and a probe of its own,
// so the parent knows warnings were being caught).
const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));

const { createRoute53Provider } = await import('@fedsvc/dns-route53');
const { FIXTURE_CREDENTIALS, startRoute53Fixture } = await import('@fedsvc/dns-route53/testing');
const fixture = await startRoute53Fixture();
fixture.createZone('example.com');
const provider = createRoute53Provider({ clientConfig: { endpoint: fixture.url, region: 'us-east-1', credentials: FIXTURE_CREDENTIALS } });
const zones = await provider.zones();
provider.close();
await fixture.close();
process.emitWarning('probe', 'FedsvcProbe');
// Warnings are emitted on the next tick.
await new Promise((resolve) => setImmediate(resolve));
console.log(JSON.stringify({ zones: zones.map((zone) => zone.dnsName), warnings }));
