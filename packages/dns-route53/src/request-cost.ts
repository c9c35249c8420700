// What a change costs against Route 53's per-request limits, counted as Route 53 counts the
// request it becomes: each record a change, each value a ResourceRecord element.
import { type Change, changeCost, type RequestCost } from '@fedsvc/core/provider';
import { aliasRequestCost, type RecordsAsRead } from './aliases.js';
import { toRoute53Changes } from './records.js';

const touchesRouted = (change: Change): boolean =>
  change.record.routing !== undefined || (change.kind === 'update' && change.before.routing !== undefined);

/**
 * A change to or from a routed set costs what it is sent as: one change per record deleted or
 * created (a member each; an update only the members that differ, both sides of each), its
 * values as rrdatas and their characters (an alias record one rrdata, its DNS name as
 * characters). An update that sends nothing costs nothing, and core does not send it. Any other
 * change costs as core counts it, or, with `aliases`, as {@link aliasRequestCost} does. A
 * routed set the adapter cannot write costs as core counts it; applyChanges refuses it.
 */
export function route53RequestCost(change: Change, asRead: RecordsAsRead, aliases: boolean): RequestCost {
  if (!touchesRouted(change)) return aliases ? aliasRequestCost(change, asRead) : changeCost(change);
  let body: ReturnType<typeof toRoute53Changes>;
  try {
    body = toRoute53Changes([change], asRead);
  } catch {
    return changeCost(change);
  }
  let rrdatas = 0;
  let chars = 0;
  for (const { ResourceRecordSet: rrs } of body) {
    if (rrs?.AliasTarget) {
      rrdatas += 1;
      chars += rrs.AliasTarget.DNSName?.length ?? 0;
      continue;
    }
    for (const record of rrs?.ResourceRecords ?? []) {
      rrdatas += 1;
      chars += record.Value?.length ?? 0;
    }
  }
  return { changes: body.length, rrdatas, chars };
}
