// The fixture's wire format, checked without the SDK: what a Cloud DNS client sends and gets back.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CloudDnsServer, startCloudDnsServer } from '../src/testing/index.js';

let fixture: CloudDnsServer;
let base: string;
let token: string;

// biome-ignore lint/suspicious/noExplicitAny: the answers are the service's loose JSON, read field by field as its documentation shows them
async function call(method: string, path: string, body?: unknown, bearer = token): Promise<{ status: number; json: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

beforeEach(async () => {
  fixture = await startCloudDnsServer({ defaultPageSize: 3 });
  fixture.createZone('example-com', 'example.com.');
  base = `${fixture.url}/dns/v1/projects/${fixture.projectId}/managedZones`;
  const subject = await (await fetch(fixture.credentials.credential_source.url)).text();
  const exchanged = await fetch(fixture.credentials.token_url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subject }).toString(),
  });
  token = ((await exchanged.json()) as { access_token: string }).access_token;
});
afterEach(async () => {
  await fixture.close();
});

const a = (name: string, ...rrdatas: string[]) => ({ name, type: 'A', ttl: 60, rrdatas });

describe('Cloud DNS v1 wire format', () => {
  it('answers errors as { error: { code, message, errors: [{ domain, reason, message }] } }; no token is 401', async () => {
    const { status, json } = await call('GET', '', undefined, 'made-up');
    expect(status).toBe(401);
    expect(json.error.code).toBe(401);
    expect(json.error.errors[0]).toEqual({ domain: 'global', reason: 'authError', message: json.error.message });
  });

  it('pages rrsets with maxResults and nextPageToken, in name order', async () => {
    for (const n of ['d', 'b', 'c', 'a']) fixture.putRecordSet('example-com', a(`${n}.example.com.`, '192.0.2.1'));
    const first = await call('GET', '/example-com/rrsets?maxResults=4');
    expect(first.json.kind).toBe('dns#resourceRecordSetsListResponse');
    expect(first.json.rrsets.map((r: { name: string }) => r.name)).toEqual([
      'a.example.com.',
      'b.example.com.',
      'c.example.com.',
      'd.example.com.',
    ]);
    const second = await call('GET', `/example-com/rrsets?maxResults=4&pageToken=${first.json.nextPageToken}`);
    expect(second.json.rrsets.map((r: { type: string }) => r.type)).toEqual(['NS', 'SOA']);
    expect(second.json.nextPageToken).toBeUndefined();
  });

  it('applies a change all or nothing: a missing deletion refuses the additions beside it', async () => {
    const refused = await call('POST', '/example-com/changes', {
      additions: [a('new.example.com.', '192.0.2.1')],
      deletions: [a('gone.example.com.', '192.0.2.2')],
    });
    expect(refused.status).toBe(404);
    expect(refused.json.error.errors[0].reason).toBe('notFound');
    expect(fixture.recordSets('example-com').some((r) => r.name === 'new.example.com.')).toBe(false);
    const applied = await call('POST', '/example-com/changes', { additions: [a('new.example.com.', '192.0.2.1')] });
    expect(applied.status).toBe(200);
    expect(applied.json).toMatchObject({
      kind: 'dns#change',
      status: 'pending',
      additions: [{ kind: 'dns#resourceRecordSet', name: 'new.example.com.' }],
    });
  });

  it('cutNext applies the change, then closes the connection without an answer; the next request is answered', async () => {
    fixture.cutNext(1, { operation: 'changes.create' });
    const cut = await call('POST', '/example-com/changes', { additions: [a('new.example.com.', '192.0.2.1')] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(cut).toBeInstanceOf(TypeError);
    expect(fixture.recordSets('example-com').some((r) => r.name === 'new.example.com.')).toBe(true);
    expect(fixture.requests.filter((r) => r.operation !== 'token')).toEqual([
      { operation: 'changes.create', status: 200, zone: 'example-com', changes: 1, cut: true },
    ]);
    expect((await call('GET', '/example-com/rrsets')).status).toBe(200);
  });

  it('lists every per-change quota a change exceeds, as 403 quotaExceeded', async () => {
    await fixture.close();
    fixture = await startCloudDnsServer({ limits: { additionsPerChange: 1, rrdataBytesPerChange: 10 } });
    fixture.createZone('example-com', 'example.com.');
    base = `${fixture.url}/dns/v1/projects/${fixture.projectId}/managedZones`;
    const body = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: await (await fetch(fixture.credentials.credential_source.url)).text(),
    });
    token = ((await (await fetch(fixture.credentials.token_url, { method: 'POST', body })).json()) as { access_token: string })
      .access_token;
    const { status, json } = await call('POST', '/example-com/changes', {
      additions: [a('x.example.com.', '192.0.2.1'), a('y.example.com.', '192.0.2.2')],
    });
    expect(status).toBe(403);
    expect(json.error.errors.map((e: { message: string }) => e.message)).toEqual([
      'The change would exceed quota for additions per change.',
      'The change would exceed quota for total rrdata size per change.',
    ]);
  });

  it('changes.list: every write is a change in sequence, from the zone creation\'s "0"; sortBy, sortOrder, maxResults and pageToken as documented', async () => {
    fixture.putRecordSet('example-com', a('x.example.com.', '192.0.2.1'));
    expect((await call('POST', '/example-com/changes', { additions: [a('y.example.com.', '192.0.2.2')] })).status).toBe(200);
    fixture.removeRecordSet('example-com', 'x.example.com.', 'A');
    const all = await call('GET', '/example-com/changes?maxResults=10');
    expect(all.status).toBe(200);
    expect(all.json.kind).toBe('dns#changesListResponse');
    expect(all.json.changes.map((c: { id: string }) => c.id)).toEqual(['0', '1', '2', '3']);
    expect(all.json.changes[0].additions.map((r: { type: string }) => r.type).sort()).toEqual(['NS', 'SOA']);
    expect(all.json.changes[3].deletions).toEqual([{ kind: 'dns#resourceRecordSet', ...a('x.example.com.', '192.0.2.1') }]);
    const newest = await call('GET', '/example-com/changes?sortBy=changeSequence&sortOrder=descending&maxResults=1');
    expect(newest.json.changes.map((c: { id: string }) => c.id)).toEqual(['3']);
    const next = await call('GET', `/example-com/changes?sortOrder=descending&maxResults=2&pageToken=${newest.json.nextPageToken}`);
    expect(next.json.changes.map((c: { id: string }) => c.id)).toEqual(['2', '1']);
    const last = await call('GET', `/example-com/changes?sortOrder=descending&maxResults=2&pageToken=${next.json.nextPageToken}`);
    expect(last.json.changes.map((c: { id: string }) => c.id)).toEqual(['0']);
    expect(last.json.nextPageToken).toBeUndefined();
    for (const bad of ['sortBy=startTime', 'sortOrder=newest', 'maxResults=0']) {
      const refused = await call('GET', `/example-com/changes?${bad}`);
      expect(refused.status, bad).toBe(400);
      expect(refused.json.error.errors[0].reason).toBe('invalid');
    }
  });
});
