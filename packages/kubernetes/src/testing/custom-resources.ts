// Writes to custom resources (and to Events, which have no schema), as the API server's generic
// registry and the apiextensions strategy make them.
//
// Fidelity. Emulated: create (POST, `generateName` too), update (PUT; a resourceVersion other than
// the stored one answers 409 Conflict), JSON merge patch, JSON patch (add, remove, replace, test),
// server-side apply (`application/apply-patch+yaml`, full YAML, `fieldManager` required, `force`)
// on the object and on its status subresource, and DELETE; pruning of undeclared fields
// (`?fieldValidation=Strict` refuses them with 400 instead), validation by the structural schema
// (422 Invalid naming each field as the API server words it); CEL rules by hand-written
// equivalents (`cel.ts`; a CRD with another rule is refused at install); the status subresource
// (writes to the object keep the stored status, writes to /status keep everything else);
// `metadata.generation` (1 on create, bumped when anything but metadata and status changes, and
// when deletion starts); finalizers (DELETE sets `deletionTimestamp` and
// `deletionGracePeriodSeconds: 0` and keeps the object, an update removing the last finalizer
// deletes it, a finalizer added while deleting is refused with 422); a write that changes nothing
// is not stored (no new resourceVersion, no event); managedFields per manager and subresource.
// Not emulated: defaulting, conversion between versions (one version only), admission webhooks,
// strategic merge patch (415, as for custom resources; Events take it as a merge patch), JSON
// patch move and copy, DeleteOptions (preconditions, propagation, grace periods), dry run,
// list-map ownership in apply (lists are owned whole; `metadata.finalizers` is a set, each
// finalizer owned on its own, as the API server does), metadata validation beyond the name, `?fieldValidation=Warn`
// warnings, label and field selectors, deleting a CRD (and its objects with it), several CRD
// versions, and the validation of Events' own fields (the API server requires, say, an involved
// object and a reporting controller). Secrets are read-only through the API (405 on writes; the
// `putSecret` hook writes them). The wording of a message follows a recent API server; a few
// (`Too long`) differ between releases.
import yaml from 'js-yaml';
import { type Answer, failure, notFound } from './answers.js';
import { type Definition, established, readDefinition } from './definitions.js';
import {
  CUSTOM_RESOURCE_ROOTS,
  type Json,
  type JsonObject,
  type ManagerEntry,
  type WriteScope,
  apply,
  isObject,
  sameJson,
  update,
} from './fields.js';
import { jsonPatch, mergePatch } from './patches.js';
import type { Route } from './routes.js';
import { type Stored, admit, finalizersOf } from './admission.js';
import { applyConflicts } from './services.js';
import { type Resource, type Store, metaOf } from './store.js';

/** A write to one object, as it reached the server. */
export interface WriteRequest {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly body: string;
}

const MEDIA_TYPES = 'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml';

