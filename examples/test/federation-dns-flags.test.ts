// The responder's header flags, asked with dig in front of a real BIND 9: a forwarder is not the
// authority for what it forwards (AA clear), and RA says the same thing on every answer.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryClusters } from '@fedsvc/core/testing';
import { guideFederation } from '@fedsvc/core/testing';
import { startBind, type BindServer } from '@fedsvc/dns-rfc2136/testing';
import { guideRecords, zoneLines } from '../federation-dns/guide-zone.js';
import { startResponder, type ResponderServer } from '../federation-dns/server.js';

const run = promisify(execFile);
const ZONE = 'us-central1-f';
const CLUSTER = `gce-${ZONE}`;
const FEDERATED = 'nginx.mynamespace.myfederation.svc.cluster.local.';

/** dig's header: status and flags. */
async function header(
  server: { host: string; port: number },
  name: string,
  type: string,
  ...options: string[]
): Promise<{ status: string; flags: string[] }> {
  const { stdout } = await run(
    'dig',
    [`@${server.host}`, '-p', String(server.port), '+time=2', '+tries=1', '+noall', '+comments', ...options, name, type],
    { timeout: 10_000 },
  );
  return {
    status: /status: (\w+)/.exec(stdout)?.[1] ?? `no answer: ${stdout}`,
    flags: (/flags: ([^;]*);/.exec(stdout)?.[1] ?? '').trim().split(/\s+/).sort(),
  };
}

describe('responder header flags (dig, real BIND 9 upstream)', () => {
  let bind: BindServer;
  let clusters: MemoryClusters;
  let forwarding: ResponderServer;
  let alone: ResponderServer;

  beforeAll(async () => {
    bind = await startBind({ zones: ['example.com'], records: zoneLines(guideRecords()) });
    clusters = new MemoryClusters([{ name: CLUSTER, zones: [ZONE], region: 'us-central1' }]);
    clusters.putService(CLUSTER, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'nginx', namespace: 'mynamespace' },
      spec: { selector: { run: 'nginx' }, ports: [{ port: 80, protocol: 'TCP' }] },
    });
    const options = {
      federation: guideFederation,
      zone: ZONE,
      region: 'us-central1',
      localService: (ns: string, n: string) => clusters.shard(CLUSTER, ns, n),
      port: 0,
    };
    forwarding = await startResponder({ ...options, upstream: { host: bind.host, port: bind.port } });
    alone = await startResponder(options);
  }, 60_000);

  afterAll(async () => {
    await forwarding?.stop();
    await alone?.stop();
    await bind?.stop();
  });

  it('BIND itself answers example.com SOA with AA (so that a relay copying it would show)', async () => {
    expect((await header(bind, 'example.com.', 'SOA', '+norecurse')).flags).toContain('aa');
  });

  it('a forwarded answer has AA clear and RA set, over UDP and TCP', async () => {
    for (const transport of ['+notcp', '+tcp']) {
      const answer = await header(forwarding, 'example.com.', 'SOA', transport);
      expect(answer.status).toBe('NOERROR');
      expect(answer.flags).toEqual(['qr', 'ra', 'rd']);
    }
    // An NXDOMAIN from the authority, forwarded: not ours either.
    const missing = await header(forwarding, 'missing.example.com.', 'A');
    expect(missing.status).toBe('NXDOMAIN');
    expect(missing.flags).not.toContain('aa');
  });

  it('with an upstream, RA is set on every answer: local, authoritative negative, chain, REFUSED or not, RD or not', async () => {
    clusters.setReadyEndpoints(CLUSTER, 'mynamespace', 'nginx', 1);
    expect((await header(forwarding, FEDERATED, 'A')).flags).toEqual(['aa', 'qr', 'ra', 'rd']);
    expect((await header(forwarding, FEDERATED, 'A', '+norecurse')).flags).toEqual(['aa', 'qr', 'ra']);
    const negative = await header(forwarding, 'nothing.cluster.local.', 'A');
    expect([negative.status, negative.flags]).toEqual(['NXDOMAIN', ['aa', 'qr', 'ra', 'rd']]);
    // Followed through BIND: the answer starts with our own CNAME, so AA (about the query name) stays.
    clusters.setReadyEndpoints(CLUSTER, 'mynamespace', 'nginx', 0);
    expect((await header(forwarding, FEDERATED, 'A')).flags).toEqual(['aa', 'qr', 'ra', 'rd']);
    const refused = await header(forwarding, 'example.com.', 'AXFR', '+notcp');
    expect(refused.status).toBe('REFUSED');
    expect(refused.flags).toContain('ra');
  });

  it('without an upstream, RA is set on no answer', async () => {
    clusters.setReadyEndpoints(CLUSTER, 'mynamespace', 'nginx', 1);
    for (const [name, type, status] of [
      [FEDERATED, 'A', 'NOERROR'],
      ['nothing.cluster.local.', 'A', 'NXDOMAIN'],
      ['example.com.', 'SOA', 'REFUSED'],
    ] as const) {
      const answer = await header(alone, name, type);
      expect([name, answer.status]).toEqual([name, status]);
      expect(answer.flags).not.toContain('ra');
    }
  });
});
