// The Service the federation applies in a member cluster: the federated manifest without the
// fields clusters own, marked with who created it and a digest of what was applied.
import type { ServiceManifest } from '../types.js';
import { canonicalJson } from './json.js';

/** Annotation on a Service the federation created; its value is the owner id. */
export const CREATED_BY_ANNOTATION = 'fedsvc.io/created-by';

/**
 * Annotation on a Service the federation adopted (found, made by someone else, and conformed);
 * its value is the owner id. It tells the federation's adopted shards from others' Services
 * of the same name, so that they are released (this mark and {@link APPLIED_ANNOTATION}
 * removed, nothing else) when their service is deleted or unknown.
 */
export const ADOPTED_BY_ANNOTATION = 'fedsvc.io/adopted-by';

/**
 * Annotation holding a digest of what the federation last applied. Comparing fields finds what
 * changed, but not what was dropped from the federated spec (a removed `loadBalancerSourceRanges`
 * is not a difference in the fields still applied); a new digest makes the shard conform, and
 * server-side apply then removes the fields the federation no longer sets.
 */
export const APPLIED_ANNOTATION = 'fedsvc.io/applied';

/**
 * Fields each member cluster assigns and owns: never sent, never compared. `[]` stands for
 * every element of a list.
 */
export const CLUSTER_OWNED_FIELDS: readonly string[] = [
  'spec.clusterIP',
  'spec.clusterIPs',
  'spec.ports[].nodePort',
  'spec.healthCheckNodePort',
  'status',
];

/** Whether the Service was created by this federation (and not adopted). */
export function createdBy(manifest: ServiceManifest, ownerId: string): boolean {
  return manifest.metadata.annotations?.[CREATED_BY_ANNOTATION] === ownerId;
}

/** Whether the Service was adopted by this federation (it carries its {@link ADOPTED_BY_ANNOTATION}). */
export function adoptedBy(manifest: ServiceManifest, ownerId: string): boolean {
  return manifest.metadata.annotations?.[ADOPTED_BY_ANNOTATION] === ownerId;
}

/** Whether the Service is marked as this federation's: created or adopted by it. */
export const ours = (manifest: ServiceManifest, ownerId: string): boolean => createdBy(manifest, ownerId) || adoptedBy(manifest, ownerId);

/**
 * The Service the federation applies in a member cluster: the federated manifest's metadata
 * and spec without the fields clusters own (`clusterIP` unless headless, `clusterIPs`,
 * `nodePort`s, `healthCheckNodePort`), with the {@link APPLIED_ANNOTATION} digest of what is
 * applied, and the mark holding `ownerId`: {@link CREATED_BY_ANNOTATION} when `created`,
 * {@link ADOPTED_BY_ANNOTATION} otherwise (kept on every conform, or server-side apply would drop
 * it; marks the template itself carries are not applied). Pure; the input is not changed.
 *
 * @param manifest - The federated Service, as given to the controller.
 * @param ownerId - This federation's id.
 * @param created - Whether the federation created the shard (true) or adopted it (false).
 * @example
 * ```ts
 * const manifest = desiredManifest(nginxService, 'prod-federation', true);
 * manifest.metadata.annotations?.['fedsvc.io/created-by']; // 'prod-federation'
 * ```
 */
export function desiredManifest(manifest: ServiceManifest, ownerId: string, created: boolean): ServiceManifest {
  const { name, namespace, labels, annotations } = manifest.metadata;
  const spec: Record<string, unknown> = { ...manifest.spec };
  // A headless Service says so in clusterIP: that one value is the federation's, not the cluster's.
  if (spec['clusterIP'] !== 'None') {
    delete spec['clusterIP'];
    delete spec['clusterIPs'];
  }
  delete spec['healthCheckNodePort'];
  if (Array.isArray(spec['ports'])) {
    spec['ports'] = spec['ports'].map((port: unknown) => {
      if (typeof port !== 'object' || port === null) return port;
      const { nodePort: _owned, ...rest } = port as Record<string, unknown>;
      return rest;
    });
  }
  const own = { ...annotations };
  delete own[APPLIED_ANNOTATION];
  delete own[CREATED_BY_ANNOTATION];
  delete own[ADOPTED_BY_ANNOTATION];
  own[created ? CREATED_BY_ANNOTATION : ADOPTED_BY_ANNOTATION] = ownerId;
  const applied = digest({ labels: labels ?? {}, annotations: own, spec });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace,
      // No key when there are no labels: server-side apply (MemoryClusters too) would apply an undefined one over the labels others set.
      ...(labels && Object.keys(labels).length > 0 ? { labels } : {}),
      annotations: { ...own, [APPLIED_ANNOTATION]: applied },
    },
    spec,
  };
}

/** FNV-1a (32 bits) of the canonical JSON (keys sorted): the same data, the same digest. */
function digest(value: unknown): string {
  let hash = 0x811c9dc5;
  for (const char of canonicalJson(value)) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
