// deploy/: the manifests parse and refer to each other consistently, the config each provider's
// ConfigMap holds passes fedsvc's own config check, the CRDs and RBAC are the kubernetes
// package's, and the RBAC grants exactly what `fedsvc run` uses: the process is run with the
// ConfigMap's config against the Kubernetes API wire fixture (a host cluster and 13 members), and
// every request it made is checked against the roles bound to the ServiceAccounts.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, FIELDS, setUp } from '@fedsvc/cli';
import type { ValidationError } from '@fedsvc/core';
import { crdManifests } from '@fedsvc/kubernetes';
import { FakeKubeApi, type JsonObject, endpointSlice, writeKubeconfig } from '@fedsvc/kubernetes/testing';
import { parse } from 'yaml';
import { type Manifest, kustomize, parseManifests } from './kustomize.js';
import { containerPort, find, referenceProblems, rulesOf } from './manifests.js';
import { ungranted, unused, usedPermissions } from './rbac.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(root, 'deploy');
const PROVIDERS = ['memory', 'route53', 'google', 'rfc2136'] as const;
const NAMESPACE = 'fedsvc-system';
/** The config's fields that name a credentials file, read when the config is checked. */
const CREDENTIAL_FILES = ['dns.rfc2136.tsigSecretFile', 'dns.google.keyFilename'];
const deployReadme = readFileSync(join(DEPLOY, 'README.md'), 'utf8');

const render = (dir: string) => kustomize(join(DEPLOY, dir));
const ordered = (manifests: readonly Manifest[]) =>
  [...manifests].sort((a, b) =>
    `${a.kind}/${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.namespace}/${b.metadata.name}`),
  );
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A config field's value as the file gives it, or its default. */
function fieldOf(config: JsonObject, path: string): unknown {
  const given = path.split('.').reduce<unknown>((value, part) => (value as JsonObject | undefined)?.[part], config);
  return given ?? FIELDS.find((field) => field.path === path)?.default;
}

/** The Deployment's one container, the config file its `--config` names and the ConfigMap text mounted there. */
function deployment(manifests: readonly Manifest[]) {
  const fedsvc = find(manifests, 'Deployment', 'fedsvc', NAMESPACE)!;
  const pod = fedsvc['spec']['template']['spec'] as Manifest;
  const container = pod['containers'][0] as Manifest;
  const args = container['args'] as string[];
  const configPath = args[args.indexOf('--config') + 1]!;
  const mountOf = (path: string) => (container['volumeMounts'] as Manifest[]).find((m) => m['mountPath'] === posix.dirname(path));
  const volumeOf = (path: string) => (pod['volumes'] as Manifest[]).find((v) => v['name'] === mountOf(path)?.['name']);
  const configMap = find(manifests, 'ConfigMap', volumeOf(configPath)?.['configMap']?.['name'], NAMESPACE);
  const configText = configMap?.['data']?.[posix.basename(configPath)] as string | undefined;
  return { fedsvc, pod, container, configPath, configText, volumeOf };
}

