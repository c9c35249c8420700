// Writing to Route 53: one atomic ChangeResourceRecordSets per batch, and, when asked, waiting
// until Route 53 reports the change INSYNC.
import { ChangeResourceRecordSetsCommand, GetChangeCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { ProviderError, sleep, type Change, type DnsZone } from '@fedsvc/core/provider';
import type { RecordsAsRead } from './aliases.js';
import { call } from './call.js';
import type { WaitForInSyncOptions } from './options.js';
import { stripIdPrefix, toRoute53Changes } from './records.js';

async function waitInSync(client: Route53Client, changeId: string, zone: DnsZone, settings: WaitForInSyncOptions): Promise<void> {
  const timeoutMs = settings.timeoutMs ?? 120_000;
  const interval = settings.pollIntervalMs ?? 2_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await call(`GetChange ${changeId}`, () => client.send(new GetChangeCommand({ Id: changeId })));
    if (out.ChangeInfo?.Status === 'INSYNC') return;
    if (Date.now() + interval > deadline) {
      // The batch is applied but not yet served everywhere; stopping here keeps a later batch
      // (say, a CNAME to a name this one created) from being published ahead of it.
      throw new ProviderError('route53', 'transient', `change ${changeId} to zone ${zone.id} not INSYNC after ${timeoutMs} ms`);
    }
    await sleep(interval);
  }
}

/** `asRead`: the sets each record was read from; `wait`: poll until INSYNC after the batch, when given. */
export async function applyChanges(
  client: Route53Client,
  zone: DnsZone,
  changes: readonly Change[],
  asRead: RecordsAsRead,
  wait: WaitForInSyncOptions | undefined,
): Promise<void> {
  const batch = changes.flatMap((c) => (c.kind === 'update' ? [c.before, c.record] : [c.record]));
  const body = toRoute53Changes(changes, asRead);
  // An ALIAS update that changes only what Route 53 does not store (its ttl, with no addresses) is no change.
  if (body.length === 0) return;
  const out = await call(
    `ChangeResourceRecordSets ${zone.id}`,
    () =>
      client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone.id,
          ChangeBatch: { Comment: 'fedsvc', Changes: body },
        }),
      ),
    batch,
  );
  if (wait && out.ChangeInfo?.Id) await waitInSync(client, stripIdPrefix(out.ChangeInfo.Id), zone, wait);
}
