import { describe, expect, it } from 'vitest';
import { newChat, residentOf } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { Conversation, newUser } from '../../../test/telegram/conversation.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

describe.each(CHANNELS)('%s: privacy', (channel) => {
  it('/privacy shows the stored data; withdrawal erases the phone, stops processing and is explained', async () => {
    // Telegram shows the @username among the stored data, so this resident has one.
    const chat = channel === 'tg' ? new Conversation(harness, { ...newUser('Олег'), username: 'oleg_nk' }) : newChat(harness, channel, 'Олег');
    await chat.playFixture('privacy-withdraw.json');
    const residentId = await residentOf(db, chat);
    const resident = await db.db.selectFrom('resident').selectAll().where('id', '=', residentId).executeTakeFirstOrThrow();
    expect(resident.phone).toBeNull();
    expect(resident.registered_at).toBeNull();
    const consents = await db.db.selectFrom('consent').select('withdrawn_at').where('resident_id', '=', residentId).execute();
    expect(consents.length).toBeGreaterThan(0);
    expect(consents.every((c) => c.withdrawn_at !== null)).toBe(true);
    expect(chat.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
  });
});
