// Structural schemas of custom resources, as the apiextensions API server applies them: pruning of
// fields the schema does not declare (kept under `x-kubernetes-preserve-unknown-fields`), then
// validation, each failure a cause naming the field in the API's wording
// (`spec.dns.ttl: Invalid value: 99: spec.dns.ttl in body should be less than or equal to 60`).
// The keywords understood are those `structuralProblems` admits; CEL rules are evaluated by the
// hand-written equivalents in `cel.ts`.
import { celRule } from './cel.js';
import { type Json, type JsonObject, isObject, sameJson } from './fields.js';

/** A field's failure, as a Status cause. */
export interface Cause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

const KEYWORDS = new Set([
  'type',
  'description',
  'properties',
  'required',
  'items',
  'enum',
  'minimum',
  'maximum',
  'pattern',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'additionalProperties',
  'nullable',
  'format',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
]);

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/**
 * Why `schema` is not a structural schema the fixture can apply (empty when it is): every node has
 * a type (but int-or-string ones), only known keywords, and CEL rules the fixture can evaluate.
 */
export function structuralProblems(schema: Json, path = 'openAPIV3Schema'): string[] {
  if (!isObject(schema)) return [`${path}: not a schema`];
  const problems: string[] = [];
  for (const key of Object.keys(schema)) if (!KEYWORDS.has(key)) problems.push(`${path}.${key}: keyword not supported`);
  const type = schema['type'];
  if (schema['x-kubernetes-int-or-string'] !== true && (typeof type !== 'string' || !TYPES.has(type)))
    problems.push(`${path}.type: Required value: must not be empty for specified object fields`);
  if (isObject(schema['properties']))
    for (const [name, child] of Object.entries(schema['properties']))
      problems.push(...structuralProblems(child, `${path}.properties[${name}]`));
  if (schema['items'] !== undefined) problems.push(...structuralProblems(schema['items'], `${path}.items`));
  if (isObject(schema['additionalProperties']))
    problems.push(...structuralProblems(schema['additionalProperties'], `${path}.additionalProperties`));
  for (const rule of validationsOf(schema))
    if (!celRule(rule.rule)) problems.push(`${path}.x-kubernetes-validations: the fixture cannot evaluate ${JSON.stringify(rule.rule)}`);
  return problems;
}

/** Removes from `value` (in place) the fields `schema` does not declare; returns their paths. */
export function prune(value: Json, schema: JsonObject, path: string): string[] {
  const unknown: string[] = [];
  if (isObject(value)) {
    const properties = isObject(schema['properties']) ? schema['properties'] : undefined;
    const additional = isObject(schema['additionalProperties']) ? schema['additionalProperties'] : undefined;
    for (const [key, child] of Object.entries(value)) {
      // The object's type and metadata are the API server's own, whatever the schema says.
      if (path === '' && ['apiVersion', 'kind', 'metadata'].includes(key)) continue;
      const childSchema = properties?.[key] ?? additional;
      if (isObject(childSchema)) unknown.push(...prune(child, childSchema, join(path, key)));
      else if (schema['x-kubernetes-preserve-unknown-fields'] !== true) {
        delete value[key];
        unknown.push(join(path, key));
      }
    }
  } else if (Array.isArray(value) && isObject(schema['items'])) {
    const items = schema['items'];
    value.forEach((item, i) => unknown.push(...prune(item, items, `${path}[${i}]`)));
  }
  return unknown;
}

/**
 * What is wrong with `value` by `schema`, each failure naming its field, in the API server's
 * order: the schema's own checks, then duplicates in `set` and `map` lists, then the CEL rules
 * (not evaluated when a value has the wrong type: a cause says so instead). On an update, a CEL
 * rule failing on a value left as it was in `old` is let through, as the API server's validation
 * ratcheting does, so that an object stored before a rule existed can still have its status
 * written; values inside lists are not matched up with their old selves.
 *
 * @param old - The object as stored before this write; default none (a create).
 */
