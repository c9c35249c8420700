// `fedsvc federate -f service.yaml`: a plain Service manifest as a FederatedService
// (fedsvc.io/v1alpha1), ready for `kubectl apply -f -`.
import { type ServiceManifest, ValidationError } from '@fedsvc/core';
import { stringify } from 'yaml';
import { parseServices } from '../config/services.js';

/** Fields the API server sets on a Service, which a template must not carry. */
const SERVER_SET_SPEC = ['clusterIP', 'clusterIPs', 'healthCheckNodePort'];

/** What placement and DNS a federated service gets, beyond the template. */
export interface FederateOptions {
  /** Only these member clusters; default every member cluster. */
  readonly clusters?: readonly string[];
  /** TTL of the service's records, seconds; default the federation's. */
  readonly ttl?: number;
  /** Namespace when the manifest has none; default `default`, as kubectl's. */
  readonly namespace?: string;
}

/** The FederatedService object of one Service manifest. */
export function federatedService(manifest: ServiceManifest, options: FederateOptions = {}): Record<string, unknown> {
  const metadata = (manifest.metadata ?? {}) as Record<string, unknown>;
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') throw new ValidationError('metadata.name', name, 'must name the Service');
  const spec = Object.fromEntries(
    Object.entries((manifest.spec ?? {}) as Record<string, unknown>).filter(([key]) => !SERVER_SET_SPEC.includes(key)),
  );
  const templateMetadata = Object.fromEntries(Object.entries(metadata).filter(([key]) => key === 'labels' || key === 'annotations'));
  return {
    apiVersion: 'fedsvc.io/v1alpha1',
    kind: 'FederatedService',
    metadata: { name, namespace: (metadata['namespace'] as string | undefined) ?? options.namespace ?? 'default' },
    spec: {
      template: { ...(Object.keys(templateMetadata).length > 0 ? { metadata: templateMetadata } : {}), spec },
      ...(options.clusters && options.clusters.length > 0
        ? { placement: { clusters: options.clusters.map((cluster) => ({ name: cluster })) } }
        : {}),
      ...(options.ttl === undefined ? {} : { dns: { ttl: options.ttl } }),
    },
  };
}

/** Every Service of `text` as FederatedService YAML documents. */
export function federate(text: string, source: string, options: FederateOptions = {}): string {
  const services = parseServices(text, source);
  if (services.length === 0) throw new ValidationError(source, undefined, 'holds no Service manifest');
  return services.map((service) => stringify(federatedService(service, options))).join('---\n');
}
