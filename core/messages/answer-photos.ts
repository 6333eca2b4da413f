import { sql } from 'kysely';
import { inTransaction } from '../db/transaction.ts';
import type { Channel, Db } from '../db/types.ts';
import { enqueue } from '../outbox/outbox.repository.ts';
import type { OutboxPayload } from '../outbox/outbox.table.ts';

/**
 * Photos an official sent with an answer in the bot (answer_photo): kept as the messenger's file
 * ids in the dialog turn, copied into the media store afterwards by the copier of filed photos
 * (bots/media/filing-photos.ts), never downloaded inside a turn. The copy joins the answer's
 * `media_ids` (the API's read of the answer) once made. Delivery (answers.service.ts
 * applyApproval, the curator's card): in the messenger the photos came through, their file ids;
 * in the other one, their copies — those not copied yet follow the notice (recordAnswerCopies),
 * those given up are said not brought.
 */
export interface AnswerPhotoRef {
  fileId: string;
  fileUniqueId?: string | null;
  /** VK: the largest size's URL, where the copy is downloaded from. */
  url?: string | null;
}

/** A photo of an answer as a reader sees it: where it came from, its copy, and the copy's state. */
export interface AnswerPhoto {
  channel: Channel;
  mediaId: number | null;
  /** copied; copying (due or being retried); failed (given up: `error` says why). */
  copy: 'copied' | 'copying' | 'failed';
  error: string | null;
}

