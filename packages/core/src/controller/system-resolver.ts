// Load-balancer hostnames resolved through DNS: a ready `resolveHostname` for the controller.
import { Resolver } from 'node:dns/promises';

/** Codes that mean "no address of this family", not a failed lookup. */
const NO_ADDRESS = new Set(['ENODATA', 'ENOTFOUND']);

/**
 * A `resolveHostname` that asks `servers` (`host` or `host:port`; default: the host's own, from
 * its resolver configuration) for a hostname's A and AAAA addresses. A name with neither
 * resolves to none; any other failure rejects, so the controller keeps the last addresses.
 *
 * @param servers - Resolvers to ask, `host` or `host:port`; default: the host's resolver configuration.
 * @returns A function for the controller option `resolveHostname`.
 * @example
 * ```ts
 * const controller = createController({ ...options, resolveHostname: dnsResolver() });
 * ```
 */
export function dnsResolver(servers?: readonly string[]): (hostname: string) => Promise<string[]> {
  const resolver = new Resolver();
  if (servers !== undefined) resolver.setServers([...servers]);
  const family = (lookup: Promise<string[]>) =>
    lookup.catch((error: NodeJS.ErrnoException) => {
      if (error.code !== undefined && NO_ADDRESS.has(error.code)) return [];
      throw error;
    });
  return async (hostname) => {
    const [v4, v6] = await Promise.all([family(resolver.resolve4(hostname)), family(resolver.resolve6(hostname))]);
    return [...v4, ...v6];
  };
}
