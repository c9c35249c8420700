// FederatedServices driving the controller: each valid one is applied (again when its spec
// changes), one going away (deleted, or marked for deletion) is deleted, and the finalizer is
// added on first sight and removed once the controller has forgotten the deleted service (its
// shards and records gone). An invalid one keeps what was applied before, if anything, and its
// status says why; it never stops the others.
import { type FederationController, ValidationError } from '@fedsvc/core';
import type { Logger } from '@fedsvc/core/provider';
import { objectRef } from '../decode.js';
import type { ListWatchHandlers } from '../list-watch.js';
import { SHARDS_FINALIZER, isOlder } from './host-api.js';
import { decodeFederatedService } from '../federation/federated-service.js';
import { federatedServiceStatus, invalidServiceStatus } from '../federation/service-status.js';

type Fields = Record<string, unknown>;

export type Controller = Pick<FederationController, 'applyService' | 'deleteService' | 'status'>;

export interface FederatedServicesSettings {
  readonly logger: Logger;
  /** The object's status may be due. */
  readonly statusDue: (key: string) => void;
  /** The object's finalizers may need a change. */
  readonly finalizerDue: (key: string) => void;
}

export function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

function metadata(object: Fields): Fields {
  return (object['metadata'] ?? {}) as Fields;
}

export function isDeleting(object: Fields): boolean {
  return typeof metadata(object)['deletionTimestamp'] === 'string';
}

export function finalizersOf(object: Fields): readonly string[] {
  const finalizers = metadata(object)['finalizers'];
  return Array.isArray(finalizers) ? finalizers.filter((f): f is string => typeof f === 'string') : [];
}

export class FederatedServices {
  readonly objects = new Map<string, Fields>();
  /** The spec last applied to the controller, as JSON. */
  readonly #applied = new Map<string, string>();
  readonly #invalid = new Map<string, ValidationError>();
  /** Handed to deleteService and not forgotten yet. */
  readonly #deleting = new Set<string>();
  /** Forgotten by the controller after being deleted: the finalizer may go. */
  readonly #forgotten = new Set<string>();

  constructor(
    private readonly controller: Controller,
    private readonly settings: FederatedServicesSettings,
  ) {}

  readonly handlers: ListWatchHandlers = {
    replace: (items) => {
      const listed = new Set<string>();
      for (const item of items) {
        const key = this.#upsert(item);
        if (key !== undefined) listed.add(key);
      }
      for (const key of [...this.objects.keys(), ...this.#applied.keys()]) if (!listed.has(key)) this.#gone(key);
    },
    event: (type, object) => {
      if (type !== 'DELETED') {
        this.#upsert(object);
        return;
      }
      const { namespace, name } = objectRef(object);
      if (namespace !== undefined && name !== undefined) this.#gone(serviceKey(namespace, name));
    },
    error: (error) => this.settings.logger.warn({ err: error.message }, 'FederatedServices watch'),
  };

  /** The controller forgot a deleted service. */
  forgotten(key: string): void {
    this.#deleting.delete(key);
    this.#applied.delete(key);
    const object = this.objects.get(key);
    if (object === undefined || !isDeleting(object)) return;
    this.#forgotten.add(key);
    this.settings.finalizerDue(key);
  }

  /** The finalizers the object should carry now, or undefined when they need no change. */
  finalizersWanted(key: string): readonly string[] | undefined {
    const object = this.objects.get(key);
    if (object === undefined) return undefined;
    const finalizers = finalizersOf(object);
    const held = finalizers.includes(SHARDS_FINALIZER);
    if (this.#forgotten.has(key)) return held ? finalizers.filter((f) => f !== SHARDS_FINALIZER) : undefined;
    if (isDeleting(object) || held) return undefined;
    return [...finalizers, SHARDS_FINALIZER];
  }

  /** Whether the object's spec does not decode. */
  invalid(key: string): boolean {
    return this.#invalid.has(key);
  }

  /** The status the object should carry now, or undefined when there is no object. */
  statusOf(key: string, now: Date): object | undefined {
    const object = this.objects.get(key);
    if (object === undefined) return undefined;
    const generation = metadata(object)['generation'];
    const observed = typeof generation === 'number' ? generation : 0;
    const invalid = this.#invalid.get(key);
    if (invalid !== undefined) return invalidServiceStatus(invalid, observed, object['status'], now);
    const { namespace, name } = splitKey(key);
    return federatedServiceStatus(this.controller.status(namespace, name), observed, object['status'], now);
  }

  /** Keeps what the server answered to a write, so that the next write compares with it, unless a newer version came meanwhile. */
  written(key: string, object: unknown): void {
    if (this.objects.has(key) && typeof object === 'object' && object !== null && !isOlder(object, this.objects.get(key)))
      this.objects.set(key, object as Fields);
  }

  #upsert(object: unknown): string | undefined {
    const { namespace, name } = objectRef(object);
    if (namespace === undefined || name === undefined) {
      this.settings.logger.warn({ object: JSON.stringify(object)?.slice(0, 200) }, 'FederatedService without a namespace and name');
      return undefined;
    }
    const key = serviceKey(namespace, name);
    // A watch event older than what a write answered says nothing new.
    if (isOlder(object, this.objects.get(key))) return key;
    const fields = object as Fields;
    this.objects.set(key, fields);
    if (isDeleting(fields)) this.#delete(key);
    else this.#apply(key, fields);
    this.settings.finalizerDue(key);
    this.settings.statusDue(key);
    return key;
  }

  #apply(key: string, object: Fields): void {
    const spec = JSON.stringify(object['spec'] ?? null);
    if (this.#applied.get(key) === spec && !this.#invalid.has(key)) return;
    try {
      this.controller.applyService(decodeFederatedService(object));
      this.#applied.set(key, spec);
      this.#invalid.delete(key);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.#invalid.set(key, error);
      this.settings.logger.warn({ service: key, err: error.message }, 'FederatedService is invalid');
    }
  }

  #delete(key: string): void {
    if (this.#deleting.has(key) || this.#forgotten.has(key)) return;
    this.#deleting.add(key);
    const { namespace, name } = splitKey(key);
    this.controller.deleteService(namespace, name);
  }

  #gone(key: string): void {
    this.objects.delete(key);
    this.#invalid.delete(key);
    this.#forgotten.delete(key);
    if (this.#applied.has(key)) this.#delete(key);
  }
}
