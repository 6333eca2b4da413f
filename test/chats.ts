import { expect } from 'vitest';
import type { Channel, Db } from '../core/db/types.ts';
import { createLinkCode, staffStartPayload } from '../core/staff/link-codes.ts';
import { operatorId } from './staff.ts';
import { Conversation, fixturePath, loadFixture } from './telegram/conversation.ts';
import type { BotHarness } from './telegram/harness.ts';
import { location, newUser, press, tap, text } from './telegram/updates.ts';
import { loadVkFixture, newVkUser, VkConversation, vkFixturePath } from './vk/conversation.ts';

/**
 * One resident or official in one messenger, driven through the conversation players, so a test
 * can run the same script in Telegram and in VK. Every call posts a real-shaped update, checks
 * that the webhook acknowledged it, and returns the texts the bot answered with.
 */
export interface Chat {
  channel: Channel;
  externalId: string;
  say(value: string): Promise<string[]>;
  /** A callback button with this exact id (a hand-made one, too). */
  tap(data: string): Promise<string[]>;
  /** The newest button with this label. */
  press(label: string): Promise<string[]>;
  sendLocation(lat: number, lon: number): Promise<string[]>;
  /** Plays the messenger's registration fixture. */
  register(): Promise<void>;
}

export type MakeChat = (harness: BotHarness) => Chat;

export function tgChat(harness: BotHarness): Chat {
  const user = newUser();
  const c = new Conversation(harness, user);
  const replies = (status: number) => (expect(status).toBe(200), c.replyTexts);
  return {
    channel: 'tg',
    externalId: String(user.id),
    say: async (value) => replies(await c.send(text(value))),
    tap: async (data) => replies(await c.send(tap(data))),
    press: async (label) => replies(await c.send(press(label))),
    sendLocation: async (lat, lon) => replies(await c.send(location(lat, lon))),
    register: () => c.play(loadFixture(fixturePath('registration.json')).updates),
  };
}

export function vkChat(harness: BotHarness): Chat {
  const user = newVkUser();
  const c = new VkConversation(harness, user);
  const replies = (answer: { status: number; body: string }) => (expect(answer).toEqual({ status: 200, body: 'ok' }), c.replyTexts);
  const message = (fields: Record<string, unknown>) => c.send({ type: 'message_new', object: { message: fields } });
  return {
    channel: 'vk',
    externalId: String(user.id),
    say: async (value) => replies(await message({ text: value })),
    tap: async (data) => replies(await c.send({ type: 'message_event', object: { payload: { b: data } } })),
    press: async (label) => replies(await c.send({ type: 'message_event', object: { payload: `$press:${label}` } })),
    sendLocation: async (latitude, longitude) => replies(await message({ geo: { type: 'point', coordinates: { latitude, longitude } } })),
    register: () => c.play(loadVkFixture(vkFixturePath('registration.json')).updates),
  };
}

export const CHATS = [
  ['Telegram', tgChat],
  ['VK', vkChat],
] as const;

/** An official links this messenger account the way officials do: a code, then `/start staff_<code>`. */
export async function linkedOfficial(db: Db, chat: Chat, staffId: number, now: Date): Promise<Chat> {
  const { code } = await createLinkCode(db, { actorStaffId: await operatorId(db), staffId }, now);
  await chat.say(`/start ${staffStartPayload(code)}`);
  expect(await db.selectFrom('staff_identity').select('staff_id').where('channel', '=', chat.channel).where('external_id', '=', chat.externalId).executeTakeFirst()).toEqual({ staff_id: staffId });
  return chat;
}

/** The resident behind a chat. */
export async function residentOf(db: Db, chat: Chat): Promise<number> {
  const row = await db.selectFrom('resident_identity').select('resident_id').where('channel', '=', chat.channel).where('external_id', '=', chat.externalId).executeTakeFirstOrThrow();
  return row.resident_id;
}
