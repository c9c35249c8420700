// Placement: which member cluster gets which Service, decided purely from data.
// The caller carries the actions out (server-side apply in the kubernetes package).
import { ValidationError } from '../errors.js';
import { isDns1123Subdomain } from '../dns/names.js';
import type { ClusterStatus, ServiceManifest, ShardAction, ShardStatus } from '../types.js';

/** Kubernetes label selector (`matchLabels` and `matchExpressions` are ANDed). */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

/** A federated Service: the Service every selected member cluster gets. */
export interface FederatedService {
  readonly manifest: ServiceManifest;
  /** Narrows the member clusters; absent, every cluster is selected. */
  readonly clusterSelector?: LabelSelector;
}

export interface PlacementInput {
  readonly service: FederatedService;
  readonly clusters: readonly ClusterStatus[];
  /** What each cluster holds for this service now; clusters holding nothing are absent. */
  readonly existing: readonly ShardStatus[];
  /** Clusters whose shard the federation created (the others' were adopted). */
  readonly created: ReadonlySet<string>;
  /** Marks the Services it creates, so that "created, not adopted" survives restarts. */
  readonly ownerId: string;
  /** The federated Service is being deleted. */
  readonly deleting?: boolean;
  /** Delete adopted shards as well when the service is deleted or a cluster is deselected. */
  readonly deleteAdopted?: boolean;
}

/** Annotation on a Service the federation created; its value is the owner id. */
export const CREATED_BY_ANNOTATION = 'fedsvc.io/created-by';

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

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;
const isLabelValue = (value: unknown): boolean => value === '' || (typeof value === 'string' && LABEL_NAME.test(value));
/** A label key: a name, optionally after a DNS-1123 subdomain prefix and `/`. */
function isLabelKey(key: unknown): boolean {
  if (typeof key !== 'string') return false;
  const slash = key.lastIndexOf('/');
  return LABEL_NAME.test(key.slice(slash + 1)) && (slash < 0 || isDns1123Subdomain(key.slice(0, slash)));
}

/**
 * A selector as the API server would take it. A selector it would refuse must not be guessed at:
 * one that selects fewer clusters than meant deletes the shards the others hold.
 */
export function validateSelector(selector: unknown, field: string): LabelSelector | undefined {
  if (selector === undefined) return undefined;
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector))
    throw new ValidationError(field, selector, 'must be a label selector object');
  const { matchLabels, matchExpressions } = selector as Record<string, unknown>;
  if (matchLabels !== undefined) {
    if (typeof matchLabels !== 'object' || matchLabels === null || Array.isArray(matchLabels))
      throw new ValidationError(`${field}.matchLabels`, matchLabels, 'must be an object of label keys to values');
    for (const [key, value] of Object.entries(matchLabels)) {
      if (!isLabelKey(key))
        throw new ValidationError(
          `${field}.matchLabels`,
          key,
          'must be a label key (an optional DNS-1123 subdomain and "/", then a name of at most 63 characters)',
        );
      if (!isLabelValue(value))
        throw new ValidationError(`${field}.matchLabels.${key}`, value, 'must be a label value (at most 63 characters)');
    }
  }
  if (matchExpressions !== undefined) {
    if (!Array.isArray(matchExpressions)) throw new ValidationError(`${field}.matchExpressions`, matchExpressions, 'must be a list');
    matchExpressions.forEach((expression: unknown, i) => {
      const at = `${field}.matchExpressions[${i}]`;
      if (typeof expression !== 'object' || expression === null)
        throw new ValidationError(at, expression, 'must be an object with key and operator');
      const { key, operator, values } = expression as Record<string, unknown>;
      if (!isLabelKey(key)) throw new ValidationError(`${at}.key`, key, 'must be a label key');
      if (operator !== 'In' && operator !== 'NotIn' && operator !== 'Exists' && operator !== 'DoesNotExist') {
        throw new ValidationError(`${at}.operator`, operator, 'must be In, NotIn, Exists or DoesNotExist');
      }
      const listed = operator === 'In' || operator === 'NotIn';
      if (values !== undefined && (!Array.isArray(values) || !values.every(isLabelValue)))
        throw new ValidationError(`${at}.values`, values, 'must be a list of label values');
      if (listed && (values === undefined || values.length === 0))
        throw new ValidationError(`${at}.values`, values, `must not be empty with ${operator}`);
      if (!listed && values !== undefined && values.length > 0)
        throw new ValidationError(`${at}.values`, values, `must be empty with ${operator}`);
    });
  }
  return selector as LabelSelector;
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    const ok =
      operator === 'In'
        ? has && values.includes(value!)
        : operator === 'NotIn'
          ? !has || !values.includes(value!)
          : operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

/** Whether the Service was created by this federation (and not adopted). */
export function createdBy(manifest: ServiceManifest, ownerId: string): boolean {
  return manifest.metadata.annotations?.[CREATED_BY_ANNOTATION] === ownerId;
}

