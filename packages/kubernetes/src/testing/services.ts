// Services as the API server's registry keeps them: server-side apply (spec.ports owned entry by
// entry), JSON merge patches, admission (protocol defaulted, allocated values kept, cluster IP and node ports
// allocated, a change of the cluster IP refused with 422) and plain updates by other clients.
import { type Answer, failure, notFound, status } from './answers.js';
import { type ApplyConflict, type Json, type JsonObject, apply, describePath, isObject, update } from './fields.js';
import { type Store, metaOf } from './store.js';
import type { ValueIndex } from './store-index.js';

const APPLY_PATCH = 'application/apply-patch+yaml';
const MERGE_PATCH = 'application/merge-patch+json';

/** RFC 7386: `patch` merged over `target`. */
function mergeJson(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergeJson(out[key], value);
  }
  return out;
}

/** An apply request that passed the checks made before the patch is applied. */
interface ApplyRequest {
  readonly config: JsonObject;
  readonly manager: string;
}

export class ServiceRegistry {
  private ips = 0;
  /** Next node port to try, in the default range 30000-32767. */
  private nextNodePort = 30000;
  /** The node ports every stored Service holds. */
  private readonly nodePorts: ValueIndex;

  constructor(private readonly store: Store) {
    this.nodePorts = store.index('services', nodePortsOf);
  }

  /** Writes a Service as another client would (a plain update by `manager`). */
  put(service: JsonObject, manager: string): JsonObject {
    const meta = metaOf(service);
    const existing = this.store.get('services', String(meta['namespace'] ?? 'default'), String(meta['name']));
    // As the API server does on update: allocated values the writer left out are kept, and a
    // change of the cluster IP is refused (the fixture allocates nothing for these writes).
    service = structuredClone(service);
    const invalid = this.admit(existing?.object, service, false);
    if (invalid) throw new Error(`HTTP 422: ${String(invalid['message'])}`);
    return this.store.put('services', service, update(existing?.object, service, existing?.owners ?? [], manager));
  }

