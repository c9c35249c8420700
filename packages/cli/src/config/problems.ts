// Collecting ValidationErrors: each part of the config is checked on its own, and a library's
// field names (`options.clusters[0].context`, `tsig.secret`) are renamed to the config's.
import { ValidationError } from '@fedsvc/core';

/** A library field name prefix → the config field it comes from. */
export type FieldRenames = readonly (readonly [from: string, to: string])[];

/** The config's name of a library's field: the longest matching prefix renamed, the rest kept. */
export function renameField(field: string, renames: FieldRenames): string {
  for (const [from, to] of [...renames].sort((a, b) => b[0].length - a[0].length)) {
    if (field === from) return to;
    if (field.startsWith(`${from}.`) || field.startsWith(`${from}[`)) return `${to}${field.slice(from.length)}`;
  }
  return field;
}

/** Runs `check`; a ValidationError it throws is added to `problems`, renamed; the result, or undefined when it threw one. */
export function collect<T>(problems: ValidationError[], renames: FieldRenames, check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(new ValidationError(renameField(error.field, renames), error.value, error.reason));
    return undefined;
  }
}

/** As collect, for checks that read files. */
export async function collectAsync<T>(problems: ValidationError[], renames: FieldRenames, check: () => Promise<T>): Promise<T | undefined> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(new ValidationError(renameField(error.field, renames), error.value, error.reason));
    return undefined;
  }
}

/** A required field absent: a problem, unless the field already has one (a value it refused). */
export function required(problems: ValidationError[], field: string, value: unknown, what: string): void {
  if (value !== undefined || problems.some((problem) => problem.field === field || problem.field.startsWith(`${field} (`))) return;
  problems.push(new ValidationError(field, value, `is required: ${what}`));
}
