import { sql, type Selectable } from 'kysely';
import type { Channel, Db } from '../db/types.ts';
import { inTransaction } from '../db/transaction.ts';
import type { OutboxPayload, OutboxTable } from './outbox.table.ts';

/**
 * The sender's side of the outbox: claim, settle and lease handling. Every state change is one
 * statement (or one short transaction) so several sender instances can share the table:
 * rows are claimed with FOR UPDATE SKIP LOCKED, and a row whose chat has an earlier row of the same
 * or a more urgent lane still pending or being sent is never claimed (one chat's rows leave in id
 * order within a lane; replies overtake notifications, which overtake broadcasts).
 */
/** A claimed row as the sender needs it; `attempts` includes the attempt this claim starts. */
export type ClaimedRow = Pick<
  Selectable<OutboxTable>,
  'id' | 'channel' | 'chat_id' | 'recipient_kind' | 'resident_id' | 'staff_id' | 'kind' | 'payload' | 'priority' | 'attempts' | 'sent_parts'
>;

/** The order rows leave in: the more urgent lane first, then by id. */
export const byUrgency = (a: Pick<ClaimedRow, 'priority' | 'id'>, b: Pick<ClaimedRow, 'priority' | 'id'>): number => a.priority - b.priority || a.id - b.id;

export interface ClaimOptions {
  channel: Channel;
  claimedBy: string;
  limit: number;
  /** Only rows more urgent than this (a sender whose local queue is full still takes alerts). */
  belowPriority?: number;
}

/**
 * SQL: the payload an outbox row (alias `o`) goes out with. A broadcast row goes out as its
 * broadcast reads now: an item edited after publication (reviseAnnouncement) revises the one
 * broadcast row, and each waiting row takes the revision when claimed, keeping its recipient's
 * language. A row partly sent already keeps what it began with.
 */
export const PAYLOAD_AS_SENT = sql<OutboxPayload>`CASE WHEN o.broadcast_id IS NULL OR o.sent_parts > 0 THEN o.payload ELSE COALESCE(
  (SELECT b.payload || jsonb_build_object('language', o.payload->'language') FROM broadcast b
   WHERE b.id = o.broadcast_id AND b.payload <> (o.payload - 'language')),
  o.payload) END`;

/**
 * SQL: an outbox row (alias `alias`) is not a row of a cancelled broadcast. Cancelling a broadcast
 * writes only its own row (cancelBroadcast), so from that commit its waiting rows are never claimed,
 * however many they are, nor counted as waiting (/metrics), nor does a chat's later row wait behind
 * them (claimDue, markSent); the expander marks them `cancelled` afterwards.
 */
export const notCancelled = (alias: 'o' | 'e') =>
  sql<boolean>`(${sql.ref(`${alias}.broadcast_id`)} IS NULL OR NOT EXISTS (SELECT 1 FROM broadcast cb WHERE cb.id = ${sql.ref(`${alias}.broadcast_id`)} AND cb.state = 'cancelled'))`;

/** SQL: an outbox row (alias `o`) may be claimed: not a row of a cancelled broadcast (notCancelled). */
export const NOT_CANCELLED = notCancelled('o');

/**
 * Claims up to `limit` due rows in (priority, id) order with one UPDATE … RETURNING: state becomes
 * `sending` with the claimer and time (the lease), and the attempt is counted; a broadcast row
 * takes its broadcast's current payload (revised after an edit).
 */
export async function claimDue(db: Db, options: ClaimOptions): Promise<ClaimedRow[]> {
  const { channel, claimedBy, limit, belowPriority } = options;
  const result = await sql<ClaimedRow>`
    WITH due AS (
      SELECT o.id FROM outbox o
      WHERE o.channel = ${channel}
        AND o.state = 'pending'
        AND o.next_attempt_at <= now()
        ${belowPriority === undefined ? sql`` : sql`AND o.priority < ${belowPriority}`}
        AND ${NOT_CANCELLED}
        -- Only the first unsettled row of its chat among rows as urgent or more: a chat's rows leave
        -- in id order within a lane, and a more urgent lane overtakes (a reply never waits behind
        -- the resident's broadcast row or a notification waiting out a backoff). A scalar subquery
        -- with LIMIT stays a per-row index probe (outbox_chat_idx); as NOT EXISTS the planner may
        -- turn it into an anti-join that scans the whole backlog for each row while the table's
        -- statistics are stale. A waiting row of a cancelled broadcast, never to be claimed, is
        -- passed over (one a sender claimed before the cancel is still being sent: it stays first).
        AND o.id = (
          SELECT e.id FROM outbox e
          WHERE e.channel = o.channel AND e.chat_id = o.chat_id AND e.state IN ('pending', 'sending')
            AND e.priority <= o.priority AND (e.state = 'sending' OR ${notCancelled('e')})
          ORDER BY e.id LIMIT 1
        )
      ORDER BY o.priority, o.id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE outbox o
    SET state = 'sending', claimed_by = ${claimedBy}, claimed_at = now(), attempts = o.attempts + 1,
      payload = ${PAYLOAD_AS_SENT}
    FROM due
    WHERE o.id = due.id
    RETURNING o.id, o.channel, o.chat_id, o.recipient_kind, o.resident_id, o.staff_id, o.kind, o.payload,
      o.priority, o.attempts, o.sent_parts
  `.execute(db);
  return result.rows.sort(byUrgency);
}

