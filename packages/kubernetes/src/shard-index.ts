// One cluster's Services joined with their EndpointSlices into shards. Remembers what it last
// reported, so each change yields only the shard events that actually differ.
import type { ClusterEvent, ShardStatus } from '@fedsvc/core/provider';
import type { DecodedEndpointSlice, DecodedService } from './decode.js';

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class ShardIndex {
  private readonly services = new Map<string, DecodedService>();
  private readonly slices = new Map<string, DecodedEndpointSlice>();
  private readonly reported = new Map<string, { json: string; namespace: string; name: string }>();

  /** Closed until `start`: changes are held, not reported. */
  private open = false;

  constructor(private readonly cluster: string) {}

  /** Opens reporting; returns one event per shard held. */
  start(): ClusterEvent[] {
    this.open = true;
    return this.changes(this.services.keys());
  }

  /** The Service as last decoded, if any. */
  service(namespace: string, name: string): DecodedService | undefined {
    return this.services.get(key(namespace, name));
  }

  /** The EndpointSlice as last decoded, if any. */
  slice(namespace: string, name: string): DecodedEndpointSlice | undefined {
    return this.slices.get(key(namespace, name));
  }

  replaceServices(services: readonly DecodedService[]): ClusterEvent[] {
    const touched = new Set(this.services.keys());
    this.services.clear();
    for (const s of services) {
      this.services.set(key(s.namespace, s.name), s);
      touched.add(key(s.namespace, s.name));
    }
    return this.changes(touched);
  }

  upsertService(service: DecodedService): ClusterEvent[] {
    const k = key(service.namespace, service.name);
    this.services.set(k, service);
    return this.changes([k]);
  }

  removeService(namespace: string, name: string): ClusterEvent[] {
    const k = key(namespace, name);
    this.services.delete(k);
    return this.changes([k]);
  }

  replaceSlices(slices: readonly DecodedEndpointSlice[]): ClusterEvent[] {
    const touched = new Set<string>();
    for (const slice of this.slices.values()) if (slice.service) touched.add(key(slice.namespace, slice.service));
    this.slices.clear();
    for (const slice of slices) {
      this.slices.set(key(slice.namespace, slice.name), slice);
      if (slice.service) touched.add(key(slice.namespace, slice.service));
    }
    return this.changes(touched);
  }

  upsertSlice(slice: DecodedEndpointSlice): ClusterEvent[] {
    const k = key(slice.namespace, slice.name);
    const previous = this.slices.get(k);
    this.slices.set(k, slice);
    const touched = new Set<string>();
    if (previous?.service) touched.add(key(previous.namespace, previous.service));
    if (slice.service) touched.add(key(slice.namespace, slice.service));
    return this.changes(touched);
  }

  removeSlice(namespace: string, name: string): ClusterEvent[] {
    const k = key(namespace, name);
    const previous = this.slices.get(k);
    this.slices.delete(k);
    return previous?.service ? this.changes([key(namespace, previous.service)]) : [];
  }

  private changes(keys: Iterable<string>): ClusterEvent[] {
    if (!this.open) return [];
    const wanted = [...new Set(keys)].sort();
    const ready = new Map(wanted.map((k) => [k, 0]));
    for (const slice of this.slices.values()) {
      if (slice.service === undefined) continue;
      const k = key(slice.namespace, slice.service);
      const sum = ready.get(k);
      if (sum !== undefined) ready.set(k, sum + slice.readyEndpoints);
    }
    const events: ClusterEvent[] = [];
    for (const k of wanted) {
      const service = this.services.get(k);
      const previous = this.reported.get(k);
      if (!service) {
        if (previous) {
          this.reported.delete(k);
          events.push({ type: 'shard-removed', cluster: this.cluster, namespace: previous.namespace, name: previous.name });
        }
        continue;
      }
      // A Service being deleted serves no more, whatever its endpoints still say.
      const shard = this.shard(service, service.terminating ? 0 : (ready.get(k) ?? 0));
      const json = JSON.stringify(shard);
      if (previous?.json === json) continue;
      this.reported.set(k, { json, namespace: service.namespace, name: service.name });
      events.push({ type: 'shard', shard });
    }
    return events;
  }

  private shard(service: DecodedService, readyEndpoints: number): ShardStatus {
    return {
      cluster: this.cluster,
      namespace: service.namespace,
      name: service.name,
      manifest: service.manifest,
      clusterIP: service.clusterIP,
      ingress: service.ingress,
      readyEndpoints,
    };
  }
}