export function validate(value: Json, schema: JsonObject, old?: Json): Cause[] {
  const causes = schemaCauses(value, schema, '');
  walk(value, schema, '', (v, s, p) => causes.push(...(Array.isArray(v) ? duplicates(v, s, p) : [])));
  if (causes.some((c) => c.reason === 'FieldValueTypeInvalid')) {
    const message =
      'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';
    return [...causes, { reason: 'FieldValueInvalid', message, field: '<nil>' }];
  }
  walk(
    value,
    schema,
    '',
    (v, s, p, before) => {
      if (before !== undefined && sameJson(v, before)) return;
      for (const { rule, message } of validationsOf(s))
        if (celRule(rule)?.(v) === false) causes.push(invalid(p, describeValue(v), message ?? `failed rule: ${rule}`));
    },
    old,
  );
  return causes;
}

type Visit = (value: Json, schema: JsonObject, path: string, old: Json | undefined) => void;

/** Visits every value of the right type that has a schema, depth first, parents first, with its old self in `old` (objects' fields only). */
function walk(value: Json, schema: JsonObject, path: string, visit: Visit, old?: Json): void {
  if (value === null || checkType(value, schema, path)) return;
  visit(value, schema, path, old);
  if (isObject(value)) {
    const properties = isObject(schema['properties']) ? schema['properties'] : {};
    const additional = isObject(schema['additionalProperties']) ? schema['additionalProperties'] : undefined;
    for (const [key, child] of Object.entries(value)) {
      const childSchema = properties[key] ?? additional;
      if (isObject(childSchema) && !(path === '' && key === 'metadata'))
        walk(child, childSchema, join(path, key), visit, isObject(old) ? old[key] : undefined);
    }
  } else if (Array.isArray(value) && isObject(schema['items'])) {
    const items = schema['items'];
    value.forEach((item, i) => walk(item, items, `${path}[${i}]`, visit));
  }
}

function schemaCauses(value: Json, schema: JsonObject, path: string): Cause[] {
  if (value === null) return schema['nullable'] === true ? [] : [typeInvalid(path, 'null', expectedType(schema))];
  const typeCause = checkType(value, schema, path);
  if (typeCause) return [typeCause];
  const causes = [...scalarCauses(value, schema, path)];
  if (isObject(value)) causes.push(...objectCauses(value, schema, path));
  if (Array.isArray(value)) causes.push(...arrayCauses(value, schema, path));
  return causes;
}

function checkType(value: Json, schema: JsonObject, path: string): Cause | undefined {
  if (schema['x-kubernetes-int-or-string'] === true) {
    return Number.isInteger(value) || typeof value === 'string' ? undefined : typeInvalid(path, describeValue(value), 'integer, string');
  }
  const type = schema['type'];
  const ok =
    (type === 'object' && isObject(value)) ||
    (type === 'array' && Array.isArray(value)) ||
    (type === 'string' && typeof value === 'string') ||
    (type === 'integer' && Number.isInteger(value)) ||
    (type === 'number' && typeof value === 'number') ||
    (type === 'boolean' && typeof value === 'boolean');
  return ok ? undefined : typeInvalid(path, describeValue(value), String(type));
}

function scalarCauses(value: Json, schema: JsonObject, path: string): Cause[] {
  const causes: Cause[] = [];
  const where = `${path} in body`;
  if (Array.isArray(schema['enum']) && !schema['enum'].some((allowed) => allowed === value)) {
    const supported = schema['enum'].map((v) => JSON.stringify(v)).join(', ');
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported}`,
      field: path,
    });
  }
  if (typeof value === 'number') {
    const { minimum, maximum } = schema;
    if (typeof minimum === 'number' && value < minimum)
      causes.push(invalid(path, value, `${where} should be greater than or equal to ${minimum}`));
    if (typeof maximum === 'number' && value > maximum)
      causes.push(invalid(path, value, `${where} should be less than or equal to ${maximum}`));
  }
  if (typeof value === 'string') {
    const { minLength, maxLength, pattern, format } = schema;
    if (typeof minLength === 'number' && [...value].length < minLength)
      causes.push(invalid(path, value, `${where} should be at least ${minLength} chars long`));
    if (typeof maxLength === 'number' && [...value].length > maxLength)
      causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${maxLength} bytes`, field: path });
    if (typeof pattern === 'string' && !new RegExp(pattern, 'u').test(value))
      causes.push(invalid(path, value, `${where} should match '${pattern}'`));
    if (format === 'date-time' && !DATE_TIME.test(value))
      causes.push(invalid(path, value, `${where} must be of type date-time: ${JSON.stringify(value)}`));
  }
  return causes;
}

