// `fedsvc` as a user runs it: child processes against the guide's 13 member clusters (the
// Kubernetes API wire fixture), a host cluster for the Lease, and each DNS provider's server: a
// real BIND 9, and the Route 53 and Cloud DNS wire servers. The config problems of the file, the
// flags and the environment are the same whatever the provider: they run against BIND only.
import { guideHealthyAddresses, guideZones, guideClusterName } from '@fedsvc/core/testing';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Fedsvc, cleanEnv, runFedsvc, startFedsvc, until } from './harness.js';
import { DNS_BACKENDS } from './dns-servers.js';
import { GUIDE_GLOBAL as GLOBAL, type World, startWorld } from './world.js';

const ours = (name: string) => name.includes('.myfederation.svc.');

/** A copy of the config with the field at `path` set to `value` (undefined: removed). */
function withField(config: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(config);
  const keys = path.split('.');
  let at = copy;
  for (const key of keys.slice(0, -1)) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  if (value === undefined) delete at[keys.at(-1)!];
  else at[keys.at(-1)!] = value;
  return copy;
}

describe.each(DNS_BACKENDS)('fedsvc against the guide federation (wire fixtures, $label)', (backend) => {
  const notBind = backend.provider !== 'rfc2136';
  let world: World;
  let configPath: string;

  beforeAll(async () => {
    world = await startWorld(backend);
    configPath = await world.writeConfig(world.config, 'fedsvc.yaml');
  }, 60_000);
  afterAll(async () => {
    await world?.stop();
  });

  test.skipIf(notBind)(
    'bad configs: each field wrong in turn exits 1 naming the field and value, and nothing is touched',
    async () => {
      // `records` reads no cluster: the cases about clusters run `run`, which loads the Kubernetes client.
      const cases: { path: string; value: unknown; says: RegExp; command?: string }[] = [
        { path: 'federation.name', value: 'My_Federation', says: /^ {2}federation\.name: .*"My_Federation"/m },
        {
          path: 'federation.domain',
          value: 'example.net',
          says: /^ {2}federation\.domain: must be inside the DNS zone example\.com\. \(got "example\.net"\)/m,
        },
        { path: 'federation.ttl', value: -5, says: /^ {2}federation\.ttl: .*\(got -5\)/m },
        {
          path: 'federation.zoneNameFormat',
          value: 'region',
          says: /^ {2}federation\.zoneNameFormat: must be one of zone, zone\.region \(got "region"\)/m,
        },
        {
          path: 'dns.provider',
          value: 'bind',
          says: /^ {2}dns\.provider: must be one of route53, google, rfc2136, memory \(got "bind"\)/m,
        },
        { path: 'dns.rfc2136.port', value: 70000, says: /^ {2}dns\.rfc2136\.port: .*\(got 70000\)/m },
        { path: 'dns.rfc2136.tsigAlgorithm', value: 'hmac-md5', says: /^ {2}dns\.rfc2136\.tsigAlgorithm: .*\(got "hmac-md5"\)/m },
        {
          path: 'dns.rfc2136.tsigSecretFile',
          value: '/nonexistent/tsig-secret',
          says: /^ {2}dns\.rfc2136\.tsigSecretFile: cannot be read: ENOENT/m,
        },
        { path: 'ownerId', value: 'Not Valid', says: /^ {2}ownerId: .*\(got "Not Valid"\)/m },
        {
          path: 'members.contexts',
          value: ['gce-nowhere'],
          says: /^ {2}members\.contexts\[0\]\.context: is not a context of the kubeconfig .*\(got "gce-nowhere"\)/m,
          command: 'run',
        },
        {
          path: 'host.context',
          value: 'nohost',
          says: /^ {2}host\.context: is not a context of the kubeconfig .*\(got "nohost"\)/m,
          command: 'run',
        },
        { path: 'resyncInterval', value: '5 minutes', says: /^ {2}resyncInterval: must be a duration .*\(got "5 minutes"\)/m },
        {
          path: 'leaderElection.renewDeadline',
          value: '5s',
          says: /^ {2}leaderElection\.leaseDuration: must exceed renewDeadlineMs/m,
          command: 'run',
        },
        { path: 'log.level', value: 'loud', says: /^ {2}log\.level: must be one of .*\(got "loud"\)/m },
        { path: 'http.listen', value: 'everywhere', says: /^ {2}http\.listen: .*\(got "everywhere"\)/m },
        { path: 'services.files', value: ['/nonexistent/nginx.yaml'], says: /^ {2}services\.files\[0\]: cannot be read: ENOENT/m },
        {
          path: 'dns',
          value: { provider: 'google', zone: 'example.com.', google: { keyFilename: '/nonexistent/key.json' } },
          says: /^ {2}dns\.google\.keyFilename: cannot be read: ENOENT \(got "\/nonexistent\/key\.json"\)/m,
        },
        {
          path: 'federation.zone',
          value: 'example.com',
          says: /^ {2}federation\.zone: is not a field of the config \(known here: domain, name, trafficPolicy, ttl, zoneNameFormat\)/m,
        },
        {
          path: 'federation.trafficPolicy',
          value: { type: 'nearest' },
          says: /^ {2}federation\.trafficPolicy\.type: the rfc2136 DNS provider does not write the nearest traffic policy; it writes all, failover \(got "nearest"\)/m,
        },
        {
          path: 'federation.trafficPolicy',
          value: { type: 'failover', regions: ['us-east1'], weights: { 'gce-us-east1-b': 2 } },
          says: /^ {2}federation\.trafficPolicy\.weights: is no field of the failover policy/m,
        },
        {
          path: 'federation.trafficPolicy',
          value: { type: 'failover' },
          says: /^ {2}federation\.trafficPolicy\.regions: must name at least one region \(got \[\]\)/m,
        },
      ];
      const zoneBefore = await world.zone();
      const results: Awaited<ReturnType<typeof runFedsvc>>[] = [];
      for (let i = 0; i < cases.length; i += 4) {
        const batch = cases.slice(i, i + 4);
        results.push(
          ...(await Promise.all(
            batch.map(async ({ path, value }) =>
              runFedsvc(['run', '--config', await world.writeConfig(withField(world.config, path, value))]),
            ),
          )),
        );
      }
      cases.forEach(({ path, says }, i) => {
        const { code, stderr } = results[i]!;
        expect({ path, code }).toEqual({ path, code: 1 });
        expect(stderr, path).toMatch(says);
        // Only the one field is wrong: one problem.
        expect(stderr, path).toMatch(/the config has 1 problem:/);
      });
      expect(world.requestCount()).toBe(0);
      expect(await world.zone()).toEqual(zoneBefore);
    },
    300_000,
  );

  test.skipIf(notBind)('every problem at once, from the file, the environment and the flags', async () => {
    const config = withField(withField(world.config, 'ownerId', 'Bad Owner'), 'bogus', 1);
    const { code, stderr } = await runFedsvc(
      ['plan', '--config', await world.writeConfig(config), '--federation-name', 'Bad_Name'],
      cleanEnv({ FEDSVC_FEDERATION_TTL: 'soon' }),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/the config has 4 problems:/);
    expect(stderr).toMatch(/^ {2}bogus: is not a field of the config/m);
    expect(stderr).toMatch(/^ {2}ownerId: .*"Bad Owner"/m);
    expect(stderr).toMatch(/^ {2}federation\.ttl \(FEDSVC_FEDERATION_TTL\): must be an integer \(got "soon"\)/m);
    expect(stderr).toMatch(/^ {2}federation\.name: .*"Bad_Name"/m);
    expect(world.requestCount()).toBe(0);
  });

  test('a zone the provider does not hold: run says so at start and exits 1, nothing touched', async () => {
    const config = withField(withField(world.config, 'dns.zone', 'example.org.'), 'federation.domain', 'example.org');
    const zoneBefore = await world.zone();
    const before = world.requestCount();
    const { code, stderr } = await runFedsvc(['run', '--config', await world.writeConfig(config)], world.env());
    expect(code).toBe(1);
    expect(stderr).toMatch(/dns\.zone: example\.org\. is not a zone the credentials see/);
    expect(world.requestCount()).toBe(before);
    expect(await world.zone()).toEqual(zoneBefore);
  }, 60_000);

  test('plan before run: a shard in every cluster, exit 2, nothing written', async () => {
    const { code, stdout, stderr } = await runFedsvc(['plan', '--config', configPath], world.env());
    expect(code).toBe(2);
    expect(stderr).not.toMatch(/"level":(40|50|60)/);
    expect(stdout).toMatch(/^mynamespace\/nginx:$/m);
    for (const zone of guideZones) expect(stdout).toContain(`  + shard in ${guideClusterName(zone)}\n`);
    expect(stdout).toMatch(/Plan: 0 to add, 0 to change, 0 to destroy \(record sets\); 13 shard actions\.$/m);
    for (const api of world.members.values()) expect(api.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(world.host.requests).toEqual([]);
    expect((await world.zone()).filter((r) => ours(r.name))).toEqual([]);
  }, 180_000);

  describe('run', () => {
    let fedsvc: Fedsvc;
    let url: string;
    afterAll(() => {
      fedsvc?.child.kill('SIGKILL');
    });

    test('converges the guide federation, answers /readyz and /metrics', async () => {
      fedsvc = startFedsvc(['run', '--config', configPath], world.env());
      await until('the endpoints listen', () => /"url":"(http:[^"]+)"/.test(fedsvc.stdout()), 60_000);
      url = /"url":"(http:[^"]+)"/.exec(fedsvc.stdout())![1]!;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      await world.guideNginxUp();
      await until('ready', async () => (await fetch(`${url}/readyz`)).status === 200, 60_000);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^fedsvc_leader 1$/m);
      expect(metrics).toMatch(/^fedsvc_shards_healthy\{service="mynamespace\/nginx"\} 8$/m);
      expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
      await until('the end of the first sync is logged', () => /"msg":"first sync done"/.test(fedsvc.stdout()));
      const done = fedsvc
        .stdout()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { msg: string; clusters?: string; services?: string })
        .find((line) => line.msg === 'first sync done');
      expect(done).toMatchObject({ clusters: '13/13', services: '1/1' });
      expect(world.host.store.get('leases', 'fedsvc-system', 'fedsvc-cli-test')).toBeDefined();
    }, 180_000);

    test('SIGTERM: exit 0, the Lease released', async () => {
      fedsvc.child.kill('SIGTERM');
      expect(await fedsvc.exited).toBe(0);
      expect(fedsvc.stdout()).toMatch(/"msg":"stopped"/);
      const lease = world.host.store.get('leases', 'fedsvc-system', 'fedsvc-cli-test')?.object as { spec?: { holderIdentity?: string } };
      expect(lease.spec).toBeDefined();
      expect(lease.spec?.holderIdentity ?? '').toBe('');
    }, 60_000);
  });

  test('plan after run: nothing to change, exit 0', async () => {
    const { code, stdout } = await runFedsvc(['plan', '--config', configPath], world.env());
    expect(stdout).toMatch(/^No changes/);
    expect(code).toBe(0);
  }, 180_000);

  test('plan with a failover policy from the flags: the global name moves to the first region, exit 2', async () => {
    const { code, stdout } = await runFedsvc(
      ['plan', '--config', configPath, '--federation-traffic-policy-type', 'failover', '--federation-traffic-policy-regions', 'us-east1'],
      world.env(),
    );
    expect(code).toBe(2);
    const east = Object.entries(guideHealthyAddresses)
      .filter(([zone]) => zone.startsWith('us-east1-'))
      .map(([, address]) => address)
      .sort();
    const all = Object.values(guideHealthyAddresses).sort();
    expect(stdout).toContain(`~ ${GLOBAL} A 30 ${all.join(', ')} → ${east.join(', ')}`);
    // The name's ownership marker is rewritten with it, as every change at a marked name is.
    expect(stdout).toMatch(/Plan: 0 to add, 2 to change, 0 to destroy \(record sets\); 0 shard actions\./m);
  }, 180_000);

  test("records: the federation's record sets as gcloud lists them", async () => {
    const { code, stdout } = await runFedsvc(['records', '--config', configPath], world.env());
    expect(code).toBe(0);
    const [header, ...rows] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME +TYPE +TTL +DATA$/);
    const global = rows.find((row) => row.startsWith(`${GLOBAL} `) && / A /.test(row))!;
    expect(global.split(/ +/)).toEqual([GLOBAL, 'A', '30', Object.values(guideHealthyAddresses).sort().join(',')]);
    expect(rows.some((row) => row.startsWith('www.example.com.'))).toBe(false);
    const held = (await world.zone()).filter((r) => ours(r.name));
    expect(rows).toHaveLength(held.length);
  }, 60_000);

  test('status: the service per cluster, as kubectl describe showed it', async () => {
    const { code, stdout } = await runFedsvc(['status', '--config', configPath, 'mynamespace/nginx'], world.env());
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Name: +nginx$/m);
    expect(stdout).toMatch(/^Namespace: +mynamespace$/m);
    const rows = stdout.split('\n').filter((line) => /^ {2}gce-/.test(line));
    expect(rows).toHaveLength(13);
    for (const zone of guideZones) {
      const row = rows
        .find((line) => line.trim().startsWith(`${guideClusterName(zone)} `))!
        .trim()
        .split(/ +/);
      const healthy = zone in guideHealthyAddresses;
      expect(row.slice(0, 4)).toEqual([guideClusterName(zone), 'Ready', 'yes', healthy ? '1' : '0']);
      expect(row[5]).toBe(healthy ? 'yes' : 'no');
    }
  }, 60_000);

  test('check: every connection works', async () => {
    const { code, stdout, stderr } = await runFedsvc(['check', '--config', configPath], world.env());
    expect(stdout.trimEnd().split('\n'), stdout + stderr).toHaveLength(1 + 13 + 1);
    expect(stdout, stdout + stderr).toMatch(/^ok {4}host host lease fedsvc-system\/fedsvc-cli-test: held by nobody/m);
    expect(stdout).toMatch(/^ok {4}members\.contexts\[6\] gce-us-central1-a: Ready; us-central1 \(us-central1-a\)$/m);
    expect(stdout).toMatch(new RegExp(`^ok {4}dns \\(${backend.provider}\\) zone example\\.com\\.: found`, 'm'));
    expect(code).toBe(0);
  }, 60_000);

  test('check: credentials the DNS server refuses fail the zone line, naming where they come from; the rest works', async () => {
    const { refused } = world.dns;
    const config = await world.writeConfig(withField(world.config, 'dns', refused.dns));
    const { code, stdout, stderr } = await runFedsvc(['check', '--config', config], world.env(refused.env));
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines, stdout + stderr).toHaveLength(1 + 13 + 1);
    expect(lines.filter((line) => line.startsWith('ok    '))).toHaveLength(1 + 13);
    const source = refused.field === undefined ? 'the AWS SDK.s credential chain' : refused.field.replace(/\./g, '\\.');
    expect(stdout).toMatch(
      new RegExp(`^FAIL {2}dns \\(${backend.provider}\\) zone example\\.com\\.: ${source}.*: the credentials are refused: `, 'm'),
    );
  }, 60_000);

  test('check: a zone the provider does not hold fails the zone line naming dns.zone; the rest works', async () => {
    const config = withField(withField(world.config, 'dns.zone', 'example.org.'), 'federation.domain', 'example.org');
    const { code, stdout, stderr } = await runFedsvc(['check', '--config', await world.writeConfig(config)], world.env());
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines, stdout + stderr).toHaveLength(1 + 13 + 1);
    expect(lines.filter((line) => line.startsWith('ok    '))).toHaveLength(1 + 13);
    expect(stdout).toMatch(
      new RegExp(
        `^FAIL {2}dns \\(${backend.provider}\\) zone example\\.org\\.: dns\\.zone: example\\.org\\. is not a zone the credentials see: `,
        'm',
      ),
    );
  }, 60_000);

  test.skipIf(notBind)('federate: the guide nginx.yaml as a FederatedService', async () => {
    const { code, stdout } = await runFedsvc([
      'federate',
      '-f',
      (world.config['services'] as { files: string[] }).files[0]!,
      '--cluster',
      'gce-us-central1-a',
    ]);
    expect(code).toBe(0);
    expect(parse(stdout)).toEqual({
      apiVersion: 'fedsvc.io/v1alpha1',
      kind: 'FederatedService',
      metadata: { name: 'nginx', namespace: 'mynamespace' },
      spec: {
        template: {
          metadata: { labels: { run: 'nginx' } },
          spec: { type: 'LoadBalancer', selector: { run: 'nginx' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
        },
        placement: { clusters: [{ name: 'gce-us-central1-a' }] },
      },
    });
  });
});
