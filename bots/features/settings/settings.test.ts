import { describe, expect, it } from 'vitest';
import { announce } from '../../../core/broadcasts/broadcasts.ts';
import { createNews, publishNews } from '../../../core/news/news.service.ts';
import { getSubscriptions } from '../../../core/subscriptions/subscriptions.ts';
import { expandFully } from '../../../test/expand.ts';
import { registeredChat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, press } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const label = (state: 'on' | 'off', topic: string) => t('ru', `settings.${state}`, { topic: t('ru', `settings.topic_${topic}`) });

/** Who a broadcast of `topic` to Kemerovo reaches (written by the same batches the expander runs). */
async function audience(topic: 'news' | 'sport_events'): Promise<number[]> {
  const id = await announce(db.db, { audience: { municipalityId: db.demo.municipalities.Kemerovo, topic }, message: { key: 'broadcast.official', params: { text: topic } } });
  await expandFully(db.db, id);
  const rows = await db.db.selectFrom('outbox').select('resident_id').where('broadcast_id', '=', id).execute();
  return rows.map((r) => r.resident_id!);
}

describe.each(CHANNELS)('subscriptions in the bot (%s)', (channel) => {
  it('/settings shows every topic with its state; taps change it in place, and broadcasts honour the choice', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Ольга');
    expect(await audience('news')).toContain(residentId);
    expect(await audience('sport_events')).not.toContain(residentId);

    await chat.say('/settings');
    expect(chat.replyTexts).toEqual([t('ru', 'settings.title')]);
    expect(chat.keyboardLabels()).toEqual([
      label('on', 'polls'),
      label('on', 'contests'),
      label('on', 'news'),
      label('off', 'culture_events'),
      label('off', 'sport_events'),
      label('on', 'direct_line'),
      t('ru', 'menu.back_to_menu'),
    ]);
    // The way back to the menu, within VK's six rows of an inline keyboard.
    const rows = chat.keyboards()[0]!.rows;
    expect(rows.at(-1)!.map((b) => b.label)).toEqual([t('ru', 'menu.back_to_menu')]);
    expect(rows.length).toBeLessThanOrEqual(channel === 'vk' ? 6 : 7);

    await chat.say(press(label('off', 'sport_events')));
    expect(chat.replyKinds()).toEqual(['edit']);
    expect(chat.keyboardLabels()).toContain(label('on', 'sport_events'));
    await chat.say(press(label('on', 'news')));

    expect(await getSubscriptions(db.db, residentId)).toMatchObject({ news: false, sport_events: true, polls: true });
    expect(await audience('news')).not.toContain(residentId);
    expect(await audience('sport_events')).toContain(residentId);

    // The main menu leads there too, from any state.
    await chat.say('/menu');
    // VK pages a main menu longer than its keyboard (news, «Афиша», polls): the entry is on the next page.
    if (channel === 'vk') await chat.say(press(t('ru', 'menu.more')));
    await chat.say(press(t('ru', 'menu.settings')));
    expect(chat.replyTexts).toEqual([t('ru', 'settings.title')]);
    expect(chat.keyboardLabels()).toContain(label('off', 'news'));
  });
});

describe.each(CHANNELS)('turning a topic off while its broadcast is on the way (%s)', (channel) => {
  it('the announcements of that topic still waiting for this resident are not sent; other topics still are', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Инна');
    const send = async (topic: 'news' | 'polls', text: string) => {
      const id = await announce(db.db, { audience: { municipalityId: db.demo.municipalities.Kemerovo, topic }, message: { key: 'broadcast.official', params: { text } } });
      await expandFully(db.db, id);
    };
    // Two news items and a poll queued behind thousands of others: nothing has reached this chat yet.
    await send('news', 'Новость первая');
    await send('news', 'Новость вторая');
    await send('polls', 'Новый опрос');

    await chat.say('/settings');
    await chat.say(press(label('on', 'news')));
    expect((await getSubscriptions(db.db, residentId)).news).toBe(false);
    await chat.deliverOutbox();
    expect(chat.replyTexts).toEqual([t('ru', 'broadcast.official', { text: 'Новый опрос' })]);
  });
});

