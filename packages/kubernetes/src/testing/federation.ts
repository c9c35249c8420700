// Wire-format objects of the federation's own resources, for tests and benchmarks: a
// FederatedService, a FederatedCluster and the Secret its credentials are in.
import type { JsonObject } from './fields.js';

const API_VERSION = 'fedsvc.io/v1alpha1';

/** A FederatedService whose template is the Service `spec` (labels `app: name`), with `extra` merged into its spec. */
export function federatedService(namespace: string, name: string, template: JsonObject, extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: API_VERSION,
    kind: 'FederatedService',
    metadata: { name, namespace },
    spec: { template: { metadata: { labels: { app: name } }, spec: template }, ...extra },
  };
}

/** A FederatedCluster reaching `server` with the credentials of Secret `secret` (default: named like the cluster). */
export function federatedCluster(
  name: string,
  server: string,
  options: { secret?: string; labels?: Record<string, string> } = {},
): JsonObject {
  return {
    apiVersion: API_VERSION,
    kind: 'FederatedCluster',
    metadata: { name, ...(options.labels ? { labels: options.labels } : {}) },
    spec: { server, secretRef: { name: options.secret ?? name } },
  };
}

/** A Secret holding a bearer token (base64, as on the wire) and, when given, a CA certificate. */
export function tokenSecret(namespace: string, name: string, token: string, caCert?: string): JsonObject {
  const data: Record<string, string> = { token: Buffer.from(token).toString('base64') };
  if (caCert !== undefined) data['ca.crt'] = Buffer.from(caCert).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data };
}
