// Leader election judges time on the monotonic clock: a replica's wall clock stepping (NTP, a VM
// resumed, an operator) neither lets a standby take a live lease nor keeps a leader leading past
// its renew deadline. The wall clock only dates what is written into the Lease.
import { ValidationError } from '@fedsvc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLeaseElection } from '../src/index.js';
import { FakeKubeApi } from '../src/testing/index.js';

const HOUR = 3_600_000;

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A wall clock that runs with the system's, plus an offset the test steps. */
function steppingWallClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, step: (ms: number) => void (offset += ms) };
}

describe('Lease leader election and clock steps', () => {
  let host: FakeKubeApi;
  beforeAll(async () => {
    host = await FakeKubeApi.start({ token: 'host' });
  });
  afterAll(async () => {
    await host.stop();
  });

  const candidate = (
    identity: string,
    name: string,
    extra: { now?: () => number; retryPeriodMs?: number; releaseOnStop?: boolean } = {},
  ) => {
    const state = { leads: 0, loses: 0, leading: false };
    const election = createLeaseElection({
      cluster: { name: 'host', server: host.url, token: 'host', skipTLSVerify: true },
      namespace: 'fedsvc-system',
      name,
      identity,
      leaseDurationMs: 3000,
      renewDeadlineMs: 1500,
      retryPeriodMs: 20,
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
  const reads = (name: string) => host.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/leases/${name}`)).length;

  test('a standby whose wall clock jumps far ahead does not take a lease that is being renewed', async () => {
    // A renews every 200 ms; B looks every 20 ms, so B mostly sees the record it saw before.
    const a = candidate('replica-a', 'skew-ahead', { retryPeriodMs: 200 });
    const wall = steppingWallClock();
    const b = candidate('replica-b', 'skew-ahead', { now: wall.now });
    const runA = a.election.campaign(a.onChange);
    await until(() => a.state.leading);
    const runB = b.election.campaign(b.onChange);
    try {
      const seen = reads('skew-ahead');
      await until(() => reads('skew-ahead') > seen + 5);
      // B's wall clock jumps an hour ahead: by it, A's last renewal is an hour old.
      wall.step(HOUR);
      const renewed = leaseSpec('skew-ahead')!['renewTime'];
      const mark = reads('skew-ahead');
      await until(() => reads('skew-ahead') > mark + 40 && leaseSpec('skew-ahead')!['renewTime'] !== renewed);
      expect(b.state.leads).toBe(0);
      expect(a.state).toMatchObject({ leads: 1, loses: 0, leading: true });
      expect(leaseSpec('skew-ahead')).toMatchObject({ holderIdentity: 'replica-a', leaseTransitions: 0 });

      // A hands the lease over; B takes it at once and dates it by its own wall clock, in RFC 3339 with microseconds.
      await runA.stop();
      await until(() => b.state.leading);
      const taken = leaseSpec('skew-ahead')!;
      expect(taken).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });
      expect(String(taken['renewTime'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(Date.parse(String(taken['renewTime'])) - Date.now()).toBeGreaterThan(HOUR - 60_000);
    } finally {
      await runA.stop();
      await runB.stop();
    }
  });

  test('a leader whose wall clock steps back still steps down within the renew deadline when its API server stops answering', async () => {
    const renewDeadlineMs = 1500;
    const wall = steppingWallClock();
    const a = candidate('replica-a', 'skew-back', { now: wall.now, retryPeriodMs: 100 });
    const run = a.election.campaign(a.onChange);
    try {
      await until(() => a.state.leading);
      const renewed = host.requests.length;
      await until(() => host.requests.slice(renewed).some((r) => r.method === 'PUT' && r.path.endsWith('/leases/skew-back')));
      host.setHanging(/\/leases\/skew-back$/);
      const hungAt = performance.now();
      // By the wall clock, the last renewal is now an hour in the future.
      wall.step(-HOUR);
      await until(() => a.state.loses === 1, renewDeadlineMs + 2000);
      expect(performance.now() - hungAt).toBeLessThan(renewDeadlineMs + 1500);
      expect(a.state.leading).toBe(false);
    } finally {
      host.setHanging(undefined);
      await run.stop();
    }
  });

  test('the clocks must be functions', () => {
    const base = {
      cluster: { name: 'host', server: 'http://127.0.0.1:1', skipTLSVerify: true },
      namespace: 'fedsvc-system',
      name: 'l',
      identity: 'a',
    };
    expect(() => createLeaseElection({ ...base, monotonicNow: 5 as unknown as () => number })).toThrow(ValidationError);
    expect(() => createLeaseElection({ ...base, monotonicNow: 5 as unknown as () => number })).toThrow(/options\.monotonicNow/);
    expect(() => createLeaseElection({ ...base, now: 'now' as unknown as () => number })).toThrow(/options\.now/);
  });
});
