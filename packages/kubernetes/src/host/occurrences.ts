// What the controller tells about a service, as the happenings its Events tell: shard actions,
// DNS written (only passes that wrote something), conflicts (when their set changes), fail static
// engaged and released, a failure retrying cannot fix (which the controller tells once; one
// retrying may fix is retried with backoff and told by no Event). Never one per pass.
import type { FederationController } from '@fedsvc/core';
import type { FederationOccurrence } from '../federation/occurrences.js';

/** Calls `record` for every happening until the returned function is called. */
export function subscribeOccurrences(
  controller: Pick<FederationController, 'on' | 'off'>,
  record: (service: string, occurrence: FederationOccurrence) => void,
): () => void {
  // Fail static's release names no clusters: the ones it held are remembered from its engagement.
  const held = new Map<string, readonly string[]>();
  const listeners = {
    'shard-changed': ({
      service,
      cluster,
      action,
    }: {
      service: string;
      cluster: string;
      action: 'created' | 'adopted' | 'conformed' | 'deleted' | 'released';
    }) => record(service, { kind: 'shard', action, cluster }),
    'records-applied': ({ service, changes }: { service: string; changes: readonly { record: { name: string } }[] }) => {
      if (changes.length > 0) record(service, { kind: 'dns-updated', names: [...new Set(changes.map((c) => c.record.name))].sort() });
    },
    'records-conflict': ({ service, conflicts }: { service: string; conflicts: readonly { name: string }[] }) =>
      record(service, { kind: 'records-conflict', names: conflicts.map((c) => c.name) }),
    'fail-static-engaged': ({ service, clusters }: { service: string; clusters: readonly string[] }) => {
      held.set(service, clusters);
      record(service, { kind: 'fail-static-engaged', clusters });
    },
    'apply-failed': ({
      service,
      reason,
      error,
      cluster,
      permanent,
    }: {
      service: string;
      reason: string;
      error: Error;
      cluster?: string;
      permanent: boolean;
    }) => {
      if (permanent) record(service, { kind: 'sync-failed', reason, error: error.message, ...(cluster === undefined ? {} : { cluster }) });
    },
    'fail-static-released': ({ service }: { service: string }) => {
      record(service, { kind: 'fail-static-released', clusters: held.get(service) ?? [] });
      held.delete(service);
    },
  } as const;
  for (const [event, listener] of Object.entries(listeners)) controller.on(event as never, listener as never);
  return () => {
    for (const [event, listener] of Object.entries(listeners)) controller.off(event as never, listener as never);
  };
}