export interface SentRow {
  id: number;
  /** How long the chat must rest before its next row (its per-chat rate limit), in ms. */
  chatGapMs: number;
  /** API calls the row took in all. */
  parts: number;
}

/**
 * Marks rows sent and, in the same statement, makes the next pending row of each chat wait out
 * the chat's gap: the gate holds across sender instances because it lives in the table.
 * A send that succeeded is recorded even if the lease had expired meanwhile.
 */
export async function markSent(db: Db, rows: SentRow[]): Promise<void> {
  if (rows.length === 0) return;
  const ids = rows.map((r) => r.id);
  const gaps = rows.map((r) => Math.max(0, Math.round(r.chatGapMs)));
  const parts = rows.map((r) => r.parts);
  await sql`
    WITH done AS (
      UPDATE outbox o
      SET state = 'sent', sent_at = now(), last_error = NULL, sent_parts = s.parts
      FROM unnest(${ids}::int[], ${gaps}::int[], ${parts}::int[]) AS s(id, gap_ms, parts)
      WHERE o.id = s.id AND o.state IN ('pending', 'sending')
      RETURNING o.id, o.channel, o.chat_id, s.gap_ms
    )
    UPDATE outbox n
    SET next_attempt_at = greatest(n.next_attempt_at, now() + d.gap_ms * interval '1 millisecond')
    FROM done d,
      -- The chat's next row only: the rows after it wait for it anyway (a row of a cancelled
      -- broadcast, never sent, is passed over). LATERAL … LIMIT keeps this an index probe per sent
      -- row whatever the planner believes about the table.
      LATERAL (
        SELECT e.id FROM outbox e
        WHERE e.channel = d.channel AND e.chat_id = d.chat_id AND e.state = 'pending' AND e.id > d.id AND ${notCancelled('e')}
        ORDER BY e.id LIMIT 1
      ) next_row
    WHERE d.gap_ms > 0 AND n.id = next_row.id
  `.execute(db);
}

export interface RescheduleOptions {
  delayMs: number;
  error: string;
  /** False for rate limits and outages that are not the row's fault: the attempt is given back. */
  countAttempt: boolean;
  sentParts: number;
}

/** Puts a claimed row back to pending, due after `delayMs`. */
export async function reschedule(db: Db, id: number, options: RescheduleOptions): Promise<void> {
  await sql`
    UPDATE outbox
    SET state = 'pending', claimed_by = NULL, claimed_at = NULL, last_error = ${truncate(options.error)},
      sent_parts = ${options.sentParts},
      attempts = ${options.countAttempt ? sql`attempts` : sql`greatest(attempts - 1, 0)`},
      next_attempt_at = now() + ${Math.max(0, Math.round(options.delayMs))} * interval '1 millisecond'
    WHERE id = ${id} AND state = 'sending'
  `.execute(db);
}

/** A permanent failure or too many attempts: the row stops until an admin retries it. */
export async function markDead(db: Db, id: number, error: string, sentParts: number): Promise<void> {
  await sql`
    UPDATE outbox SET state = 'dead', claimed_by = NULL, last_error = ${truncate(error)}, sent_parts = ${sentParts}
    WHERE id = ${id} AND state IN ('sending', 'pending')
  `.execute(db);
}

/**
 * The recipient blocked the bot (or left, or forbids messages): this row and every other queued
 * row for the same chat become `unreachable`, and the identity is marked so core stops queueing.
 */
