// `fedsvc plan`: what `run` would write now, written nowhere. A dry-run controller reads the
// member clusters and the zone once; its planned changes are printed grouped by service.
import { type Change, type ShardAction, createController, dnsResolver, formatChanges } from '@fedsvc/core';
import type { Logger } from 'pino';
import type { Setup } from '../config/setup.js';
import { observeClusters } from '../observe.js';
import { resolveZone } from '../zone.js';

/** How long the member clusters and the passes may take before `plan` gives up. */
export const PLAN_DEADLINE_MS = 120_000;

/** What a dry run would do for one service. */
export interface ServicePlan {
  readonly service: string;
  readonly changes: readonly Change[];
  readonly shardActions: readonly ShardAction[];
}

const shardLine = (action: ShardAction): string | undefined => {
  switch (action.kind) {
    case 'create':
      return `+ shard in ${action.cluster}`;
    case 'conform':
      return `~ shard in ${action.cluster} (${action.fields.join(', ')})`;
    case 'delete':
      return `- shard in ${action.cluster}`;
    case 'leave':
      return undefined;
  }
};

/** The plan as `terraform plan` shows one: a block per service that would change, then the totals. */
export function formatPlan(plans: readonly ServicePlan[]): string {
  const changing = plans
    .map((plan) => ({ ...plan, shards: plan.shardActions.map(shardLine).filter((line) => line !== undefined) }))
    .filter((plan) => plan.changes.length > 0 || plan.shards.length > 0)
    .sort((a, b) => a.service.localeCompare(b.service));
  if (changing.length === 0) return 'No changes: the zone and the member clusters hold what the federation asks for.';
  const blocks = changing.map((plan) => {
    const records = plan.changes.length > 0 ? formatChanges(plan.changes).split('\n').slice(0, -1) : [];
    return [`${plan.service}:`, ...plan.shards, ...records].join('\n  ');
  });
  const count = (kind: Change['kind']) => changing.reduce((n, plan) => n + plan.changes.filter((c) => c.kind === kind).length, 0);
  const shards = changing.reduce((n, plan) => n + plan.shards.length, 0);
  return `${blocks.join('\n\n')}\n\nPlan: ${count('create')} to add, ${count('update')} to change, ${count('delete')} to destroy (record sets); ${shards} shard action${shards === 1 ? '' : 's'}.`;
}

/** Plans once; resolves with the exit code: 0 nothing would change, 2 something would, 1 error. */
export async function plan(setup: Setup, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const zone = await resolveZone(setup);
  const plans = new Map<string, ServicePlan>();
  const failures: string[] = [];
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  const controller = createController({
    federation: setup.federation,
    ownerId: setup.ownerId,
    clusters: observeClusters(setup.clusters, (event) => event.type === 'synced' && markSynced()),
    dns: { provider: setup.provider, zone },
    services: setup.services,
    resyncMs: false,
    resolveHostname: dnsResolver(),
    dryRun: true,
    logger,
  });
  controller.on('records-planned', ({ service, changes, shardActions }) => plans.set(service, { service, changes, shardActions }));
  controller.on('apply-failed', ({ service, reason, error }) => failures.push(`${service}: ${reason}: ${error.message}`));
  controller.start();
  let timer: NodeJS.Timeout | undefined;
  try {
    // A failing pass is retried with backoff: the first failure is enough to say the plan is incomplete.
    const done = await Promise.race([
      synced.then(() => controller.idle()).then(() => 'done' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), PLAN_DEADLINE_MS);
      }),
      new Promise<'failed'>((resolve) => controller.once('apply-failed', () => resolve('failed'))),
    ]);
    if (done !== 'done') {
      logger.error({ failures }, done === 'timeout' ? `no plan within ${PLAN_DEADLINE_MS / 1000} s` : 'planning failed');
      return 1;
    }
  } finally {
    clearTimeout(timer);
    await controller.stop();
  }
  out.write(`${formatPlan([...plans.values()])}\n`);
  return [...plans.values()].some((p) => p.changes.length > 0 || p.shardActions.some((a) => a.kind !== 'leave')) ? 2 : 0;
}
