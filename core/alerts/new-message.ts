import { actionId, positiveIdArg } from '../dialogs/action-id.ts';
import { type Db, MAX_ROW_ID } from '../db/types.ts';
import type { Message } from '../messages/message.repository.ts';
import { routeExecutor } from '../messages/moderation.service.ts';
import { hasReachableOfficial } from '../notifications/notify.ts';
import { getMunicipality, listMunicipalities } from '../municipalities/municipality.repository.ts';
import { isWorkingTime, workingHoursBetween } from '../calendar/working-time.ts';
import { raiseAlerts, type AlertInput, type AlertResult, type BatchAlert } from './alerts.ts';
import { cardPhotos } from './cards.ts';
import { audienceBatch, audienceOf, type Audience } from './fallback.ts';
import type { AlertKeyboard } from './buttons.ts';

/**
 * A new message reaches its municipality's moderators as a card they can act on in the messenger
 * (issue 18 item 13): accept to the executor the routing rules suggest or another, reject with a
 * reason, change the category — the same core operations as the API (one winner when two act at
 * once: the second gets the state error). Per moderator (`staff.new_message_alerts`): `immediate`
 * on filing, `hourly` at the top of the hour (`runHourlyNewMessageCards`), `digest` only in the
 * 09:00 digest. When none of the municipality's moderators is reachable in a messenger, the card
 * goes to its curators, or the regional curators, in working hours (moderationFallback).
 *
 *   !mod:a:<messageId>   accept to the suggested executor
 *   !mod:o:<messageId>   accept to another executor (a list)
 *   !mod:r:<messageId>   reject with a reason (a list, or typed)
 *   !mod:c:<messageId>   change the category (within its sector)
 */
export const MODERATION_TAG = 'mod';
export type ModerationCardAction = { op: 'accept' | 'other' | 'reject' | 'category'; messageId: number };
const OPS = { a: 'accept', o: 'other', r: 'reject', c: 'category' } as const;

export function decodeModerationAction(args: readonly string[]): ModerationCardAction | undefined {
  if (args.length !== 2) return undefined;
  const op = OPS[args[0] as keyof typeof OPS];
  const messageId = positiveIdArg(args[1], MAX_ROW_ID);
  return op && messageId !== undefined ? { op, messageId } : undefined;
}

export function moderationKeyboard(messageId: number, suggested: string | null): AlertKeyboard {
  return {
    kind: 'inline',
    rows: [
      ...(suggested ? [[{ id: actionId(MODERATION_TAG, 'a', messageId), label: 'alert.button_accept_suggested' }]] : []),
      [{ id: actionId(MODERATION_TAG, 'o', messageId), label: 'alert.button_accept_another' }],
      [
        { id: actionId(MODERATION_TAG, 'r', messageId), label: 'alert.button_reject' },
        { id: actionId(MODERATION_TAG, 'c', messageId), label: 'alert.button_category' },
      ],
    ],
  };
}