export async function markUnreachable(db: Db, id: number, error: string): Promise<number[]> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('outbox')
      .set({ state: 'unreachable', claimed_by: null, last_error: truncate(error) })
      .where('id', '=', id)
      .where('state', 'in', ['sending', 'pending'])
      .returning(['channel', 'chat_id', 'resident_id', 'staff_id', 'recipient_kind'])
      .executeTakeFirst();
    if (!row) return [];
    const others = await trx
      .updateTable('outbox')
      .set({ state: 'unreachable', last_error: 'recipient unreachable (an earlier row of this chat)' })
      .where('channel', '=', row.channel)
      .where('chat_id', '=', row.chat_id)
      .where('state', '=', 'pending')
      .returning('id')
      .execute();
    const now = sql<Date>`now()`;
    if (row.recipient_kind === 'resident' && row.resident_id !== null) {
      await trx.updateTable('resident_identity').set({ unreachable_at: now })
        .where('resident_id', '=', row.resident_id).where('channel', '=', row.channel).where('chat_id', '=', row.chat_id)
        .where('unreachable_at', 'is', null).execute();
    } else if (row.recipient_kind === 'staff' && row.staff_id !== null) {
      await trx.updateTable('staff_identity').set({ unreachable_at: now })
        .where('staff_id', '=', row.staff_id).where('channel', '=', row.channel).where('chat_id', '=', row.chat_id)
        .where('unreachable_at', 'is', null).execute();
    }
    return [id, ...others.map((o) => o.id)];
  });
}

/** Gives claimed but unsent rows back (graceful stop, long pause) without counting an attempt. */
export async function releaseClaims(db: Db, ids: number[], claimedBy: string): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    UPDATE outbox SET state = 'pending', claimed_by = NULL, claimed_at = NULL, attempts = greatest(attempts - 1, 0)
    WHERE id = ANY(${ids}::int[]) AND state = 'sending' AND claimed_by = ${claimedBy}
  `.execute(db);
}

export interface ReclaimResult {
  requeued: number[];
  dead: number[];
}

/**
 * Rows left in `sending` longer than the lease belong to an instance that died (or hung) between
 * claim and settle. They go back to pending, or to dead once they used up their attempts (a row
 * that kills its sender every time must not kill every instance for ever).
 *
 * At-least-once window: a process killed after the API accepted a message but before markSent
 * committed leaves the row in `sending`; after the lease it is sent again. Telegram shows such a
 * message twice; VK drops the repeat because random_id is derived from the row id.
 */
export async function reclaimExpired(
  db: Db,
  options: {
    channel: Channel;
    leaseMs: number;
    maxAttempts: number;
    /** Rows the calling sender still holds (queued, in flight, sent and not yet recorded): not expired. */
    except?: number[];
  },
): Promise<ReclaimResult> {
  const result = await sql<{ id: number; state: string }>`
    UPDATE outbox
    SET state = CASE WHEN attempts >= ${options.maxAttempts} THEN 'dead' ELSE 'pending' END,
      last_error = 'lease expired: the sending instance stopped before settling the row',
      claimed_by = NULL, claimed_at = NULL, next_attempt_at = now()
    WHERE state = 'sending' AND channel = ${options.channel}
      AND claimed_at < now() - ${options.leaseMs} * interval '1 millisecond'
      AND NOT (id = ANY(${options.except ?? []}::int[]))
    RETURNING id, state
  `.execute(db);
  return {
    requeued: result.rows.filter((r) => r.state === 'pending').map((r) => r.id),
    dead: result.rows.filter((r) => r.state === 'dead').map((r) => r.id),
  };
}

function truncate(text: string): string {
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

/**
 * The channel's sender leadership was just won (bots/outbox/leader.ts) and the new leader's sender
 * has not started: only one instance sends for a token, so every row still `sending` belongs to a
 * leader that died or lost its database session — another instance, or this one before a database
 * outage (its sender stopped, and recorded what it had sent first: OutboxSender.settleSent). They
 * are queued again at once instead of after the lease: a reply committed just before a crash or an
 * outage reaches its resident as soon as the new leader starts. A row the old leader had handed to
 * the messenger and could not record may show twice (the at-least-once window).
 */
export async function takeOverClaims(db: Db, options: { channel: Channel }): Promise<number[]> {
  const result = await sql<{ id: number }>`
    UPDATE outbox
    SET state = 'pending', claimed_by = NULL, claimed_at = NULL, next_attempt_at = now(),
      last_error = 'taken over: the previous sender of this token stopped before settling the row'
    WHERE state = 'sending' AND channel = ${options.channel}
    RETURNING id
  `.execute(db);
  return result.rows.map((r) => r.id);
}
