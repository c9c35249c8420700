// The pure part the host source uses: decoding the federation's resources, member credentials,
// and the status each object should carry.
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterStatus, ServiceManifest } from '@fedsvc/core/provider';
import { type FederatedService, type ServiceStatusView, ValidationError } from '@fedsvc/core';
import type { Topology } from '../topology.js';

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

function fields(value: unknown, field: string): Fields {
  if (!isFields(value)) throw new ValidationError(field, value, 'must be an object');
  return value;
}

export interface FederatedClusterSpec {
  readonly name: string;
  readonly server: string;
  readonly secretRef: { readonly name: string; readonly namespace: string };
  readonly labels: Readonly<Record<string, string>>;
  readonly topology?: Topology;
}

export function decodeFederatedService(object: unknown): FederatedService {
  const o = fields(object, 'object');
  const meta = fields(o['metadata'], 'metadata');
  const spec = fields(o['spec'], 'spec');
  const template = fields(spec['template'], 'spec.template');
  const tmeta = isFields(template['metadata']) ? template['metadata'] : {};
  const manifest: ServiceManifest = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: String(meta['name']),
      namespace: String(meta['namespace']),
      labels: tmeta['labels'] as Record<string, string> | undefined,
      annotations: tmeta['annotations'] as Record<string, string> | undefined,
    },
    spec: fields(template['spec'], 'spec.template.spec'),
  };
  const placement = isFields(spec['placement']) ? spec['placement'] : {};
  return placement['clusterSelector'] ? { manifest, clusterSelector: placement['clusterSelector'] as never } : { manifest };
}

export function decodeFederatedCluster(object: unknown, defaultSecretNamespace: string): FederatedClusterSpec {
  const o = fields(object, 'object');
  const meta = fields(o['metadata'], 'metadata');
  const spec = fields(o['spec'], 'spec');
  const ref = fields(spec['secretRef'], 'spec.secretRef');
  if (typeof spec['server'] !== 'string') throw new ValidationError('spec.server', spec['server'], 'must be a URL');
  return {
    name: String(meta['name']),
    server: spec['server'],
    secretRef: { name: String(ref['name']), namespace: typeof ref['namespace'] === 'string' ? ref['namespace'] : defaultSecretNamespace },
    labels: (meta['labels'] ?? {}) as Record<string, string>,
    topology: spec['topology'] as Topology | undefined,
  };
}

export function memberKubeConfig(spec: FederatedClusterSpec, secret: { data?: Record<string, string> }): KubeConfig {
  const token = secret.data?.['token'];
  if (token === undefined) throw new ValidationError('data.token', token, 'must be set');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  if (!/^[\x21-\x7e]+$/.test(decoded)) throw new ValidationError('data.token', '(secret withheld)', 'must be a bearer token');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser(
    { name: spec.name, server: spec.server, skipTLSVerify: spec.server.startsWith('http:'), caData: secret.data?.['ca.crt'] },
    { name: `${spec.name}-user`, token: decoded },
  );
  return kubeConfig;
}

export type FederatedServiceStatusBody = Record<string, unknown>;
export type FederatedClusterStatusBody = Record<string, unknown>;

export function federatedServiceStatus(
  view: ServiceStatusView,
  generation: number,
  _previous: unknown,
  _now: Date,
): FederatedServiceStatusBody {
  const healthy = view.clusters.filter((c) => c.healthy).length;
  return {
    observedGeneration: generation,
    loadBalancer: view.loadBalancer,
    clusters: view.clusters.map((c) => ({
      name: c.cluster,
      health: c.health,
      shard: c.shard ? 'Created' : 'Missing',
      readyEndpoints: c.readyEndpoints,
      ingress: c.ingress,
      healthy: c.healthy,
    })),
    healthyClusters: `${healthy}/${view.clusters.length}`,
    conditions: [{ type: 'Valid', status: 'True', reason: 'Valid', message: '' }],
  };
}

export function invalidServiceStatus(
  error: ValidationError,
  generation: number,
  _previous: unknown,
  _now: Date,
): FederatedServiceStatusBody {
  return {
    observedGeneration: generation,
    conditions: [{ type: 'Valid', status: 'False', reason: 'InvalidSpec', message: error.message }],
  };
}

export function federatedClusterStatus(
  cluster: ClusterStatus,
  lastProbe: Date | undefined,
  _previous: unknown,
  _now: Date,
): FederatedClusterStatusBody {
  return {
    health: cluster.health,
    reason: cluster.reason,
    lastProbeTime: lastProbe?.toISOString(),
    zones: cluster.zones,
    region: cluster.region,
  };
}

export function statusChanged(previous: unknown, next: object): boolean {
  const strip = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value ?? {}, (key, v) => (key === 'lastTransitionTime' || key === 'lastProbeTime' ? undefined : v)));
  return JSON.stringify(strip(previous)) !== JSON.stringify(strip(next));
}
