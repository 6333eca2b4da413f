import { sql, type ExpressionBuilder } from 'kysely';
import { addWorkingHours, isWorkingTime, type WorkCalendar } from '../calendar/working-time.ts';
import { actionId } from '../dialogs/action-id.ts';
import type { Scope } from '../access/scope.ts';
import type { Database } from '../db/database.ts';
import type { Channel, Db } from '../db/types.ts';
import type { Point } from '../geo/geo.ts';
import { listMunicipalities } from '../municipalities/municipality.repository.ts';
import { executorStaffIds, staffIdsByRole, type NotifyOptions } from '../notifications/notify.ts';
import { raiseAlert, type AlertResult } from './alerts.ts';
import { audienceOf, raiseToAudience, type Audience } from './fallback.ts';
import type { AlertKeyboard } from './buttons.ts';

/**
 * Comments of a message's author (issue 18 item 10; KPI 8 counts them): the executor's staff are
 * alerted at once with a Reply button (`!cmr:<commentId>`, answered in the officials' bot
 * feature); a comment no official answered within a working day goes to the curators
 * (`runUnansweredCommentAlerts`). A comment is answered by an official's comment replying to it
 * or any official's comment on the message after it.
 */
export const COMMENT_REPLY_TAG = 'cmr';
/** Lookback of the escalation scan: older comments are the API list's business. */
const ESCALATION_LOOKBACK_DAYS = 30;

export function commentReplyKeyboard(commentId: number): AlertKeyboard {
  return { kind: 'inline', rows: [[{ id: actionId(COMMENT_REPLY_TAG, commentId), label: 'alert.button_reply_comment' }]] };
}

/** The staff who answer a message: its executor's, or the moderators while nobody is assigned. */
async function answerers(db: Db, municipalityId: number, executorId: number | null): Promise<number[]> {
  return executorId ? executorStaffIds(db, executorId) : staffIdsByRole(db, municipalityId, 'moderator');
}

/** Photos a clarification reply brought: their file ids, valid in the messenger they came through. */
export interface ReplyPhotos {
  channel: Channel;
  fileIds: string[];
}

/**
 * How an alert shows photos that came with a reply: in their messenger as they are, in the other one
 * counted in the note until their copies are made (recordCopies then sends them after the alert).
 */
function replyPhotosDelivery(photos: ReplyPhotos | undefined): Pick<NotifyOptions, 'photosByChannel' | 'photosFollowing'> {
  if (!photos || photos.fileIds.length === 0) return {};
  return { photosByChannel: { [photos.channel]: photos.fileIds }, photosFollowing: photos.fileIds.length };
}

/** A place given with a reply, as officials read it: coordinates and a map link (the pin is sent too). */
export function placeLine(place: Point): { $key: string; $params: Record<string, unknown> } {
  const lat = place.lat.toFixed(6);
  const lon = place.lon.toFixed(6);
  return { $key: 'alert.clarification_place', $params: { lat, lon, url: `https://yandex.ru/maps/?pt=${lon},${lat}&z=17&l=map` } };
}

/**
 * Called in the transaction that stores the author's comment. A clarification reply's photos are
 * sent with it (as the executor's card sends the message's) and its place as a point, both named
 * in the text.
 */
export async function alertAuthorComment(
  db: Db,
  message: { id: number; municipalityId: number; executorId: number | null },
  comment: { id: number; text: string; photos?: ReplyPhotos; place?: Point | null },
  now: Date,
): Promise<AlertResult> {
  const photoCount = comment.photos?.fileIds.length ?? 0;
  const attached = photoCount > 0 || comment.place;
  return raiseAlert(
    db,
    await answerers(db, message.municipalityId, message.executorId),
    {
      kind: 'alert.author_comment',
      key: attached ? 'alert.clarification_reply' : 'alert.author_comment',
      messageId: message.id,
      params: {
        messageId: message.id,
        commentId: comment.id,
        text: comment.text,
        ...(attached && {
          photosNote: '',
          photos: photoCount > 0 ? { $key: 'alert.clarification_photos', $params: { count: photoCount } } : '',
          place: comment.place ? placeLine(comment.place) : '',
        }),
      },
      dedupeKey: `author_comment:${comment.id}`,
      delivery: {
        keyboard: commentReplyKeyboard(comment.id),
        ...replyPhotosDelivery(comment.photos),
        ...(comment.place && { location: { lat: comment.place.lat, lon: comment.place.lon } }),
      },
    },
    now,
  );
}

