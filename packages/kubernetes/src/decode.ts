// Decoding what a member cluster sends into the shapes fedsvc uses. Objects arrive either raw
// from a watch stream or through the client's model classes from a list; both have the wire
// field names. A bad object is a ValidationError naming the object and the field.
import { ValidationError, type LoadBalancerIngress, type ServiceManifest } from '@fedsvc/core/provider';

export interface DecodedService {
  readonly namespace: string;
  readonly name: string;
  readonly manifest: ServiceManifest;
  readonly clusterIP?: string;
  readonly ingress: readonly LoadBalancerIngress[];
  /** `metadata.deletionTimestamp` is set: the Service and its load balancer are going away. */
  readonly terminating: boolean;
}

export interface DecodedEndpointSlice {
  readonly namespace: string;
  readonly name: string;
  /** The Service the slice belongs to (`kubernetes.io/service-name`), when it names one. */
  readonly service: string | undefined;
  readonly readyEndpoints: number;
}

export interface DecodedNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fields(value: unknown, field: string): Fields {
  if (!isFields(value)) throw new ValidationError(field, value, 'must be an object');
  return value;
}

function optionalFields(value: unknown, field: string): Fields | undefined {
  return value === undefined || value === null ? undefined : fields(value, field);
}

function name(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(field, value, 'must be a non-empty string');
  return value;
}

function stringMap(value: unknown, field: string): Record<string, string> | undefined {
  const map = optionalFields(value, field);
  if (!map) return undefined;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(map)) {
    if (typeof v !== 'string') throw new ValidationError(`${field}["${key}"]`, v, 'must be a string');
    out[key] = v;
  }
  return out;
}

/** Where an object lives, read as leniently as possible so even a bad object can be named. */
export function objectRef(value: unknown): { namespace?: string; name?: string } {
  const meta = isFields(value) && isFields(value['metadata']) ? value['metadata'] : {};
  return {
    namespace: typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined,
    name: typeof meta['name'] === 'string' ? meta['name'] : undefined,
  };
}

function describeRef(kind: string, value: unknown): string {
  const ref = objectRef(value);
  return `${kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name ?? '<unnamed>'}`;
}

