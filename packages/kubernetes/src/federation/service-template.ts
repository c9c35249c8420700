// The Service a FederatedService federates, from its `spec.template`: checked where the API
// server of a member cluster would refuse it, so that the refusal names the field in the
// FederatedService and not an error in thirteen clusters.
import { ValidationError, isDns1035Label, isDns1123Label, type ServiceManifest } from '@fedsvc/core/provider';
import { object, optionalList, optionalObject, optionalStringMap, uniqueNames } from './fields.js';

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
/** An IANA service name, as a `targetPort` may be: at most 15, a letter among them, no `--`. */
const IANA_SERVICE_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;

const isPortNumber = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;

/**
 * The v1 Service of `template` (at `field`), named `name` in `namespace` (the FederatedService's
 * own name and namespace; a name or namespace in the template is not used).
 */
export function serviceTemplate(template: unknown, field: string, namespace: string, name: string): ServiceManifest {
  const root = object(template, field);
  const metadata = optionalObject(root['metadata'], `${field}.metadata`);
  const labels = optionalStringMap(metadata?.['labels'], `${field}.metadata.labels`);
  const annotations = optionalStringMap(metadata?.['annotations'], `${field}.metadata.annotations`);
  const spec = object(root['spec'], `${field}.spec`);
  serviceType(spec['type'], `${field}.spec.type`);
  ports(spec['ports'], `${field}.spec.ports`);
  optionalStringMap(spec['selector'], `${field}.spec.selector`);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    spec: copy(spec, `${field}.spec`),
  };
}

/** A copy, so that the caller's object may change afterwards; what cannot be copied is not JSON the API server sent. */
function copy(spec: Readonly<Record<string, unknown>>, field: string): Record<string, unknown> {
  try {
    return structuredClone(spec);
  } catch {
    throw new ValidationError(field, '[not JSON data]', 'must be JSON data');
  }
}

function serviceType(value: unknown, field: string): void {
  if (value !== undefined && !SERVICE_TYPES.includes(value as string))
    throw new ValidationError(field, value, `must be one of ${SERVICE_TYPES.join(', ')}`);
}

function ports(value: unknown, field: string): void {
  const items = optionalList(value, field) ?? [];
  const names = items.map((item, i) => port(item, `${field}[${i}]`, items.length > 1));
  uniqueNames(names as string[], (i) => `${field}[${i}].name`);
}

/** One port; returns its name. With several ports each needs a name, as the API server says. */
function port(value: unknown, field: string, named: boolean): string | undefined {
  const item = object(value, field);
  if (!isPortNumber(item['port'])) throw new ValidationError(`${field}.port`, item['port'], 'must be an integer from 1 to 65535');
  const { name, protocol, targetPort, nodePort } = item;
  if (name !== undefined || named) {
    if (typeof name !== 'string' || !isDns1123Label(name))
      throw new ValidationError(
        `${field}.name`,
        name,
        named ? 'must be a DNS-1123 label: a Service with several ports names each' : 'must be a DNS-1123 label',
      );
  }
  if (protocol !== undefined && !PROTOCOLS.includes(protocol as string))
    throw new ValidationError(`${field}.protocol`, protocol, `must be one of ${PROTOCOLS.join(', ')}`);
  if (targetPort !== undefined && !isPortNumber(targetPort) && !(typeof targetPort === 'string' && IANA_SERVICE_NAME.test(targetPort)))
    throw new ValidationError(`${field}.targetPort`, targetPort, 'must be a port number from 1 to 65535 or a container port name');
  if (nodePort !== undefined && !isPortNumber(nodePort))
    throw new ValidationError(`${field}.nodePort`, nodePort, 'must be an integer from 1 to 65535');
  return name as string | undefined;
}

/** The FederatedService's own name: the Service's name in every member cluster, so a DNS-1035 label. */
export function serviceName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isDns1035Label(value))
    throw new ValidationError(field, value, 'must be a DNS-1035 label (a Service name: lower-case, starts with a letter, at most 63)');
  return value;
}

export function namespaceName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isDns1123Label(value)) throw new ValidationError(field, value, 'must be a DNS-1123 label');
  return value;
}
