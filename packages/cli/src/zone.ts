// The zone the config names, found among those the provider's credentials see.
import { type DnsZone, findZone } from '@fedsvc/core';
import type { Setup } from './config/setup.js';

/** One `zones()` request: by id when the config gives one, else by name. */
export async function resolveZone(setup: Pick<Setup, 'provider' | 'zone'>): Promise<DnsZone> {
  const { id, dnsName } = setup.zone;
  return findZone(setup.provider, id === undefined ? { dnsName } : { id });
}
