// Reading a custom resource as a user wrote it: every refusal is a ValidationError whose field is
// the path in the object (`spec.placement.clusters[2].name`), so that a condition can name it.
import { ValidationError, isDns1123Subdomain } from '@fedsvc/core/provider';

/** A JSON object: not null, not a list. */
export type Fields = Readonly<Record<string, unknown>>;

export const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The path of a map's key: `metadata.labels["tier"]`, as kubectl's JSONPath writes it. */
export const keyPath = (field: string, key: string): string => `${field}[${JSON.stringify(key)}]`;

export function object(value: unknown, field: string): Fields {
  if (!isFields(value)) throw new ValidationError(field, value, 'must be an object');
  return value;
}

/** Absent (undefined or null, as the API server may send an unset field) or an object. */
export function optionalObject(value: unknown, field: string): Fields | undefined {
  return value === undefined || value === null ? undefined : object(value, field);
}

export function optionalList(value: unknown, field: string): readonly unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new ValidationError(field, value, 'must be a list');
  return value;
}

/** A string-to-string map (labels, annotations, a selector), or undefined when absent. */
export function optionalStringMap(value: unknown, field: string): Readonly<Record<string, string>> | undefined {
  const map = optionalObject(value, field);
  if (!map) return undefined;
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(map)) {
    if (typeof item !== 'string') throw new ValidationError(keyPath(field, key), item, 'must be a string');
    out[key] = item;
  }
  return out;
}

/** A Kubernetes object name: a DNS-1123 subdomain. */
export function objectName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !isDns1123Subdomain(value))
    throw new ValidationError(field, value, 'must be a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", at most 253)');
  return value;
}

/** Names in a list, each once; `at(i)` is the path of the i-th name. */
export function uniqueNames(names: readonly string[], at: (i: number) => string): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (seen.has(name)) throw new ValidationError(at(i), name, 'is listed twice');
    seen.add(name);
  });
}

/** The API group and version of the federation's resources. */
const FEDERATION_API_VERSION = 'fedsvc.io/v1alpha1';

/** `apiVersion` and `kind`, when the object carries them (list items may not). */
export function kind(root: Fields, expected: string): void {
  if (root['apiVersion'] !== undefined && root['apiVersion'] !== FEDERATION_API_VERSION)
    throw new ValidationError('apiVersion', root['apiVersion'], `must be ${FEDERATION_API_VERSION}`);
  if (root['kind'] !== undefined && root['kind'] !== expected) throw new ValidationError('kind', root['kind'], `must be ${expected}`);
}
