import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Db, Language } from '../db/types.ts';
import { PRIORITY } from '../outbox/outbox.repository.ts';
import type { OutboxPayload } from '../outbox/outbox.table.ts';
import { reachOrder } from '../notifications/notify.ts';
import { subscribedSql, type Topic, unsubscribeRow } from '../subscriptions/subscriptions.ts';
import type { BroadcastState } from './broadcast.table.ts';

/** Who gets a broadcast: registered residents of a municipality (or all) subscribed to a topic, optionally of one language. */
export interface Audience {
  /** null: every municipality. */
  municipalityId: number | null;
  topic: Topic;
  /** Only residents who read this language; absent: everyone, each in their own. */
  language?: Language;
}

/**
 * What every recipient is shown: a locale key with params (rendered in each recipient's language),
 * an abstract keyboard of global buttons (bots/dialogs/buttons.ts: they work whatever the
 * recipient's dialog state), stored media ids (core/media: uploaded once per messenger).
 */
export interface Announcement {
  key: string;
  params?: Record<string, unknown>;
  keyboard?: unknown;
  media?: number[];
  /** A point sent after the text (an event's venue). */
  location?: { lat: number; lon: number };
}

export interface AnnounceInput {
  audience: Audience;
  message: Announcement;
  /** The outbox kind of its rows; default `broadcast.<topic>`. */
  kind?: string;
  /** What announces itself, for the admin list (e.g. `poll:12`). */
  source?: string;
  createdByStaffId?: number | null;
}

function announcementPayload(message: Announcement, topic: Topic): OutboxPayload {
  return {
    key: message.key,
    ...(message.params && { params: message.params }),
    keyboard: withUnsubscribe(message.keyboard, topic),
    ...(message.media?.length && { media: message.media }),
    ...(message.location && { location: message.location }),
  };
}

/** The announcement's inline keyboard with the one-tap "Unsubscribe: <topic>" row last (a keyboard of another kind is kept as it is). */
function withUnsubscribe(keyboard: unknown, topic: Topic): unknown {
  if (keyboard === undefined) return { kind: 'inline', rows: [unsubscribeRow(topic)] };
  const inline = keyboard as { kind?: unknown; rows?: unknown };
  if (inline.kind !== 'inline' || !Array.isArray(inline.rows)) return keyboard;
  return { ...inline, rows: [...inline.rows, unsubscribeRow(topic)] };
}

/**
 * Queues a broadcast in the caller's transaction and returns its id. Nothing else is written here:
 * after the commit the expander (startBroadcastExpander) turns the audience into outbox rows of the
 * bulk lane in short keyset batches, which the token's sender paces behind replies and notifications.
 */
