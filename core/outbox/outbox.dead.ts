import { sql } from 'kysely';
import type { Channel, Db } from '../db/types.ts';
import type { OutboxState } from './outbox.table.ts';

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
 * (unknown id, or already retried): retrying twice is harmless. The caller kicks the sender.
 */
export async function retryDead(db: Db, id: number): Promise<boolean> {
  const row = await db
    .updateTable('outbox')
    .set({ state: 'pending', attempts: 0, next_attempt_at: sql<Date>`now()`, claimed_by: null, claimed_at: null })
    .where('id', '=', id)
    .where('state', '=', 'dead')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The state of one row, or undefined when there is no such row: says why a retry found nothing to do. */
export async function outboxState(db: Db, id: number): Promise<OutboxState | undefined> {
  const row = await db.selectFrom('outbox').select('state').where('id', '=', id).executeTakeFirst();
  return row?.state;
}
