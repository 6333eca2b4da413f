import type { Channel, Db, Language } from '../db/types.ts';
import type { MessageStatus } from '../messages/message.table.ts';
import type { Topic } from '../subscriptions/subscription.table.ts';
import { getResident } from './resident.repository.ts';

/**
 * Everything the platform stores about one resident (152-FZ art. 14: the subject's right to
 * know): the profile, messenger accounts, consents, messages with their places and photos,
 * comments, ratings, supports, subscriptions, the activity log, and what the resident gave the
 * platform's other modules: questions to direct lines, poll votes, contest entries and votes,
 * comments on news and polls, event reminders. `/mydata` sends it to the resident; it is never logged.
 */
export interface ResidentData {
  displayName: string | null;
  phone: string | null;
  language: Language;
  municipality: { nameRu: string; nameEn: string; timeZone: string } | null;
  registeredAt: Date | null;
  notifyChannel: Channel | null;
  createdAt: Date;
  identities: { channel: Channel; externalId: string; chatId: string; username: string | null; lastSeenAt: Date }[];
  consents: { channel: Channel; version: string; givenAt: Date; withdrawnAt: Date | null }[];
  messages: {
    id: number;
    createdAt: Date;
    status: MessageStatus;
    category: { ru: string; en: string };
    text: string;
    lat: number | null;
    lon: number | null;
    address: string | null;
    photos: number;
  }[];
  /** `photos` and `place`: what a clarification reply brought (the photos joined the message's). */
  comments: { messageId: number; createdAt: Date; text: string; photos: number; place: { lat: number; lon: number } | null }[];
  ratings: { messageId: number; stars: number; complaint: string | null }[];
  supports: { messageId: number; createdAt: Date }[];
  subscriptions: { topic: Topic; enabled: boolean }[];
  activeDays: number;
  directLineQuestions: { title: string; createdAt: Date; text: string; answered: boolean }[];
  /** Which polls the resident took part in, and when (their answers are counted in the results). */
  pollVotes: { title: string; votedAt: Date }[];
  contestEntries: { id: number; contest: string | null; createdAt: Date; caption: string; state: string }[];
  contestVotes: { contest: string | null; entryId: number; createdAt: Date }[];
  itemComments: { target: 'news' | 'poll'; title: string; createdAt: Date; text: string }[];
  eventReminders: { title: string; startsAt: Date }[];
}

