// `fedsvc discover` as a process: config, the responder watching a member cluster (the
// Kubernetes wire fixture), /healthz, /readyz, /metrics, SIGTERM.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeKubeApi, service, endpointSlice, writeKubeconfig } from '@fedsvc/kubernetes/testing';
import { cleanEnv, runFedsvc, startFedsvc, until } from './harness.js';

const run = promisify(execFile);
let api: FakeKubeApi;
let kubeconfig: { path: string; remove(): Promise<void> };
let dir: string;

beforeAll(async () => {
  api = await FakeKubeApi.start();
  api.setNode(
    'node-a',
    { 'topology.kubernetes.io/zone': 'us-central1-a', 'topology.kubernetes.io/region': 'us-central1' },
    { podCIDRs: ['10.244.0.0/24'] },
  );
  api.putService(service('mynamespace', 'nginx', { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] }));
  api.putEndpointSlice(endpointSlice('mynamespace', 'nginx', 'nginx-1', 1));
  kubeconfig = await writeKubeconfig([{ context: 'member', server: api.url }]);
  dir = await mkdtemp(join(tmpdir(), 'fedsvc-discover-'));
});
afterAll(async () => {
  await api?.stop();
  await kubeconfig?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const configText = (services: string) => `
federation: { name: myfederation, domain: example.com }
discovery:
  services: ${services}
  listen: 127.0.0.1:0
  ttl: 7
  context: member
  kubeconfig: ${kubeconfig.path}
http: { listen: '127.0.0.1:0' }
log: { format: json }
`;

describe('fedsvc discover', () => {
  test('answers from the member cluster, ready once listed, counts queries and drops, stops on SIGTERM', async () => {
    const file = join(dir, 'good.yaml');
    await writeFile(file, configText('[mynamespace/nginx]'));
    const fedsvc = startFedsvc(['discover', '--config', file], cleanEnv());
    try {
      await until('it answers', () => /"dns":"127\.0\.0\.1:\d+"/.test(fedsvc.stdout()), 60_000);
      const port = Number(/"dns":"127\.0\.0\.1:(\d+)"/.exec(fedsvc.stdout())![1]);
      const url = /"url":"(http:[^"]+)"/.exec(fedsvc.stdout())![1]!;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      await until('ready', async () => (await fetch(`${url}/readyz`)).status === 200, 30_000);
      const { stdout } = await run(
        'dig',
        ['@127.0.0.1', '-p', String(port), '+short', 'nginx.mynamespace.myfederation.svc.cluster.local.', 'A'],
        {
          timeout: 10_000,
        },
      );
      expect(stdout.trim().split('\n')).toEqual(['nginx.mynamespace.svc.cluster.local.', '10.96.0.10']);
      await new Promise<void>((resolve) => {
        const socket = createSocket('udp4');
        socket.send(Buffer.from([1, 2, 3]), port, '127.0.0.1', () => {
          socket.close();
          resolve();
        });
      });
      await until('the drop is counted', async () =>
        /fedsvc_discovery_dropped_total\{reason="malformed"\} 1/.test(await (await fetch(`${url}/metrics`)).text()),
      );
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/fedsvc_discovery_queries_total\{kind="local"\} 1/);
      expect(metrics).toMatch(/fedsvc_discovery_answer_seconds_count 1/);
      fedsvc.child.kill('SIGTERM');
      expect(await fedsvc.exited).toBe(0);
    } finally {
      fedsvc.child.kill('SIGKILL');
    }
  });

  test('a bad config is refused whole, every problem naming its field', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, `${configText('[mynamespace/nginx, nonsense]')}\n`.replace('ttl: 7', 'ttl: 7\n  bogus: 1'));
    const { code, stderr } = await runFedsvc(['discover', '--config', file]);
    expect(code).toBe(1);
    expect(stderr).toContain('discovery.services[1]');
    expect(stderr).toContain('discovery.bogus');
  });
});