/** Plain JSON: model classes and Dates from the client become what the wire carried. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

export function decodeService(value: unknown): DecodedService {
  const at = describeRef('services', value);
  const object = fields(value, at);
  const meta = fields(object['metadata'], `${at}.metadata`);
  const namespace = name(meta['namespace'], `${at}.metadata.namespace`);
  const serviceName = name(meta['name'], `${at}.metadata.name`);
  const labels = stringMap(meta['labels'], `${at}.metadata.labels`);
  const annotations = stringMap(meta['annotations'], `${at}.metadata.annotations`);
  const spec = fields(plain(object['spec']), `${at}.spec`);
  const ports = spec['ports'];
  if (ports !== undefined) {
    if (!Array.isArray(ports)) throw new ValidationError(`${at}.spec.ports`, ports, 'must be an array');
    ports.forEach((port: unknown, i) => {
      const p = fields(port, `${at}.spec.ports[${i}]`);
      const number = p['port'];
      if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) {
        throw new ValidationError(`${at}.spec.ports[${i}].port`, number, 'must be an integer from 1 to 65535');
      }
    });
  }
  const clusterIP = spec['clusterIP'];
  if (clusterIP !== undefined && typeof clusterIP !== 'string')
    throw new ValidationError(`${at}.spec.clusterIP`, clusterIP, 'must be a string');
  const status = optionalFields(object['status'], `${at}.status`);
  const loadBalancer = optionalFields(status?.['loadBalancer'], `${at}.status.loadBalancer`);
  const rawIngress = loadBalancer?.['ingress'] ?? [];
  if (!Array.isArray(rawIngress)) throw new ValidationError(`${at}.status.loadBalancer.ingress`, rawIngress, 'must be an array');
  const ingress = rawIngress.map((entry: unknown, i): LoadBalancerIngress => {
    const e = fields(entry, `${at}.status.loadBalancer.ingress[${i}]`);
    const ip = e['ip'];
    const hostname = e['hostname'];
    if (ip !== undefined && (typeof ip !== 'string' || ip.length === 0))
      throw new ValidationError(`${at}.status.loadBalancer.ingress[${i}].ip`, ip, 'must be a non-empty string');
    if (hostname !== undefined && (typeof hostname !== 'string' || hostname.length === 0)) {
      throw new ValidationError(`${at}.status.loadBalancer.ingress[${i}].hostname`, hostname, 'must be a non-empty string');
    }
    if (ip === undefined && hostname === undefined)
      throw new ValidationError(`${at}.status.loadBalancer.ingress[${i}]`, entry, 'must carry an ip or a hostname');
    return { ip, hostname };
  });
  const manifest: ServiceManifest = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName, namespace, labels, annotations },
    spec,
  };
  const terminating = meta['deletionTimestamp'] !== undefined && meta['deletionTimestamp'] !== null;
  return { namespace, name: serviceName, manifest, clusterIP: clusterIP === '' ? undefined : clusterIP, ingress, terminating };
}

/** An endpoint counts as ready unless its `conditions.ready` is false (nil means ready, per the API). */
export function decodeEndpointSlice(value: unknown): DecodedEndpointSlice {
  const at = describeRef('endpointslices', value);
  const object = fields(value, at);
  const meta = fields(object['metadata'], `${at}.metadata`);
  const namespace = name(meta['namespace'], `${at}.metadata.namespace`);
  const sliceName = name(meta['name'], `${at}.metadata.name`);
  const labels = stringMap(meta['labels'], `${at}.metadata.labels`) ?? {};
  const endpoints = object['endpoints'] ?? [];
  if (!Array.isArray(endpoints)) throw new ValidationError(`${at}.endpoints`, endpoints, 'must be an array');
  let ready = 0;
  endpoints.forEach((endpoint: unknown, i) => {
    const e = fields(endpoint, `${at}.endpoints[${i}]`);
    const conditions = optionalFields(e['conditions'], `${at}.endpoints[${i}].conditions`);
    const flag = conditions?.['ready'];
    if (flag !== undefined && flag !== null && typeof flag !== 'boolean') {
      throw new ValidationError(`${at}.endpoints[${i}].conditions.ready`, flag, 'must be a boolean');
    }
    if (flag !== false) ready += 1;
  });
  return { namespace, name: sliceName, service: labels[SERVICE_NAME_LABEL], readyEndpoints: ready };
}

export function decodeNode(value: unknown): DecodedNode {
  const at = describeRef('nodes', value);
  const object = fields(value, at);
  const meta = fields(object['metadata'], `${at}.metadata`);
  return { name: name(meta['name'], `${at}.metadata.name`), labels: stringMap(meta['labels'], `${at}.metadata.labels`) ?? {} };
}

/** The items and resourceVersion of a list answer; anything else is a garbage answer. */
export function decodeList(value: unknown, resource: string): { items: readonly unknown[]; resourceVersion: string; continue?: string } {
  const object = fields(value, `${resource} list`);
  const meta = fields(object['metadata'], `${resource} list.metadata`);
  const rv = meta['resourceVersion'];
  if (typeof rv !== 'string' || rv.length === 0)
    throw new ValidationError(`${resource} list.metadata.resourceVersion`, rv, 'must be a non-empty string');
  const items = object['items'] ?? [];
  if (!Array.isArray(items)) throw new ValidationError(`${resource} list.items`, items, 'must be an array');
  // The client's ListMeta model spells `continue` as `_continue`.
  const token = meta['_continue'] ?? meta['continue'];
  return { items, resourceVersion: rv, continue: typeof token === 'string' && token.length > 0 ? token : undefined };
}