async function moderators(db: Db, municipalityId: number, mode: 'immediate' | 'hourly'): Promise<number[]> {
  const rows = await db
    .selectFrom('staff')
    .select('id')
    .where('municipality_id', '=', municipalityId)
    .where('role', '=', 'moderator')
    .where('active', '=', true)
    .where('new_message_alerts', '=', mode)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Who else gets the card: when none of the municipality's active moderators is reachable in a
 * messenger, whatever each chose (none at all, none linked, every messenger unreachable), its
 * curators (seed 004 §6: they accept, reject and route too) with a line saying why, or, when none of
 * those is reachable either, the regional curators naming it (audienceOf). A reachable moderator on
 * `hourly` or `digest` keeps the municipality covered: they chose to read new messages later, and
 * paging the curators over that choice would make it meaningless, so nobody else is told.
 * The curators did not ask for night cards: on filing they get it in the municipality's working
 * hours only; the hourly batch (working hours) brings them the rest — the night's messages, and
 * those whose moderators became unreachable after filing — once per official.
 */
async function moderationFallback(db: Db, municipalityId: number, now: Date, mode: 'immediate' | 'hourly'): Promise<Audience | null> {
  if (mode === 'immediate' && !isWorkingTime((await getMunicipality(db, municipalityId)).calendar, now)) return null;
  if (await hasReachableOfficial(db, municipalityId, 'moderator')) return null;
  return audienceOf(db, municipalityId, ['curator'], ['curator', 'moderator']);
}

/** The card for one new message, to the moderators who want it `mode` and its fallback audience; once per official. */
export async function alertNewMessage(
  db: Db,
  message: Pick<Message, 'id' | 'municipalityId' | 'categoryId' | 'text' | 'address' | 'lat' | 'lon'>,
  now: Date,
  mode: 'immediate' | 'hourly' = 'immediate',
): Promise<AlertResult> {
  const staffIds = await moderators(db, message.municipalityId, mode);
  const fallback = await moderationFallback(db, message.municipalityId, now, mode);
  if (staffIds.length === 0 && !fallback?.local.length && !fallback?.regional.length) return { raised: 0, queued: 0 };
  const category = await db.selectFrom('category').select(['title_ru', 'title_en']).where('id', '=', message.categoryId).executeTakeFirstOrThrow();
  // The resident's photos and place, as on the executor's card: a moderator judges the message by them.
  const { photosByChannel, mediaByChannel, photosFollowing } = await cardPhotos(db, message.id);
  const suggested = await routeExecutor(db, message.municipalityId, message.categoryId)
    .then((id) => db.selectFrom('executor').select('name').where('id', '=', id).executeTakeFirst())
    .then((e) => e?.name ?? null)
    .catch(() => null);
  const card: AlertInput = {
    kind: 'alert.new_message',
    key: 'alert.new_message',
    messageId: message.id,
    params: {
      messageId: message.id,
      text: message.text,
      categoryRu: category.title_ru,
      categoryEn: category.title_en,
      executor: suggested ?? '—',
      address: message.address ?? '—',
      fallbackNote: '',
    },
    dedupeKey: `new_message:${message.id}`,
    delivery: {
      keyboard: moderationKeyboard(message.id, suggested),
      photosByChannel,
      mediaByChannel,
      photosFollowing,
      location: message.lat !== null && message.lon !== null ? { lat: message.lat, lon: message.lon } : undefined,
    },
  };
  const batch: BatchAlert[] = [{ staffIds, alert: card }];
  // The same card and buttons; the curators' copy says why it came to them (the regional one names the municipality).
  if (fallback) batch.push(...audienceBatch(fallback, { ...card, params: { ...card.params, fallbackNote: { $key: 'alert.moderation_fallback_note' } } }));
  const { raised, queued } = await raiseAlerts(db, batch, now);
  return { raised, queued };
}

/**
 * How far back the hourly batch looks for messages still new: past the longest run of days off
 * (New Year holidays, about ten days), so a message filed then still reaches its moderators.
 */
const HOURLY_LOOKBACK_DAYS = 14;

const MS_PER_HOUR = 3_600_000;

/**
 * The municipalities a batch at `now` serves: at work now, or at work during the hour that ends now.
 * The batch that closes the working day (18:00, 17:00 on a shortened day) is the one that brings
 * what was filed in its last hour; without it those messages waited for the next working morning,
 * past a weekend or a holiday.
 */
async function batchMunicipalities(db: Db, now: Date): Promise<number[]> {
  const hourAgo = new Date(now.getTime() - MS_PER_HOUR);
  return (await listMunicipalities(db)).filter((m) => isWorkingTime(m.calendar, now) || workingHoursBetween(m.calendar, hourAgo, now) > 0).map((m) => m.id);
}

/**
 * Cron, hourly: the cards of messages still new for the moderators who chose the hourly batch (and
 * the fallback audience where no moderator is reachable), within the municipality's working hours
 * (its work calendar) only — the batch at the end of the working day included (batchMunicipalities):
 * a moderator who wants cards at night chooses `immediate`; the night's messages come in the first
 * batch of the working day.
 */
export async function runHourlyNewMessageCards(db: Db, now: Date): Promise<{ messages: number; alerts: number; queued: number }> {
  const counts = { messages: 0, alerts: 0, queued: 0 };
  const atWorkIds = await batchMunicipalities(db, now);
  if (atWorkIds.length === 0) return counts;
  const rows = await db
    .selectFrom('message')
    .select(['id', 'municipality_id', 'category_id', 'text', 'address', 'lat', 'lon'])
    .where('status', '=', 'new')
    .where('municipality_id', 'in', atWorkIds)
    .where('created_at', '>', new Date(now.getTime() - HOURLY_LOOKBACK_DAYS * 86_400_000))
    .where('created_at', '<=', now)
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const result = await alertNewMessage(db, { id: r.id, municipalityId: r.municipality_id, categoryId: r.category_id, text: r.text, address: r.address, lat: r.lat, lon: r.lon }, now, 'hourly');
    counts.messages++;
    counts.alerts += result.raised;
    counts.queued += result.queued;
  }
  return counts;
}
