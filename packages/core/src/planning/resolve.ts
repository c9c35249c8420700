// In-cluster discovery, as kube-dns did it for pods: `<service>.<namespace>.<federation>.svc.<cluster domain>`
// answers the local shard when it is healthy, and otherwise sends the pod to its zone's federated name.
import { parseAddress } from '../dns/addresses.js';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, normalizeName } from '../dns/names.js';
import { recordNames } from './plan.js';
import type { Federation } from '../types.js';
import { label, record, text, validateFederation } from './validate.js';
import { ValidationError } from '../errors.js';

export interface FederatedQueryContext {
  readonly federation: Federation;
  /** The member cluster's DNS domain. Default `cluster.local`. */
  readonly clusterDomain?: string;
  /** Zone and region of the cluster the asking pod runs in. */
  readonly zone: string;
  readonly region: string;
  /** The local cluster's Service of that name and namespace, if it has one. */
  readonly localService: (namespace: string, name: string) => { readonly clusterIP?: string; readonly readyEndpoints: number } | undefined;
}

export type FederatedAnswer =
  /** The local shard is healthy: CNAME to its cluster-local name, and its cluster IP. */
  | { readonly kind: 'local'; readonly cname: string; readonly addresses: readonly string[] }
  /** No healthy local shard: CNAME to the zone's federated name, which walks zone → region → global. */
  | { readonly kind: 'remote'; readonly cname: string };

/**
 * In-cluster discovery, as kube-dns did it for pods: answers `qname` as the cluster's DNS
 * server receives it, that is after the pod's resolver applied its search path:
 * `nginx.mynamespace.myfederation` and `nginx.mynamespace.myfederation.svc` both reach here as
 * `nginx.mynamespace.myfederation.svc.cluster.local.`; the other expansions
 * (`….<pod namespace>.svc.cluster.local.`) are not federated queries and get `null`.
 *
 * When the local cluster's Service of that name is healthy (a cluster IP and at least one
 * ready endpoint) the answer is a CNAME to its cluster-local name plus the cluster IP;
 * otherwise a CNAME to the zone's federated name (see {@link recordNames}), which then walks
 * zone → region → global in the federation's DNS. Pure: `localService` is the only lookup.
 *
 * @param qname - The query name, any case, with or without the trailing dot.
 * @param context - The federation, the cluster's DNS domain, zone and region, and its Services.
 * @returns The answer, or `null` when `qname` is not a federated query of this federation
 *   (another federation's name, another domain, not three labels before `.svc.`, or a name
 *   too long for any record).
 * @throws {@link ValidationError} when `context` is malformed (never for `qname`).
 * @example
 * ```ts
 * const answer = resolveFederatedQuery('nginx.mynamespace.myfederation.svc.cluster.local.', {
 *   federation: { name: 'myfederation', domain: 'example.com' },
 *   zone: 'us-central1-a', region: 'us-central1',
 *   localService: (namespace, name) => services.get(`${namespace}/${name}`),
 * });
 * // { kind: 'local', cname: 'nginx.mynamespace.svc.cluster.local.', addresses: ['10.0.0.12'] }, or
 * // { kind: 'remote', cname: 'nginx.mynamespace.myfederation.svc.us-central1-a.example.com.' }
 * ```
 */
export function resolveFederatedQuery(qname: string, context: FederatedQueryContext): FederatedAnswer | null {
  const input = record(context, 'context');
  const federation = validateFederation(input['federation'], 'context.federation');
  const rawDomain = input['clusterDomain'] === undefined ? 'cluster.local' : text(input['clusterDomain'], 'context.clusterDomain');
  const clusterDomain = normalizeName(rawDomain);
  if (!isDns1123Subdomain(clusterDomain.slice(0, -1))) {
    throw new ValidationError('context.clusterDomain', rawDomain, 'must be a DNS-1123 subdomain');
  }
  const zone = label(input['zone'], 'context.zone', 'DNS-1123');
  const region = label(input['region'], 'context.region', 'DNS-1123');
  if (typeof input['localService'] !== 'function') {
    throw new ValidationError('context.localService', input['localService'], 'must be a function');
  }
  if (typeof qname !== 'string' || qname.length > 254) return null;

  const suffix = `.svc.${clusterDomain}`;
  const name = normalizeName(qname);
  if (!name.endsWith(suffix)) return null;
  const labels = name.slice(0, -suffix.length).split('.');
  if (labels.length !== 3) return null;
  const [service = '', namespace = '', federationName = ''] = labels;
  if (federationName !== federation.name || !isDns1035Label(service) || !isDns1123Label(namespace)) return null;

  const local = context.localService(namespace, service);
  const clusterIP = local?.clusterIP === undefined ? null : parseAddress(local.clusterIP);
  if (local && clusterIP && local.readyEndpoints > 0) {
    return { kind: 'local', cname: `${service}.${namespace}.svc.${clusterDomain}`, addresses: [clusterIP.text] };
  }
  // A name too long for any record of the federation (say a 63-character service in a long domain) has none to point at.
  try {
    return { kind: 'remote', cname: recordNames(federation, { namespace, name: service }).zone(zone, region) };
  } catch (error) {
    if (error instanceof ValidationError) return null;
    throw error;
  }
}
