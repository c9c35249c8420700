// Finding the zone to reconcile among those a provider can see.
import { ProviderError, ValidationError } from '../errors.js';
import { normalizeName } from '../dns/names.js';
import type { DnsProvider, DnsZone } from '../types.js';

export type ZoneSelector = { readonly dnsName: string } | { readonly id: string };

/** Several zones match a DNS name (e.g. a public and a private one); pick one by id. */
export class AmbiguousZoneError extends Error {
  override readonly name = 'AmbiguousZoneError';
  constructor(
    readonly provider: string,
    readonly dnsName: string,
    /** The ids of every matching zone. */
    readonly candidates: readonly string[],
  ) {
    super(`${provider}: ${candidates.length} zones are named ${dnsName} (ids: ${candidates.join(', ')}); select one by id`);
  }
}

/**
 * The one zone with that DNS name (any case, with or without the trailing dot) or that id,
 * among those the provider's credentials can see (one `zones()` call).
 *
 * @returns The zone, to pass to {@link reconcileZone} or the controller's `dns.zone`.
 * @throws {@link ValidationError} when the name or id is empty or has surrounding spaces.
 * @throws {@link ProviderError} of kind `not-found` when no zone matches (and whatever the
 *   provider's `zones()` throws).
 * @throws {@link AmbiguousZoneError} when several zones match (say a public and a private
 *   zone of one name); its `candidates` are their ids: select one by id.
 * @example
 * ```ts
 * const zone = await findZone(provider, { dnsName: 'example.com' });
 * const same = await findZone(provider, { id: zone.id });
 * ```
 */
export async function findZone(provider: DnsProvider, selector: ZoneSelector): Promise<DnsZone> {
  const byId = 'id' in selector;
  const wanted = byId ? selector.id : selector.dnsName;
  if (typeof wanted !== 'string' || wanted.trim() === '' || wanted.trim() !== wanted) {
    throw new ValidationError(byId ? 'zone.id' : 'zone.dnsName', wanted, 'must be a non-empty string without surrounding spaces');
  }
  const dnsName = byId ? '' : normalizeName(wanted);
  const zones = await provider.zones();
  const matches = zones.filter((zone) => (byId ? zone.id === wanted : normalizeName(zone.dnsName) === dnsName));
  const [first, ...others] = matches;
  if (first === undefined) {
    const what = byId ? `no zone has id ${JSON.stringify(wanted)}` : `no zone is named ${dnsName}`;
    throw new ProviderError(provider.name, 'not-found', `${what} (${zones.length} zones visible)`);
  }
  if (others.length > 0)
    throw new AmbiguousZoneError(
      provider.name,
      byId ? wanted : dnsName,
      matches.map((zone) => zone.id),
    );
  return first;
}
