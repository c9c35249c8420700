// A Cloud DNS request that is never answered must not hold the zone's pass: every request the
// adapter makes has a deadline (requestTimeoutMs), is aborted when it passes, and fails as
// `transient`. The local server accepts these requests and stalls.
import { ProviderError, reconcileZone, ValidationError, type RecordSet } from '@fedsvc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createGoogleProvider } from '../src/index.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../src/sdk.js';
import { type Harness, startHarness } from './helpers.js';

const DEADLINE = 1_000;
const a = (name: string, ...rrdatas: string[]): RecordSet => ({ name, type: 'A', ttl: 180, rrdatas });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function timed(run: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const start = performance.now();
  try {
    await run();
    return { error: undefined, ms: performance.now() - start };
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
}

function expectTimedOut({ error, ms }: { error: unknown; ms: number }, operation: RegExp): void {
  expect(error).toBeInstanceOf(ProviderError);
  expect((error as ProviderError).kind).toBe('transient');
  expect((error as ProviderError).message).toMatch(operation);
  expect((error as ProviderError).message).toMatch(`no answer within ${DEADLINE} ms`);
  expect(ms).toBeGreaterThanOrEqual(DEADLINE - 20);
  // Generous: the machine is shared; without a deadline the call never ends.
  expect(ms).toBeLessThan(5_000);
}

describe('request deadlines (real SDK, local Cloud DNS that accepts and stalls)', () => {
  it('records, applyChanges and zones each fail as transient at the deadline, and the next call goes through', async () => {
    h = await startHarness({ provider: { requestTimeoutMs: DEADLINE } });
    const { provider, fixture, zone } = h;
    await provider.zones(); // the token is fetched once, before the stalls

    fixture.hangNext(1, { operation: 'rrsets.list' });
    expectTimedOut(await timed(() => provider.records(zone)), /^google: rrsets\.list example-com: /);

    fixture.hangNext(1, { operation: 'changes.create' });
    expectTimedOut(
      await timed(() => provider.applyChanges(zone, [{ kind: 'create', record: a('svc.example.com.', '192.0.2.1') }])),
      /^google: changes\.create example-com: /,
    );

    fixture.hangNext(1, { operation: 'managedZones.list' });
    expectTimedOut(await timed(() => provider.zones()), /^google: managedZones\.list: /);

    // Each stalled request was sent once; nothing is stuck behind them.
    expect(fixture.requests.filter((r) => r.status === 0).map((r) => r.operation)).toEqual([
      'rrsets.list',
      'changes.create',
      'managedZones.list',
    ]);
    expect((await provider.zones()).map((z) => z.id)).toEqual(['example-com']);
  });

  it("a stalled token exchange fails the request that needed it, at the request's deadline", async () => {
    h = await startHarness({ provider: { requestTimeoutMs: DEADLINE } });
    h.fixture.hangNext(1, { operation: 'token' });
    const { provider, zone } = h;
    expectTimedOut(await timed(() => provider.records(zone)), /^google: rrsets\.list example-com: /);
  });

  it('a reconcileZone pass against a stalled server fails as transient once its retries are spent, in bounded time', async () => {
    h = await startHarness({ provider: { requestTimeoutMs: DEADLINE } });
    const { provider, fixture, zone } = h;
    await provider.zones();
    fixture.hangNext(3);
    const { error, ms } = await timed(() =>
      reconcileZone({
        provider,
        zone,
        ownerId: 'fed-a',
        desired: [a('svc.example.com.', '192.0.2.1')],
        retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 },
      }),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('transient');
    expect((error as ProviderError).attempts).toBe(3);
    expect(fixture.requests.filter((r) => r.operation === 'rrsets.list').map((r) => r.status)).toEqual([0, 0, 0]);
    expect(ms).toBeLessThan(3 * DEADLINE + 5_000);
  });

  it('requestTimeoutMs defaults to 10 s and is validated', () => {
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(10_000);
    expect(createGoogleProvider({ projectId: 'fedsvc-fixture' }).dns.timeout).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '500' as unknown as number]) {
      expect(() => createGoogleProvider({ requestTimeoutMs: bad })).toThrow(ValidationError);
      expect(() => createGoogleProvider({ requestTimeoutMs: bad })).toThrow(expect.objectContaining({ field: 'requestTimeoutMs' }));
    }
  });
});
