// What happened to a federated service, told as a person troubleshooting it with
// `kubectl describe` wants to read it: one reason per kind of happening, a message naming the
// clusters or names, Warning where someone may have to act.
import { nameList } from './conditions.js';

/** Something that happened to a FederatedService, as the controller reports it. */
export type FederationOccurrence =
  | { readonly kind: 'shard'; readonly action: 'created' | 'adopted' | 'conformed' | 'deleted' | 'released'; readonly cluster: string }
  /** The service's records were written; `names`: the record names the write changed. */
  | { readonly kind: 'dns-updated'; readonly names: readonly string[] }
  /** Names left alone because someone else's records hold them. */
  | { readonly kind: 'records-conflict'; readonly names: readonly string[] }
  /** Offline clusters whose last healthy shards DNS keeps; released: clusters it no longer holds. */
  | { readonly kind: 'fail-static-engaged' | 'fail-static-released'; readonly clusters: readonly string[] }
  /**
   * A pass failed for a reason retrying cannot fix (`reason` as the controller's `apply-failed`,
   * `cluster` when one refused the shard); a failure retrying may fix is not told.
   */
  | { readonly kind: 'sync-failed'; readonly reason: string; readonly cluster?: string; readonly error: string };

/** An event's gist: what the aggregator compares. */
export interface EventGist {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

const SHARD_EVENTS = {
  created: ['ShardCreated', 'Created the Service in cluster'],
  adopted: ['ShardAdopted', 'Adopted the Service that already existed in cluster'],
  conformed: ['ShardUpdated', 'Updated the Service to the template in cluster'],
  deleted: ['ShardDeleted', 'Deleted the Service in cluster'],
  released: ['ShardReleased', "Released the adopted Service (the federation's annotations removed, the Service kept) in cluster"],
} as const;

/** The event a happening makes. Pure. */
export function eventGist(occurrence: FederationOccurrence): EventGist {
  switch (occurrence.kind) {
    case 'shard': {
      const [reason, message] = SHARD_EVENTS[occurrence.action];
      return { type: 'Normal', reason, message: `${message} ${occurrence.cluster}` };
    }
    case 'dns-updated':
      return { type: 'Normal', reason: 'DNSUpdated', message: `Wrote the records of ${nameList(occurrence.names)}` };
    case 'records-conflict':
      return {
        type: 'Warning',
        reason: 'RecordsConflict',
        message: `Left ${nameList(occurrence.names)} alone: another writer's records hold them. Remove those records, or rename the service`,
      };
    case 'fail-static-engaged':
      return {
        type: 'Warning',
        reason: 'FailStaticEngaged',
        message: `DNS keeps the last healthy shards of Offline clusters ${nameList(occurrence.clusters)} until they are seen again`,
      };
    case 'fail-static-released':
      return {
        type: 'Normal',
        reason: 'FailStaticReleased',
        message: `DNS follows clusters ${nameList(occurrence.clusters)} as seen again`,
      };
    case 'sync-failed': {
      const where = occurrence.cluster === undefined ? '' : ` in cluster ${occurrence.cluster}`;
      return {
        type: 'Warning',
        reason: 'SyncFailed',
        message: `${occurrence.reason}${where}: ${occurrence.error}; retrying cannot fix it: the service is passed again when it or its clusters change, or at the next resync`,
      };
    }
  }
}