  /** PATCH: server-side apply (application/apply-patch+yaml) or a JSON merge patch (application/merge-patch+json). */
  patch(namespace: string, name: string, query: URLSearchParams, contentType: string | undefined, body: string): Answer {
    const type = contentType?.split(';')[0]?.trim();
    if (type === MERGE_PATCH) return this.mergePatch(namespace, name, query, body);
    if (type === APPLY_PATCH) return this.apply(namespace, name, query, body);
    return failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${MERGE_PATCH}, ${APPLY_PATCH}`,
    );
  }

  /**
   * A JSON merge patch (RFC 7386: objects merge key by key, null removes a key, anything else
   * replaces) of an existing Service, as an update by the request's field manager: fields it
   * changes become its own, fields it removes leave every manager's set.
   */
  private mergePatch(namespace: string, name: string, query: URLSearchParams, body: string): Answer {
    let patch: unknown;
    try {
      patch = JSON.parse(body);
    } catch {
      return failure(400, 'BadRequest', 'error decoding patch: invalid JSON');
    }
    if (!isObject(patch)) return failure(400, 'BadRequest', 'json: cannot unmarshal a merge patch that is not an object');
    const existing = this.store.get('services', namespace, name);
    if (!existing) return notFound(this.store.kindOf('services'), name);
    const merged = mergeJson(existing.object, patch) as JsonObject;
    const meta = isObject(merged['metadata']) ? merged['metadata'] : {};
    if (meta['name'] !== name || meta['namespace'] !== namespace)
      return failure(400, 'BadRequest', `the name of the object (${String(meta['name'])}) does not match the name on the URL (${name})`);
    const invalid = this.admit(existing.object, merged, false);
    if (invalid) return { code: 422, body: invalid };
    // Without a fieldManager the API server names the manager after the client's user agent.
    const manager = query.get('fieldManager') ?? 'unknown';
    return { code: 200, body: this.store.put('services', merged, update(existing.object, merged, existing.owners, manager)) };
  }

  /** Server-side apply (PATCH with application/apply-patch+yaml). */
  private apply(namespace: string, name: string, query: URLSearchParams, body: string): Answer {
    const request = parseApplyRequest(namespace, name, query, body);
    if ('code' in request) return request;
    const existing = this.store.get('services', namespace, name);
    const live: JsonObject = existing?.object ?? { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: {} };
    const result = apply(live, existing?.owners ?? [], request.config, request.manager, query.get('force') === 'true');
    if (!result.ok) return applyConflicts(name, 'services', result.conflicts);
    const invalid = this.admit(existing?.object, result.object, true);
    if (invalid) return { code: 422, body: invalid };
    const stored = this.store.put('services', result.object, result.owners);
    return { code: existing ? 200 : 201, body: stored };
  }

  /**
   * What the Service registry does with a Service written over `before` (undefined: a create),
   * mutating `after`: defaults a port's protocol to TCP; keeps the allocated values the writer left
   * out (cluster IP, node ports by port name); drops node ports the Service no longer needs; refuses
   * a change of the cluster IP (headless `None` included) as `validateUpgradeDowngradeClusterIPs`
   * does, with 422 Invalid. With `allocate`, a new Service gets a cluster IP and every port of a
   * NodePort or LoadBalancer Service a node port (owned by no manager). Returns the refusal, if any.
   */
  private admit(before: JsonObject | undefined, after: JsonObject, allocate: boolean): JsonObject | undefined {
    const spec = after['spec'];
    if (!isObject(spec)) return undefined;
    const old = before && isObject(before['spec']) ? before['spec'] : undefined;
    const ports = portsOf(spec);
    for (const port of ports) if (port['protocol'] === undefined) port['protocol'] = 'TCP';
    if (old) {
      const refusal = keepClusterIp(old, after, spec);
      if (refusal) return refusal;
      keepNodePorts(old, spec, ports);
    }
    if (allocate) this.allocate(spec, ports);
    return undefined;
  }

  /** A cluster IP for a Service without one; a node port for every port of a Service that needs them. */
  private allocate(spec: JsonObject, ports: JsonObject[]): void {
    const type = spec['type'] ?? 'ClusterIP';
    if (type !== 'ExternalName' && (spec['clusterIP'] === undefined || spec['clusterIP'] === '')) {
      spec['clusterIP'] = `10.96.0.${++this.ips}`;
      spec['clusterIPs'] = [spec['clusterIP']];
    } else if (type !== 'ExternalName' && spec['clusterIPs'] === undefined) {
      spec['clusterIPs'] = [spec['clusterIP']!];
    }
    if (!needsNodePorts(spec, type)) return;
    // Taken: the node ports of every stored Service (this one's as stored included) and those this write keeps.
    const kept = new Set<Json>();
    for (const port of ports) if (port['nodePort'] !== undefined) kept.add(port['nodePort']);
    for (const port of ports) {
      if (port['nodePort'] !== undefined) continue;
      while (this.nodePorts.has(this.nextNodePort) || kept.has(this.nextNodePort)) this.nextNodePort += 1;
      port['nodePort'] = this.nextNodePort;
      kept.add(this.nextNodePort);
    }
  }
}

/** The apply request's configuration and field manager, or the answer refusing it. */
function parseApplyRequest(namespace: string, name: string, query: URLSearchParams, body: string): ApplyRequest | Answer {
  const manager = query.get('fieldManager');
  if (!manager)
    return failure(
      400,
      'BadRequest',
      `PATCH /api/v1/namespaces/${namespace}/services/${name}: fieldManager is required for apply requests`,
    );
  let config: unknown;
  try {
    // JSON is YAML; the fixture understands only that subset, which is all the client sends.
    config = JSON.parse(body);
  } catch {
    return failure(400, 'BadRequest', 'error decoding YAML: the fixture accepts the JSON subset of YAML only');
  }
  if (!isObject(config) || config['apiVersion'] !== 'v1' || config['kind'] !== 'Service' || !isObject(config['metadata']))
    return failure(400, 'BadRequest', 'apply patch must carry apiVersion v1, kind Service and metadata');
  const meta = config['metadata'];
  if (meta['name'] !== name || (meta['namespace'] !== undefined && meta['namespace'] !== namespace))
    return failure(400, 'BadRequest', `the name of the object (${String(meta['name'])}) does not match the name on the URL (${name})`);
  return { config, manager };
}

/** The 409 answer to an apply whose fields other managers own with other values. */
export function applyConflicts(name: string, kind: string, found: readonly ApplyConflict[]): Answer {
  const fields = found.map((c) => `conflict with "${c.manager}": ${describePath(c.path)}`);
  return failure(409, 'Conflict', `Apply failed with ${fields.length} conflict${fields.length === 1 ? '' : 's'}: ${fields.join('\n')}`, {
    name,
    kind,
    causes: found.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with "${c.manager}"`,
      field: describePath(c.path),
    })),
  });
}

