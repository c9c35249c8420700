import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ValidationError } from '@fedsvc/core';
import { createLeaseElection } from '../src/index.js';
import { FakeKubeApi } from '../src/testing/index.js';

/** A monotonic clock the test moves; lease expiry is judged on it. */
function manualClock(start = Date.parse('2026-11-25T08:00:00Z')) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Lease leader election', () => {
  let host: FakeKubeApi;
  beforeAll(async () => {
    host = await FakeKubeApi.start({ token: 'host' });
  });
  afterAll(async () => {
    await host.stop();
  });

  const candidate = (identity: string, clock: { now: () => number }, name: string, extra: { releaseOnStop?: boolean } = {}) => {
    const state = { leads: 0, loses: 0, leading: false };
    const election = createLeaseElection({
      cluster: { name: 'host', server: host.url, token: 'host', skipTLSVerify: true },
      namespace: 'fedsvc-system',
      name,
      identity,
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 20,
      monotonicNow: clock.now,
      ...extra,
    });
    const onChange = (leading: boolean) => {
      if (leading) state.leads += 1;
      else state.loses += 1;
      state.leading = leading;
    };
    return { election, state, onChange };
  };

  const leaseSpec = (name: string) =>
    host.store.get('leases', 'fedsvc-system', name)?.object['spec'] as Record<string, unknown> | undefined;

  test('one of two candidates leads; the other takes over within the lease duration after the leader dies', async () => {
    const clock = manualClock();
    const a = candidate('replica-a', clock, 'takeover', { releaseOnStop: false });
    const b = candidate('replica-b', clock, 'takeover');
    const runA = a.election.campaign(a.onChange);
    await until(() => a.state.leading);
    const runB = b.election.campaign(b.onChange);
    try {
      // B sees a live holder and stays standby while the clock stands still, however often it tries.
      const before = host.requests.length;
      await until(() => host.requests.length > before + 20);
      expect(b.state.leads).toBe(0);
      const held = leaseSpec('takeover')!;
      expect(held).toMatchObject({ holderIdentity: 'replica-a', leaseDurationSeconds: 3, leaseTransitions: 0 });
      expect(String(held['renewTime'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

      // A crashes (stops renewing, releases nothing). Not yet a lease duration later: B still waits.
      await runA.stop();
      // B notes A's last renewal (on its own clock) before time moves on.
      const seen = host.requests.length;
      await until(() => host.requests.length > seen + 5);
      clock.advance(2000);
      const mark = host.requests.length;
      await until(() => host.requests.length > mark + 10);
      expect(b.state.leads).toBe(0);
      // A full lease duration after B last saw the lease change, B takes it.
      clock.advance(1100);
      await until(() => b.state.leading);
      expect(leaseSpec('takeover')).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });
      // Stopping ended A's leadership: it said so, once.
      expect(a.state).toMatchObject({ leads: 1, loses: 1, leading: false });
    } finally {
      await runB.stop();
    }
    // B released on stop: the lease is free for the next replica at once.
    expect(leaseSpec('takeover')).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
  });

  test('a released lease is taken at once, and a leader that finds another holder steps down', async () => {
    const clock = manualClock();
    const a = candidate('replica-a', clock, 'handover');
    const b = candidate('replica-b', clock, 'handover');
    const runA = a.election.campaign(a.onChange);
    await until(() => a.state.leading);
    const runB = b.election.campaign(b.onChange);
    await runA.stop();
    // No clock movement needed: A gave the lease back.
    await until(() => b.state.leading);
    expect(leaseSpec('handover')).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });

    // Someone else writes the lease behind B's back (a replica with a skewed view, an operator).
    const current = host.store.get('leases', 'fedsvc-system', 'handover')!;
    const spec = current.object['spec'] as Record<string, unknown>;
    host.store.put('leases', { ...current.object, spec: { ...spec, holderIdentity: 'intruder' } }, []);
    await until(() => b.state.loses === 1);
    expect(b.state.leading).toBe(false);
    await runB.stop();
    expect(b.state).toMatchObject({ leads: 1, loses: 1 });
    // B does not give away a lease it no longer holds.
    expect(leaseSpec('handover')).toMatchObject({ holderIdentity: 'intruder' });
  });

  test('a leader whose API server stops answering steps down within the renew deadline, and leads again once it answers', async () => {
    const renewDeadlineMs = 1500;
    const state = { leads: 0, loses: 0, leading: false };
    const election = createLeaseElection({
      cluster: { name: 'host', server: host.url, token: 'host', skipTLSVerify: true },
      namespace: 'fedsvc-system',
      name: 'blackhole',
      identity: 'replica-a',
      leaseDurationMs: 3000,
      renewDeadlineMs,
      retryPeriodMs: 100,
    });
    const run = election.campaign((leading) => {
      if (leading) state.leads += 1;
      else state.loses += 1;
      state.leading = leading;
    });
    try {
      await until(() => state.leading);
      const renewed = host.requests.length;
      await until(() => host.requests.slice(renewed).some((r) => r.method === 'PUT' && r.path.endsWith('/leases/blackhole')));
      const hungAt = Date.now();
      const asked = host.requests.length;
      host.setHanging(/\/leases\/blackhole$/);
      // Nothing answers, and nothing resets the connection: only the deadline can end the leadership.
      await until(() => state.loses === 1, renewDeadlineMs + 2000);
      expect(Date.now() - hungAt).toBeLessThan(renewDeadlineMs + 2000);
      expect(state).toMatchObject({ leads: 1, leading: false });
      expect(host.requests.slice(asked).some((r) => r.path.endsWith('/leases/blackhole'))).toBe(true);
      // The API server answers again: the lease, still ours, is renewed and held again.
      host.setHanging(undefined);
      await until(() => state.leading, 5000);
      expect(state.leads).toBe(2);
    } finally {
      host.setHanging(undefined);
      await run.stop();
    }
  });

  test('a leader whose API server answers errors slowly steps down by its renew deadline, before a standby can take the Lease', async () => {
    // Between the leader and the API server: passes requests through until partitioned, then answers 500 after 350 ms.
    let partitioned = false;
    const target = new URL(host.url);
    const proxy = createServer((req, res) => {
      if (partitioned) {
        setTimeout(
          () =>
            res
              .writeHead(500, { 'content-type': 'application/json' })
              .end('{"kind":"Status","apiVersion":"v1","status":"Failure","code":500}'),
          350,
        );
        return;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    // renewDeadline + retryPeriod exceeds the lease duration: a leader sleeping a whole retry period past its deadline would overlap.
    const timing = { leaseDurationMs: 1000, renewDeadlineMs: 900, retryPeriodMs: 500, releaseOnStop: false };
    const seen = { a: false, b: false, overlap: false };
    const replica = (identity: 'a' | 'b', server: string) =>
      createLeaseElection({
        cluster: { name: 'host', server, token: 'host', skipTLSVerify: true },
        namespace: 'fedsvc-system',
        name: 'slow-errors',
        identity,
        ...timing,
      }).campaign((leading) => {
        seen[identity] = leading;
        if (seen.a && seen.b) seen.overlap = true;
      });
    const a = replica('a', `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    let b: { stop(): Promise<void> } | undefined;
    try {
      await until(() => seen.a);
      partitioned = true;
      b = replica('b', host.url);
      await until(() => seen.b, 5000);
      expect(seen.a).toBe(false);
      expect(seen.overlap).toBe(false);
    } finally {
      await b?.stop();
      await a.stop();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  test('writes race through resourceVersion: a stale update is refused with 409 Conflict', async () => {
    const clock = manualClock();
    const a = candidate('replica-a', clock, 'race');
    const run = a.election.campaign(a.onChange);
    await until(() => a.state.leading);
    await run.stop();
    const stale = await fetch(`${host.url}/apis/coordination.k8s.io/v1/namespaces/fedsvc-system/leases/race`, {
      method: 'PUT',
      headers: { authorization: 'Bearer host', 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'race', resourceVersion: '1' }, spec: { holderIdentity: 'x' } }),
    });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
  });

  test('bad options are ValidationErrors naming the field', () => {
    const base = {
      cluster: { name: 'host', server: 'http://127.0.0.1:1', skipTLSVerify: true },
      namespace: 'fedsvc-system',
      name: 'l',
      identity: 'a',
    };
    expect(() => createLeaseElection({ ...base, renewDeadlineMs: 20_000 })).toThrow(ValidationError);
    expect(() => createLeaseElection({ ...base, renewDeadlineMs: 20_000 })).toThrow(/options\.leaseDurationMs/);
    expect(() => createLeaseElection({ ...base, namespace: 'Bad_NS' })).toThrow(/options\.namespace/);
    expect(() => createLeaseElection({ ...base, identity: '' })).toThrow(/options\.identity/);
    expect(() => createLeaseElection({ ...base, cluster: { name: 'host', server: 'http://127.0.0.1:1' } })).toThrow(
      /options\.cluster\.server: plain http/,
    );
  });
});
