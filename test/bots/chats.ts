import type { TestDatabase } from '../database.ts';
import { registeredResident } from '../residents.ts';
import { Conversation, newUser } from '../telegram/conversation.ts';
import { newVkUser, VkConversation } from '../vk/conversation.ts';
import type { BotHarness } from './harness.ts';
import type { ChannelName } from './player.ts';

export type Chat = Conversation | VkConversation;

/** A fresh user of `channel` talking to the bot (Telegram: ids above 2^31; VK: below); `name` may carry a last name. */
export function newChat(harness: BotHarness, channel: ChannelName, name = 'Иван', language: 'ru' | 'en' = 'ru'): Chat {
  const [first = name, ...last] = name.split(' ');
  if (channel === 'vk') return new VkConversation(harness, newVkUser(first, language === 'en' ? 3 : 0));
  return new Conversation(harness, { ...newUser(first, language), ...(last.length > 0 && { last_name: last.join(' ') }) });
}

/**
 * A fresh chat of `channel` whose resident is already registered in a demo `municipality` (through
 * core, without the registration dialog), and the resident's id.
 */
export async function registeredChat(
  db: TestDatabase,
  harness: BotHarness,
  channel: ChannelName,
  municipality: keyof TestDatabase['demo']['municipalities'] = 'Kemerovo',
  name = 'Ольга',
  now?: Date,
): Promise<{ chat: Chat; residentId: number }> {
  const chat = newChat(harness, channel, name);
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities[municipality], channel, externalId: chat.externalId, ...(now && { now }) });
  return { chat, residentId };
}

/** A per-messenger expectation: `perChannel(channel, { tg: …, vk: … })`. */
export const perChannel = <T>(channel: ChannelName, values: Record<ChannelName, T>): T => values[channel];

/** The resident behind a chat (after its first input). */
export async function residentOf(db: TestDatabase, chat: Chat): Promise<number> {
  const row = await db.db.selectFrom('resident_identity').select('resident_id').where('channel', '=', chat.channel).where('external_id', '=', chat.externalId).executeTakeFirstOrThrow();
  return row.resident_id;
}

/** The resident row behind a chat. */
export const residentRowOf = async (db: TestDatabase, chat: Chat) =>
  db.db
    .selectFrom('resident')
    .selectAll()
    .where('id', '=', await residentOf(db, chat))
    .executeTakeFirstOrThrow();

/** How many messages exist (filed by anybody). */
export const messageCount = async (db: TestDatabase) =>
  Number(
    (
      await db.db
        .selectFrom('message')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** The id of the (one) message the chat's resident filed. */
export async function filedMessageId(db: TestDatabase, chat: Chat): Promise<number> {
  const message = await db.db
    .selectFrom('message')
    .select('id')
    .where('author_id', '=', await residentOf(db, chat))
    .executeTakeFirstOrThrow();
  return message.id;
}

/** The message the chat's resident filed (their only one): its text and how many photos it has. */
export async function filedMessageOf(db: TestDatabase, chat: Chat): Promise<{ text: string; photos: number }> {
  const message = await db.db
    .selectFrom('message')
    .select(['id', 'text'])
    .where('author_id', '=', await residentOf(db, chat))
    .executeTakeFirstOrThrow();
  const photos = await db.db.selectFrom('message_photo').select('file_id').where('message_id', '=', message.id).execute();
  return { text: message.text, photos: photos.length };
}

/** Where the chat's dialog is. */
export const dialogStateOf = (db: TestDatabase, chat: Chat) =>
  db.db.selectFrom('dialog_state').select(['flow', 'step']).where('channel', '=', chat.channel).where('external_id', '=', chat.externalId).executeTakeFirstOrThrow();

/** Button presses in a list of fixture entries (each is answered to stop the messenger's spinner). */
export const pressesIn = (entries: Record<string, unknown>[]) => entries.filter((e) => 'callback_query' in e || e.type === 'message_event').length;
