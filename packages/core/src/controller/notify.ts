// What a step of the clusters' state says, carried out: the host is told through the
// controller's events, and the services whose records may change are asked a pass for. The
// reducer (cluster-state.ts) only says it, so that it stays pure.
import type { EventEmitter } from 'eventemitter3';
import type { Notification } from './cluster-state.js';
import type { Scheduler } from './scheduler.js';
import type { ControllerEvents, ServiceKey } from './types.js';

/**
 * Tells `emitter`'s listeners what the notifications say, and asks `scheduler` for a pass over the
 * services they name; a service the controller does not know (`services`) is not asked for.
 */
export function deliverNotifications(
  notifications: readonly Notification[],
  emitter: Pick<EventEmitter<ControllerEvents>, 'emit'>,
  scheduler: Pick<Scheduler, 'mark'>,
  services: ReadonlyMap<ServiceKey, unknown>,
): void {
  for (const notification of notifications) {
    switch (notification.type) {
      case 'cluster-ready':
        emitter.emit('cluster-ready', { cluster: notification.cluster });
        break;
      case 'cluster-offline':
        emitter.emit('cluster-offline', { cluster: notification.cluster, reason: notification.reason });
        break;
      case 'shard-health-changed':
        emitter.emit('shard-health-changed', {
          service: notification.service,
          cluster: notification.cluster,
          healthy: notification.healthy,
        });
        break;
      case 'dirty':
        if (notification.service === 'all') scheduler.mark(services.keys());
        else if (services.has(notification.service)) scheduler.mark([notification.service]);
    }
  }
}