/** The problems fedsvc's config check finds in a config's text (none: it passes). */
async function configProblems(text: string): Promise<readonly ValidationError[]> {
  const dir = await mkdtemp(join(tmpdir(), 'fedsvc-deploy-config-'));
  try {
    const file = join(dir, 'config.yaml');
    await writeFile(file, text);
    await setUp({ file, env: {}, flags: new Map() }, { clusters: false, leaderElection: false }, () => quiet);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const kubectlKustomize = (dir: string): Manifest[] =>
  parseManifests(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), dir);
// kustomize's own rendering, where kubectl is installed (CI does not install it): kustomize.ts renders the rest.
const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('deploy/: the manifests', () => {
  test("deploy/ is the memory provider's install", () => {
    expect(ordered(render('.'))).toEqual(ordered(render('memory')));
  });

  test.each([...PROVIDERS, 'member'])('%s: every reference resolves, every namespaced object in a namespace it defines', (dir) => {
    expect(referenceProblems(render(dir))).toEqual([]);
  });

  test("the CRDs and the RBAC are the kubernetes package's, byte for byte", () => {
    const pkg = join(root, 'packages', 'kubernetes');
    const copies = [
      ['base/crds/federatedservices.yaml', 'crds/federatedservices.yaml'],
      ['base/crds/federatedclusters.yaml', 'crds/federatedclusters.yaml'],
      ['base/rbac/host.yaml', 'rbac/host.yaml'],
      ['member/rbac.yaml', 'rbac/member.yaml'],
    ];
    for (const [copy, original] of copies)
      expect(readFileSync(join(DEPLOY, copy!), 'utf8'), `cp packages/kubernetes/${original} deploy/${copy}`).toBe(
        readFileSync(join(pkg, original!), 'utf8'),
      );
    const crds = render('memory').filter((m) => m.kind === 'CustomResourceDefinition');
    expect(ordered(crds)).toEqual(ordered(crdManifests() as unknown as Manifest[]));
  });

  test.skipIf(!hasKubectl)('renders as kubectl kustomize does', () => {
    for (const dir of ['.', ...PROVIDERS, 'member'])
      expect(ordered(kubectlKustomize(join(DEPLOY, dir))), dir).toEqual(ordered(render(dir)));
  });

  test.each(PROVIDERS)("%s: two replicas electing a leader, probes on the config's port, non-root and read-only", (provider) => {
    const manifests = render(provider);
    const { fedsvc, pod, container, configText } = deployment(manifests);
    expect(configText, 'the ConfigMap mounted where --config names it').toBeDefined();
    const config = parse(configText!) as JsonObject;
    expect(fedsvc['spec']['replicas']).toBe(2);
    expect(fieldOf(config, 'leaderElection.enabled')).toBe(true);
    // In the pod's own cluster, where the Lease, the Role and the FederatedClusters' Secrets are.
    expect(fieldOf(config, 'host.inCluster')).toBe(true);
    expect(fieldOf(config, 'host.namespace')).toBe(fedsvc.metadata.namespace);
    expect(fieldOf(config, 'members.federatedClusters')).toBe(true);
    const port = Number(String(fieldOf(config, 'http.listen')).split(':').pop());
    expect(container['livenessProbe']['httpGet']['path']).toBe('/healthz');
    expect(container['readinessProbe']['httpGet']['path']).toBe('/readyz');
    expect(containerPort(container, container['livenessProbe']['httpGet']['port'])).toBe(port);
    expect(containerPort(container, container['readinessProbe']['httpGet']['port'])).toBe(port);
    expect(container['env']).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    expect(pod['securityContext']['runAsNonRoot']).toBe(true);
    expect(container['securityContext']).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container['securityContext']['capabilities']['drop']).toContain('ALL');
    expect(Object.keys(container['resources']['requests']).sort()).toEqual(['cpu', 'memory']);
    // SIGTERM drains and exits within 25 s: the pod is given longer before it is killed.
    expect(pod['terminationGracePeriodSeconds']).toBeGreaterThan(25);
    const version = (JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string }).version;
    expect(container['image']).toBe(`fedsvc:${version}`);
    // The image's user (node, uid 1000) and port.
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(pod['securityContext']['runAsUser']).toBe(1000);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
  });

  test.each(PROVIDERS)(
    "%s: the ConfigMap's config passes fedsvc's config check; credentials files are in the Secret mounted",
    async (provider) => {
      const manifests = render(provider);
      const { configText, volumeOf } = deployment(manifests);
      expect(readFileSync(join(DEPLOY, provider, 'config.yaml'), 'utf8')).toBe(configText);
      for (const problem of await configProblems(configText!)) {
        // Only a credentials file may be missing here: it is a key of a Secret the README tells how to create.
        expect(CREDENTIAL_FILES, problem.message).toContain(problem.field);
        const path = String(problem.value);
        const secret = volumeOf(path)?.['secret']?.['secretName'] as string | undefined;
        expect(secret, `${problem.field}: ${path} is in no Secret mounted`).toBeDefined();
        expect(find(manifests, 'Secret', secret!, NAMESPACE) ?? deployReadme).toMatch(
          new RegExp(`create secret generic ${secret}[^\\n]* --from-(file|literal)=${posix.basename(path)}=`),
        );
      }
    },
  );

  test('a broken reference is told, each in turn', () => {
    const breaks: [string, (manifests: Manifest[]) => void][] = [
      ['the ServiceAccount renamed', (m) => void (find(m, 'ServiceAccount', 'fedsvc', NAMESPACE)!.metadata.name = 'fedsvc-renamed')],
      ['the ConfigMap renamed', (m) => void (find(m, 'ConfigMap', 'fedsvc-config', NAMESPACE)!.metadata.name = 'other')],
      ['the Role renamed', (m) => void (find(m, 'Role', 'fedsvc-host', NAMESPACE)!.metadata.name = 'other')],
      ['the ClusterRole renamed', (m) => void (find(m, 'ClusterRole', 'fedsvc-host')!.metadata.name = 'other')],
      [
        'a binding in another namespace',
        (m) => void (find(m, 'RoleBinding', 'fedsvc-host', NAMESPACE)!['subjects'][0].namespace = 'default'),
      ],
      ['the Deployment in another namespace', (m) => void (find(m, 'Deployment', 'fedsvc', NAMESPACE)!.metadata.namespace = 'default')],
      ['a probe on a port not there', (m) => void (deployment(m).container['readinessProbe']['httpGet']['port'] = 'metrics')],
      ['a mount of no volume', (m) => void (deployment(m).container['volumeMounts'][0].name = 'gone')],
    ];
    for (const [what, broken] of breaks) {
      const manifests = render('memory');
      broken(manifests);
      expect(referenceProblems(manifests), what).not.toEqual([]);
    }
  });

  test('every path under deploy/ the READMEs name exists, and each `kubectl apply -k` names a kustomization', () => {
    const readmes = [readFileSync(join(root, 'README.md'), 'utf8'), deployReadme];
    const paths = readmes.flatMap((text) => [...text.matchAll(/(?<![\w/.])deploy\/[\w./-]*/g)].map((m) => m[0].replace(/\.$/, '')));
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(existsSync(join(root, path)), path).toBe(true);
    for (const text of readmes)
      for (const [, dir] of text.matchAll(/kubectl(?: --context \S+)? apply -k ([\w./-]+)/g))
        expect(existsSync(join(root, dir!, 'kustomization.yaml')), dir).toBe(true);
  });

  test("the READMEs' member steps: deploy/member/'s token Secret into the Secret the sample FederatedCluster names", () => {
    const sample = parseManifests(readFileSync(join(DEPLOY, 'samples', 'federatedcluster.yaml'), 'utf8'), 'federatedcluster.yaml')[0]!;
    const token = render('member').find((m) => m.kind === 'Secret' && m['type'] === 'kubernetes.io/service-account-token')!;
    for (const text of [readFileSync(join(root, 'README.md'), 'utf8'), deployReadme]) {
      expect(text).toContain(`-n ${token.metadata.namespace} get secret ${token.metadata.name} -o jsonpath='{.data.token}'`);
      // The keys memberKubeConfig reads, in the FederatedClusters' namespace (fedsvc's, where its Role reads Secrets).
      expect(text).toContain(
        `-n ${NAMESPACE} create secret generic ${sample['spec']['secretRef']['name']} --from-file=token --from-file=ca.crt`,
      );
    }
  });
});

