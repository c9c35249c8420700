// The zone the config names, found among those the provider's credentials see; a failure to
// reach it is said in the config's terms, whichever command met it.
import { type DnsZone, findZone, ProviderError } from '@fedsvc/core';
import type { FedsvcConfig } from './config/config.js';
import type { Setup } from './config/setup.js';

/** One `zones()` request: by id when the config gives one, else by name. */
export async function resolveZone(setup: Pick<Setup, 'config' | 'provider' | 'zone'>): Promise<DnsZone> {
  const { id, dnsName } = setup.zone;
  try {
    return await findZone(setup.provider, id === undefined ? { dnsName } : { id });
  } catch (error) {
    throw inConfigTerms(setup, error);
  }
}

/** Where the DNS provider's credentials come from, in the config's terms. */
function credentialSource(config: FedsvcConfig): string {
  const { provider, rfc2136, google } = config.dns;
  switch (provider) {
    case 'rfc2136':
      return `dns.rfc2136.tsigSecretFile ${JSON.stringify(rfc2136.tsigSecretFile)} (TSIG key dns.rfc2136.tsigName ${JSON.stringify(rfc2136.tsigName)})`;
    case 'google':
      return google.keyFilename === undefined
        ? 'Application Default Credentials (dns.google.keyFilename not set)'
        : `dns.google.keyFilename ${JSON.stringify(google.keyFilename)}`;
    default:
      // Route 53's credentials have no field: the SDK finds them, as the AWS CLI does.
      return "the AWS SDK's credential chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, web identity)";
  }
}

/**
 * The provider's failure to reach the zone, said in the config's terms: the field of a zone not
 * found, the source of credentials refused. Other failures are returned as they are.
 */
export function inConfigTerms(setup: Pick<Setup, 'config' | 'zone'>, error: unknown): unknown {
  if (!(error instanceof ProviderError) || (error.kind !== 'not-found' && error.kind !== 'denied')) return error;
  const { id, dnsName } = setup.zone;
  const said =
    error.kind === 'not-found'
      ? `${id === undefined ? `dns.zone: ${dnsName}` : `dns.zoneId: ${id}`} is not a zone the credentials see: ${error.message}`
      : `${credentialSource(setup.config)}: the credentials are refused: ${error.message}`;
  // A plain Error: a ProviderError would put the provider's name before the field.
  return new Error(said, { cause: error });
}