/**
 * Placement: one action per member cluster, in the clusters' order: create where missing,
 * conform (with the exact fields that change) where different, leave where it already
 * conforms or the cluster cannot be reached (Offline; it is placed again when seen), delete
 * what the federation created where the service is deleted or the cluster is no longer
 * selected (adopted Services too with `deleteAdopted`). Pure; the caller carries the actions
 * out (`MemberClusters.applyShard`).
 *
 * Nothing is validated here: the controller checks the selector and the manifest when a
 * service is applied.
 *
 * @returns A {@link ShardAction} per cluster of `input.clusters`.
 * @example
 * ```ts
 * const actions = placeShards({
 *   service: { manifest: nginxService, clusterSelector: { matchLabels: { tier: 'edge' } } },
 *   clusters,                       // ClusterStatus[], with labels and health
 *   existing: shardsOfNginx,        // ShardStatus[] of the clusters that hold one
 *   created: new Set(['gce-us-central1-a']),
 *   ownerId: 'prod-federation',
 * });
 * for (const action of actions) await memberClusters.applyShard(action);
 * ```
 * @see {@link desiredManifest} for the Service a create or conform applies.
 */
export function placeShards(input: PlacementInput): ShardAction[] {
  const { service, created, ownerId } = input;
  const existing = new Map(input.existing.map((shard) => [shard.cluster, shard]));
  const { name, namespace } = service.manifest.metadata;
  return input.clusters.map((cluster): ShardAction => {
    const shard = existing.get(cluster.name);
    if (cluster.health === 'Offline') return { kind: 'leave', cluster: cluster.name };
    const selected = !input.deleting && selectorMatches(service.clusterSelector, cluster.labels);
    if (!selected) {
      return shard && (created.has(cluster.name) || input.deleteAdopted)
        ? { kind: 'delete', cluster: cluster.name, namespace, name }
        : { kind: 'leave', cluster: cluster.name };
    }
    if (!shard) return { kind: 'create', cluster: cluster.name, manifest: desiredManifest(service.manifest, ownerId, true) };
    const manifest = desiredManifest(service.manifest, ownerId, created.has(cluster.name));
    const fields = changedFields(manifest, shard.manifest);
    return fields.length === 0 ? { kind: 'leave', cluster: cluster.name } : { kind: 'conform', cluster: cluster.name, manifest, fields };
  });
}

/**
 * The Service the federation applies in a member cluster: the federated manifest's metadata
 * and spec without the fields clusters own (`clusterIP` unless headless, `clusterIPs`,
 * `nodePort`s, `healthCheckNodePort`), with the {@link APPLIED_ANNOTATION} digest of what is
 * applied, and, when `created`, the {@link CREATED_BY_ANNOTATION} mark holding `ownerId` (kept
 * on every conform, or server-side apply would drop it). Pure; the input is not changed.
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
  if (created) own[CREATED_BY_ANNOTATION] = ownerId;
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

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * JSON paths of the fields `desired` sets that `current` holds differently. Fields only
 * `current` has belong to other writers (server-side apply leaves them), so they are not
 * differences. Lists of objects compare element by element; other lists as a whole.
 */
export function changedFields(desired: ServiceManifest, current: ServiceManifest): string[] {
  const out: string[] = [];
  compare('metadata.labels', desired.metadata.labels ?? {}, current.metadata.labels ?? {}, out);
  compare('metadata.annotations', desired.metadata.annotations ?? {}, current.metadata.annotations ?? {}, out);
  compare('spec', desired.spec, current.spec, out);
  return out;
}

/**
 * The key of an entry of a list the API server merges entry by entry (a "map" list): a Service
 * port is keyed by its port and protocol, so entries other writers added stay theirs. Other
 * lists of objects compare element by element.
 */
export function listEntryKey(path: string, entry: Record<string, unknown>): string | undefined {
  if (path !== 'spec.ports' || typeof entry['port'] !== 'number') return undefined;
  return `${entry['port']}/${typeof entry['protocol'] === 'string' ? entry['protocol'] : 'TCP'}`;
}

function compare(path: string, desired: unknown, current: unknown, out: string[]): void {
  if (isObject(desired)) {
    if (!isObject(current)) {
      if (Object.keys(desired).length > 0) out.push(path);
      return;
    }
    for (const key of Object.keys(desired).sort()) compare(`${path}.${key}`, desired[key], current[key], out);
    return;
  }
  if (Array.isArray(desired) && desired.length > 0 && desired.every(isObject)) {
    if (!Array.isArray(current)) {
      out.push(path);
      return;
    }
    // Keyed when every entry has a key and no two share one (a Service the API server would accept).
    const keys = desired.map((item) => listEntryKey(path, item));
    if (keys.every((key) => key !== undefined) && new Set(keys).size === keys.length) {
      desired.forEach((item, i) => {
        const match = current.find((held) => isObject(held) && listEntryKey(path, held) === listEntryKey(path, item));
        if (match === undefined) out.push(`${path}[${i}]`);
        else compare(`${path}[${i}]`, item, match, out);
      });
      return;
    }
    if (current.length !== desired.length) {
      out.push(path);
      return;
    }
    desired.forEach((item, i) => compare(`${path}[${i}]`, item, current[i], out));
    return;
  }
  if (!sameJson(desired, current)) out.push(path);
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
  }
  return false;
}