describe('deploy/: the RBAC grants what fedsvc run uses, and nothing more', () => {
  const MEMBERS = 13;
  let host: FakeKubeApi;
  const members: FakeKubeApi[] = [];
  let dir: string;
  let child: ChildProcess | undefined;
  let output = '';

  const run = (args: readonly string[], env: Record<string, string>) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('FEDSVC_') && v !== undefined)) as Record<
      string,
      string
    >;
    return spawn(process.execPath, ['--import', 'tsx', '--conditions=@fedsvc/source', 'packages/cli/src/bin.ts', ...args], {
      cwd: root,
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  };
  const exited = (process: ChildProcess) =>
    new Promise<number | string>((resolve) => process.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  async function until(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${output.slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    host = await FakeKubeApi.start();
    for (let i = 0; i < MEMBERS; i++) {
      const api = await FakeKubeApi.start();
      api.setNode(`node-${i}`, { 'topology.kubernetes.io/zone': `zone-${i}`, 'topology.kubernetes.io/region': `region-${i % 4}` });
      members.push(api);
    }
    dir = await mkdtemp(join(tmpdir(), 'fedsvc-deploy-'));
  }, 60_000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    await Promise.all([host?.stop(), ...members.map((api) => api.stop())]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("the guide's nginx through its FederatedService: placed, told, deleted; the Lease taken and released", async () => {
    const manifests = render('memory');
    for (const crd of manifests.filter((m) => m.kind === 'CustomResourceDefinition')) host.installCrd(crd);
    // What the README has an administrator do: a FederatedCluster and its Secret per member, then the nginx Service federated.
    const sample = parseManifests(readFileSync(join(DEPLOY, 'samples', 'federatedcluster.yaml'), 'utf8'), 'federatedcluster.yaml')[0]!;
    members.forEach((api, i) => {
      const name = `member-${i}`;
      host.putSecret(NAMESPACE, name, { token: `token-${i}` });
      // The sample, pointed at this member: the host's schema admits it as written.
      host.putObject('federatedclusters.fedsvc.io', {
        ...sample,
        metadata: { ...sample.metadata, name },
        spec: { ...sample['spec'], server: api.url, secretRef: { name } },
      });
    });
    const federate = run(['federate', '-f', 'deploy/samples/nginx.yaml'], {});
    let federated = '';
    federate.stdout?.on('data', (chunk: Buffer) => {
      federated += chunk.toString('utf8');
    });
    expect(await exited(federate)).toBe(0);
    host.putObject('federatedservices.fedsvc.io', parse(federated) as JsonObject);

    // The ConfigMap's config as the pod reads it; only the host cluster is reached another way than in a pod.
    const configFile = join(dir, 'config.yaml');
    await writeFile(configFile, deployment(manifests).configText!);
    const kubeconfig = await writeKubeconfig([{ context: 'host', server: host.url }]);
    child = run(['run', '--config', configFile], {
      FEDSVC_HOST_IN_CLUSTER: 'false',
      FEDSVC_HOST_CONTEXT: 'host',
      FEDSVC_HOST_KUBECONFIG: kubeconfig.path,
      FEDSVC_HTTP_LISTEN: '127.0.0.1:0',
    });
    const running = child;
    const done = exited(running);
    running.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    running.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    try {
      await until('a shard in every member', () => members.every((api) => api.store.get('services', 'mynamespace', 'nginx') !== undefined));
      members.forEach((api, i) => {
        api.setIngress('mynamespace', 'nginx', [{ ip: `203.0.113.${i + 1}` }]);
        api.putEndpointSlice(endpointSlice('mynamespace', 'nginx', `nginx-${i}`, 1));
      });
      const nginx = () => host.getObject('federatedservices.fedsvc.io', 'mynamespace', 'nginx') as Manifest | undefined;
      await until('the status shows every shard healthy', () => nginx()?.['status']?.['healthyClusters'] === `${MEMBERS}/${MEMBERS}`);
      const created = () => host.listEvents('mynamespace').filter((e) => e['reason'] === 'ShardCreated');
      const told = () => created().reduce((sum, e) => sum + Number(e['count']), 0);
      await until('an Event for every shard created', () => told() === MEMBERS);
      // A shard deleted is created again, told by raising the count of the Event already written: the Events' patch.
      const own = created().find((e) => e['count'] === 1 && !String(e['message']).startsWith('(combined'))!;
      const again = members.findIndex((_, i) => String(own['message']).endsWith(` member-${i}`));
      members[again]!.deleteService('mynamespace', 'nginx');
      await until('the shard created again is told', () => told() === MEMBERS + 1);
      host.deleteObject('federatedservices.fedsvc.io', 'mynamespace', 'nginx');
      await until('the FederatedService gone, its finalizer removed', () => nginx() === undefined);
      expect(members.every((api) => api.store.get('services', 'mynamespace', 'nginx') === undefined)).toBe(true);
    } finally {
      running.kill('SIGTERM');
    }
    expect(await done, output.slice(-4000)).toBe(0);
    await kubeconfig.remove();

    const hostUsed = usedPermissions(host.requests);
    const memberUsed = members.flatMap((api) => usedPermissions(api.requests));
    // The Lease: read, created, renewed and released.
    expect(hostUsed.filter((p) => p.resource === 'leases').map((p) => p.verb)).toEqual(expect.arrayContaining(['get', 'create', 'update']));
    const hostRules = rulesOf(manifests, { name: 'fedsvc', namespace: NAMESPACE });
    const member = render('member');
    const memberRules = rulesOf(member, { name: 'fedsvc-member', namespace: NAMESPACE });
    expect(ungranted(hostUsed, hostRules)).toEqual([]);
    expect(unused(hostUsed, hostRules)).toEqual([]);
    expect(ungranted(memberUsed, memberRules)).toEqual([]);
    expect(unused(memberUsed, memberRules)).toEqual([]);
    // A verb less, and something fedsvc does is refused.
    for (const [i, rule] of hostRules.entries())
      for (const verb of rule.verbs) {
        const fewer = hostRules.map((r, j) => (j === i ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r));
        expect(ungranted(hostUsed, fewer), `${rule.resources} ${verb}`).not.toEqual([]);
      }
  }, 360_000);
});
