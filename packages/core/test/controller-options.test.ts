// The controller's boundary: every option is checked when the controller is created, and every
// call a host can make refuses bad arguments with a ValidationError naming the field.
import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { FederationController } from '../src/controller/controller.js';
import { ValidationError } from '../src/errors.js';
import { guideWorld, nginx, within } from './controller.fixture.js';

const running: FederationController[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

/** The ValidationError `make` throws; fails when it throws anything else or nothing. */
function refusal(make: () => unknown): ValidationError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

const MAX_TIMER_MS = 2 ** 31 - 1;

describe('options are checked when the controller is created', () => {
  test.each([
    ['clusters', { clusters: null }],
    ['clusters', { clusters: {} }],
    ['clusters', { clusters: { watch: () => ({ stop: async () => {} }) } }],
    ['dns', { dns: undefined }],
    ['dns.provider', { dns: { provider: null, zone: { id: 'z', dnsName: 'example.com.' } } }],
    ['dns.provider', { dns: { provider: { name: 'x', limits: {} }, zone: { id: 'z', dnsName: 'example.com.' } } }],
    ['dns.zone', { dns: { zone: undefined } }],
    ['dns.zone.dnsName', { dns: { zone: { id: 'z', dnsName: 42 } } }],
    ['services', { services: nginx() }],
    ['services', { services: 'nginx' }],
    ['logger', { logger: { info: () => {} } }],
    ['logger', { logger: 'console' }],
    ['leaderElection', { leaderElection: {} }],
    ['resolveHostname', { resolveHostname: 'dns' }],
    ['retry.maxAttempts', { retry: { maxAttempts: 0 } }],
    ['retry.budgetMs', { retry: { budgetMs: -1 } }],
    ['retry.maxDelayMs', { retry: { maxDelayMs: MAX_TIMER_MS + 1 } }],
  ] as const)('%s: %j', (field, bad) => {
    const world = guideWorld();
    // The zone's own id and provider stay unless the case replaces them.
    const dns = 'dns' in bad && bad.dns !== undefined ? { provider: world.provider, zone: world.zone, ...(bad.dns as object) } : undefined;
    const overrides = 'dns' in bad ? { ...bad, dns } : bad;
    const error = refusal(() => world.controller(overrides as never));
    expect(error.field).toBe(field);
  });

  test('a federation domain outside the DNS zone is refused, one inside it (or the zone itself) accepted', () => {
    const world = guideWorld();
    const outside = refusal(() => world.controller({ federation: { name: 'myfederation', domain: 'example.org' } }));
    expect(outside.field).toBe('federation.domain');
    expect(outside.reason).toMatch(/example\.com\./);
    // A suffix of letters is not a parent domain.
    expect(() => world.controller({ federation: { name: 'myfederation', domain: 'notexample.com' } })).toThrow(ValidationError);
    expect(() => world.controller({ federation: { name: 'myfederation', domain: 'fed.Example.COM.' } })).not.toThrow();
    expect(() => world.controller({ federation: { name: 'myfederation', domain: 'example.com' } })).not.toThrow();
  });

  test('timer values Node cannot wait are refused: from 1 ms to 2^31-1 ms (coalesceMs from 0)', () => {
    const world = guideWorld();
    const timers = ['resyncMs', 'callTimeoutMs', 'backoff.baseMs', 'backoff.maxMs', 'coalesceMs'] as const;
    const set = (field: (typeof timers)[number], value: unknown) =>
      field === 'backoff.baseMs'
        ? { backoff: { baseMs: value, maxMs: MAX_TIMER_MS } }
        : field === 'backoff.maxMs'
          ? { backoff: { maxMs: value } }
          : { [field]: value };
    fc.assert(
      fc.property(
        fc.constantFrom(...timers),
        fc.oneof(
          fc.double({ min: MAX_TIMER_MS + 1, max: 1e300, noNaN: true }),
          fc.double({ min: -1e6, max: 0.999, noNaN: true }),
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
        ),
        (field, value) => {
          // coalesceMs and backoff waits may be 0: no wait at all.
          fc.pre(!(value === 0 && (field === 'coalesceMs' || field.startsWith('backoff'))));
          fc.pre(!(value >= 0 && value < 1 && (field === 'coalesceMs' || field.startsWith('backoff'))));
          const error = refusal(() => world.controller(set(field, value) as never));
          expect(error.field).toBe(field);
        },
      ),
    );
    for (const field of timers) expect(() => world.controller(set(field, MAX_TIMER_MS) as never)).not.toThrow();
  });

  // A resync asks the zone's version first (the memory provider has one), then reads when it moved.
  const asked = (world: ReturnType<typeof guideWorld>) => world.provider.requests().reads + world.provider.requests().versions;

  test('resyncMs: false turns the periodic resync off; the zone is neither read nor asked its version however long it runs', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'setTimeout', 'clearInterval', 'clearTimeout'] });
    const world = guideWorld();
    const controller = world.controller({ resyncMs: false, services: [nginx()] });
    running.push(controller);
    controller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    const before = asked(world);
    await vi.advanceTimersByTimeAsync(30 * 24 * 3_600_000);
    expect(asked(world)).toBe(before);
    expect(controller.resyncStatus()).toMatchObject({ reason: 'off', configuredMs: false });
  });

  test('with the default resync the zone is read again after 5 minutes', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'setTimeout', 'clearInterval', 'clearTimeout'] });
    const world = guideWorld();
    const controller = world.controller({ services: [nginx()] });
    running.push(controller);
    controller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    const before = asked(world);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(asked(world)).toBeGreaterThan(before);
  });

  test('a federation TTL whose milliseconds overflow a timer is clamped, with a warning', () => {
    const world = guideWorld();
    const warn = vi.fn();
    const logger = { debug: () => {}, info: () => {}, warn, error: () => {} };
    world.controller({
      federation: { name: 'myfederation', domain: 'example.com', ttl: 2 ** 31 - 1 },
      logger,
      resolveHostname: async () => [],
    });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ ttl: 2 ** 31 - 1 }), expect.stringMatching(/hostname/));
  });
});

describe('the calls refuse bad arguments with a ValidationError', () => {
  test.each([
    [[42, 'nginx'], 'namespace'],
    [['mynamespace', undefined], 'name'],
    [['mynamespace', 'nginx', 'yes'], 'options'],
    [['mynamespace', 'nginx', { deleteAdopted: 'yes' }], 'options.deleteAdopted'],
  ] as const)('deleteService(%j)', (args, field) => {
    const controller = guideWorld().controller();
    const error = refusal(() => (controller.deleteService as (...a: unknown[]) => void)(...args));
    expect(error.field).toBe(field);
  });

  test('applyService refuses a spec it cannot copy (a BigInt, a cycle, a getter that throws), and nothing is scheduled', async () => {
    const world = guideWorld();
    const controller = world.controller();
    running.push(controller);
    controller.start();
    const withBigInt = nginx();
    (withBigInt.manifest.spec as Record<string, unknown>)['big'] = 10n;
    const withCycle = nginx();
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    (withCycle.manifest.spec as Record<string, unknown>)['cycle'] = cycle;
    const withGetter = nginx();
    Object.defineProperty(withGetter.manifest.spec, 'ports', {
      enumerable: true,
      get() {
        throw new Error('no ports today');
      },
    });
    for (const bad of [withBigInt, withCycle, withGetter]) {
      const error = refusal(() => controller.applyService(bad));
      expect(error.field).toMatch(/^service\.manifest/);
    }
    await within(controller.idle());
    expect(world.clusters.actions).toEqual([]);
  });
});