/** The node ports a Service holds. */
function nodePortsOf(service: Readonly<JsonObject>): Json[] {
  const spec = service['spec'];
  return isObject(spec) ? portsOf(spec).flatMap((p) => (p['nodePort'] === undefined ? [] : [p['nodePort']])) : [];
}

function portsOf(spec: JsonObject): JsonObject[] {
  return Array.isArray(spec['ports']) ? spec['ports'].filter(isObject) : [];
}

function needsNodePorts(spec: JsonObject | undefined, type: Json | undefined): boolean {
  return type === 'NodePort' || (type === 'LoadBalancer' && spec?.['allocateLoadBalancerNodePorts'] !== false);
}

/**
 * Keeps the cluster IP the writer left out; returns the 422 refusal of a change of it. A Service
 * that is or was ExternalName has none to keep.
 */
function keepClusterIp(old: JsonObject, after: JsonObject, spec: JsonObject): JsonObject | undefined {
  if ((spec['type'] ?? 'ClusterIP') === 'ExternalName' || (old['type'] ?? 'ClusterIP') === 'ExternalName') return undefined;
  const oldIp = typeof old['clusterIP'] === 'string' ? old['clusterIP'] : '';
  const newIp = typeof spec['clusterIP'] === 'string' ? spec['clusterIP'] : '';
  if (oldIp !== '' && newIp === '') {
    spec['clusterIP'] = oldIp;
    if (old['clusterIPs'] !== undefined) spec['clusterIPs'] = structuredClone(old['clusterIPs']);
  } else if (oldIp !== '' && newIp !== oldIp) {
    const name = String(metaOf(after)['name']);
    const value = `[]string{${JSON.stringify(newIp)}}`;
    const message = `Invalid value: ${value}: may not change once set`;
    return status(422, 'Invalid', `Service "${name}" is invalid: spec.clusterIPs[0]: ${message}`, {
      name,
      kind: 'Service',
      causes: [{ reason: 'FieldValueInvalid', message, field: 'spec.clusterIPs[0]' }],
    });
  } else if (spec['clusterIPs'] === undefined && old['clusterIPs'] !== undefined) {
    spec['clusterIPs'] = structuredClone(old['clusterIPs']);
  }
  return undefined;
}

/** Keeps the node ports (by port name) the writer left out, or drops them with the type that needed them. */
function keepNodePorts(old: JsonObject, spec: JsonObject, ports: JsonObject[]): void {
  const type = spec['type'] ?? 'ClusterIP';
  const oldType = old['type'] ?? 'ClusterIP';
  const oldByName = new Map(portsOf(old).map((p) => [String(p['name'] ?? ''), p['nodePort']]));
  if (needsNodePorts(old, oldType) && needsNodePorts(spec, type)) {
    const used = new Set(ports.map((p) => p['nodePort']).filter((n) => n !== undefined));
    for (const port of ports) {
      const kept = oldByName.get(String(port['name'] ?? ''));
      if (port['nodePort'] === undefined && kept !== undefined && !used.has(kept)) port['nodePort'] = kept;
    }
  }
  if (needsNodePorts(old, oldType) && !needsNodePorts(spec, type)) {
    // Node ports the writer did not change go with the type that needed them.
    for (const port of ports)
      if (port['nodePort'] !== undefined && port['nodePort'] === oldByName.get(String(port['name'] ?? ''))) delete port['nodePort'];
  }
}
