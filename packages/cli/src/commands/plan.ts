// `fedsvc plan`: what `run` would write now, written nowhere. A dry-run controller reads the
// member clusters and the zone once; its planned changes are printed grouped by service.
import { type Change, type FederationController, type ShardAction, formatChanges } from '@fedsvc/core';
import type { Logger } from 'pino';
import type { Setup } from '../config/setup.js';
import { afterDryRun } from './dry-run.js';

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
  const plans = new Map<string, ServicePlan>();
  const watch = (controller: FederationController) =>
    controller.on('records-planned', ({ service, changes, shardActions }) => plans.set(service, { service, changes, shardActions }));
  const planned = await afterDryRun(setup, logger, watch, () => [...plans.values()]);
  if (planned === undefined) return 1;
  out.write(`${formatPlan(planned)}\n`);
  return planned.some((p) => p.changes.length > 0 || p.shardActions.some((a) => a.kind !== 'leave')) ? 2 : 0;
}