/**
 * More photos of a clarification reply that was alerted already (the next photos of an album, each
 * its own update): sent to the officials who answer the message, as a follow-up of the reply.
 */
export async function alertClarificationPhotos(
  db: Db,
  message: { id: number; municipalityId: number; executorId: number | null },
  reply: { id: number; photoIds: number[] } & ReplyPhotos,
  now: Date,
): Promise<AlertResult> {
  return raiseAlert(
    db,
    await answerers(db, message.municipalityId, message.executorId),
    {
      kind: 'alert.author_comment_photos',
      key: 'alert.clarification_more_photos',
      messageId: message.id,
      params: { messageId: message.id, commentId: reply.id, count: reply.fileIds.length, photosNote: '' },
      dedupeKey: `author_comment_photos:${reply.id}:${reply.photoIds.join(',')}`,
      delivery: { keyboard: commentReplyKeyboard(reply.id), ...replyPhotosDelivery(reply) },
    },
    now,
  );
}

/**
 * A place the author gave to a clarification reply alerted already (a point sent right after the
 * reply's words or photos): sent to the officials who answer the message as a pin, coordinates and
 * a map link, as a follow-up of the reply.
 */
export async function alertClarificationPlace(
  db: Db,
  message: { id: number; municipalityId: number; executorId: number | null },
  reply: { id: number; place: Point },
  now: Date,
): Promise<AlertResult> {
  return raiseAlert(
    db,
    await answerers(db, message.municipalityId, message.executorId),
    {
      kind: 'alert.author_comment_place',
      key: 'alert.clarification_more_place',
      messageId: message.id,
      params: { messageId: message.id, commentId: reply.id, place: placeLine(reply.place) },
      dedupeKey: `author_comment_place:${reply.id}:${reply.place.lat},${reply.place.lon}`,
      delivery: { keyboard: commentReplyKeyboard(reply.id), location: { lat: reply.place.lat, lon: reply.place.lon } },
    },
    now,
  );
}

/** `comment` is an author's comment that no official answered (reply or later comment). */
export function unansweredAuthorComment(eb: ExpressionBuilder<Database, 'comment' | 'message'>) {
  return eb.and([
    eb('comment.author_kind', '=', 'resident'),
    eb('comment.resident_id', '=', eb.ref('message.author_id')),
    eb.not(
      eb.exists(
        eb
          .selectFrom('comment as staff_comment')
          .select('staff_comment.id')
          .whereRef('staff_comment.message_id', '=', 'comment.message_id')
          .where('staff_comment.author_kind', '=', 'staff')
          .where((inner) => inner.or([inner('staff_comment.reply_to_id', '=', inner.ref('comment.id')), inner('staff_comment.id', '>', inner.ref('comment.id'))])),
      ),
    ),
  ]);
}

export interface UnansweredComment {
  id: number;
  messageId: number;
  municipalityId: number;
  executorId: number | null;
  text: string;
  createdAt: Date;
  /** Whether the curators were alerted (a working day passed). */
  escalated: boolean;
}

