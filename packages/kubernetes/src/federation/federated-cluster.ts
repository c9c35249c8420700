// A FederatedCluster object → what the source needs to reach the member cluster: its API server,
// the Secret holding its credentials, the labels selectors match, and topology overrides.
import { ValidationError, isDns1123Label } from '@fedsvc/core/provider';
import { kind, object, objectName, optionalList, optionalObject, optionalStringMap, uniqueNames } from './fields.js';

/** A member cluster as its FederatedCluster says. */
export interface FederatedClusterSpec {
  /** The object's name: the member cluster's name in the federation. */
  readonly name: string;
  /** The object's labels, which placement's cluster selectors match; `{}` when none. */
  readonly labels: Readonly<Record<string, string>>;
  /** The member's API server, an `https:` (or `http:`) URL. */
  readonly server: string;
  /** The Secret holding `kubeconfig`, or `token` and `ca.crt`. */
  readonly secretRef: { readonly name: string; readonly namespace: string };
  /** Overrides what the member's nodes say of their region and zones; absent, the nodes' labels decide. */
  readonly topology?: { readonly region?: string; readonly zones?: readonly string[] };
}

/**
 * A FederatedCluster object, as the API server sends it, → its {@link FederatedClusterSpec}. Pure.
 *
 * @param defaultSecretNamespace - The namespace of `spec.secretRef` when it names none (the source's own).
 * @throws {@link ValidationError} whose `field` is the path in the object (`spec.server`,
 * `spec.secretRef.name`, `spec.topology.zones[1]`) and whose `value` is what it holds.
 */
export function decodeFederatedCluster(value: unknown, defaultSecretNamespace: string): FederatedClusterSpec {
  const root = object(value, 'FederatedCluster');
  kind(root, 'FederatedCluster');
  const metadata = object(root['metadata'], 'metadata');
  const name = objectName(metadata['name'], 'metadata.name');
  const labels = optionalStringMap(metadata['labels'], 'metadata.labels') ?? {};
  const spec = object(root['spec'], 'spec');
  const server = serverUrl(spec['server'], 'spec.server');
  const secret = object(spec['secretRef'], 'spec.secretRef');
  const secretRef = {
    name: objectName(secret['name'], 'spec.secretRef.name'),
    namespace: dns1123Label(secret['namespace'] ?? defaultSecretNamespace, 'spec.secretRef.namespace'),
  };
  const topology = topologyOverrides(spec['topology'], 'spec.topology');
  return { name, labels, server, secretRef, ...(topology ? { topology } : {}) };
}

/** An API server's URL: https (or http, for a local proxy), a host, nothing after the path. */
function serverUrl(value: unknown, field: string): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '' || url.search !== '' || url.hash !== '')
    throw new ValidationError(field, value, 'must be the API server URL, https://host[:port][/path]');
  if (url.username !== '' || url.password !== '')
    throw new ValidationError(field, '[URL with credentials]', 'must not carry credentials; put them in the Secret');
  return value as string;
}

function dns1123Label(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isDns1123Label(value))
    throw new ValidationError(field, value, 'must be a DNS-1123 label (lower-case letters, digits and "-", at most 63)');
  return value;
}

function topologyOverrides(value: unknown, field: string): FederatedClusterSpec['topology'] {
  const input = optionalObject(value, field);
  if (!input) return undefined;
  const region = input['region'] === undefined || input['region'] === null ? undefined : dns1123Label(input['region'], `${field}.region`);
  const listed = optionalList(input['zones'], `${field}.zones`);
  if (listed?.length === 0) throw new ValidationError(`${field}.zones`, listed, 'must list at least one zone');
  const zones = listed?.map((zone, i) => dns1123Label(zone, `${field}.zones[${i}]`));
  if (zones) uniqueNames(zones, (i) => `${field}.zones[${i}]`);
  return { ...(region === undefined ? {} : { region }), ...(zones ? { zones } : {}) };
}

/**
 * Why a FederatedCluster's topology override is not taken: an override replaces what the nodes
 * say only as a whole, so a region without zones (or zones without a region) is ignored and the
 * nodes' labels decide. Undefined when the override is whole or absent. Pure.
 *
 * @returns A {@link ValidationError} naming the field given alone and its value.
 */
export function incompleteTopology(topology: FederatedClusterSpec['topology']): ValidationError | undefined {
  const { region, zones } = topology ?? {};
  if ((region === undefined) === (zones === undefined)) return undefined;
  const [given, missing] = region === undefined ? ['zones', 'region'] : ['region', 'zones'];
  return new ValidationError(
    `spec.topology.${given}`,
    region ?? zones,
    `is ignored without spec.topology.${missing}, and the nodes' labels decide the region and zones; give spec.topology.${missing} too, or remove spec.topology`,
  );
}
