import { TZDate } from '@date-fns/tz';
import { addWorkingHours, type WorkCalendar } from '../calendar/working-time.ts';
import { format } from 'date-fns/format';
import { CHANNELS, type Channel, type Db } from '../db/types.ts';
import type { Message } from '../messages/message.repository.ts';
import type { AnswerKind } from '../messages/message.table.ts';
import { OVERDUE_DAYS } from '../messages/overdue.ts';
import { executorStaffIds } from '../notifications/notify.ts';
import { raiseAlert, type AlertResult } from './alerts.ts';
import { audienceOf, raiseToAudience } from './fallback.ts';
import { approvalKeyboard, assignedKeyboard } from './buttons.ts';
import { answerMedia, type AnswerMediaView } from '../messages/answer-photos.ts';

/** An answer's photos on the curator's card in one messenger, and a line on those not shown (yet). */
function curatorAnswerMedia(view: AnswerMediaView): { photos: string[]; media: number[]; params: Record<string, unknown> } {
  const messenger = { $key: view.from === 'tg' ? 'menu.messenger_tg' : 'menu.messenger_vk' };
  const note =
    view.following > 0
      ? { $key: 'alert.answer_photos_following', $params: { count: view.following, messenger } }
      : view.lost > 0
        ? { $key: 'alert.answer_photos_lost', $params: { count: view.lost, messenger } }
        : '';
  return { photos: view.photos, media: view.media, params: { photosNote: note } };
}

const MS_PER_DAY = 86_400_000;

/** When a message accepted at `acceptedAt` becomes overdue (the KPI 7 rule counts 14 × 24 h). */
export function overdueDeadline(acceptedAt: Date): Date {
  return new Date(acceptedAt.getTime() + OVERDUE_DAYS * MS_PER_DAY);
}

/** The one-working-hour draft deadline (seed 004 §13) for open-source and urgent messages. */
export const FIRST_RESPONSE_WORKING_HOURS = 1;

/** When the draft for an open-source or urgent message accepted at `acceptedAt` is due. */
export function firstResponseDue(calendar: WorkCalendar, acceptedAt: Date): Date {
  return addWorkingHours(calendar, acceptedAt, FIRST_RESPONSE_WORKING_HOURS);
}

/** A date and time as officials of the municipality read it: 'dd.MM.yyyy HH:mm' local. */
export function formatLocal(timeZone: string, at: Date): string {
  return format(new TZDate(at.getTime(), timeZone), 'dd.MM.yyyy HH:mm');
}

/**
 * A message's photos for a staff card (the executor's, the moderator's), for each messenger: its own file ids where they came from, and in every other
 * messenger the copies the media store holds of them (made after filing, bots/media/filing-photos.ts);
 * a photo not copied (yet, or ever) is counted in the card's note instead (paramsForChannel): one
 * still being copied (`copy_due_at` set) as following the card, one given up as not brought.
 */
export async function cardPhotos(
  db: Db,
  messageId: number,
): Promise<{
  photosByChannel: Partial<Record<Channel, string[]>>;
  mediaByChannel: Partial<Record<Channel, number[]>>;
  photosFollowing: number;
}> {
  const photos = await db.selectFrom('message_photo').select(['channel', 'file_id', 'media_id', 'copy_due_at']).where('message_id', '=', messageId).orderBy('position').execute();
  const photosByChannel: Partial<Record<Channel, string[]>> = {};
  const mediaByChannel: Partial<Record<Channel, number[]>> = {};
  let photosFollowing = 0;
  for (const p of photos) {
    if (p.file_id !== null && p.media_id === null && p.copy_due_at != null) photosFollowing++;
    // An open-source photo (no messenger file, file_id null) is shown through its copy everywhere, once made.
    if (p.file_id !== null) photosByChannel[p.channel] = [...(photosByChannel[p.channel] ?? []), p.file_id];
    if (p.media_id === null) continue;
    for (const other of CHANNELS) if (other !== p.channel || p.file_id === null) mediaByChannel[other] = [...(mediaByChannel[other] ?? []), p.media_id];
  }
  return { photosByChannel, mediaByChannel, photosFollowing };
}

/**
 * The executor's card for a newly assigned message: text, category, address, deadline (local time
 * of the municipality), photos, location, and the three answer buttons. Open-source and urgent
 * messages use the `_urgent` text that asks for a draft within one working hour and says when it
 * ends; a message already in work that is marked urgent (`markedUrgent`) gets the card again with
 * the `_marked_urgent` text, its hour counted from the marking.
 */
