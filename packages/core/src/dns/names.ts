// DNS names of a federated service. Pure; inputs here are already validated.
import type { ZoneNameFormat } from '../types.js';

/**
 * The longest record name the planner may produce: RFC 1035's 253 characters (without the
 * trailing dot) less 8, the longest prefix an ownership marker may have (`_fedsvc.`, the default).
 */
export const MAX_RECORD_NAME_LENGTH = 253 - '_fedsvc.'.length;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Whether `value` is a DNS-1123 label (a namespace, a zone, a region): at most 63 of `a-z0-9-`, alphanumeric at both ends. */
export const isDns1123Label = (value: string): boolean => DNS1123_LABEL.test(value);
/** Whether `value` is a DNS-1035 label (a Service's name): a DNS-1123 label that starts with a letter. */
export const isDns1035Label = (value: string): boolean => DNS1035_LABEL.test(value);

/** Whether `value` is a DNS-1123 subdomain (an object's name): dot-separated DNS-1123 labels, at most 253 characters. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every(isDns1123Label);
}

/** The characters toLowerCase may change: upper-case ASCII letters, and any character beyond ASCII. */
const MAY_CHANGE_CASE = /[A-Z\u0080-\uffff]/;

/** Lower-case and fully qualified: `Example.COM` → `example.com.` */
export function normalizeName(name: string): string {
  // toLowerCase copies even a name it leaves as it is, and most names come lower-case already.
  const lower = MAY_CHANGE_CASE.test(name) ? name.toLowerCase() : name;
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** The names of one service in one federation. `domain` is normalized (trailing dot). */
export interface ServiceNames {
  readonly global: string;
  region(region: string): string;
  zone(zone: string, region: string): string;
}

/** `<place>.<domain>` strings, made once per validated federation rather than once per name. */
const suffixes = new WeakMap<object, Map<string, string>>();

export function serviceNames(
  federation: { readonly name: string; readonly domain: string; readonly zoneNameFormat: ZoneNameFormat },
  service: { readonly namespace: string; readonly name: string },
): ServiceNames {
  const prefix = `${service.name}.${service.namespace}.${federation.name}.svc.`;
  const { domain } = federation;
  let cache = suffixes.get(federation);
  if (!cache) suffixes.set(federation, (cache = new Map()));
  const known = cache;
  // One string per record name, not one per part: planning a large federation makes millions.
  const under = (place: string): string => {
    let suffix = known.get(place);
    if (suffix === undefined) known.set(place, (suffix = `${place}.${domain}`));
    return prefix + suffix;
  };
  return {
    global: prefix + domain,
    region: under,
    zone: federation.zoneNameFormat === 'zone' ? under : (zone, region) => under(`${zone}.${region}`),
  };
}
