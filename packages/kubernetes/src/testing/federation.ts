// Wire-format objects of the federation's own resources, for tests and benchmarks: a
// FederatedService and a FederatedCluster (its Secret: `FakeKubeApi.putSecret`).
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
