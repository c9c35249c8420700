// `fedsvc` in resource mode as a user runs it: a child process whose services and member clusters
// are FederatedService and FederatedCluster resources in the host cluster (the Kubernetes API wire
// fixture with the package's CRDs), writing the guide's records into a real BIND 9.
import { guideClusterName, guideHealthyAddresses, guideNginx, guideZones } from '@fedsvc/core/testing';
import { crdManifests } from '@fedsvc/kubernetes';
import { type JsonObject, federatedCluster, federatedService } from '@fedsvc/kubernetes/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Fedsvc, runFedsvc, startFedsvc, until } from './harness.js';
import { type World, startWorld } from './world.js';

const NAMESPACE = 'fedsvc-system';

describe('fedsvc run in resource mode (FederatedServices and FederatedClusters in the host cluster)', () => {
  let world: World;
  let resourceConfig: Record<string, unknown>;
  let fedsvc: Fedsvc | undefined;

  beforeAll(async () => {
    world = await startWorld();
    const { members: _members, services: _services, ...rest } = world.config;
    resourceConfig = { ...rest, members: { federatedClusters: true } };
  }, 60_000);
  afterAll(async () => {
    fedsvc?.child.kill('SIGKILL');
    await world?.stop();
  });

  /** The resources an administrator applies: the CRDs, a FederatedCluster (and its Secret) per member, the guide's nginx. */
  const applyResources = () => {
    const { host, members } = world;
    for (const crd of crdManifests()) host.installCrd(crd);
    for (const [name, api] of members) {
      host.putSecret(NAMESPACE, name, { token: `token-${name}` });
      host.putObject('federatedclusters.fedsvc.io', federatedCluster(name, api.url));
    }
    host.putObject('federatedservices.fedsvc.io', federatedService('mynamespace', 'nginx', guideNginx.manifest.spec as JsonObject));
  };

  test('contexts or service files besides the resources: exit 1 naming both fields, nothing touched', async () => {
    const config = { ...world.config, members: { ...(world.config['members'] as object), federatedClusters: true } };
    const { code, stderr } = await runFedsvc(['run', '--config', await world.writeConfig(config)]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/the config has 2 problems:/);
    expect(stderr).toMatch(/^ {2}members\.contexts: must be empty with members\.federatedClusters/m);
    expect(stderr).toMatch(/^ {2}services\.files: must be empty with members\.federatedClusters/m);
    expect(world.requestCount()).toBe(0);
  }, 60_000);

  test('no host cluster to read the resources from: exit 1 naming host.context, or host.inCluster outside a pod', async () => {
    const host = resourceConfig['host'] as Record<string, unknown>;
    const [noHost, outsidePod] = await Promise.all([
      runFedsvc(['plan', '--config', await world.writeConfig({ ...resourceConfig, host: { namespace: host['namespace'] } })]),
      runFedsvc([
        'plan',
        '--config',
        await world.writeConfig({ ...resourceConfig, host: { namespace: host['namespace'], inCluster: true } }),
      ]),
    ]);
    expect(noHost.code).toBe(1);
    expect(noHost.stderr).toMatch(/^ {2}host\.context: is required \(or host\.inCluster: true\) with members\.federatedClusters/m);
    expect(outsidePod.code).toBe(1);
    expect(outsidePod.stderr).toMatch(/^ {2}host\.inCluster: is not set: not running in a cluster/m);
    expect(world.requestCount()).toBe(0);
  }, 60_000);

  test('plan before run: the FederatedService planned into every FederatedCluster, exit 2, nothing written', async () => {
    applyResources();
    const { code, stdout } = await runFedsvc(['plan', '--config', await world.writeConfig(resourceConfig)]);
    expect(stdout).toMatch(/^mynamespace\/nginx:$/m);
    for (const zone of guideZones) expect(stdout).toContain(`  + shard in ${guideClusterName(zone)}\n`);
    expect(code).toBe(2);
    for (const api of [world.host, ...world.members.values()]) expect(api.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(world.host.getObject('federatedservices.fedsvc.io', 'mynamespace', 'nginx')?.['status']).toBeUndefined();
  }, 180_000);

  test("converges the guide's nginx from its FederatedService and writes its status; SIGTERM exits 0", async () => {
    const { host } = world;
    fedsvc = startFedsvc(['run', '--config', await world.writeConfig(resourceConfig)]);
    const running = fedsvc;
    await world.guideNginxUp();
    const nginx = () => host.getObject('federatedservices.fedsvc.io', 'mynamespace', 'nginx') as JsonObject & { status?: JsonObject };
    await until('the FederatedService status shows 8 of 13 healthy', () => nginx().status?.['healthyClusters'] === '8/13', 60_000);
    expect(nginx().status?.['clusters']).toHaveLength(13);
    await until('the end of the first sync is logged', () => /"msg":"first sync done"/.test(running.stdout()));
    const done = running
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; clusters?: string; services?: number })
      .find((line) => line.msg === 'first sync done');
    // The member clusters counted are the FederatedClusters, not members.contexts.
    expect(done).toMatchObject({ clusters: '13/13', services: 1 });
    expect(running.stderr()).not.toMatch(/"level":(50|60)/);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.stdout()).toMatch(/"msg":"stopped"/);
  }, 180_000);

  test('plan after run: no changes, exit 0; status lists the FederatedService per cluster', async () => {
    const configPath = await world.writeConfig(resourceConfig);
    const planned = await runFedsvc(['plan', '--config', configPath]);
    expect(planned.stdout).toMatch(/^No changes/);
    expect(planned.code).toBe(0);
    const { code, stdout } = await runFedsvc(['status', '--config', configPath]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Name: +nginx$/m);
    const rows = stdout.split('\n').filter((line) => /^ {2}gce-/.test(line));
    expect(rows).toHaveLength(13);
    for (const zone of Object.keys(guideHealthyAddresses))
      expect(
        rows
          .find((line) => line.trim().startsWith(`${guideClusterName(zone)} `))
          ?.trim()
          .split(/ +/)[5],
      ).toBe('yes');
  }, 180_000);

  test('check: every FederatedCluster the host cluster lists answers', async () => {
    const { code, stdout, stderr } = await runFedsvc(['check', '--config', await world.writeConfig(resourceConfig)]);
    expect(stdout.trimEnd().split('\n'), stdout + stderr).toHaveLength(1 + 13 + 1);
    expect(stdout).toMatch(/^ok {4}FederatedCluster gce-us-central1-a: Ready; us-central1 \(us-central1-a\)$/m);
    expect(code).toBe(0);
  }, 60_000);

  test("a FederatedCluster's topology overrides its nodes' labels in plan and check, as the host source reads it", async () => {
    // asia-east1-a's nodes say asia-east1-a; its FederatedCluster now says asia-east1-z.
    const name = guideClusterName('asia-east1-a');
    const object = federatedCluster(name, world.members.get(name)!.url);
    world.host.putObject('federatedclusters.fedsvc.io', {
      ...object,
      spec: { ...(object['spec'] as JsonObject), topology: { region: 'asia-east1', zones: ['asia-east1-z'] } },
    });
    const configPath = await world.writeConfig(resourceConfig);
    const [planned, checked] = await Promise.all([
      runFedsvc(['plan', '--config', configPath]),
      runFedsvc(['check', '--config', configPath]),
    ]);
    expect(planned.code, planned.stdout + planned.stderr).toBe(2);
    expect(planned.stdout).toMatch(/^ {2}\+ nginx\.mynamespace\.myfederation\.svc\.asia-east1-z\.example\.com\. A 30 130\.211\.57\.243$/m);
    expect(checked.stdout).toMatch(/^ok {4}FederatedCluster gce-asia-east1-a: Ready; asia-east1 \(asia-east1-z\)$/m);
    expect(checked.code).toBe(0);
  }, 180_000);

  test('a FederatedCluster stored with zones but no region: check says the override is ignored, and its nodes decide', async () => {
    // Stored past admission, as an object from before the CRD refused half a topology.
    const name = guideClusterName('europe-west1-b');
    const object = federatedCluster(name, world.members.get(name)!.url);
    world.host.store.put(
      'federatedclusters.fedsvc.io',
      { ...object, spec: { ...(object['spec'] as JsonObject), topology: { zones: ['europe-west1-z'] } } },
      [],
    );
    const { code, stdout, stderr } = await runFedsvc(['check', '--config', await world.writeConfig(resourceConfig)]);
    expect(stdout).toMatch(/^ok {4}FederatedCluster gce-europe-west1-b: Ready; europe-west1 \(europe-west1-b\)$/m);
    const warning = (stdout + stderr).split('\n').find((line) => line.includes('topology override ignored'));
    expect(warning).toMatch(/spec\.topology\.zones: is ignored without spec\.topology\.region.*europe-west1-z/);
    expect(code).toBe(0);
  }, 60_000);
});
