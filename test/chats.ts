import { expect } from 'vitest';
import type { Channel, Db } from '../core/db/types.ts';
import { createLinkCode, staffStartPayload } from '../core/staff/link-codes.ts';
import { newChat } from './bots/chats.ts';
import type { BotHarness } from './bots/harness.ts';
import { location, press, tap, type ChannelName, type Say } from './bots/player.ts';
import { operatorId } from './staff.ts';

/**
 * One resident or official in one messenger, over the shared players (test/bots): every call posts
 * a real-shaped update, checks that the webhook acknowledged it, and returns the texts the bot
 * answered with — so a reliability test reads as a list of inputs and answers.
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

function chatOn(channel: ChannelName): MakeChat {
  return (harness) => {
    const player = newChat(harness, channel);
    const answer = async (input: Say) => {
      for (const status of await player.sayOnce(input)) expect(status).toBe(200);
      return player.replyTexts;
    };
    return {
      channel,
      externalId: player.externalId,
      say: (value) => answer(value),
      tap: (data) => answer(tap(data)),
      press: (label) => answer(press(label)),
      sendLocation: (lat, lon) => answer(location(lat, lon)),
      register: () => player.playFixture('registration.json'),
    };
  };
}

export const tgChat = chatOn('tg');
export const vkChat = chatOn('vk');

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
