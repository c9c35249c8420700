// Carrying out placement's decision in one cluster: server-side apply for create/conform, so
// only the fields fedsvc sets are owned by it and other writers' fields stay; DELETE for delete;
// a JSON merge patch removing the federation's annotations for release.
// Every request has a deadline: a member API server that accepts the connection and never answers
// fails the action (a ClusterApiError without status, as when it cannot be reached) instead of
// holding up the controller's pass for that service.
import { ApiException, type CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import {
  ADOPTED_BY_ANNOTATION,
  APPLIED_ANNOTATION,
  CREATED_BY_ANNOTATION,
  type ServiceManifest,
  type ShardAction,
  ValidationError,
} from '@fedsvc/core/provider';
import { DEFAULT_REQUEST_TIMEOUT_MS, abortedBy, withDeadline } from './deadline.js';
import { describeError } from './api-errors.js';
import { isDns1123Label } from './topology.js';

export const FIELD_MANAGER = 'fedsvc';

/** A member cluster's API server refused or failed a write. */
export class ClusterApiError extends Error {
  override readonly name = 'ClusterApiError';
  constructor(
    readonly cluster: string,
    /** HTTP status, or undefined when the server could not be reached. */
    readonly status: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`cluster "${cluster}": ${message}`, options);
  }
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function validateManifest(manifest: unknown, field: string): ServiceManifest {
  if (typeof manifest !== 'object' || manifest === null) throw new ValidationError(field, manifest, 'must be a Service manifest');
  const m = manifest as Partial<ServiceManifest>;
  if (m.apiVersion !== 'v1') throw new ValidationError(`${field}.apiVersion`, m.apiVersion, 'must be "v1"');
  if (m.kind !== 'Service') throw new ValidationError(`${field}.kind`, m.kind, 'must be "Service"');
  const meta = m.metadata;
  if (typeof meta !== 'object' || meta === null) throw new ValidationError(`${field}.metadata`, meta, 'must be an object');
  if (typeof meta.name !== 'string' || meta.name.length > 63 || !DNS_1035_LABEL.test(meta.name)) {
    throw new ValidationError(`${field}.metadata.name`, meta.name, 'must be a DNS-1035 label (a Service name)');
  }
  if (typeof meta.namespace !== 'string' || !isDns1123Label(meta.namespace)) {
    throw new ValidationError(`${field}.metadata.namespace`, meta.namespace, 'must be a DNS-1123 label');
  }
  if (typeof m.spec !== 'object' || m.spec === null || Array.isArray(m.spec))
    throw new ValidationError(`${field}.spec`, m.spec, 'must be an object');
  return m as ServiceManifest;
}

/** The apply configuration: exactly the fields fedsvc owns, nothing the cluster fills in. */
export function applyConfiguration(manifest: ServiceManifest): Record<string, unknown> {
  const { name, namespace, labels, annotations } = manifest.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels, annotations },
    spec: manifest.spec,
  };
}

function failure(cluster: string, error: unknown, what: string): ClusterApiError {
  return new ClusterApiError(cluster, error instanceof ApiException ? error.code : undefined, `${what}: ${describeError(error)}`, {
    cause: error,
  });
}

export interface ApplyOptions {
  /** Deadline of each request, milliseconds. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Field manager of the server-side apply. Default FIELD_MANAGER. */
  readonly fieldManager?: string;
}

/**
 * The created-by mark of the Service as the cluster holds it: 'absent' when there is none, and
 * also when reading is forbidden (a Role without `get`), as before this check existed.
 */
async function createdByOf(api: CoreV1Api, namespace: string, name: string, timeoutMs: number): Promise<string | undefined | 'absent'> {
  try {
    const held = await withDeadline(timeoutMs, (signal) => api.readNamespacedService({ name, namespace }, abortedBy(signal)));
    return held.metadata?.annotations?.[CREATED_BY_ANNOTATION];
  } catch (error) {
    if (error instanceof ApiException && (error.code === 404 || error.code === 403)) return 'absent';
    throw error;
  }
}

/** The Service as adopted rather than created: marked adopted by the owner the created-by mark named. */
function unmarked(manifest: ServiceManifest): ServiceManifest {
  const { [CREATED_BY_ANNOTATION]: owner, ...annotations } = manifest.metadata.annotations ?? {};
  return {
    ...manifest,
    metadata: { ...manifest.metadata, annotations: owner === undefined ? annotations : { ...annotations, [ADOPTED_BY_ANNOTATION]: owner } },
  };
}

/**
 * What a release sends: a JSON merge patch removing the federation's own annotations, nothing
 * else. The created-by mark is not among them: a released Service was adopted, and a created-by
 * mark on it is another federation's.
 */
const RELEASE_PATCH = { metadata: { annotations: { [ADOPTED_BY_ANNOTATION]: null, [APPLIED_ANNOTATION]: null } } };

export async function applyShardAction(api: CoreV1Api, action: ShardAction, options: ApplyOptions = {}): Promise<void> {
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  switch (action.kind) {
    case 'leave':
      return;
    case 'create':
    case 'conform': {
      let manifest = validateManifest(action.manifest, 'action.manifest');
      const { name, namespace } = manifest.metadata;
      const what = `server-side apply of service ${namespace}/${name}`;
      try {
        // A create is decided from what the controller saw; a Service someone made since is adopted,
        // not marked as ours (one we made, say by a create whose answer was lost, stays ours).
        if (action.kind === 'create') {
          const held = await createdByOf(api, namespace, name, timeoutMs);
          if (held !== 'absent' && held !== manifest.metadata.annotations?.[CREATED_BY_ANNOTATION]) manifest = unmarked(manifest);
        }
        // Forced: fedsvc adopts the Service, so its fields win over an earlier writer's; fields it does not set stay theirs.
        await withDeadline(timeoutMs, (signal) =>
          api.patchNamespacedService(
            { name, namespace, body: applyConfiguration(manifest), fieldManager: options.fieldManager ?? FIELD_MANAGER, force: true },
            setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply, abortedBy(signal)),
          ),
        );
      } catch (error) {
        throw failure(action.cluster, error, what);
      }
      return;
    }
    case 'release': {
      const what = `release of service ${action.namespace}/${action.name}`;
      try {
        await withDeadline(timeoutMs, (signal) =>
          api.patchNamespacedService(
            { name: action.name, namespace: action.namespace, body: RELEASE_PATCH, fieldManager: options.fieldManager ?? FIELD_MANAGER },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch, abortedBy(signal)),
          ),
        );
      } catch (error) {
        // Gone: nothing left to release.
        if (error instanceof ApiException && error.code === 404) return;
        throw failure(action.cluster, error, what);
      }
      return;
    }
    case 'delete': {
      const what = `delete of service ${action.namespace}/${action.name}`;
      try {
        await withDeadline(timeoutMs, (signal) =>
          api.deleteNamespacedService({ name: action.name, namespace: action.namespace }, abortedBy(signal)),
        );
      } catch (error) {
        // Already gone is what was asked for.
        if (error instanceof ApiException && error.code === 404) return;
        throw failure(action.cluster, error, what);
      }
      return;
    }
  }
}
