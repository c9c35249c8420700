// The shards a pass writes, as it writes them. The watch event that shows one of its writes as
// written (its echo) is reduced into the clusters' state like any other shard event, but asks
// for no pass of its own: placement would find the shard conforming, and the writing pass,
// which has yet to plan the service, plans it from the state the echo left. A start-up writes
// services × clusters shards; each echo asking for a pass cost a second one over every service.
// A shard that differs from what was written (someone else changed it meanwhile), a removal, an
// echo heard once the pass has moved on to planning, or any event of a service one of whose
// writes failed asks for a pass as any event does.
import { changedFields } from '../placement/changed-fields.js';
import type { ServiceManifest, ShardAction, ShardStatus } from '../types.js';
import type { ServiceKey } from './types.js';

/** What reducing the clusters' events reads of the shard writes under way, and tells them. */
export interface Written {
  /** The Service a pass placing `service` writes to `cluster` (a create or a conform), if any. */
  writtenTo(service: ServiceKey, cluster: string): ServiceManifest | undefined;
  /** `shard` was heard as the echo of what was written to its cluster (see isEcho). */
  heard(service: ServiceKey, shard: ShardStatus): void;
}

/** No shard being written. */
export const NONE_WRITTEN: Written = { writtenTo: () => undefined, heard: () => undefined };

/** The echoes a pass's shard writes were heard as, once the pass stops awaiting them. */
export interface Echoes {
  /** The Service last heard as the echo of what the pass wrote to `cluster` for `service`, if any. */
  of(service: ServiceKey, cluster: string): ServiceManifest | undefined;
}

/**
 * Whether `shard` shows what a pass placing `service` wrote to its cluster: every field the
 * federation sets is as written (fields others set are theirs, as server-side apply leaves them).
 */
export function isEcho(written: Written, service: ServiceKey, shard: ShardStatus): boolean {
  const manifest = written.writtenTo(service, shard.cluster);
  return manifest !== undefined && (shard.manifest === manifest || changedFields(manifest, shard.manifest).length === 0);
}

/**
 * The Services the passes under way write, per service and cluster: each service's as an array
 * by its cluster's slot, since a start-up writes services × clusters of them, and a map per
 * service cost about as much as the shard writes' own bookkeeping. A cluster keeps its slot once
 * written to: the federation's clusters are few.
 */
export class WrittenShards implements Written {
  readonly #slots = new Map<string, number>();
  readonly #services = new Map<ServiceKey, (ServiceManifest | undefined)[]>();
  /** The echoes heard, by the same slots. */
  readonly #heard = new Map<ServiceKey, (ServiceManifest | undefined)[]>();

  /**
   * A pass is about to carry out `actions` for `service`: the Services its creates and conforms
   * write. A delete or a release is not awaited as an echo: a service being deleted needs the
   * pass its shards' removal asks for, which forgets it once nothing of it is left.
   */
  writing(service: ServiceKey, actions: readonly ShardAction[]): void {
    let manifests: (ServiceManifest | undefined)[] | undefined;
    for (const action of actions) {
      if (action.kind !== 'create' && action.kind !== 'conform') continue;
      let slot = this.#slots.get(action.cluster);
      if (slot === undefined) this.#slots.set(action.cluster, (slot = this.#slots.size));
      (manifests ??= [])[slot] = action.manifest;
    }
    if (manifests) this.#services.set(service, manifests);
    else this.#services.delete(service);
    this.#heard.delete(service);
  }

  /**
   * What the passes placing `services` write is no longer awaited: a pass has moved on, or a write
   * failed. Answers the echoes heard of them.
   */
  forget(services: Iterable<ServiceKey>): Echoes {
    const heard = new Map<ServiceKey, (ServiceManifest | undefined)[]>();
    for (const service of services) {
      const echoes = this.#heard.get(service);
      if (echoes) heard.set(service, echoes);
      this.#services.delete(service);
      this.#heard.delete(service);
    }
    const slots = this.#slots;
    return {
      of: (service, cluster) => {
        const slot = slots.get(cluster);
        return slot === undefined ? undefined : heard.get(service)?.[slot];
      },
    };
  }

  heard(service: ServiceKey, shard: ShardStatus): void {
    const slot = this.#slots.get(shard.cluster);
    if (slot === undefined || !this.#services.has(service)) return;
    let echoes = this.#heard.get(service);
    if (!echoes) this.#heard.set(service, (echoes = []));
    echoes[slot] = shard.manifest;
  }

  writtenTo(service: ServiceKey, cluster: string): ServiceManifest | undefined {
    const manifests = this.#services.get(service);
    const slot = manifests && this.#slots.get(cluster);
    return slot === undefined ? undefined : manifests?.[slot];
  }
}