export async function announce(db: Db, input: AnnounceInput): Promise<number> {
  const payload = announcementPayload(input.message, input.audience.topic);
  const row = await db
    .insertInto('broadcast')
    .values({
      municipality_id: input.audience.municipalityId,
      topic: input.audience.topic,
      language: input.audience.language ?? null,
      kind: input.kind ?? `broadcast.${input.audience.topic}`,
      payload: JSON.stringify(payload),
      source: input.source ?? null,
      created_by_staff_id: input.createdByStaffId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface ExpandResult {
  /** Rows written by this batch. */
  inserted: number;
  /** The whole audience is written (or there was nothing to do). */
  done: boolean;
}

/**
 * Writes the next batch of a broadcast's outbox rows in one short transaction: the next `batchSize`
 * residents after the cursor who are in the audience (registered, in the municipality, of the
 * language, subscribed to the topic, with a live consent), each once on the messenger they chose
 * for notifications (else the one used last) among their reachable identities, inserted by one
 * INSERT … SELECT (no row passes through this process), and the cursor moved in the same
 * transaction. The broadcast row is locked with SKIP LOCKED, so two instances never expand one
 * broadcast at once; a cancelled broadcast is not expanded further.
 */
export async function expandBatch(db: Kysely<Database>, broadcastId: number, batchSize: number): Promise<ExpandResult> {
  return db.transaction().execute(async (trx) => {
    const broadcast = await trx
      .selectFrom('broadcast')
      .select(['id', 'municipality_id', 'topic', 'language', 'kind', 'payload', 'cursor_resident_id'])
      .where('id', '=', broadcastId)
      .where('state', '=', 'expanding')
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!broadcast) return { inserted: 0, done: true };
    const result = await sql<{ last_id: number | null; scanned: number; inserted: number }>`
      WITH batch AS (
        SELECT r.id, r.language, r.notify_channel FROM resident r
        WHERE r.id > ${broadcast.cursor_resident_id}
          AND r.registered_at IS NOT NULL
          ${broadcast.municipality_id === null ? sql`` : sql`AND r.municipality_id = ${broadcast.municipality_id}`}
          ${broadcast.language === null ? sql`` : sql`AND r.language = ${broadcast.language}`}
          AND ${subscribedSql(sql`r.id`, broadcast.topic)}
          AND EXISTS (SELECT 1 FROM consent c WHERE c.resident_id = r.id AND c.withdrawn_at IS NULL)
        ORDER BY r.id
        LIMIT ${batchSize}
      ), inserted AS (
        INSERT INTO outbox (channel, chat_id, recipient_kind, resident_id, kind, payload, priority, broadcast_id)
        SELECT t.channel, t.chat_id, 'resident', b.id, ${broadcast.kind},
          ${JSON.stringify(broadcast.payload)}::jsonb || jsonb_build_object('language', b.language),
          ${PRIORITY.broadcast}, ${broadcast.id}
        FROM batch b
        CROSS JOIN LATERAL (
          SELECT ri.channel, ri.chat_id FROM resident_identity ri
          WHERE ri.resident_id = b.id AND ri.unreachable_at IS NULL
          ORDER BY ${reachOrder('ri', 'b.notify_channel')}
          LIMIT 1
        ) t
        ORDER BY b.id
        RETURNING 1
      )
      SELECT (SELECT max(id) FROM batch) AS last_id, (SELECT count(*) FROM batch)::int AS scanned, (SELECT count(*) FROM inserted)::int AS inserted
    `.execute(trx);
    const { last_id, scanned, inserted } = result.rows[0]!;
    const done = Number(scanned) < batchSize;
    await trx
      .updateTable('broadcast')
      .set((eb) => ({
        cursor_resident_id: last_id ?? broadcast.cursor_resident_id,
        recipients: eb('recipients', '+', Number(inserted)),
        ...(done && { state: 'sending' as const, expanded_at: sql<Date>`now()` }),
      }))
      .where('id', '=', broadcast.id)
      .execute();
    return { inserted: Number(inserted), done };
  });
}

/** Broadcasts still being expanded, oldest first. */
export async function expandingBroadcasts(db: Db): Promise<number[]> {
  const rows = await db.selectFrom('broadcast').select('id').where('state', '=', 'expanding').orderBy('id').limit(100).execute();
  return rows.map((r) => r.id);
}

/**
 * Stops a broadcast: one row written, whatever the audience, so the request that stops it stays
 * short (a withdrawal of an announcement to 300,000 residents took 6.5 s when it cancelled every
 * row inside it: `npm run bench:withdraw`). From its commit no more rows are written (the
 * expander skips it) and none of its rows waiting in the outbox is claimed (claimDue's
 * NOT_CANCELLED); the expander then marks them `cancelled` in short batches (dropCancelledUnsent).
 * Rows a sender already claimed (about a second of sending) still go out. Returns false when it
 * was cancelled already.
 */
export async function cancelBroadcast(db: Db, broadcastId: number, now: Date): Promise<boolean> {
  const updated = await db.updateTable('broadcast').set({ state: 'cancelled', cancelled_at: now }).where('id', '=', broadcastId).where('state', '<>', 'cancelled').executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/**
 * What a broadcast announced was withdrawn (a news item archived, an event cancelled, a poll
 * closed): whatever of it is not sent yet is not sent (cancelBroadcast). A broadcast sent in full
 * stays as it is (done, not "cancelled"). The row is locked, so an expander batch in flight ends
 * first and the next one finds it cancelled. Returns whether anything was stopped.
 */
export async function stopAnnouncement(db: Db, broadcastId: number | null, now: Date): Promise<boolean> {
  if (broadcastId === null) return false;
  const row = await db.selectFrom('broadcast').select('state').where('id', '=', broadcastId).forUpdate().executeTakeFirst();
  if (!row || row.state === 'cancelled') return false;
  if (row.state === 'sending') {
    const unsent = await db.selectFrom('outbox').select('id').where('broadcast_id', '=', broadcastId).where('state', '=', 'pending').limit(1).executeTakeFirst();
    if (!unsent) return false;
  }
  return cancelBroadcast(db, broadcastId, now);
}

/**
 * Every announcement of one source withdrawn (`contest:<id>`: a contest announces each of its
 * steps on its own; `direct_line:<id>`): stopAnnouncement for each, oldest first.
 */
export async function stopAnnouncementsOf(db: Db, source: string, now: Date): Promise<void> {
  const broadcasts = await db.selectFrom('broadcast').select('id').where('source', '=', source).where('state', '<>', 'cancelled').orderBy('id').execute();
  for (const broadcast of broadcasts) await stopAnnouncement(db, broadcast.id, now);
}

/**
 * What a broadcast announces was edited after publication (a news item's text, an event's time):
 * residents it has not reached yet get the new version. Only the broadcast's one payload is
 * written, whatever the audience: the rows still to be written copy it, and the rows waiting in
 * the outbox take it when a sender claims them (claimDue, each keeping its recipient's language),
 * so an edit of an item announced to 100,000 residents is one short statement in the request.
 * Rows sent, or claimed by a sender, stay as they went out. A cancelled broadcast is left alone.
 */
export async function reviseAnnouncement(db: Db, broadcastId: number | null, message: Announcement): Promise<void> {
  if (broadcastId === null) return;
  const row = await db.selectFrom('broadcast').select(['state', 'topic']).where('id', '=', broadcastId).forUpdate().executeTakeFirst();
  if (!row || row.state === 'cancelled') return;
  const payload = JSON.stringify(announcementPayload(message, row.topic));
  await db.updateTable('broadcast').set({ payload }).where('id', '=', broadcastId).execute();
}

const CANCEL_BATCH = 5000;

/**
 * Marks `cancelled` the rows of cancelled broadcasts still waiting in the outbox (never claimed
 * since the cancel: claimDue skips them), `batch` rows per statement, each statement its own short
 * transaction; returns how many. The expander runs it on every instance, so the table catches up
 * within a poll (meanwhile claimDue, markSent's chat gap and the /metrics gauges pass these rows
 * over). A dead row of a cancelled broadcast is not retried by hand (retryDead: 409).
 */
export async function dropCancelledUnsent(db: Db, batch = CANCEL_BATCH): Promise<number> {
  const cancelled = await sql<{ id: number }>`
    SELECT b.id FROM broadcast b
    WHERE b.state = 'cancelled' AND EXISTS (SELECT 1 FROM outbox o WHERE o.broadcast_id = b.id AND o.state = 'pending')
    ORDER BY b.id`.execute(db);
  let dropped = 0;
  for (const { id } of cancelled.rows) {
    for (;;) {
      const result = await sql`
        UPDATE outbox SET state = 'cancelled', last_error = 'broadcast cancelled'
        WHERE id IN (SELECT id FROM outbox WHERE broadcast_id = ${id} AND state = 'pending' LIMIT ${batch})
          AND state = 'pending'
      `.execute(db);
      const n = Number(result.numAffectedRows ?? 0);
      dropped += n;
      if (n < batch) break;
    }
  }
  return dropped;
}

/** What the admin API shows: `done` once every written row is settled. */
export type BroadcastStatus = BroadcastState | 'done';

export interface BroadcastProgress {
  id: number;
  municipalityId: number | null;
  topic: Topic;
  language: Language | null;
  kind: string;
  source: string | null;
  status: BroadcastStatus;
  /** Rows written so far (the audience found). */
  recipients: number;
  pending: number;
  sent: number;
  /** Recipients the messenger refused (blocked the bot …) or whose rows died. */
  failed: number;
  cancelled: number;
  createdAt: Date;
  expandedAt: Date | null;
  cancelledAt: Date | null;
  createdByStaffId: number | null;
  /**
   * What it says now: the broadcast's one payload (locale key and params), revised at once by an
   * edit of what it announces (reviseAnnouncement) and taken by every row still waiting when a
   * sender claims it; rows sent before the edit went out as they were.
   */
  message: { key: string; params: Record<string, unknown> };
}

/** Broadcasts with their progress, newest first; `municipalityIds` limits to those (a scoped key also sees nothing else). */
export async function listBroadcasts(db: Db, options: { municipalityIds?: number[]; beforeId?: number; limit: number; ids?: number[] }): Promise<BroadcastProgress[]> {
  let query = db.selectFrom('broadcast').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (options.municipalityIds) query = query.where('municipality_id', 'in', options.municipalityIds.length > 0 ? options.municipalityIds : [-1]);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  if (options.ids) query = query.where('id', 'in', options.ids.length > 0 ? options.ids : [-1]);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const counts = await db
    .selectFrom('outbox')
    .select(['broadcast_id', 'state'])
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(
      'broadcast_id',
      'in',
      rows.map((r) => r.id),
    )
    .groupBy(['broadcast_id', 'state'])
    .execute();
  return rows.map((r) => {
    const of = (...states: string[]) => counts.filter((c) => c.broadcast_id === r.id && states.includes(c.state)).reduce((n, c) => n + Number(c.n), 0);
    // A cancelled broadcast's rows still waiting are never sent (claimDue skips them): cancelled, even before the expander marks them so.
    const cancelled = r.state === 'cancelled';
    const pending = cancelled ? of('sending') : of('pending', 'sending');
    const status: BroadcastStatus = r.state === 'sending' && pending === 0 ? 'done' : r.state;
    return {
      id: r.id,
      municipalityId: r.municipality_id,
      topic: r.topic,
      language: r.language,
      kind: r.kind,
      source: r.source,
      status,
      recipients: r.recipients,
      pending,
      sent: of('sent'),
      failed: of('dead', 'unreachable'),
      cancelled: cancelled ? of('cancelled', 'pending') : of('cancelled'),
      createdAt: r.created_at,
      expandedAt: r.expanded_at,
      cancelledAt: r.cancelled_at,
      createdByStaffId: r.created_by_staff_id,
      message: { key: r.payload.key, params: r.payload.params ?? {} },
    };
  });
}

export async function getBroadcast(db: Db, id: number): Promise<BroadcastProgress | undefined> {
  const [row] = await listBroadcasts(db, { ids: [id], limit: 1 });
  return row;
}
