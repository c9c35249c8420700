// The controller's domain filter: the subdomains of the zone it may write under, checked once
// where the option enters. Records at other names are neither planned into the zone nor touched.
import { ValidationError } from '../errors.js';
import { isDns1123Subdomain, normalizeName } from '../dns/names.js';

/** Whether `name` (normalized) is `domain` or under it. */
const within = (name: string, domain: string): boolean => name === domain || name.endsWith(`.${domain}`);

/**
 * The test of a normalized name against `entries` (names in any case, with or without the
 * trailing dot): true when the name is one of them or under one. Undefined when no filter is
 * given, so that every name of the zone is in.
 *
 * @throws {@link ValidationError} naming `domainFilter[i]` when an entry is not a DNS name, lies
 *   outside the DNS zone, or can hold no name of the federation (it is neither the federation's
 *   domain, a name under it, nor one above it).
 */
export function domainFilter(entries: unknown, zone: string, federationDomain: string): ((name: string) => boolean) | undefined {
  if (entries === undefined) return undefined;
  if (!Array.isArray(entries) || entries.length === 0)
    throw new ValidationError('domainFilter', entries, 'must be a non-empty list of DNS names');
  const apex = normalizeName(zone);
  const domain = normalizeName(federationDomain);
  const domains = entries.map((entry: unknown, i) => {
    const field = `domainFilter[${i}]`;
    if (typeof entry !== 'string' || entry === '' || !isDns1123Subdomain(normalizeName(entry).slice(0, -1)))
      throw new ValidationError(field, entry, 'must be a DNS name');
    const name = normalizeName(entry);
    if (!within(name, apex)) throw new ValidationError(field, entry, `must be inside the DNS zone ${apex}`);
    if (!within(name, domain) && !within(domain, name))
      throw new ValidationError(field, entry, `holds no name of the federation, whose names are under ${domain}`);
    return name;
  });
  return (name) => domains.some((entry) => within(name, entry));
}