describe.each(CHANNELS)('one tap under an announcement turns its topic off (%s)', (channel) => {
  it('a news item and a poll each carry "Unsubscribe: <topic>"; the tap says what was turned off and how to turn it back on, and the next one does not come', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Вера');
    const publishedNews = async (title: string) => {
      const item = await createNews(
        db.db,
        { municipalityId: db.demo.municipalities.Kemerovo, title, body: 'Текст.', categoryId: null, mediaIds: [], link: null, pollId: null, publishAt: null, staffId: null },
        new Date(),
      );
      await expandFully(db.db, (await publishNews(db.db, item.id, new Date(), null)).broadcastId!);
    };
    const unsubscribe = (topic: string) => t('ru', 'settings.unsubscribe', { topic: t('ru', `settings.topic_${topic}`) });

    await publishedNews(`Ремонт дороги ${channel}`);
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain(`Ремонт дороги ${channel}`);
    const rows = chat.keyboards().at(-1)!.rows;
    // The item's own button first, the switch last.
    expect(rows.flat().map((b) => b.label)).toEqual([t('ru', 'news.comment'), unsubscribe('news')]);

    await chat.say(press(unsubscribe('news')));
    // A new message: the announcement stays as it was.
    expect(chat.replyKinds()).toEqual(['text']);
    expect(chat.replyTexts).toEqual([t('ru', 'settings.unsubscribed', { topic: t('ru', 'settings.topic_news') })]);
    expect(chat.replyTexts[0]).toContain('/settings');
    expect(await getSubscriptions(db.db, residentId)).toMatchObject({ news: false, polls: true });
    // A second tap on the same button is harmless.
    await chat.say(press(unsubscribe('news')));
    expect((await getSubscriptions(db.db, residentId)).news).toBe(false);

    await publishedNews(`Ярмарка ${channel}`);
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).not.toContain(`Ярмарка ${channel}`);

    // Other topics carry their own switch (a poll here); the official mailing of any topic too.
    const poll = await announce(db.db, {
      audience: { municipalityId: db.demo.municipalities.Kemerovo, topic: 'polls' },
      message: { key: 'broadcast.official', params: { text: `Опрос ${channel}` } },
    });
    await expandFully(db.db, poll);
    await chat.deliverOutbox();
    expect(
      chat
        .keyboards()
        .at(-1)!
        .rows.flat()
        .map((b) => b.label),
    ).toEqual([unsubscribe('polls')]);

    // The way back is under the confirmation.
    await chat.say(press(unsubscribe('news')));
    const resubscribe = t('ru', 'settings.resubscribe', { topic: t('ru', 'settings.topic_news') });
    await chat.say(press(resubscribe));
    expect(chat.replyTexts).toEqual([t('ru', 'settings.resubscribed', { topic: t('ru', 'settings.topic_news') })]);
    expect(await getSubscriptions(db.db, residentId)).toMatchObject({ news: true, polls: true });
  });

  it('a resident who withdrew their consent since is asked to register, and nothing is changed', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Глеб');
    const id = await announce(db.db, { audience: { municipalityId: db.demo.municipalities.Kemerovo, topic: 'contests' }, message: { key: 'broadcast.official', params: { text: 'Конкурс' } } });
    await expandFully(db.db, id);
    await chat.deliverOutbox();
    await db.db.updateTable('consent').set({ withdrawn_at: new Date() }).where('resident_id', '=', residentId).execute();
    await chat.say(press(t('ru', 'settings.unsubscribe', { topic: t('ru', 'settings.topic_contests') })));
    expect(chat.replyTexts.join('\n')).not.toContain(t('ru', 'settings.unsubscribed', { topic: t('ru', 'settings.topic_contests') }));
    expect(await db.db.selectFrom('resident_subscription').select('topic').where('resident_id', '=', residentId).execute()).toEqual([]);
  });
});
