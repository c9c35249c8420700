// A FederatedService object → the controller's input. The API server's structural schema refuses
// what it can; what it cannot (and what a client without the schema sends) is refused here, the
// field named as the user wrote it.
import { ValidationError, isTtl, parseIPv4, parseIPv6, validateSelector, validateTrafficPolicy } from '@fedsvc/core/provider';
import type { FederatedService, ShardOverride } from '@fedsvc/core';
import { kind, object, objectName, optionalList, optionalObject, optionalStringMap, uniqueNames } from './fields.js';
import { namespaceName, serviceName, serviceTemplate } from './service-template.js';

/**
 * A FederatedService object, as the API server sends it, → the controller's input
 * (`controller.applyService`). The Service is `spec.template` named after the object;
 * `spec.placement`, `spec.overrides`, `spec.dns.ttl` and `spec.dns.trafficPolicy` become
 * `clusters` or `clusterSelector`, `overrides`, `ttl` and `trafficPolicy`. Pure.
 *
 * @throws {@link ValidationError} whose `field` is the path in the object
 * (`spec.template.spec.ports[0].port`, `spec.overrides[1].externalTrafficPolicy`) and whose
 * `value` is what it holds. The record names' length, which depends on the federation, is
 * checked by `applyService`.
 */
export function decodeFederatedService(value: unknown): FederatedService {
  const root = object(value, 'FederatedService');
  kind(root, 'FederatedService');
  const metadata = object(root['metadata'], 'metadata');
  const namespace = namespaceName(metadata['namespace'], 'metadata.namespace');
  const name = serviceName(metadata['name'], 'metadata.name');
  const spec = object(root['spec'], 'spec');
  const manifest = serviceTemplate(spec['template'], 'spec.template', namespace, name);
  const placed = placement(spec['placement'], 'spec.placement');
  const overrides = shardOverrides(spec['overrides'], 'spec.overrides');
  const ttl = dnsTtl(spec['dns'], 'spec.dns');
  const trafficPolicy = optionalObject(spec['dns'], 'spec.dns')?.['trafficPolicy'];
  return {
    manifest,
    ...placed,
    ...(overrides ? { overrides } : {}),
    ...(ttl === undefined ? {} : { ttl }),
    ...(trafficPolicy === undefined || trafficPolicy === null
      ? {}
      : { trafficPolicy: validateTrafficPolicy(trafficPolicy, 'spec.dns.trafficPolicy') }),
  };
}

function placement(value: unknown, field: string): Pick<FederatedService, 'clusters' | 'clusterSelector'> {
  const input = optionalObject(value, field);
  if (!input) return {};
  const listed = optionalList(input['clusters'], `${field}.clusters`);
  const clusterSelector = validateSelector(input['clusterSelector'] ?? undefined, `${field}.clusterSelector`);
  if (listed && clusterSelector)
    throw new ValidationError(
      field,
      value,
      'must hold clusters or clusterSelector, not both: say which clusters the service is placed in one way',
    );
  if (!listed) return clusterSelector ? { clusterSelector } : {};
  const clusters = listed.map((item, i) => objectName(object(item, `${field}.clusters[${i}]`)['name'], `${field}.clusters[${i}].name`));
  uniqueNames(clusters, (i) => `${field}.clusters[${i}].name`);
  return { clusters };
}

function shardOverrides(value: unknown, field: string): Record<string, ShardOverride> | undefined {
  const items = optionalList(value, field);
  if (!items) return undefined;
  const entries = items.map((item, i) => shardOverride(item, `${field}[${i}]`));
  uniqueNames(
    entries.map(([cluster]) => cluster),
    (i) => `${field}[${i}].clusterName`,
  );
  return Object.fromEntries(entries);
}

function shardOverride(value: unknown, field: string): [string, ShardOverride] {
  const input = object(value, field);
  const cluster = objectName(input['clusterName'], `${field}.clusterName`);
  const annotations = optionalStringMap(input['annotations'], `${field}.annotations`);
  const ranges = optionalList(input['loadBalancerSourceRanges'], `${field}.loadBalancerSourceRanges`);
  ranges?.forEach((range, j) => sourceRange(range, `${field}.loadBalancerSourceRanges[${j}]`));
  const policy = input['externalTrafficPolicy'];
  if (policy !== undefined && policy !== 'Cluster' && policy !== 'Local')
    throw new ValidationError(`${field}.externalTrafficPolicy`, policy, 'must be Cluster or Local');
  return [
    cluster,
    {
      ...(annotations ? { annotations } : {}),
      ...(ranges ? { loadBalancerSourceRanges: ranges as string[] } : {}),
      ...(policy === undefined ? {} : { externalTrafficPolicy: policy }),
    },
  ];
}

/** A CIDR as `loadBalancerSourceRanges` takes it: `10.0.0.0/8`, `2001:db8::/32`. */
function sourceRange(value: unknown, field: string): void {
  const [address = '', prefix, ...rest] = typeof value === 'string' ? value.split('/') : [];
  // Not parseAddress: 0.0.0.0/0, every source, is a range a user may mean.
  const parsed =
    rest.length === 0 && prefix !== undefined && /^\d{1,3}$/.test(prefix) ? (address.includes(':') ? parseIPv6 : parseIPv4)(address) : null;
  if (parsed === null || Number(prefix) > (parsed.family === 4 ? 32 : 128))
    throw new ValidationError(field, value, 'must be a CIDR such as 10.0.0.0/8 or 2001:db8::/32');
}

function dnsTtl(value: unknown, field: string): number | undefined {
  const ttl = optionalObject(value, field)?.['ttl'];
  if (ttl === undefined || ttl === null) return undefined;
  if (!isTtl(ttl)) throw new ValidationError(`${field}.ttl`, ttl, 'must be a whole number of seconds from 0 to 2147483647');
  return ttl;
}