export async function alertAssigned(db: Db, message: Message, now: Date, options: { markedUrgent?: boolean } = {}): Promise<AlertResult> {
  if (!message.executorId || !message.acceptedAt) return { raised: 0, queued: 0 };
  const [facts, { photosByChannel, mediaByChannel, photosFollowing }, staffIds] = await Promise.all([
    db
      .selectFrom('category as c')
      .innerJoin('municipality as m', (join) => join.on('m.id', '=', message.municipalityId))
      .select(['c.title_ru', 'c.title_en', 'm.time_zone', 'm.work_calendar'])
      .where('c.id', '=', message.categoryId)
      .executeTakeFirstOrThrow(),
    cardPhotos(db, message.id),
    executorStaffIds(db, message.executorId),
  ]);
  return raiseAlert(
    db,
    staffIds,
    {
      kind: 'alert.assigned',
      key: 'alert.assigned',
      messageId: message.id,
      params: {
        messageId: message.id,
        text: message.text,
        categoryRu: facts.title_ru,
        categoryEn: facts.title_en,
        address: message.address ?? '—',
        deadline: formatLocal(facts.time_zone, overdueDeadline(message.acceptedAt)),
        // The one working hour (seed 004 §13) ends at a time the card names: accepted at night or
        // before a weekend, it is the next working morning, not an hour from now.
        // A message in work marked urgent has its hour from the marking (`now`), and its card says it was marked.
        ...(message.openSource || message.urgent
          ? {
              context: options.markedUrgent ? 'marked_urgent' : 'urgent',
              due: formatLocal(facts.time_zone, firstResponseDue({ timeZone: facts.time_zone, config: facts.work_calendar ?? {} }, options.markedUrgent ? now : message.acceptedAt)),
            }
          : {}),
      },
      // Per assignment: a message routed away and back again is a new card for the same staff.
      dedupeKey: `assigned:${message.id}:${message.executorId}:${now.getTime()}`,
      delivery: { keyboard: assignedKeyboard(message.id), photosByChannel, mediaByChannel, photosFollowing, location: message.lat !== null && message.lon !== null ? { lat: message.lat, lon: message.lon } : undefined },
    },
    now,
  );
}

/**
 * Tells the staff of the executor a message was taken from (routed to another one) that it is no
 * longer theirs: the buttons of their card would answer "not found" from now on.
 */
export async function alertRoutedAway(db: Db, message: Message, fromExecutorId: number, toExecutorName: string, now: Date): Promise<AlertResult> {
  return raiseAlert(
    db,
    await executorStaffIds(db, fromExecutorId),
    {
      kind: 'alert.routed_away',
      key: 'alert.routed_away',
      messageId: message.id,
      params: { messageId: message.id, executor: toExecutorName },
      dedupeKey: `routed_away:${message.id}:${fromExecutorId}:${now.getTime()}`,
    },
    now,
  );
}

/**
 * The executor's card for a message the curator put back in work (a bad rating, a complaint): the
 * curator's reason and the answer buttons. Each reopening is a new alert.
 */
export async function alertReopened(db: Db, message: Message, reason: string, now: Date): Promise<AlertResult> {
  if (!message.executorId) return { raised: 0, queued: 0 };
  return raiseAlert(
    db,
    await executorStaffIds(db, message.executorId),
    {
      kind: 'alert.reopened',
      key: 'alert.reopened',
      messageId: message.id,
      params: { messageId: message.id, reason, text: message.text },
      dedupeKey: `reopened:${message.id}:${now.getTime()}`,
      delivery: { keyboard: assignedKeyboard(message.id) },
    },
    now,
  );
}

/**
 * The curators' card for an answer waiting for approval (an answer, an intermediate answer, a
 * clarification request): the answer's text and kind (the locale key has one variant per kind
 * through i18next's context), with Approve / Return buttons. Each submission (a first draft, a
 * revision) is a new alert. It goes to the municipality's curators; a regional curator gets it
 * only when none of them is reachable in a messenger (audienceOf), with a line naming the
 * municipality, since their cards come from all over the region.
 */
export async function alertAnswerPending(
  db: Db,
  message: Pick<Message, 'id' | 'municipalityId'>,
  answer: { id: number; kind: AnswerKind; text: string; mediaIds: number[] },
  now: Date,
): Promise<AlertResult> {
  // The answer's photos, as the resident will get them: file ids in their messenger, copies elsewhere.
  const [media, curators] = await Promise.all([answerMedia(db, answer), audienceOf(db, message.municipalityId)]);
  return raiseToAudience(
    db,
    curators,
    {
      kind: 'alert.answer_pending',
      key: 'alert.answer_pending',
      messageId: message.id,
      params: { messageId: message.id, answerId: answer.id, kind: answer.kind, context: answer.kind, text: answer.text, photosNote: '', fallbackNote: '' },
      dedupeKey: `answer_pending:${answer.id}:${now.getTime()}`,
      delivery: { keyboard: approvalKeyboard(answer.id), perChannel: (channel) => curatorAnswerMedia(media(channel)) },
    },
    now,
  );
}