/** Unanswered author comments within a scope, oldest first (`GET /comments/unanswered`). */
export async function listUnansweredComments(db: Db, scope: Scope, filter: { municipalityId?: number; afterId?: number; limit: number }): Promise<UnansweredComment[]> {
  let query = db
    .selectFrom('comment')
    .innerJoin('message', 'message.id', 'comment.message_id')
    .select(['comment.id', 'comment.message_id', 'message.municipality_id', 'message.executor_id', 'comment.text', 'comment.created_at'])
    .select((eb) =>
      eb.exists(eb.selectFrom('staff_alert').select('staff_alert.id').where('staff_alert.dedupe_key', 'like', sql<string>`'author_comment_unanswered:' || comment.id || ':%'`)).as('escalated'),
    )
    .where((eb) => unansweredAuthorComment(eb))
    .orderBy('comment.id')
    .limit(filter.limit);
  if (scope.municipalityId !== null) query = query.where('message.municipality_id', '=', scope.municipalityId);
  if (scope.executorId !== null) query = query.where('message.executor_id', '=', scope.executorId);
  if (filter.municipalityId !== undefined) query = query.where('message.municipality_id', '=', filter.municipalityId);
  if (filter.afterId !== undefined) query = query.where('comment.id', '>', filter.afterId);
  const rows = await query.execute();
  return rows.map((r) => ({ id: r.id, messageId: r.message_id, municipalityId: r.municipality_id, executorId: r.executor_id, text: r.text, createdAt: r.created_at, escalated: Boolean(r.escalated) }));
}

/** A working day of the calendar, in hours (09:00–18:00 by default). */
function workingDayHours(calendar: WorkCalendar): number {
  const [sh, sm] = (calendar.config.start ?? '09:00').split(':').map(Number) as [number, number];
  const [eh, em] = (calendar.config.end ?? '18:00').split(':').map(Number) as [number, number];
  return Math.max(1, eh + em / 60 - (sh + sm / 60));
}

/**
 * Cron: an author's comment unanswered for a working day alerts the municipality's curators, once,
 * in working hours (the regional ones, naming it, when none of its own is reachable in a messenger: audienceOf).
 */
export async function runUnansweredCommentAlerts(db: Db, now: Date): Promise<{ comments: number; alerts: number; queued: number }> {
  const counts = { comments: 0, alerts: 0, queued: 0 };
  const municipalities = new Map((await listMunicipalities(db)).map((m) => [m.id, m]));
  const rows = await db
    .selectFrom('comment')
    .innerJoin('message', 'message.id', 'comment.message_id')
    .select(['comment.id', 'comment.message_id', 'comment.text', 'comment.created_at', 'comment.photos', 'comment.lat', 'comment.lon', 'message.municipality_id'])
    .where((eb) => unansweredAuthorComment(eb))
    .where('comment.created_at', '>', new Date(now.getTime() - ESCALATION_LOOKBACK_DAYS * 86_400_000))
    // A working day is at least eight hours of clock time: nothing newer can be due.
    .where('comment.created_at', '<=', new Date(now.getTime() - 8 * 3_600_000))
    .orderBy('comment.id')
    .execute();
  const curators = new Map<number, Audience>();
  for (const r of rows) {
    const municipality = municipalities.get(r.municipality_id);
    if (!municipality) continue;
    const due = addWorkingHours(municipality.calendar, r.created_at, workingDayHours(municipality.calendar));
    // Due at night, a weekend or a holiday (or at 18:00 sharp): the curators hear of it at the next working start.
    if (due.getTime() > now.getTime() || !isWorkingTime(municipality.calendar, now)) continue;
    counts.comments++;
    if (!curators.has(r.municipality_id)) curators.set(r.municipality_id, await audienceOf(db, r.municipality_id));
    // A clarification reply with photos or a place names them (its text may be empty).
    const place = r.lat !== null && r.lon !== null ? { lat: r.lat, lon: r.lon } : null;
    const attached = r.photos > 0 || place !== null;
    const result = await raiseToAudience(
      db,
      curators.get(r.municipality_id)!,
      {
        kind: 'alert.author_comment_unanswered',
        key: attached ? 'alert.clarification_reply_unanswered' : 'alert.author_comment_unanswered',
        messageId: r.message_id,
        params: {
          messageId: r.message_id,
          commentId: r.id,
          text: r.text,
          ...(attached && {
            photos: r.photos > 0 ? { $key: 'alert.clarification_photos', $params: { count: r.photos } } : '',
            place: place ? placeLine(place) : '',
          }),
        },
        dedupeKey: `author_comment_unanswered:${r.id}`,
        delivery: { keyboard: commentReplyKeyboard(r.id) },
      },
      now,
    );
    counts.alerts += result.raised;
    counts.queued += result.queued;
  }
  return counts;
}
