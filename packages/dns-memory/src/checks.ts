// What the in-memory provider checks of its options and of each change request, as a real
// provider does: limits, names inside the zone, TTLs, CNAME and ALIAS data.
import { isTtl, normalizeName, parseAddress, positiveInteger, ProviderError } from '@fedsvc/core/provider';
import type { Change, ProviderLimits, RecordSet } from '@fedsvc/core/provider';

/** The provider's name, in every error it raises. */
export const PROVIDER = 'memory';

export function checkLimits(limits: ProviderLimits): void {
  for (const field of ['maxChangesPerRequest', 'maxRrdatasPerRequest', 'maxRrdataCharsPerRequest'] as const) {
    positiveInteger(`limits.${field}`, limits[field]);
  }
}

/** The checks of one change request to the zone at `apex`; throws the first `invalid` it finds. */
export function checkChanges(
  apex: string,
  changes: readonly Change[],
  limits: ProviderLimits,
  canAlias: ((hostname: string) => boolean) | undefined,
): void {
  if (changes.length === 0) throw new ProviderError(PROVIDER, 'invalid', 'a change request must carry at least one change');
  let count = 0;
  let rrdatas = 0;
  let chars = 0;
  for (const change of changes) {
    const sides = change.kind === 'update' ? [change.before, change.record] : [change.record];
    count += sides.length;
    for (const side of sides) {
      rrdatas += side.rrdatas.length;
      chars += side.rrdatas.reduce((sum, rrdata) => sum + rrdata.length, 0);
      checkRecordSet(apex, side, canAlias);
    }
  }
  const over = (what: string, value: number, limit: number) =>
    new ProviderError(PROVIDER, 'invalid', `the request carries ${value} ${what}, more than the limit of ${limit}`);
  if (count > limits.maxChangesPerRequest) throw over('changes', count, limits.maxChangesPerRequest);
  if (rrdatas > limits.maxRrdatasPerRequest) throw over('rrdatas', rrdatas, limits.maxRrdatasPerRequest);
  if (chars > limits.maxRrdataCharsPerRequest) throw over('characters of rrdata', chars, limits.maxRrdataCharsPerRequest);
}

function checkRecordSet(apex: string, side: RecordSet<string>, canAlias: ((hostname: string) => boolean) | undefined): void {
  const { name, type } = side;
  const record = { name, type };
  if (name !== apex && !name.endsWith(`.${apex}`)) {
    throw new ProviderError(PROVIDER, 'invalid', `${name} ${type} is not in zone ${apex}`, { record });
  }
  if (name !== normalizeName(name))
    throw new ProviderError(PROVIDER, 'invalid', `${name} ${type}: the name must be lower-case and end with a dot`, { record });
  if (!isTtl(side.ttl)) {
    throw new ProviderError(PROVIDER, 'invalid', `${name} ${type}: TTL ${side.ttl} is not an integer from 0 to 2^31-1`, { record });
  }
  if (side.rrdatas.length === 0)
    throw new ProviderError(PROVIDER, 'invalid', `${name} ${type}: a record set needs at least one rrdata`, { record });
  if (type === 'CNAME' && side.rrdatas.length > 1)
    throw new ProviderError(PROVIDER, 'invalid', `${name} CNAME: a CNAME holds exactly one rrdata`, { record });
  if (type === 'ALIAS') checkAlias(side, canAlias);
}

function checkAlias(side: RecordSet<string>, canAlias: ((hostname: string) => boolean) | undefined): void {
  const record = { name: side.name, type: side.type };
  if (!canAlias) throw new ProviderError(PROVIDER, 'invalid', `${side.name} ALIAS: this provider was made without canAlias`, { record });
  for (const target of side.rrdatas) {
    if (!parseAddress(target) && !canAlias(normalizeName(target)))
      throw new ProviderError(PROVIDER, 'invalid', `${side.name} ALIAS: ${target} is not an alias target`, { record });
  }
}

/** The error for change `index`, which does not match the zone as held. */
export function conflictError(changes: readonly Change[], index: number, reason: string): ProviderError {
  const change = changes[index];
  const record = change ? { name: change.record.name, type: change.record.type } : undefined;
  return new ProviderError(
    PROVIDER,
    'conflict',
    `change ${index} (${change?.kind ?? '?'} ${record?.name ?? ''} ${record?.type ?? ''}) does not match the zone: ${reason}`,
    { record },
  );
}
