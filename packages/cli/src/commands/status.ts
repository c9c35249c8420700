// `fedsvc status [namespace/name]`: a federated service's status per cluster, as the guide's
// `kubectl describe services` showed it, read by a dry run (nothing is written).
import { type FederatedService, type FederationController, type ServiceStatusView, ValidationError } from '@fedsvc/core';
import type { Logger } from 'pino';
import { columns } from '../columns.js';
import type { Setup } from '../config/setup.js';
import { afterDryRun } from './dry-run.js';

const address = (ingress: { ip?: string; hostname?: string }) => ingress.ip ?? ingress.hostname ?? '';

/** One service's status: its names, the union of ingress, and a row per cluster. */
export function formatStatus(status: ServiceStatusView): string {
  const head = columns([
    ['Name:', status.name],
    ['Namespace:', status.namespace],
    ['LoadBalancer Ingress:', status.loadBalancer.ingress.map(address).join(', ')],
    ...(status.failStatic.length > 0 ? [['Fail static:', status.failStatic.join(', ')]] : []),
  ]);
  const rows = status.clusters.map((view) => [
    view.cluster,
    view.health,
    view.shard ? 'yes' : 'no',
    String(view.readyEndpoints),
    view.ingress.map(address).join(','),
    view.healthy ? 'yes' : 'no',
    view.excluded ?? view.reason ?? '',
  ]);
  const table = columns([['CLUSTER', 'HEALTH', 'SHARD', 'READY', 'INGRESS', 'HEALTHY', 'REASON'], ...rows])
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `${head}\nClusters:\n${table}`;
}

/** `namespace/name` → its parts. */
function serviceRef(text: string): { namespace: string; name: string } {
  const [namespace, name, ...rest] = text.split('/');
  if (!namespace || !name || rest.length > 0) throw new ValidationError('service', text, 'must be namespace/name');
  return { namespace, name };
}

/** Prints the status of `service` (default: every service of the config); resolves with the exit code. */
export async function status(setup: Setup, logger: Logger, service: string | undefined, out: NodeJS.WritableStream): Promise<number> {
  const only = service === undefined ? undefined : serviceRef(service);
  const read = (controller: FederationController, services: readonly FederatedService[]) =>
    (only === undefined
      ? services.map(({ manifest }) => ({ namespace: manifest.metadata?.namespace ?? 'default', name: manifest.metadata?.name ?? '' }))
      : [only]
    ).map(({ namespace, name }) => formatStatus(controller.status(namespace, name)));
  const described = await afterDryRun(setup, logger, () => {}, read);
  if (described === undefined) return 1;
  out.write(`${described.join('\n\n')}\n`);
  return 0;
}
