// A controller that writes nothing, run until its first passes settle: what `plan` and
// `status` read the member clusters and the zone through.
import { type FederatedService, type FederationController, createController, dnsResolver } from '@fedsvc/core';
import type { Logger } from 'pino';
import type { Setup } from '../config/setup.js';
import { observeClusters } from '../observe.js';
import { listFederation } from '../resources.js';
import { resolveZone } from '../zone.js';

/** How long the member clusters and the passes may take before a dry run gives up. */
export const DRY_RUN_DEADLINE_MS = 120_000;

/**
 * Starts a dry-run controller (`watch` sees it before it starts) on the config's services and
 * member clusters (in resource mode, those the host cluster lists now), waits until the member clusters
 * synced and its passes settled, and returns what `read` makes of it and of the services; undefined, with an
 * error logged, when a pass failed (the answer would be incomplete) or the deadline passed.
 */
export async function afterDryRun<T>(
  setup: Setup,
  logger: Logger,
  watch: (controller: FederationController) => void,
  read: (controller: FederationController, services: readonly FederatedService[]) => T,
): Promise<T | undefined> {
  const zone = await resolveZone(setup);
  const { services, clusters } = setup.host === undefined ? setup : await listFederation(setup.config, logger);
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  const controller = createController({
    federation: setup.federation,
    ownerId: setup.ownerId,
    clusters: observeClusters(clusters, (event) => event.type === 'synced' && markSynced()),
    dns: { provider: setup.provider, zone },
    services,
    resyncMs: false,
    resolveHostname: dnsResolver(),
    dryRun: true,
    logger,
  });
  const failures: string[] = [];
  controller.on('apply-failed', ({ service, reason, error }) => failures.push(`${service}: ${reason}: ${error.message}`));
  watch(controller);
  controller.start();
  let timer: NodeJS.Timeout | undefined;
  try {
    // A failed pass makes the answer incomplete, whether it is retried with backoff or parked:
    // its failure is told before the passes settle.
    const done = await Promise.race([
      synced.then(() => controller.idle()).then(() => 'done' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), DRY_RUN_DEADLINE_MS);
      }),
      new Promise<'failed'>((resolve) => controller.once('apply-failed', () => resolve('failed'))),
    ]);
    if (done !== 'done') {
      logger.error(
        { failures },
        done === 'timeout' ? `the first passes did not settle within ${DRY_RUN_DEADLINE_MS / 1000} s` : 'a pass failed',
      );
      return undefined;
    }
    return read(controller, services);
  } finally {
    clearTimeout(timer);
    await controller.stop();
  }
}
