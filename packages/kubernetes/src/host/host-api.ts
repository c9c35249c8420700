// Every request the host source makes to the host cluster's API server: lists of FederatedServices,
// FederatedClusters and Secrets, status written by server-side apply on the status subresource,
// the finalizer added and removed by JSON merge patch (carrying the resourceVersion read, so a
// concurrent writer's finalizers are never lost: a conflict is tried again), and Events. Each request has a deadline.
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { abortedBy, withDeadline } from '../deadline.js';
import type { ListWatchSource } from '../list-watch.js';

export const GROUP = 'fedsvc.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
/** Held on every FederatedService until its shards and records are gone. */
export const SHARDS_FINALIZER = 'fedsvc.io/shards';

export type HostKind = 'FederatedService' | 'FederatedCluster';
const PLURAL: Record<HostKind, string> = { FederatedService: 'federatedservices', FederatedCluster: 'federatedclusters' };

/** An object of the host cluster: namespace (undefined for cluster-scoped kinds) and name. */
export interface HostRef {
  readonly kind: HostKind;
  readonly namespace: string | undefined;
  readonly name: string;
}

export interface HostApiSettings {
  readonly requestTimeoutMs: number;
  readonly pageSize: number;
  readonly fieldManager: string;
}

export class HostApi {
  readonly #core: CoreV1Api;
  readonly #custom: CustomObjectsApi;
  readonly #watch: Watch;

  constructor(
    kubeConfig: KubeConfig,
    private readonly settings: HostApiSettings,
  ) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#watch = new Watch(kubeConfig);
  }

  /** FederatedServices of one namespace, or of all. */
  federatedServices(namespace: string | undefined): ListWatchSource {
    const plural = PLURAL.FederatedService;
    return {
      resource: plural,
      watchPath: namespace ? `/apis/${API_VERSION}/namespaces/${namespace}/${plural}` : `/apis/${API_VERSION}/${plural}`,
      watch: this.#watch,
      list: (token, signal) => {
        const page = { group: GROUP, version: VERSION, plural, limit: this.settings.pageSize, _continue: token };
        return namespace
          ? this.#custom.listNamespacedCustomObject({ ...page, namespace }, abortedBy(signal))
          : this.#custom.listClusterCustomObject(page, abortedBy(signal));
      },
    };
  }

  federatedClusters(): ListWatchSource {
    const plural = PLURAL.FederatedCluster;
    return {
      resource: plural,
      watchPath: `/apis/${API_VERSION}/${plural}`,
      watch: this.#watch,
      list: (token, signal) =>
        this.#custom.listClusterCustomObject(
          { group: GROUP, version: VERSION, plural, limit: this.settings.pageSize, _continue: token },
          abortedBy(signal),
        ),
    };
  }

  /** The Secrets of the source's own namespace: where FederatedClusters' credentials are. */
  secrets(namespace: string): ListWatchSource {
    return {
      resource: 'secrets',
      watchPath: `/api/v1/namespaces/${namespace}/secrets`,
      watch: this.#watch,
      list: (token, signal) =>
        this.#core.listNamespacedSecret({ namespace, limit: this.settings.pageSize, _continue: token }, abortedBy(signal)),
    };
  }

  /** Server-side apply of `status` on the object's status subresource; the object as the server holds it now. */
  applyStatus(ref: HostRef, status: object): Promise<unknown> {
    const { fieldManager, requestTimeoutMs } = this.settings;
    const body = { apiVersion: API_VERSION, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace }, status };
    const common = { group: GROUP, version: VERSION, plural: PLURAL[ref.kind], name: ref.name, body, fieldManager, force: true };
    return withDeadline(requestTimeoutMs, (signal) => {
      const options = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply, abortedBy(signal));
      return ref.namespace === undefined
        ? this.#custom.patchClusterCustomObjectStatus(common, options)
        : this.#custom.patchNamespacedCustomObjectStatus({ ...common, namespace: ref.namespace }, options);
    });
  }

  /** Sets a FederatedService's finalizers, on condition that it is still at `resourceVersion`; the object as the server holds it now. */
  setFinalizers(namespace: string, name: string, finalizers: readonly string[], resourceVersion: string): Promise<unknown> {
    const body = { metadata: { finalizers, resourceVersion } };
    return withDeadline(this.settings.requestTimeoutMs, (signal) =>
      this.#custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, plural: PLURAL.FederatedService, namespace, name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch, abortedBy(signal)),
      ),
    );
  }

  createEvent(namespace: string, event: object): Promise<unknown> {
    return withDeadline(this.settings.requestTimeoutMs, (signal) =>
      this.#core.createNamespacedEvent({ namespace, body: event as never }, abortedBy(signal)),
    );
  }

  /** Raises an Event's count (the server keeps one Event per repeated happening). */
  patchEvent(namespace: string, name: string, patch: object): Promise<unknown> {
    return withDeadline(this.settings.requestTimeoutMs, (signal) =>
      this.#core.patchNamespacedEvent(
        { namespace, name, body: patch },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch, abortedBy(signal)),
      ),
    );
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/**
 * Whether `object` is an older version than `held`, by resourceVersion. The API server's are
 * etcd revisions, which only grow; anything else is not compared (never older).
 */
export function isOlder(object: unknown, held: unknown): boolean {
  const version = (value: unknown): bigint | undefined => {
    const rv = (value as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
    return typeof rv === 'string' && /^[0-9]{1,30}$/.test(rv) ? BigInt(rv) : undefined;
  };
  const mine = version(object);
  const theirs = version(held);
  return mine !== undefined && theirs !== undefined && mine < theirs;
}
