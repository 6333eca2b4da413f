import type { Channel, Db } from '../db/types.ts';
import type { OutboxPayload, RecipientKind } from './outbox.table.ts';

/** Lower goes first: a broadcast never queues ahead of a status notification or an alert. */
export const PRIORITY = { reply: 0, notification: 1, alert: 1, digest: 5, broadcast: 9 } as const;

export interface OutboxEntry {
  channel: Channel;
  chatId: string;
  recipientKind: RecipientKind;
  residentId?: number | null;
  staffId?: number | null;
  kind: string;
  payload: OutboxPayload;
  priority: number;
  /** A unique key makes the enqueue idempotent (cron catch-up, retried handlers). */
  dedupeKey?: string;
  notBefore?: Date;
}

/** Writes outbox rows in the caller's transaction; returns the ids of rows actually inserted. */
export async function enqueue(db: Db, entries: OutboxEntry[]): Promise<number[]> {
  if (entries.length === 0) return [];
  const rows = await db
    .insertInto('outbox')
    .values(
      entries.map((e) => ({
        channel: e.channel,
        chat_id: e.chatId,
        recipient_kind: e.recipientKind,
        resident_id: e.residentId ?? null,
        staff_id: e.staffId ?? null,
        kind: e.kind,
        payload: JSON.stringify(e.payload),
        priority: e.priority,
        dedupe_key: e.dedupeKey ?? null,
        ...(e.notBefore && { next_attempt_at: e.notBefore }),
      })),
    )
    .onConflict((oc) => oc.column('dedupe_key').where('dedupe_key', 'is not', null).doNothing())
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Cancels the rows of `ids` no sender has claimed yet (`pending`; one being sent or sent stays), with
 * `reason` as their last error. Returns the ids cancelled.
 */
export async function cancelUnsent(db: Db, ids: readonly (number | null)[], reason: string): Promise<Set<number>> {
  const rows = ids.filter((id): id is number => id !== null);
  if (rows.length === 0) return new Set();
  const cancelled = await db.updateTable('outbox').set({ state: 'cancelled', last_error: reason }).where('id', 'in', rows).where('state', '=', 'pending').returning('id').execute();
  return new Set(cancelled.map((r) => r.id));
}
