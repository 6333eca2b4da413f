import { describe, expect, it } from 'vitest';
import { announce, expandBatch } from '../../core/broadcasts/broadcasts.ts';
import { getSubscriptions } from '../../core/subscriptions/subscriptions.ts';
import { createTranslator } from '../i18n.ts';
import type { TestDatabase } from '../../test/database.ts';
import { registeredResident } from '../../test/residents.ts';
import { botHarnessPerFile, type BotHarness } from '../../test/telegram/harness.ts';
import { Conversation } from '../../test/telegram/conversation.ts';
import { newUser, press, text } from '../../test/telegram/updates.ts';

let db: TestDatabase;
let harness: BotHarness;
botHarnessPerFile((d, h) => ((db = d), (harness = h)));
const t = createTranslator();
const label = (state: 'on' | 'off', topic: string) => t('ru', `settings.${state}`, { topic: t('ru', `settings.topic_${topic}`) });

async function audience(topic: 'news' | 'sport_events'): Promise<number[]> {
  const id = await announce(db.db, { audience: { municipalityId: db.demo.municipalities.Kemerovo, topic }, message: { key: 'broadcast.official', params: { text: topic } } });
  while (!(await expandBatch(db.db, id, 100)).done);
  const rows = await db.db.selectFrom('outbox').select('resident_id').where('broadcast_id', '=', id).execute();
  return rows.map((r) => r.resident_id!);
}

describe('subscriptions in the bot', () => {
  it('/settings shows every topic with its state; taps change it in place, and broadcasts honour the choice', async () => {
    const user = newUser('Ольга');
    const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, channel: 'tg', externalId: String(user.id) });
    const chat = new Conversation(harness, user);
    expect(await audience('news')).toContain(residentId);
    expect(await audience('sport_events')).not.toContain(residentId);

    await chat.send(text('/settings'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'settings.title'));
    const buttons = (chat.replies[0]!.params.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat().map((b) => b.text);
    expect(buttons).toEqual([label('on', 'polls'), label('on', 'contests'), label('on', 'news'), label('off', 'culture_events'), label('off', 'sport_events'), label('on', 'direct_line')]);

    await chat.send(press(label('off', 'sport_events')));
    const edited = chat.replies.find((c) => c.method === 'editMessageText')!;
    expect(edited).toBeDefined();
    expect(JSON.stringify(edited.params.reply_markup)).toContain(label('on', 'sport_events'));
    await chat.send(press(label('on', 'news')));

    expect(await getSubscriptions(db.db, residentId)).toMatchObject({ news: false, sport_events: true, polls: true });
    expect(await audience('news')).not.toContain(residentId);
    expect(await audience('sport_events')).toContain(residentId);

    // The main menu leads there too, from any state.
    await chat.send(text('/menu'));
    await chat.send(press(t('ru', 'menu.settings')));
    expect(chat.replyTexts).toEqual([t('ru', 'settings.title')]);
    expect(JSON.stringify(chat.replies[0]!.params.reply_markup)).toContain(label('off', 'news'));
  });
});
