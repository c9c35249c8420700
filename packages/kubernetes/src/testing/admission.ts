// Admission of a write to a custom resource (or an Event), as the apiextensions strategy and the
// generic registry make it: fields only the server sets are kept, finalizers cannot be added once
// deletion started, the structural schema prunes and validates, and `generation` follows the spec.
import { type Answer, failure } from './answers.js';
import type { Definition } from './definitions.js';
import { type JsonObject, type ManagerEntry, get, sameJson } from './fields.js';
import { prune, validate } from './schema.js';
import { metaOf } from './store.js';

/** An object as stored, with its owners. */
export interface Stored {
  object: JsonObject;
  owners: ManagerEntry[];
}

/** An object to store and its owners, or the answer refusing it. */
export type Admitted = { ok: true; object: JsonObject; owners: ManagerEntry[] } | { ok: false; answer: Answer };

/** Admits `next` over `existing` (undefined: a create), or refuses it. */
export function admit(
  definition: Definition,
  existing: Stored | undefined,
  next: JsonObject,
  owners: ManagerEntry[],
  query: URLSearchParams,
): Admitted {
  const object = structuredClone(next);
  if (!existing && definition.statusSubresource) delete object['status'];
  const meta = metaOf(object);
  const old = existing ? metaOf(existing.object) : undefined;
  for (const field of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'uid', 'creationTimestamp']) {
    if (old?.[field] === undefined) delete meta[field];
    else meta[field] = old[field]!;
  }
  const added = finalizersOf(object).filter((f) => !(old ? finalizersOf(existing!.object) : []).includes(f));
  if (old?.['deletionTimestamp'] !== undefined && added.length > 0) {
    const detail = `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`;
    return {
      ok: false,
      answer: invalid(definition, meta, [{ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field: 'metadata.finalizers' }]),
    };
  }
  if (definition.schema) {
    const unknown = prune(object, definition.schema, '');
    if (unknown.length > 0 && query.get('fieldValidation') === 'Strict') {
      const message = `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`;
      return { ok: false, answer: failure(400, 'BadRequest', message) };
    }
    const causes = validate(object, definition.schema, existing?.object);
    if (causes.length > 0) return { ok: false, answer: invalid(definition, meta, causes) };
  }
  if (definition.generation) {
    const generation = typeof old?.['generation'] === 'number' ? old['generation'] : 0;
    meta['generation'] = existing && sameJson(specOf(existing.object), specOf(object)) ? generation : generation + 1;
  }
  const pruned = owners
    .map((o) => ({ ...o, paths: new Set([...o.paths].filter((p) => pathIn(object, p))) }))
    .filter((o) => o.paths.size > 0);
  return { ok: true, object, owners: pruned };
}

function invalid(definition: Definition, meta: JsonObject, causes: readonly { reason: string; message: string; field: string }[]): Answer {
  const { kind, group } = definition.kind;
  const name = String(meta['name']);
  const listed = causes.map((c) => `${c.field}: ${c.message}`);
  const message = `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`}`;
  return failure(422, 'Invalid', message, { name, group: group ?? '', kind, causes: causes.map((c) => ({ ...c })) });
}

export function finalizersOf(object: JsonObject): string[] {
  const finalizers = metaOf(object)['finalizers'];
  return Array.isArray(finalizers) ? finalizers.map(String) : [];
}

/** What `generation` follows: everything but metadata and status. */
function specOf(object: JsonObject): JsonObject {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}

/** Whether a leaf path still leads to a value once the object is pruned. */
function pathIn(object: JsonObject, joined: string): boolean {
  return get(object, joined.split('\u0000')) !== undefined;
}