const DATE_TIME = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/;

function objectCauses(value: JsonObject, schema: JsonObject, path: string): Cause[] {
  const causes: Cause[] = [];
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  for (const name of required)
    if (typeof name === 'string' && value[name] === undefined)
      causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: join(path, name) });
  const properties = isObject(schema['properties']) ? schema['properties'] : {};
  const additional = isObject(schema['additionalProperties']) ? schema['additionalProperties'] : undefined;
  for (const [key, child] of Object.entries(value)) {
    const childSchema = properties[key] ?? additional;
    // `metadata` is the API server's to check (ObjectMeta), not the schema's.
    if (isObject(childSchema) && !(path === '' && key === 'metadata')) causes.push(...schemaCauses(child, childSchema, join(path, key)));
  }
  return causes;
}

function arrayCauses(value: Json[], schema: JsonObject, path: string): Cause[] {
  const causes: Cause[] = [];
  const { minItems, maxItems, items } = schema;
  if (typeof minItems === 'number' && value.length < minItems)
    causes.push(invalid(path, value.length, `${path} in body should have at least ${minItems} items`));
  if (typeof maxItems === 'number' && value.length > maxItems)
    causes.push({ reason: 'FieldValueTooMany', message: `Too many: ${value.length}: must have at most ${maxItems} items`, field: path });
  if (isObject(items)) value.forEach((item, i) => causes.push(...schemaCauses(item, items, `${path}[${i}]`)));
  return causes;
}

/** Entries a `set` or `map` list holds twice (a map's by its keys), as the API server refuses them. */
function duplicates(value: Json[], schema: JsonObject, path: string): Cause[] {
  const listType = schema['x-kubernetes-list-type'];
  const mapKeys = Array.isArray(schema['x-kubernetes-list-map-keys']) ? schema['x-kubernetes-list-map-keys'].map(String) : [];
  if (listType !== 'set' && listType !== 'map') return [];
  const seen = new Set<string>();
  const causes: Cause[] = [];
  value.forEach((item, i) => {
    const key = listType === 'set' ? item : Object.fromEntries(mapKeys.map((k) => [k, isObject(item) ? (item[k] ?? null) : null]));
    const id = JSON.stringify(key);
    if (seen.has(id)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${goValue(key)}`, field: `${path}[${i}]` });
    seen.add(id);
  });
  return causes;
}

function validationsOf(schema: JsonObject): { rule: string; message: string | undefined }[] {
  const rules = schema['x-kubernetes-validations'];
  if (!Array.isArray(rules)) return [];
  return rules
    .filter(isObject)
    .map((r) => ({ rule: String(r['rule']), message: typeof r['message'] === 'string' ? r['message'] : undefined }));
}

function invalid(field: string, value: Json, detail: string): Cause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field };
}

function typeInvalid(field: string, shown: Json, type: string): Cause {
  return {
    reason: 'FieldValueTypeInvalid',
    message: `Invalid value: ${JSON.stringify(shown)}: ${field} in body must be of type ${type}: ${JSON.stringify(shown)}`,
    field,
  };
}

function expectedType(schema: JsonObject): string {
  return schema['x-kubernetes-int-or-string'] === true ? 'integer, string' : String(schema['type']);
}

/** How the API server shows a value in a message: scalars as they are, containers by their type. */
function describeValue(value: Json): Json {
  if (isObject(value)) return 'object';
  if (Array.isArray(value)) return 'array';
  return value;
}

/** A value as Go's `%#v` prints the decoded JSON (the API server's Duplicate message). */
function goValue(value: Json): string {
  if (isObject(value))
    return `map[string]interface {}{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${goValue(v)}`)
      .join(', ')}}`;
  return JSON.stringify(value);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
