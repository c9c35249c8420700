// Around the adapter: reading and writing BIND directly with the harness's key, the way another
// writer (or a person with nsupdate) would.
import type { Change, RecordSet } from '@fedsvc/core';
import type { BindServer } from '../src/testing/index.js';
import { RcodeError, axfr, newId, signedExchange, type ClientOptions } from '../src/client.js';
import { rdataFromText, typeCode } from '../src/rdata.js';
import { recordSets } from '../src/update.js';
import { Opcode, RRClass, RRType, Rcode, emptyMessage, normalizeWireName, type ResourceRecord } from '../src/wire.js';

export function clientFor(bind: BindServer, timeoutMs = 5_000): ClientOptions {
  return {
    server: { host: bind.host, port: bind.port },
    key: { name: bind.key.name, algorithm: bind.key.algorithm, secret: Buffer.from(bind.key.secret, 'base64') },
    timeoutMs,
  };
}

function wireRecords(record: RecordSet<string>): { remove: ResourceRecord; add: ResourceRecord[] } {
  const name = normalizeWireName(record.name);
  const type = typeCode(record.type)!;
  return {
    remove: { name, type, class: RRClass.ANY, ttl: 0, rdata: new Uint8Array() },
    add: record.rrdatas.map((rrdata) => ({ name, type, class: RRClass.IN, ttl: record.ttl, rdata: rdataFromText(type, rrdata) })),
  };
}

/** Writes without prerequisites: creates and updates replace the record set, deletes remove it. */
export async function writeDirect(client: ClientOptions, zone: string, changes: readonly Change[]): Promise<void> {
  const updates = changes.flatMap((change) => {
    const { remove, add } = wireRecords(change.record);
    return change.kind === 'delete' ? [remove] : [remove, ...add];
  });
  const message = {
    ...emptyMessage(newId(), Opcode.UPDATE),
    questions: [{ name: zone, type: RRType.SOA, class: RRClass.IN }],
    authorities: updates,
  };
  const answer = await signedExchange(client, message, 'tcp');
  if (answer.rcode !== Rcode.NOERROR) throw new RcodeError(answer.rcode);
}

export async function readDirect(client: ClientOptions, zone: string): Promise<RecordSet<string>[]> {
  return recordSets(await axfr(client, zone));
}