/** A download URL worth keeping: http(s) and of a sane length. */
const sourceUrl = (url: string | null | undefined) => (url && url.length <= 2048 && /^https?:\/\//i.test(url) ? url : null);

/** Adds `photos` (sent through `channel`) to an answer after those it has, queued for the copier at `now`. */
export async function addAnswerPhotos(db: Db, answerId: number, channel: Channel, photos: readonly AnswerPhotoRef[], now: Date): Promise<void> {
  if (photos.length === 0) return;
  const last = await db
    .selectFrom('answer_photo')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('answer_id', '=', answerId)
    .executeTakeFirst();
  const start = last?.max === null || last?.max === undefined ? 0 : Number(last.max) + 1;
  await db
    .insertInto('answer_photo')
    .values(
      photos.map((p, i) => ({
        answer_id: answerId,
        channel,
        file_id: p.fileId,
        file_unique_id: p.fileUniqueId ?? null,
        source_url: sourceUrl(p.url),
        position: start + i,
        copy_due_at: now,
      })),
    )
    .execute();
}

export async function countAnswerPhotos(db: Db, answerId: number): Promise<number> {
  const row = await db
    .selectFrom('answer_photo')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('answer_id', '=', answerId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Each answer's bot photos, in order (one query for all). */
export async function answerPhotosOf(db: Db, answerIds: readonly number[]): Promise<Map<number, AnswerPhoto[]>> {
  const byAnswer = new Map<number, AnswerPhoto[]>();
  if (answerIds.length === 0) return byAnswer;
  const rows = await db
    .selectFrom('answer_photo')
    .select(['answer_id', 'channel', 'media_id', 'copy_due_at', 'copy_error'])
    .where('answer_id', 'in', answerIds)
    .orderBy('answer_id')
    .orderBy('position')
    .execute();
  for (const r of rows) {
    const copy = r.media_id !== null ? 'copied' : r.copy_due_at !== null ? 'copying' : 'failed';
    byAnswer.set(r.answer_id, [...(byAnswer.get(r.answer_id) ?? []), { channel: r.channel, mediaId: r.media_id, copy, error: copy === 'failed' ? r.copy_error : null }]);
  }
  return byAnswer;
}

/** What an answer shows in one messenger: the file ids of its photos, the stored files, and how many of its other photos are still coming or were lost. */
export interface AnswerMediaView {
  photos: string[];
  media: number[];
  following: number;
  lost: number;
  /** The messenger the photos not shown came through. */
  from: Channel | null;
}

/**
 * An answer's photos per messenger: those sent through it by their file ids, the rest by their
 * copies, plus the files attached through the API (media_ids that are not copies of bot photos).
 */
export async function answerMedia(db: Db, answer: { id: number; mediaIds: number[] }): Promise<(channel: Channel) => AnswerMediaView> {
  const rows = await db.selectFrom('answer_photo').select(['channel', 'file_id', 'media_id', 'copy_due_at']).where('answer_id', '=', answer.id).orderBy('position').execute();
  const copies = new Set(rows.flatMap((r) => (r.media_id === null ? [] : [r.media_id])));
  const attached = answer.mediaIds.filter((id) => !copies.has(id));
  return (channel) => {
    const elsewhere = rows.filter((r) => r.channel !== channel);
    return {
      photos: rows.filter((r) => r.channel === channel).map((r) => r.file_id),
      media: [...attached, ...elsewhere.flatMap((r) => (r.media_id === null ? [] : [r.media_id]))],
      following: elsewhere.filter((r) => r.media_id === null && r.copy_due_at !== null).length,
      lost: elsewhere.filter((r) => r.media_id === null && r.copy_due_at === null).length,
      from: elsewhere[0]?.channel ?? null,
    };
  };
}

/**
 * The notices of an answer already queued in a messenger other than `channel`: the resident's
 * (dedupe key `answer:<id>`), and the curators' approval cards while it waits (their alerts, by the
 * message, name the outbox rows' keys): exact keys, so the outbox's unique index finds them.
 */
async function noticesElsewhere(trx: Db, answerId: number, channel: Channel) {
  const answer = await trx.selectFrom('answer').select(['state', 'message_id']).where('id', '=', answerId).executeTakeFirst();
  if (!answer) return [];
  const cards =
    answer.state === 'draft'
      ? await trx
          .selectFrom('staff_alert')
          .select('dedupe_key')
          .where('message_id', '=', answer.message_id)
          .where('kind', '=', 'alert.answer_pending')
          .where('dedupe_key', 'like', `answer_pending:${answerId}:%`)
          .execute()
      : [];
  const keys = [`answer:${answerId}`, ...cards.flatMap((card) => [`${card.dedupe_key}:tg`, `${card.dedupe_key}:vk`])];
  return trx
    .selectFrom('outbox')
    .select(['id', 'kind', 'channel', 'chat_id', 'recipient_kind', 'resident_id', 'staff_id', 'payload', 'priority'])
    .where('dedupe_key', 'in', keys)
    .where('channel', '!=', channel)
    .where('state', 'in', ['pending', 'sending', 'sent'])
    .orderBy('id')
    .execute();
}

/**
 * Copies of one answer's photos are made: each photo points at its copy, the copy joins the
 * answer's media_ids, and every notice of the answer already queued in the other messenger without
 * them (the resident's, the curators' approval cards) gets them in a follow-up row after it. One
 * transaction that share-locks the message and locks the answer first — the order approval takes
 * (message, then answer) — so either the approval saw the copies or this sees its notice. A photo
 * already copied counts for nothing; the dedupe key names the notice and the photos.
 */
export async function recordAnswerCopies(db: Db, answerId: number, copies: { photoId: number; mediaId: number }[]): Promise<number> {
  if (copies.length === 0) return 0;
  return inTransaction(db, async (trx) => {
    const owner = await trx.selectFrom('answer').select('message_id').where('id', '=', answerId).executeTakeFirst();
    if (!owner) return 0;
    await trx.selectFrom('message').select('id').where('id', '=', owner.message_id).forShare().execute();
    const answer = await trx.selectFrom('answer').select(['id', 'message_id', 'media_ids']).where('id', '=', answerId).forUpdate().executeTakeFirstOrThrow();
    const fresh: { id: number; channel: Channel; media_id: number | null }[] = [];
    for (const copy of copies) {
      const row = await trx
        .updateTable('answer_photo')
        .set({ media_id: copy.mediaId, copy_due_at: null, copy_error: null })
        .where('id', '=', copy.photoId)
        .where('answer_id', '=', answerId)
        .where('media_id', 'is', null)
        .returning(['id', 'channel', 'media_id'])
        .executeTakeFirst();
      if (row) fresh.push(row);
    }
    if (fresh.length === 0) return 0;
    const all = await trx.selectFrom('answer_photo').select(['media_id']).where('answer_id', '=', answerId).orderBy('position').execute();
    const copied = all.flatMap((r) => (r.media_id === null ? [] : [r.media_id]));
    const attached = (Array.isArray(answer.media_ids) ? answer.media_ids : []).filter((id) => !copied.includes(id));
    await trx
      .updateTable('answer')
      // A new version: a revision read before this copy landed could not name it (reviseAnswer expectedVersion).
      .set({ media_ids: JSON.stringify([...attached, ...new Set(copied)]), version: sql`version + 1` })
      .where('id', '=', answerId)
      .execute();
    const entries = [];
    for (const channel of new Set(fresh.map((p) => p.channel))) {
      const late = fresh.filter((p) => p.channel === channel);
      for (const notice of await noticesElsewhere(trx, answerId, channel)) {
        const shown = new Set(notice.payload.media ?? []);
        const missing = late.filter((p) => !shown.has(p.media_id!));
        if (missing.length === 0) continue;
        const resident = notice.recipient_kind === 'resident';
        const payload: OutboxPayload = {
          key: resident ? 'notify.answer_late_photos' : 'alert.answer_late_photos',
          params: { messageId: answer.message_id },
          ...(notice.payload.language && { language: notice.payload.language }),
          media: missing.map((p) => p.media_id!),
        };
        entries.push({
          channel: notice.channel,
          chatId: notice.chat_id,
          recipientKind: notice.recipient_kind,
          residentId: notice.resident_id ?? undefined,
          staffId: notice.staff_id ?? undefined,
          // Copies after the resident's answer, or after the curators' approval card.
          ...(resident ? { kind: 'answer.photos' } : { kind: 'alert.answer_photos' }),
          payload,
          // The notice's lane: the photos leave after it, never before.
          priority: notice.priority,
          dedupeKey: `answer_photos:${notice.id}:${missing.map((p) => p.id).join(',')}`,
        });
      }
    }
    return (await enqueue(trx, entries)).length;
  });
}

/**
 * The attempt failed: tried again at `retryAt`, or never (null: given up). A photo given up after
 * a notice in the other messenger said it would follow is said not brought, one row per notice and
 * photo (deduplicated): to the resident after their answer, and to each curator after their approval
 * card while the answer waits. Returns the rows queued.
 */
export async function answerPhotoCopyFailed(db: Db, photoId: number, error: string, retryAt: Date | null): Promise<number> {
  return inTransaction(db, async (trx) => {
    const photo = await trx
      .updateTable('answer_photo')
      .set({ copy_due_at: retryAt, copy_error: error.slice(0, 300) })
      .where('id', '=', photoId)
      .returning(['answer_id', 'channel'])
      .executeTakeFirst();
    if (!photo || retryAt !== null) return 0;
    // Given up: the answer's photos changed (a revision read before cannot have known).
    await trx.updateTable('answer').set({ version: sql`version + 1` }).where('id', '=', photo.answer_id).execute();
    const notices = await noticesElsewhere(trx, photo.answer_id, photo.channel);
    const answer = await trx.selectFrom('answer').select('message_id').where('id', '=', photo.answer_id).executeTakeFirstOrThrow();
    const messenger = { $key: photo.channel === 'tg' ? 'menu.messenger_tg' : 'menu.messenger_vk' };
    const ids = await enqueue(
      trx,
      notices.map((notice) => {
        const resident = notice.recipient_kind === 'resident';
        const language = notice.payload.language && { language: notice.payload.language };
        return {
          channel: notice.channel,
          chatId: notice.chat_id,
          recipientKind: notice.recipient_kind,
          residentId: notice.resident_id ?? undefined,
          staffId: notice.staff_id ?? undefined,
          // A photo given up after the resident's answer, or the curator's approval card, said it would follow.
          ...(resident
            ? { kind: 'answer.photos_lost', payload: { key: 'notify.answer_photos_lost_later', params: { messageId: answer.message_id, count: 1 }, ...language } }
            : { kind: 'alert.answer_photos_lost', payload: { key: 'alert.answer_photos_lost_later', params: { messageId: answer.message_id, messenger }, ...language } }),
          priority: notice.priority,
          dedupeKey: `answer_photo_lost:${notice.id}:${photoId}`,
        };
      }),
    );
    return ids.length;
  });
}
