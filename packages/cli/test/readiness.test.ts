// /readyz follows the controller: not ready before the first sync, ready after it, and not
// ready while a service is held by a failure retrying cannot fix, which the controller logs.
import { createController } from '@fedsvc/core';
import { MemoryClusters, guideNginx } from '@fedsvc/core/testing';
import { createMemoryProvider } from '@fedsvc/dns-memory';
import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { serveEndpoints } from '../src/http.js';
import { observeClusters } from '../src/observe.js';
import { Readiness } from '../src/readiness.js';

interface Line {
  level: string;
  fields: object;
  msg: string | undefined;
}

/** A Logger (core's port) that keeps what it was told. */
function recordingLogger(): {
  lines: Line[];
  debug(o: object, m?: string): void;
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
} {
  const lines: Line[] = [];
  const at = (level: string) => (fields: object, msg?: string) => lines.push({ level, fields, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

function setUp(zoneId: string, backoff = { baseMs: 5, maxMs: 20 }) {
  const clusters = new MemoryClusters([
    { name: 'gce-us-central1-a', zones: ['us-central1-a'], region: 'us-central1', loadBalancerAddresses: ['203.0.113.1'] },
  ]);
  const provider = createMemoryProvider({ zones: [{ dnsName: 'example.com', id: 'example-com' }] });
  const logger = recordingLogger();
  let readiness: Readiness | undefined;
  const controller = createController({
    federation: { name: 'myfederation', domain: 'example.com' },
    ownerId: 'readiness-test',
    clusters: observeClusters(clusters, (event) => event.type === 'synced' && readiness?.synced()),
    dns: { provider, zone: { id: zoneId, dnsName: 'example.com.' } },
    services: [guideNginx],
    coalesceMs: 1,
    backoff,
    sleep: async () => {},
    logger,
  });
  readiness = new Readiness(controller);
  return { controller, readiness, logger, provider };
}

describe('readiness', () => {
  test('not ready until the clusters synced and the first passes settled; then ready', async () => {
    const { controller, readiness } = setUp('example-com');
    expect(readiness.state()).toEqual({ ready: false, reasons: ['the member clusters have not all been heard from yet'] });
    controller.start();
    try {
      await until(() => readiness.state().ready);
      expect(readiness.state().reasons).toEqual([]);
    } finally {
      await controller.stop();
    }
  });

  test('a failure retrying may fix in the first sync: 503 naming the service as retried, until a retry succeeds; then 200', async () => {
    const { controller, readiness, provider } = setUp('example-com', { baseMs: 20, maxMs: 40 });
    // Every request fails until the service has failed three times; then they get through.
    provider.failNext(1_000);
    const seen: ReturnType<Readiness['state']>[] = [];
    controller.on('apply-failed', ({ permanent }) => {
      expect(permanent).toBe(false);
      setImmediate(() => {
        seen.push(readiness.state());
        if (seen.length === 3) provider.clearFaults();
      });
    });
    controller.start();
    try {
      await until(() => readiness.state().ready);
      expect(seen).toHaveLength(3);
      for (const during of seen) {
        expect(during.ready).toBe(false);
        expect(during.reasons).toEqual([
          expect.stringMatching(/^mynamespace\/nginx: transient: .*injected.*: retried; the first sync waits for it$/),
        ]);
      }
    } finally {
      await controller.stop();
    }
  });

  test('after the first sync, a failure retrying may fix does not make it not ready', async () => {
    const { controller, readiness, provider } = setUp('example-com', { baseMs: 100, maxMs: 100 });
    controller.start();
    try {
      await until(() => readiness.state().ready);
      const states: boolean[] = [];
      let failures = 0;
      controller.on('apply-failed', ({ permanent }) => {
        failures++;
        expect(permanent).toBe(false);
        setImmediate(() => states.push(readiness.state().ready));
      });
      provider.failNext(1_000);
      controller.resync();
      await until(() => failures > 0);
      provider.clearFaults();
      await controller.idle();
      expect(states.length).toBeGreaterThan(0);
      expect([...states, readiness.state().ready].every(Boolean)).toBe(true);
    } finally {
      await controller.stop();
    }
  });

  test('a zone that does not exist: an error line, the first passes settle, and /readyz 503 naming only the service and the reason', async () => {
    const { controller, readiness, logger } = setUp('no-such-zone');
    const registry = new Registry();
    const { server, url } = await serveEndpoints('127.0.0.1:0', { ready: () => readiness.state(), registry });
    controller.start();
    try {
      await until(() => logger.lines.some((line) => line.level === 'error'));
      const error = logger.lines.find((line) => line.level === 'error')!;
      expect(error.fields).toMatchObject({ service: 'mynamespace/nginx', reason: 'not-found' });
      // The first passes settle: what holds the process back is the failure, not a sync under way.
      await until(() => readiness.settled);
      const response = await fetch(`${url}/readyz`);
      expect(response.status).toBe(503);
      const body = await response.text();
      expect(body).toMatch(/^not ready:\n- mynamespace\/nginx: not-found: .*no zone has id "no-such-zone"\n$/);
      // Told once, not at every retry.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(logger.lines.filter((line) => line.level === 'error')).toHaveLength(1);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await controller.stop();
      server.close();
    }
  });
});