export class CustomResources {
  private readonly definitions = new Map<Resource, Definition>();
  private generated = 0;

  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
  ) {}

  /** Serves writes to `resource` by `definition` from now on. */
  define(resource: Resource, definition: Definition): void {
    this.definitions.set(resource, definition);
  }

  /** Creates a CustomResourceDefinition (201), and serves its resources from then on. */
  install(body: string): Answer {
    const parsed = parseBody(body, 'json');
    if (!parsed.ok) return parsed.answer;
    const read = readDefinition(parsed.value);
    if (!read.ok) return read.refusal;
    const name = String(metaOf(parsed.value)['name']);
    if (this.store.get('customresourcedefinitions.apiextensions.k8s.io', undefined, name))
      return failure(409, 'AlreadyExists', `customresourcedefinitions.apiextensions.k8s.io "${name}" already exists`, {
        name,
        group: 'apiextensions.k8s.io',
        kind: 'customresourcedefinitions',
      });
    this.define(this.store.define(read.definition.kind), read.definition);
    return { code: 201, body: this.store.put('customresourcedefinitions.apiextensions.k8s.io', established(parsed.value), []) };
  }

  handles(resource: Resource): boolean {
    return this.definitions.has(resource);
  }

  /** A create or a replace of `object` by `manager`, whatever its resourceVersion, as a request would make it. */
  put(resource: Resource, object: JsonObject, manager: string): Answer {
    const { resourceVersion: _ignored, ...meta } = metaOf(structuredClone(object));
    const namespace = this.store.kindOf(resource).namespaced ? String(meta['namespace'] ?? 'default') : undefined;
    const name = String(meta['name']);
    const exists = this.store.get(resource, namespace, name) !== undefined;
    const request = {
      method: exists ? 'PUT' : 'POST',
      query: new URLSearchParams({ fieldManager: manager }),
      contentType: 'application/json',
      body: JSON.stringify({ ...object, metadata: meta }),
    };
    return this.write(request, { resource, namespace, name: exists ? name : undefined, subresource: undefined });
  }

  /** The answer to a POST, PUT, PATCH or DELETE on a resource this serves. */
  write(request: WriteRequest, route: Route): Answer {
    const definition = this.definitions.get(route.resource);
    if (!definition) return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const { method } = request;
    if (method === 'POST' && route.name === undefined && route.subresource === undefined) return this.create(definition, route, request);
    if (route.name === undefined)
      return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    if (method === 'DELETE' && route.subresource === undefined) return this.remove(definition, route);
    if (route.subresource !== undefined && !definition.statusSubresource)
      return failure(404, 'NotFound', 'the server could not find the requested resource');
    if (method === 'PUT') return this.replace(definition, route, request);
    if (method === 'PATCH') return this.patch(definition, route, request);
    return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }

  private create(definition: Definition, route: Route, request: WriteRequest): Answer {
    const parsed = parseBody(request.body, 'json');
    if (!parsed.ok) return parsed.answer;
    const object = parsed.value;
    const meta = metaOf(object);
    if (meta['name'] === undefined && typeof meta['generateName'] === 'string')
      meta['name'] = `${meta['generateName']}${(++this.generated).toString(36).padStart(5, 'x')}`;
    const refusal = checkIdentity(definition, route, object);
    if (refusal) return refusal;
    const name = String(meta['name']);
    if (this.store.get(route.resource, route.namespace, name)) {
      const { plural, group } = definition.kind;
      return failure(409, 'AlreadyExists', `${plural}${group ? `.${group}` : ''} "${name}" already exists`, {
        name,
        group: group ?? '',
        kind: plural,
      });
    }
    const owners = update(undefined, object, [], managerOf(request.query), scopeOf(route));
    return this.save(definition, route, undefined, object, owners, request.query);
  }

  private replace(definition: Definition, route: Route, request: WriteRequest): Answer {
    const parsed = parseBody(request.body, 'json');
    if (!parsed.ok) return parsed.answer;
    const existing = this.store.get(route.resource, route.namespace, route.name!);
    if (!existing) return notFound(definition.kind, route.name!);
    const refusal = checkIdentity(definition, route, parsed.value);
    if (refusal) return refusal;
    const sent = metaOf(parsed.value)['resourceVersion'];
    if (sent !== undefined && sent !== metaOf(existing.object)['resourceVersion']) return conflict(definition, route.name!);
    const next = this.merged(definition, route, existing, parsed.value);
    const owners = update(existing.object, next, existing.owners, managerOf(request.query), scopeOf(route));
    return this.save(definition, route, existing, next, owners, request.query);
  }

  private patch(definition: Definition, route: Route, request: WriteRequest): Answer {
    const type = request.contentType?.split(';')[0]?.trim();
    const existing = this.store.get(route.resource, route.namespace, route.name!);
    if (type === 'application/apply-patch+yaml') return this.apply(definition, route, request, existing);
    if (!existing) return notFound(definition.kind, route.name!);
    let patched: JsonObject;
    if (type === 'application/merge-patch+json' || (type === 'application/strategic-merge-patch+json' && definition.schema === undefined)) {
      const parsed = parseBody(request.body, 'json');
      if (!parsed.ok) return parsed.answer;
      patched = mergePatch(existing.object, parsed.value) as JsonObject;
    } else if (type === 'application/json-patch+json') {
      const parsed = parseBody(request.body, 'json-array');
      if (!parsed.ok) return parsed.answer;
      const result = jsonPatch(existing.object, parsed.value);
      if (!result.ok) return failure(422, 'Invalid', `the server rejected our request due to an error in our request: ${result.reason}`);
      patched = result.object;
    } else {
      return failure(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${MEDIA_TYPES}`,
      );
    }
    const sent = metaOf(patched)['resourceVersion'];
    if (sent !== undefined && sent !== metaOf(existing.object)['resourceVersion']) return conflict(definition, route.name!);
    const next = this.merged(definition, route, existing, patched);
    const owners = update(existing.object, next, existing.owners, managerOf(request.query), scopeOf(route));
    return this.save(definition, route, existing, next, owners, request.query);
  }

  /** Server-side apply to the object (creating it when missing) or to its status. */
  private apply(definition: Definition, route: Route, request: WriteRequest, existing: Stored | undefined): Answer {
    const manager = request.query.get('fieldManager');
    const path = `${route.name}${route.subresource ? `/${route.subresource}` : ''}`;
    if (!manager) return failure(400, 'BadRequest', `PATCH ${definition.kind.plural}/${path}: fieldManager is required for apply requests`);
    const parsed = parseBody(request.body, 'yaml');
    if (!parsed.ok) return parsed.answer;
    const refusal = checkIdentity(definition, route, parsed.value);
    if (refusal) return refusal;
    if (!existing && route.subresource) return notFound(definition.kind, route.name!);
    const config: JsonObject = route.subresource
      ? {
          apiVersion: parsed.value['apiVersion'] ?? null,
          kind: parsed.value['kind'] ?? null,
          metadata: {},
          status: parsed.value['status'] ?? {},
        }
      : parsed.value;
    if (!route.subresource && definition.statusSubresource) delete config['status'];
    const live = existing?.object ?? { metadata: { name: route.name!, ...(route.namespace ? { namespace: route.namespace } : {}) } };
    const result = apply(live, existing?.owners ?? [], config, manager, request.query.get('force') === 'true', scopeOf(route));
    if (!result.ok) return applyConflicts(route.name!, definition.kind.plural, result.conflicts);
    return this.save(definition, route, existing, result.object, result.owners, request.query);
  }

  /**
   * What a write to the object or its status leaves: through /status everything but the status is
   * the stored object's; through the object, the stored status stays when the status is a subresource.
   */
  private merged(definition: Definition, route: Route, existing: Stored, written: JsonObject): JsonObject {
    if (route.subresource === 'status') {
      const next = structuredClone(existing.object);
      if (written['status'] === undefined) delete next['status'];
      else next['status'] = structuredClone(written['status']);
      return next;
    }
    const next = structuredClone(written);
    if (definition.statusSubresource) {
      if (existing.object['status'] === undefined) delete next['status'];
      else next['status'] = structuredClone(existing.object['status']);
    }
    return next;
  }

  /** Admits and stores `next` over `existing` (undefined: a create): metadata, finalizers, schema, generation. */
  private save(
    definition: Definition,
    route: Route,
    existing: Stored | undefined,
    next: JsonObject,
    owners: ManagerEntry[],
    query: URLSearchParams,
  ): Answer {
    const admitted = admit(definition, existing, next, owners, query);
    if (!admitted.ok) return admitted.answer;
    const { object } = admitted;
    if (existing && sameJson(withoutVersion(existing.object), withoutVersion(object)) && sameOwners(existing.owners, admitted.owners))
      return { code: 200, body: this.store.read(route.resource, route.namespace, route.name!)! };
    const stored = this.store.put(route.resource, object, admitted.owners);
    const meta = metaOf(object);
    if (meta['deletionTimestamp'] !== undefined && !hasFinalizers(object)) {
      const deleted = this.store.delete(route.resource, route.namespace, String(meta['name']));
      return { code: 200, body: deleted ?? stored };
    }
    return { code: existing ? 200 : 201, body: stored };
  }

  /** DELETE: an object with finalizers is marked as deleting and kept; one without is removed. */
  private remove(definition: Definition, route: Route): Answer {
    const existing = this.store.get(route.resource, route.namespace, route.name!);
    if (!existing) return notFound(definition.kind, route.name!);
    if (!hasFinalizers(existing.object)) return { code: 200, body: this.store.delete(route.resource, route.namespace, route.name!)! };
    const meta = metaOf(existing.object);
    if (meta['deletionTimestamp'] !== undefined) return { code: 200, body: this.store.read(route.resource, route.namespace, route.name!)! };
    meta['deletionTimestamp'] = this.now()
      .toISOString()
      .replace(/\.\d+Z$/, 'Z');
    meta['deletionGracePeriodSeconds'] = 0;
    if (typeof meta['generation'] === 'number') meta['generation'] += 1;
    return { code: 200, body: this.store.put(route.resource, existing.object, existing.owners) };
  }
}

function parseBody(body: string, format: 'json' | 'yaml'): { ok: true; value: JsonObject } | { ok: false; answer: Answer };
function parseBody(body: string, format: 'json-array'): { ok: true; value: Json[] } | { ok: false; answer: Answer };
function parseBody(
  body: string,
  format: 'json' | 'json-array' | 'yaml',
): { ok: true; value: JsonObject | Json[] } | { ok: false; answer: Answer } {
  let value: unknown;
  try {
    value = format === 'yaml' ? yaml.load(body) : JSON.parse(body);
  } catch (error) {
    return { ok: false, answer: failure(400, 'BadRequest', `error decoding ${format === 'yaml' ? 'YAML' : 'JSON'}: ${String(error)}`) };
  }
  if (format === 'json-array' ? !Array.isArray(value) : !isObject(value))
    return { ok: false, answer: failure(400, 'BadRequest', `the body is not ${format === 'json-array' ? 'a JSON patch' : 'an object'}`) };
  return { ok: true, value: value as JsonObject | Json[] };
}

/** The 400 refusal of an object whose kind, name or namespace is not the URL's, if any. */
function checkIdentity(definition: Definition, route: Route, object: JsonObject): Answer | undefined {
  const { kind, apiVersion } = definition.kind;
  // A built-in type's body may leave its type out: the URL tells it. A custom resource's may not.
  if (definition.schema === undefined && object['apiVersion'] === undefined && object['kind'] === undefined)
    Object.assign(object, { apiVersion, kind });
  if (object['apiVersion'] !== apiVersion || object['kind'] !== kind)
    return failure(
      400,
      'BadRequest',
      `the API version in the data (${String(object['apiVersion'])}) and kind (${String(object['kind'])}) do not match ${apiVersion} ${kind}`,
    );
  const meta = metaOf(object);
  if (typeof meta['name'] !== 'string' || meta['name'] === '')
    return failure(
      422,
      'Invalid',
      `${kind}.${definition.kind.group ?? ''} "" is invalid: metadata.name: Required value: name or generateName is required`,
    );
  if (route.name !== undefined && meta['name'] !== route.name)
    return failure(400, 'BadRequest', `the name of the object (${meta['name']}) does not match the name on the URL (${route.name})`);
  if (definition.kind.namespaced && meta['namespace'] !== undefined && meta['namespace'] !== route.namespace)
    return failure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  if (definition.kind.namespaced && route.namespace !== undefined) meta['namespace'] = route.namespace;
  return undefined;
}

function conflict(definition: Definition, name: string): Answer {
  const { plural, group } = definition.kind;
  const qualified = `${plural}${group ? `.${group}` : ''}`;
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: group ?? '', kind: plural },
  );
}

function scopeOf(route: Route): WriteScope {
  return route.subresource ? { roots: CUSTOM_RESOURCE_ROOTS, subresource: route.subresource } : { roots: CUSTOM_RESOURCE_ROOTS };
}

function managerOf(query: URLSearchParams): string {
  return query.get('fieldManager') ?? 'unknown';
}

function hasFinalizers(object: JsonObject): boolean {
  return finalizersOf(object).length > 0;
}

function withoutVersion(object: JsonObject): JsonObject {
  const copy = structuredClone(object);
  delete metaOf(copy)['resourceVersion'];
  delete metaOf(copy)['managedFields'];
  return copy;
}

function sameOwners(a: readonly ManagerEntry[], b: readonly ManagerEntry[]): boolean {
  const key = (entries: readonly ManagerEntry[]): string =>
    JSON.stringify(entries.map((e) => [e.manager, e.operation, e.subresource ?? '', [...e.paths].sort()]).sort());
  return key(a) === key(b);
}
