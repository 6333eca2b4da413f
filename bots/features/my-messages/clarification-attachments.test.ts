import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat, residentOf, type Chat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, photos } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

/** A resident whose filed message got a clarification request, delivered. */
async function askedToClarify(channel: (typeof CHANNELS)[number]): Promise<{ chat: Chat; messageId: number; residentId: number }> {
  const chat = newChat(harness, channel, 'Мария');
  await chat.playFixture('registration.json');
  await chat.playFixture('file-message.json');
  await chat.play([{ $staff: 'accept' }, { $staff: 'clarification', text: 'Уточните, пожалуйста, номер подъезда.' }, { $deliver_outbox: true }]);
  const residentId = await residentOf(db, chat);
  const message = await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).executeTakeFirstOrThrow();
  return { chat, messageId: message.id, residentId };
}

const messagesOf = async (residentId: number) => (await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).execute()).length;
const commentsOn = async (messageId: number) => (await db.db.selectFrom('comment').select('text').where('message_id', '=', messageId).orderBy('id').execute()).map((c) => c.text);

describe.each(CHANNELS)('%s: a photo or a place sent while a clarification is awaited', (channel) => {
  it('a photo alone or a place is told the reply is a text, and starts no new message', async () => {
    const { chat, messageId, residentId } = await askedToClarify(channel);
    await chat.say(photos('c-901'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo', { messageId })]);
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_place', { messageId })]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    expect(await messagesOf(residentId)).toBe(1);
    // The text reply is still taken.
    await chat.say('Второй подъезд.');
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_attached', { messageId })]);
    expect(await commentsOn(messageId)).toEqual(['Второй подъезд.']);
  });

  it('a photo with a text (a Telegram caption, a VK message with both): the text is the reply, the photo is said not taken', async () => {
    const { chat, messageId, residentId } = await askedToClarify(channel);
    const reply = 'Второй подъезд, вот фото.';
    if (chat.channel === 'tg') await chat.send({ message: { photo: [{ file_id: 'cl-1', file_unique_id: 'cl-u1', width: 1280, height: 853 }], caption: reply } });
    else {
      const photo = { id: 457239099, owner_id: chat.userId, sizes: [{ type: 'x', width: 604, height: 453, url: 'https://sun9-1.userapi.com/cl.jpg' }] };
      await chat.send({ type: 'message_new', object: { message: { text: reply, attachments: [{ type: 'photo', photo }] } } });
    }
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_attached', { messageId }), t('ru', 'dialog.attachments_not_taken')]);
    expect(await commentsOn(messageId)).toEqual([reply]);
    expect(await messagesOf(residentId)).toBe(1);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });
});
