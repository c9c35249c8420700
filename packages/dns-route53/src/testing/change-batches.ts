// ChangeResourceRecordSets and GetChange: a batch is checked against the documented limits and
// applied all or nothing; its change then reads PENDING until polled enough to be INSYNC, and
// the zone may stay busy (PriorRequestNotComplete) for a while after it.
import { priorRequestNotComplete } from './faults.js';
import { randomId } from './ids.js';
import { type ChangeLimits, limitMessages } from './limits.js';
import { ApiError, document } from './responses.js';
import { el, type Markup } from './xml.js';
import { applyBatch, type HostedZone, type RequestedChange } from './zones.js';

export interface ChangeSettings {
  readonly limits: ChangeLimits;
  /** Records a hosted zone may hold (Route 53's default quota: 10,000). */
  readonly recordsPerZone: number;
  /** A batch "processes" this long; falsy: not at all. */
  readonly processingMs?: number;
  /** GetChange answers INSYNC from this poll on. */
  readonly insyncAfterPolls: number;
}

interface ChangeState {
  readonly id: string;
  readonly submittedAt: string;
  readonly comment?: string;
  polls: number;
}

function changeInfo(c: ChangeState, status: 'PENDING' | 'INSYNC'): Markup {
  return el(
    'ChangeInfo',
    el('Id', `/change/${c.id}`),
    el('Status', status),
    el('SubmittedAt', c.submittedAt),
    c.comment === undefined ? undefined : el('Comment', c.comment),
  );
}

export class ChangeLog {
  private readonly changes = new Map<string, ChangeState>();
  private readonly busyUntil = new Map<string, number>();

  constructor(private readonly settings: ChangeSettings) {}

  /** Applies the batch to the zone, or throws Route 53's refusal and leaves the zone as it was. */
  submit(zone: HostedZone, requested: readonly RequestedChange[], comment: string | undefined): string {
    const now = Date.now();
    if ((this.busyUntil.get(zone.id) ?? 0) > now) throw priorRequestNotComplete();
    const limits = limitMessages(requested, this.settings.limits);
    if (limits.length > 0) throw new ApiError(400, 'InvalidChangeBatch', `[${limits.join(', ')}]`);
    const result = applyBatch(zone, requested, this.settings.recordsPerZone);
    if (!result.ok) throw new ApiError(400, 'InvalidChangeBatch', `[${result.messages.join(', ')}]`);
    if (this.settings.processingMs) this.busyUntil.set(zone.id, now + this.settings.processingMs);
    const state: ChangeState = { id: randomId('C', 13), submittedAt: new Date(now).toISOString(), polls: 0, comment };
    this.changes.set(state.id, state);
    return document('ChangeResourceRecordSetsResponse', changeInfo(state, 'PENDING'));
  }

  /** `id` with or without `/change/`; each call is a poll. */
  get(id: string): string {
    const state = this.changes.get(id.replace(/^\/change\//, ''));
    if (!state) throw new ApiError(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`);
    state.polls += 1;
    return document('GetChangeResponse', changeInfo(state, state.polls >= this.settings.insyncAfterPolls ? 'INSYNC' : 'PENDING'));
  }
}
