// The federated Service's status: what `kubectl describe services` showed for it in the guide.
import { parseAddress } from '../dns/addresses.js';
import { ValidationError } from '../errors.js';
import { isDns1123Subdomain, normalizeName } from '../dns/names.js';
import type { LoadBalancerIngress, ShardStatus } from '../types.js';
import { list, record } from './validate.js';

export interface FederatedServiceStatus {
  readonly loadBalancer: { readonly ingress: readonly LoadBalancerIngress[] };
}

/**
 * The federated Service's status, as `kubectl describe services` showed it in the guide: the
 * union of every shard's load-balancer ingress, once each: IPv4, then IPv6, numerically; then
 * hostnames (without the trailing dot, as Kubernetes lists them). Every shard counts, healthy
 * or not; pure.
 *
 * @throws {@link ValidationError} naming the field (`shards[2].ingress[0].ip`) when an entry has
 *   neither `ip` nor `hostname`, or either is malformed.
 * @example
 * ```ts
 * aggregateServiceStatus(shards).loadBalancer.ingress;
 * // [{ ip: '104.197.244.180' }, { ip: '104.197.247.191' }, { hostname: 'a1b2.us-east-1.elb.amazonaws.com' }]
 * ```
 */
export function aggregateServiceStatus(shards: readonly ShardStatus[]): FederatedServiceStatus {
  const ips = new Map<string, { ip: string; order: string }>();
  const hostnames = new Set<string>();
  list(shards, 'shards').forEach((shard, i) => {
    list(record(shard, `shards[${i}]`)['ingress'], `shards[${i}].ingress`).forEach((item, j) => {
      const field = `shards[${i}].ingress[${j}]`;
      const entry = record(item, field);
      const { ip, hostname } = entry;
      if (ip === undefined && hostname === undefined) throw new ValidationError(field, item, 'must have an ip or a hostname');
      if (ip !== undefined) {
        const address = typeof ip === 'string' ? parseAddress(ip) : null;
        if (!address) throw new ValidationError(`${field}.ip`, ip, 'must be an IPv4 or IPv6 address');
        ips.set(address.key, { ip: address.text, order: `${address.family}${address.key}` });
      }
      if (hostname !== undefined) {
        // Accepted with or without the trailing dot (docs/design.md, Names); listed without, as Kubernetes shows it.
        const bare = typeof hostname === 'string' ? normalizeName(hostname).slice(0, -1) : '';
        if (!isDns1123Subdomain(bare)) {
          throw new ValidationError(`${field}.hostname`, hostname, 'must be a DNS-1123 subdomain, with or without the trailing dot');
        }
        hostnames.add(bare);
      }
    });
  });
  const ingress: LoadBalancerIngress[] = [...ips.values()].sort((a, b) => (a.order < b.order ? -1 : 1)).map(({ ip }) => ({ ip }));
  for (const hostname of [...hostnames].sort()) ingress.push({ hostname });
  return { loadBalancer: { ingress } };
}
