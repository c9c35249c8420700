// Reads the config's fields from the file, the environment and the flags (a flag wins over a
// variable, a variable over the file, the file over the default), checking each value against
// its kind. Every problem is collected, none stops the others.
import { readFile } from 'node:fs/promises';
import { ValidationError } from '@fedsvc/core';
import { isMap, parseDocument } from 'yaml';
import { FIELDS, type FieldSpec, envOf, flagOf } from './fields.js';

/** Where the fields come from. */
export interface ConfigSources {
  /** Path of the YAML config file; absent: none. */
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Values given on the command line, by field path (text, `true` for a bare boolean flag, or a list of texts). */
  readonly flags: ReadonlyMap<string, string | boolean | readonly string[]>;
}

/** Each field's value (defaults filled in; absent when none), and every problem found. */
export interface FieldValues {
  readonly values: ReadonlyMap<string, unknown>;
  readonly problems: readonly ValidationError[];
}

const BY_PATH = new Map(FIELDS.map((field) => [field.path, field]));
const PREFIXES = new Set(
  FIELDS.flatMap((field) =>
    field.path
      .split('.')
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join('.')),
  ),
);

/** The fields' values from the sources; the problems name each field as the file does. */
export async function readFields(sources: ConfigSources): Promise<FieldValues> {
  const problems: ValidationError[] = [];
  const fromFile = sources.file === undefined ? new Map<string, unknown>() : await readFile_(sources.file, problems);
  const values = new Map<string, unknown>();
  for (const field of FIELDS) {
    const given = pick(field, sources, fromFile);
    if (given === undefined) {
      if (field.default !== undefined) values.set(field.path, field.default);
      continue;
    }
    try {
      values.set(field.path, parseValue(field, given.value, given.text));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(new ValidationError(`${field.path}${given.where}`, error.value, error.reason));
    }
  }
  return { values, problems };
}

/** The winning source of one field: `where` says which, when not the file. */
function pick(
  field: FieldSpec,
  sources: ConfigSources,
  fromFile: ReadonlyMap<string, unknown>,
): { value: unknown; text: boolean; where: string } | undefined {
  const flag = field.noFlag ? undefined : sources.flags.get(field.path);
  if (flag !== undefined) return { value: flag, text: true, where: ` (${flagOf(field.path)})` };
  const env = sources.env[envOf(field.path)];
  if (env !== undefined && env !== '') return { value: env, text: true, where: ` (${envOf(field.path)})` };
  if (fromFile.has(field.path)) return { value: fromFile.get(field.path), text: false, where: '' };
  return undefined;
}

/** The file's fields by path; unknown fields and YAML errors become problems. */
async function readFile_(path: string, problems: ValidationError[]): Promise<Map<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    problems.push(new ValidationError('--config', path, `cannot be read: ${(error as Error).message}`));
    return new Map();
  }
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const line = error.linePos?.[0]?.line;
      problems.push(
        new ValidationError('--config', path, `is not valid YAML${line ? ` at line ${line}` : ''}: ${error.message.split('\n')[0]}`),
      );
    }
    return new Map();
  }
  if (document.contents !== null && !isMap(document.contents)) {
    problems.push(new ValidationError('--config', path, 'must hold a mapping of fields'));
    return new Map();
  }
  const found = new Map<string, unknown>();
  walk(document.toJS() ?? {}, '', found, problems);
  return found;
}

function walk(object: Record<string, unknown>, prefix: string, found: Map<string, unknown>, problems: ValidationError[]): void {
  for (const [key, value] of Object.entries(object)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (BY_PATH.has(path)) found.set(path, value);
    else if (PREFIXES.has(path)) {
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        walk(value as Record<string, unknown>, path, found, problems);
      else if (value !== null) problems.push(new ValidationError(path, value, 'must be a mapping'));
    } else {
      const known = [...BY_PATH.keys(), ...PREFIXES]
        .filter((p) => p.startsWith(prefix === '' ? '' : `${prefix}.`) && !p.slice(prefix === '' ? 0 : prefix.length + 1).includes('.'))
        .map((p) => p.slice(prefix === '' ? 0 : prefix.length + 1));
      problems.push(
        new ValidationError(path, value, `is not a field of the config (known here: ${[...new Set(known)].sort().join(', ')})`),
      );
    }
  }
}

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** One value checked against its field's kind; `text`: it came from a flag or the environment. */
export function parseValue(field: FieldSpec, value: unknown, text: boolean): unknown {
  const fail = (reason: string): never => {
    throw new ValidationError(field.path, value, reason);
  };
  switch (field.kind) {
    case 'string':
      return typeof value === 'string' && value !== '' ? value : fail('must be a non-empty string');
    case 'integer': {
      const n = text && typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      return typeof n === 'number' && Number.isSafeInteger(n) ? n : fail('must be an integer');
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (text && (value === 'true' || value === 'false')) return value === 'true';
      return fail('must be true or false');
    }
    case 'duration': {
      const match = typeof value === 'string' ? DURATION.exec(value) : null;
      const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : 0;
      return ms > 0 && ms <= 2 ** 31 - 1 ? ms : fail('must be a duration from 1ms to 24d with its unit, such as 1500ms, 30s, 5m or 1h');
    }
    case 'list': {
      if (text && typeof value === 'string')
        return value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '');
      if (Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')) return value;
      return fail('must be a list of non-empty strings');
    }
    case 'choice':
      return typeof value === 'string' && field.choices?.includes(value) ? value : fail(`must be one of ${field.choices?.join(', ')}`);
    case 'map':
      return text && typeof value === 'string' ? pairs(value, fail) : mapping(value, fail);
  }
}

/** `key=value,key=value` from a flag or variable: the values stay text. */
function pairs(text: string, fail: (reason: string) => never): Record<string, string> {
  const entries = text
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const key = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      return at > 0 && key !== '' && value !== ''
        ? [key, value]
        : fail(`must be key=value pairs separated by commas ("${pair}" is not one)`);
    });
  return Object.fromEntries(entries);
}

/** A YAML mapping of non-empty keys to strings or numbers. */
function mapping(value: unknown, fail: (reason: string) => never): Record<string, string | number> {
  const ok =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => (typeof item === 'string' && item !== '') || typeof item === 'number');
  return ok ? (value as Record<string, string | number>) : fail('must be a mapping of names to strings or numbers');
}