export async function residentData(db: Db, residentId: number): Promise<ResidentData> {
  const resident = await getResident(db, residentId);
  const row = await db.selectFrom('resident').select('created_at').where('id', '=', residentId).executeTakeFirstOrThrow();
  const municipality = resident.municipalityId
    ? await db.selectFrom('municipality').select(['name_ru', 'name_en', 'time_zone']).where('id', '=', resident.municipalityId).executeTakeFirst()
    : undefined;
  const identities = await db.selectFrom('resident_identity').selectAll().where('resident_id', '=', residentId).orderBy('id').execute();
  const consents = await db.selectFrom('consent').selectAll().where('resident_id', '=', residentId).orderBy('id').execute();
  const messages = await db
    .selectFrom('message')
    .innerJoin('category', 'category.id', 'message.category_id')
    .select(['message.id', 'message.created_at', 'message.status', 'message.text', 'message.lat', 'message.lon', 'message.address', 'category.title_ru', 'category.title_en'])
    .select((eb) => eb.selectFrom('message_photo').select(eb.fn.countAll<number>().as('n')).whereRef('message_photo.message_id', '=', 'message.id').as('photos'))
    .where('message.author_id', '=', residentId)
    .orderBy('message.id')
    .execute();
  const comments = await db
    .selectFrom('comment')
    .select(['message_id', 'created_at', 'text', 'photos', 'lat', 'lon'])
    .where('resident_id', '=', residentId)
    .where('author_kind', '=', 'resident')
    .orderBy('id')
    .execute();
  const ratings = await db.selectFrom('rating').select(['message_id', 'stars', 'complaint']).where('resident_id', '=', residentId).orderBy('message_id').execute();
  const supports = await db.selectFrom('support').select(['message_id', 'created_at']).where('resident_id', '=', residentId).orderBy('message_id').execute();
  const subscriptions = await db.selectFrom('resident_subscription').select(['topic', 'enabled']).where('resident_id', '=', residentId).orderBy('topic').execute();
  const activity = await db
    .selectFrom('resident_activity')
    .select((eb) => eb.fn.count<number>('day').distinct().as('n'))
    .where('resident_id', '=', residentId)
    .executeTakeFirstOrThrow();
  const questions = await db
    .selectFrom('direct_line_question as q')
    .innerJoin('direct_line as d', 'd.id', 'q.direct_line_id')
    .select(['d.title', 'q.created_at', 'q.text', 'q.answered_at'])
    .where('q.resident_id', '=', residentId)
    .orderBy('q.id')
    .execute();
  const ballots = await db
    .selectFrom('poll_ballot as b')
    .innerJoin('poll as p', 'p.id', 'b.poll_id')
    .select(['p.title', 'b.created_at'])
    .where('b.resident_id', '=', residentId)
    .orderBy('b.id')
    .execute();
  const entries = await db
    .selectFrom('contest_entry as e')
    .innerJoin('contest as c', 'c.id', 'e.contest_id')
    .select(['e.id', 'c.title', 'e.created_at', 'e.caption', 'e.state'])
    .where('e.resident_id', '=', residentId)
    .orderBy('e.id')
    .execute();
  const votes = await db
    .selectFrom('contest_vote as v')
    .innerJoin('contest as c', 'c.id', 'v.contest_id')
    .select(['c.title', 'v.entry_id', 'v.created_at'])
    .where('v.resident_id', '=', residentId)
    .orderBy('v.created_at')
    .execute();
  const itemComments = await db
    .selectFrom('item_comment as k')
    .leftJoin('news_item as n', 'n.id', 'k.news_item_id')
    .leftJoin('poll as p', 'p.id', 'k.poll_id')
    .select(['k.target_kind', 'n.title as news_title', 'p.title as poll_title', 'k.created_at', 'k.text'])
    .where('k.resident_id', '=', residentId)
    .orderBy('k.id')
    .execute();
  const reminders = await db
    .selectFrom('event_reminder as r')
    .innerJoin('afisha_event as e', 'e.id', 'r.event_id')
    .select(['e.title', 'e.starts_at'])
    .where('r.resident_id', '=', residentId)
    .orderBy('e.starts_at')
    .execute();
  return {
    displayName: resident.displayName,
    phone: resident.phone,
    language: resident.language,
    municipality: municipality ? { nameRu: municipality.name_ru, nameEn: municipality.name_en, timeZone: municipality.time_zone } : null,
    registeredAt: resident.registeredAt,
    notifyChannel: resident.notifyChannel,
    createdAt: row.created_at,
    identities: identities.map((i) => ({ channel: i.channel, externalId: i.external_id, chatId: i.chat_id, username: i.username, lastSeenAt: i.last_seen_at })),
    consents: consents.map((c) => ({ channel: c.channel, version: c.text_version, givenAt: c.given_at, withdrawnAt: c.withdrawn_at })),
    messages: messages.map((m) => ({
      id: m.id,
      createdAt: m.created_at,
      status: m.status,
      category: { ru: m.title_ru, en: m.title_en },
      text: m.text,
      lat: m.lat,
      lon: m.lon,
      address: m.address,
      photos: Number(m.photos ?? 0),
    })),
    comments: comments.map((c) => ({ messageId: c.message_id, createdAt: c.created_at, text: c.text, photos: c.photos, place: c.lat !== null && c.lon !== null ? { lat: c.lat, lon: c.lon } : null })),
    ratings: ratings.map((r) => ({ messageId: r.message_id, stars: r.stars, complaint: r.complaint })),
    supports: supports.map((s) => ({ messageId: s.message_id, createdAt: s.created_at })),
    subscriptions: subscriptions.map((s) => ({ topic: s.topic, enabled: s.enabled })),
    activeDays: Number(activity.n),
    directLineQuestions: questions.map((q) => ({ title: q.title, createdAt: q.created_at, text: q.text, answered: q.answered_at !== null })),
    pollVotes: ballots.map((b) => ({ title: b.title, votedAt: b.created_at })),
    contestEntries: entries.map((e) => ({ id: e.id, contest: e.title, createdAt: e.created_at, caption: e.caption, state: e.state })),
    contestVotes: votes.map((v) => ({ contest: v.title, entryId: v.entry_id, createdAt: v.created_at })),
    itemComments: itemComments.map((k) => ({
      target: k.target_kind === 'poll' ? 'poll' : 'news',
      title: (k.target_kind === 'poll' ? k.poll_title : k.news_title) ?? '',
      createdAt: k.created_at,
      text: k.text,
    })),
    eventReminders: reminders.map((r) => ({ title: r.title, startsAt: r.starts_at })),
  };
}
