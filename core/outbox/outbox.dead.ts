import { sql } from 'kysely';
import type { Channel, Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { NOT_CANCELLED } from './outbox.queue.ts';

/** A row that stopped for good, as the admin API lists it (no payload: it may hold personal data). */
export interface DeadRow {
  id: number;
  channel: Channel;
  recipientKind: string;
  residentId: number | null;
  staffId: number | null;
  kind: string;
  priority: number;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

/** Dead rows, newest first; `beforeId` pages on (keyset). */
export async function listDead(db: Db, options: { channel?: Channel; limit?: number; beforeId?: number } = {}): Promise<DeadRow[]> {
  let query = db
    .selectFrom('outbox')
    .select(['id', 'channel', 'recipient_kind', 'resident_id', 'staff_id', 'kind', 'priority', 'attempts', 'last_error', 'created_at'])
    .where('state', '=', 'dead')
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(options.limit ?? 50, 1), 500));
  if (options.channel) query = query.where('channel', '=', options.channel);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    recipientKind: r.recipient_kind,
    residentId: r.resident_id,
    staffId: r.staff_id,
    kind: r.kind,
    priority: r.priority,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at,
  }));
}

/**
 * Gives a dead row a fresh set of attempts, due now. Returns false when the row is not dead
 * (unknown id, or already retried: retrying twice is harmless) or belongs to a cancelled broadcast
 * (it would never be claimed: the row stays dead); `whyNotRetried` says which. The caller kicks the sender.
 */
export async function retryDead(db: Db, id: number): Promise<boolean> {
  const row = await db
    .updateTable('outbox as o')
    .set({ state: 'pending', attempts: 0, next_attempt_at: sql<Date>`now()`, claimed_by: null, claimed_at: null })
    .where('o.id', '=', id)
    .where('o.state', '=', 'dead')
    .where(NOT_CANCELLED)
    .returning('o.id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Why `retryDead` found nothing to do: OUTBOX_NOT_FOUND, OUTBOX_NOT_DEAD (with its state), or
 * OUTBOX_BROADCAST_CANCELLED (a dead row of a broadcast cancelled since: what it announced was
 * withdrawn, so it is not sent again).
 */
export async function whyNotRetried(db: Db, id: number): Promise<DomainError> {
  const row = await db
    .selectFrom('outbox as o')
    .leftJoin('broadcast as b', 'b.id', 'o.broadcast_id')
    .select(['o.state', 'o.broadcast_id', 'b.state as broadcast_state'])
    .where('o.id', '=', id)
    .executeTakeFirst();
  if (!row) return new DomainError('OUTBOX_NOT_FOUND', { id });
  if (row.state !== 'dead') return new DomainError('OUTBOX_NOT_DEAD', { id, state: row.state });
  return new DomainError('OUTBOX_BROADCAST_CANCELLED', { id, broadcastId: row.broadcast_id });
}
