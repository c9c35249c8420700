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

/** What reducing the clusters' events reads of the shard writes under way. */
export interface Written {
  /** The Service a pass placing `service` writes to `cluster` (a create or a conform), if any. */
  writtenTo(service: ServiceKey, cluster: string): ServiceManifest | undefined;
}

/** No shard being written. */
export const NONE_WRITTEN: Written = { writtenTo: () => undefined };

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
  }

  /** What the pass placing `service` writes is no longer awaited: the pass has moved on, or a write failed. */
  forget(service: ServiceKey): void {
    this.#services.delete(service);
  }

  writtenTo(service: ServiceKey, cluster: string): ServiceManifest | undefined {
    const manifests = this.#services.get(service);
    const slot = manifests && this.#slots.get(cluster);
    return slot === undefined ? undefined : manifests?.[slot];
  }
}
