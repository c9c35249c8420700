// Member clusters left out of DNS because their topology is malformed or clashes with
// another's: the rest of the federation is planned without them (planning/topology.ts says
// which one of two clashing clusters is left out, and why).
import type { ValidationError } from '../errors.js';
import { compatibleClusters } from '../planning/topology.js';
import type { ClusterStatus, Federation } from '../types.js';

export interface ExclusionListener {
  excluded(cluster: string, error: ValidationError): void;
  included(cluster: string): void;
}

/** A cluster without a known topology yet cannot be placed in DNS; it is not at fault either. */
export const hasTopology = (cluster: ClusterStatus): boolean => cluster.zones.length > 0 && cluster.region !== '';

export class ClusterExclusions {
  readonly #federation: Federation;
  readonly #listener: ExclusionListener;
  #clusters: ReadonlyMap<string, ClusterStatus> | undefined;
  #excluded: ReadonlyMap<string, ValidationError> = new Map();

  constructor(federation: Federation, listener: ExclusionListener) {
    this.#federation = federation;
    this.#listener = listener;
  }

  /** The clusters left out, each with why. */
  get excluded(): ReadonlyMap<string, ValidationError> {
    return this.#excluded;
  }

  /** Judges the clusters again when they changed; tells which were left out or let back in. */
  update(clusters: ReadonlyMap<string, ClusterStatus>): void {
    if (clusters === this.#clusters) return;
    this.#clusters = clusters;
    const { refused } = compatibleClusters(this.#federation, [...clusters.values()].filter(hasTopology));
    const now = new Map(refused.map(({ cluster, error }) => [cluster, error]));
    for (const [cluster, error] of now) if (this.#excluded.get(cluster)?.message !== error.message) this.#listener.excluded(cluster, error);
    for (const cluster of this.#excluded.keys()) if (!now.has(cluster) && clusters.has(cluster)) this.#listener.included(cluster);
    this.#excluded = now;
  }
}
