import type { Channel, Db, Language } from '../db/types.ts';
import type { MessageStatus } from '../messages/message.table.ts';
import type { Topic } from '../subscriptions/subscription.table.ts';
import { getResident } from './resident.repository.ts';

/**
 * Everything the platform stores about one resident (152-FZ art. 14: the subject's right to
 * know): the profile, messenger accounts, consents, messages with their places and photos,
 * comments, ratings, supports, subscriptions and the activity log. `/mydata` sends it to the
 * resident; it is never logged.
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
  };
}
