// `fedsvc run`: the controller, its endpoints, and a graceful stop on SIGTERM.
import { type FederationController, createController, dnsResolver } from '@fedsvc/core';
import type { Logger as PinoLogger } from 'pino';
import { Registry } from 'prom-client';
import type { Setup } from '../config/setup.js';
import { serveEndpoints } from '../http.js';
import { controllerMetrics, processMetrics } from '../metrics.js';
import { observeClusters } from '../observe.js';
import { Readiness } from '../readiness.js';
import { resolveZone } from '../zone.js';

/** How long a stop may take (passes under way drained, the Lease released) before the process exits anyway. */
export const STOP_DEADLINE_MS = 25_000;
/** Period of the progress lines during the first sync. */
const PROGRESS_PERIOD_MS = 2_000;

/**
 * Logs how far the first sync got (clusters heard from, services synced, record changes
 * written) every PROGRESS_PERIOD_MS, and once when it is done: when this replica, leading, has
 * settled its first passes (a standby logs the lines until it leads).
 */
function progress(controller: FederationController, readiness: Readiness, setup: Setup, logger: PinoLogger, seen: Set<string>): () => void {
  const synced = new Set<string>();
  let written = 0;
  controller.on('service-synced', ({ service }) => synced.add(service));
  controller.on('records-applied', ({ changes }) => {
    written += changes.length;
  });
  const report = (msg: string) =>
    logger.info(
      {
        clusters: `${seen.size}/${setup.clusters.clusters.length}`,
        services: setup.host === undefined ? `${synced.size}/${setup.services.length}` : synced.size,
        recordChangesWritten: written,
      },
      msg,
    );
  const timer = setInterval(() => {
    if (readiness.settled && !controller.leading) {
      clearInterval(timer);
      report('first sync done; standing by');
    } else {
      report('first sync under way');
    }
  }, PROGRESS_PERIOD_MS);
  timer.unref();
  void readiness.leaderSettled.then(() => {
    clearInterval(timer);
    report('first sync done');
  });
  return () => clearInterval(timer);
}

/** Runs until SIGTERM or SIGINT; resolves with the exit code. */
export async function run(setup: Setup, logger: PinoLogger): Promise<number> {
  const zone = await resolveZone(setup);
  const seen = new Set<string>();
  let readiness: Readiness | undefined;
  const clusters = observeClusters(setup.clusters, (event) => {
    if (event.type === 'cluster') seen.add(event.cluster.name);
    if (event.type === 'synced') readiness?.synced();
  });
  const controller = createController({
    federation: setup.federation,
    ownerId: setup.ownerId,
    clusters,
    dns: { provider: setup.provider, zone },
    // In resource mode the host source applies the FederatedServices.
    ...(setup.host === undefined ? { services: setup.services } : {}),
    resyncMs: setup.config.resyncIntervalMs,
    resolveHostname: dnsResolver(),
    logger,
    ...(setup.leaderElection === undefined ? {} : { leaderElection: setup.leaderElection }),
  });
  readiness = new Readiness(controller);
  const registry = new Registry();
  processMetrics(registry);
  controllerMetrics(controller, registry);
  const ready = readiness;
  const { server, url } = await serveEndpoints(setup.config.http.listen, { ready: () => ready.state(), registry });
  logger.info(
    { url, zone: zone.dnsName, zoneId: zone.id, provider: setup.provider.name, services: setup.services.length },
    'serving /healthz, /readyz, /metrics',
  );
  const stopProgress = progress(controller, readiness, setup, logger, seen);
  // The host source drives the controller from FederatedServices: it runs before the controller starts.
  const source = setup.host?.run(controller);
  controller.start();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'stopping: draining the passes under way, then releasing the Lease');
  stopProgress();
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([
    (source?.stop() ?? Promise.resolve()).then(() => controller.stop()).then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), STOP_DEADLINE_MS);
    }),
  ]);
  clearTimeout(timer);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!stopped) {
    logger.error({ deadlineMs: STOP_DEADLINE_MS }, 'the controller did not stop in time; exiting anyway');
    return 1;
  }
  logger.info({}, 'stopped');
  return 0;
}
