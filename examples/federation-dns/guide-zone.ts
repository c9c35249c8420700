// The guide's records for nginx, as the controller plans them, in zone-file form for the BIND
// harness: what the authoritative server holds when a pod's remote CNAME reaches it.
import { planServiceRecords, type RecordSet } from '@fedsvc/core';
import { guideClusters, guideFederation, guideService, guideShards } from '@fedsvc/core/testing';

export const guideRecords = (): RecordSet[] =>
  planServiceRecords({ federation: guideFederation, service: guideService, clusters: guideClusters, shards: guideShards });

/** `name ttl IN type rrdata`, one line per rrdata. */
export const zoneLines = (records: readonly RecordSet[]): string[] =>
  records.flatMap((r) => r.rrdatas.map((rrdata) => `${r.name} ${r.ttl} IN ${r.type} ${rrdata}`));
