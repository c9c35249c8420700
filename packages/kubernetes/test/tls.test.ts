// Explicit connection settings over TLS: CA data, client certificate and key (base64 PEM, as in a kubeconfig).
import type { ClusterEvent } from '@fedsvc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKubernetesClusters } from '../src/index.js';
import { EventLog, FakeKubeApi, service } from '../src/testing/index.js';
import { type TestPki, makeTestPki } from '../src/testing/tls.js';

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

describe('TLS member cluster', () => {
  let pki: TestPki;
  let api: FakeKubeApi;
  beforeAll(async () => {
    pki = makeTestPki();
    api = await FakeKubeApi.start({ tls: { key: pki.serverKey, cert: pki.serverCert, clientCa: pki.caCert } });
    api.putService(service('ns', 'secure'));
  });
  afterAll(async () => {
    await api.stop();
  });

  const watchOnce = async (
    cluster: Parameters<typeof createKubernetesClusters>[0]['clusters'][number],
    until: (e: ClusterEvent) => boolean,
  ) => {
    const log = new EventLog();
    const watch = createKubernetesClusters({
      clusters: [cluster],
      healthPeriodMs: 30,
      failureThreshold: 1,
      backoff: { initialMs: 20, maxMs: 100 },
    }).watch(log.push);
    try {
      return await log.waitFor(until);
    } finally {
      await watch.stop();
    }
  };

  test('verifies the server with caData and authenticates with the client certificate', async () => {
    const cluster = {
      name: 'tls',
      server: api.url,
      caData: b64(pki.caCert),
      clientCert: b64(pki.clientCert),
      clientKey: b64(pki.clientKey),
      topology: { zones: ['z'], region: 'r' },
    };
    const shard = await watchOnce(cluster, (e) => e.type === 'shard');
    expect(shard).toMatchObject({ type: 'shard', shard: { cluster: 'tls', name: 'secure' } });
    const status = await watchOnce(cluster, (e) => e.type === 'cluster');
    expect(status).toMatchObject({ cluster: { health: 'Ready' } });
  });

  test('a server the CA did not sign is Offline with the TLS failure as reason', async () => {
    const other = makeTestPki();
    const cluster = {
      name: 'tls',
      server: api.url,
      caData: b64(other.caCert),
      clientCert: b64(pki.clientCert),
      clientKey: b64(pki.clientKey),
      topology: { zones: ['z'], region: 'r' },
    };
    const status = await watchOnce(cluster, (e) => e.type === 'cluster');
    expect(status).toMatchObject({ cluster: { health: 'Offline' } });
    expect((status as Extract<ClusterEvent, { type: 'cluster' }>).cluster.reason).toMatch(/unreachable: .*certificate/i);
  });
});
