// `fedsvc discover`: the in-cluster discovery responder (@fedsvc/discovery) as a process, with
// /healthz, /readyz (once the cluster's lists are in) and /metrics, JSON logs, and SIGTERM.
import { ValidationError } from '@fedsvc/core';
import { type Discovery, startDiscovery } from '@fedsvc/discovery';
import { inClusterKubeConfig } from '@fedsvc/kubernetes';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import type { DiscoverConfig } from '../config/discovery.js';
import { renameField } from '../config/problems.js';
import { ConfigError } from '../config/setup.js';
import { serveEndpoints } from '../http.js';
import { processMetrics } from '../metrics.js';

/** The responder's metrics: queries by answer kind, packets dropped by reason, answer latency. */
function discoveryMetrics(registry: Registry) {
  const registers = [registry];
  const queries = new Counter({
    name: 'fedsvc_discovery_queries_total',
    help: 'Queries answered, by answer kind.',
    labelNames: ['kind'],
    registers,
  });
  const dropped = new Counter({
    name: 'fedsvc_discovery_dropped_total',
    help: 'Packets dropped unanswered (malformed, or a response), by reason.',
    labelNames: ['reason'],
    registers,
  });
  const latency = new Histogram({
    name: 'fedsvc_discovery_answer_seconds',
    help: 'Time to answer one query, from its bytes to the reply bytes.',
    buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01],
    registers,
  });
  return {
    onQuery: (kind: string, seconds: number) => {
      queries.inc({ kind });
      latency.observe(seconds);
    },
    onDropped: (reason: string) => dropped.inc({ reason }),
  };
}

function kubeConfigOf(config: DiscoverConfig): KubeConfig {
  if (config.context === undefined && config.kubeconfig === undefined) return inClusterKubeConfig();
  const kc = new KubeConfig();
  if (config.kubeconfig === undefined) kc.loadFromDefault();
  else kc.loadFromFile(config.kubeconfig);
  if (config.context !== undefined) kc.setCurrentContext(config.context);
  return kc;
}

const RENAMES = [
  ['services', 'discovery.services'],
  ['ttl', 'discovery.ttl'],
  ['clusterDomain', 'discovery.clusterDomain'],
] as const;

/** Runs until SIGTERM or SIGINT; resolves with the exit code. */
export async function discover(config: DiscoverConfig, logger: Logger): Promise<number> {
  const registry = new Registry();
  processMetrics(registry);
  let discovery: Discovery;
  try {
    discovery = await startDiscovery({
      federation: config.federation,
      services: config.services,
      clusterDomain: config.clusterDomain,
      ttl: config.ttl,
      kubeConfig: kubeConfigOf(config),
      host: config.listen.host,
      port: config.listen.port,
      logger,
      ...discoveryMetrics(registry),
    });
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ConfigError([new ValidationError(renameField(error.field, RENAMES), error.value, error.reason)]);
    throw error;
  }
  const ready = () => ({ ready: discovery.ready(), reasons: discovery.waitingFor() });
  const { server, url } = await serveEndpoints(config.http.listen, { ready, registry });
  logger.info(
    { dns: `${discovery.host}:${discovery.port}`, url, services: config.services.length },
    'answering; serving /healthz, /readyz, /metrics',
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'stopping');
  await discovery.stop();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  logger.info({}, 'stopped');
  return 0;
}
