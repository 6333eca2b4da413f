import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { hideComment, setPremoderation } from '../../../core/item-comments/comments.service.ts';
import { expandFully } from '../../../test/expand.ts';
import { eventDraft } from '../../../test/event-draft.ts';
import { cancelEvent, createEvent, publishEvent } from '../../../core/news/events.service.ts';
import { archiveNews, createNews, publishNews, updateNews } from '../../../core/news/news.service.ts';
import { setSubscription } from '../../../core/subscriptions/subscriptions.ts';
import { dialogStateOf, newChat, registeredChat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, press, tap } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { KEMEROVO_CENTER } from '../../../test/residents.ts';
import { createTranslator } from '../../i18n.ts';
import { listComments, writeComment } from '../item-comments/index.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

async function published(title: string, body: string, municipalityId: number | null = db.demo.municipalities.Kemerovo) {
  const item = await createNews(db.db, { municipalityId, title, body, categoryId: null, mediaIds: [], link: null, pollId: null, publishAt: null, staffId: null }, new Date());
  return publishNews(db.db, item.id, new Date(), null);
}

/** A published two-hour event of Kemerovo at `venue`, starting `hoursAhead` from now. */
async function publishedEvent(kind: 'culture' | 'sport', title: string, description: string, venue: { name: string; address: string }, hoursAhead: number) {
  const startsAt = new Date(Date.now() + hoursAhead * 60 * 60 * 1000);
  const draft = await createEvent(db.db, eventDraft({ municipalityId: db.demo.municipalities.Kemerovo, kind, title, description, startsAt, venue: { ...venue, ...KEMEROVO_CENTER } }), new Date());
  return publishEvent(db.db, draft.id, new Date(), null);
}

describe.each(CHANNELS)('a long news item full of emoji (%s)', (channel) => {
  it('comes in parts of at most 4096 characters as the messenger counts them (an emoji is two), nothing lost', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Эмма');
    // 50 paragraphs of 60 emoji and 60 words each: 4096 code points of them are about 5400 UTF-16 units.
    const paragraphs = Array.from({ length: 50 }, (_, i) => `${i + 1}. ${'🔹🌳🚧 двор '.repeat(20).trim()}`);
    const item = await published(`Работы во дворах ${channel}`, paragraphs.join('\n\n'));
    await chat.say(`/start news_${item.id}`);
    expect(chat.replyTexts.length).toBeGreaterThan(1);
    for (const text of chat.replyTexts) expect(text.length).toBeLessThanOrEqual(4096);
    const shown = chat.replyTexts.join('\n\n');
    for (const paragraph of paragraphs) expect(shown).toContain(paragraph);
  });
});

describe.each(CHANNELS)('news and «Афиша» in the bot (%s)', (channel) => {
  it('the broadcast reaches the resident; /news pages through the feed; a comment is posted and listed; a deep link opens one item', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Ольга');
    const older = await published(`Ремонт моста ${channel}`, 'Мост закроют на два дня.');
    const newer = await published(`Ярмарка ${channel}`, 'В субботу на площади.');
    await published(`Новости Новокузнецка ${channel}`, 'Не для Кемерова.', db.demo.municipalities.Novokuznetsk);
    // Both broadcasts now: left to the expander's next poll, the older one would reach whoever registers by then (a later test's resident).
    await expandFully(db.db, older.broadcastId!);
    await expandFully(db.db, newer.broadcastId!);
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain(`Ярмарка ${channel}`);

    await chat.say('/news');
    expect(chat.replyTexts[0]).toContain(`Ярмарка ${channel}`);
    expect(chat.replyTexts.join('\n')).not.toContain('Новокузнецка');
    await chat.say(press(t('ru', 'news.older')));
    expect(chat.replyTexts[0]).toContain(`Ремонт моста ${channel}`);

    await chat.say(press(t('ru', 'news.comment')));
    expect(chat.replyTexts).toEqual([t('ru', 'item_comments.prompt', { max: 1000 })]);
    await chat.say('А объезд будет?');
    expect(chat.replyTexts).toEqual([t('ru', 'item_comments.published')]);

    const { chat: neighbour } = await registeredChat(db, harness, channel, 'Kemerovo', 'Пётр');
    await neighbour.say(`/start news_${older.id}`);
    expect(neighbour.replyTexts[0]).toContain(`Ремонт моста ${channel}`);
    await neighbour.say(press(t('ru', 'news.comments', { count: 1 })));
    expect(neighbour.replyTexts).toContain(t('ru', 'item_comments.item', { text: 'А объезд будет?' }));
    await neighbour.say(press(t('ru', 'item_comments.report')));
    expect(neighbour.replyTexts).toEqual([t('ru', 'item_comments.report_reported')]);
  });

  it("a visitor not registered yet follows a link to a municipality's news item or event (a poster, a shared link): registers first, then it opens", async () => {
    const item = await published(`Субботник ${channel}`, 'Приходите в парк.');
    const event = await publishedEvent('culture', `Концерт ${channel}`, 'Оркестр', { name: 'Филармония', address: 'Кемерово, пр. Советский, 1' }, 30);
    for (const [link, title] of [
      [`news_${item.id}`, `Субботник ${channel}`],
      [`event_${event.id}`, `Концерт ${channel}`],
    ] as const) {
      const visitor = newChat(harness, channel, 'Гость');
      await visitor.say(`/start ${link}`);
      // Not "this item is no longer available": it is, for the residents of its municipality.
      expect(visitor.replyTexts, link).toEqual([t('ru', 'reg.choose_language')]);
      await visitor.say(press('Русский'), press('Понятно, дальше'), press('✅ Согласен(на)'), press('Пропустить'));
      await visitor.say(press('Кемеровский городской округ'));
      expect(visitor.replyTexts[0], link).toBe(t('ru', 'reg.done', { municipality: 'Кемеровский городской округ' }));
      expect(visitor.replyTexts.join('\n'), link).toContain(title);
    }
  });

  it('«Афиша» shows today\'s event with its venue as a location, and "Remind me" is accepted once', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Анна');
    await setSubscription(db.db, residentId, 'sport_events', true, new Date());
    const event = await publishedEvent('sport', `Лыжная гонка ${channel}`, 'Классический стиль, 5 км', { name: 'Стадион «Химик»', address: 'Кемерово, ул. Весенняя, 1' }, 5);
    await expandFully(db.db, event.broadcastId!);
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain(`Лыжная гонка ${channel}`);
    expect(chat.replyKinds()).toContain('location');

    // The announcement's "Details" button opens the event card with its venue.
    await chat.say(press(t('ru', 'events.details')));
    expect(chat.replyTexts.join('\n')).toContain('Стадион «Химик»');
    expect(chat.replyKinds()).toContain('location');

    await chat.say('/events');
    expect(chat.replyTexts).toEqual([t('ru', 'events.choose')]);
    await chat.say(press(t('ru', 'events.period_week')));
    expect(chat.replyTexts.join('\n')).toContain(`Лыжная гонка ${channel}`);
    expect(chat.replyKinds()).toContain('location');
    await chat.say(press(t('ru', 'events.remind')));
    expect(chat.replyTexts).toEqual([t('ru', 'events.remind_scheduled')]);
    // The card now offers to turn it off; the announcement's "Remind me" again changes nothing.
    await chat.say(`/start event_${event.id}`);
    expect(chat.buttonLabels()).toContain(t('ru', 'events.unremind'));
    await chat.say(tap(`!er:${event.id}`));
    expect(chat.replyTexts).toEqual([t('ru', 'events.remind_already')]);
    const reminders = await db.db.selectFrom('event_reminder').select('resident_id').where('event_id', '=', event.id).execute();
    expect(reminders).toEqual([{ resident_id: residentId }]);

    // Cancelled: the resident who asked is told in their messenger, and the event leaves «Афиша».
    await cancelEvent(db.db, event.id, 'Нет снега', new Date());
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain(`Лыжная гонка ${channel}`);
    expect(chat.replyTexts.join('\n')).toContain('Нет снега');
    await chat.say(`/start event_${event.id}`);
    expect(chat.replyTexts).toEqual([t('ru', 'events.cancelled_card', { title: `Лыжная гонка ${channel}` })]);
  });

  it('pre-moderation and a comment on a poll: the author is told it waits, then that a moderator hid it and why', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Игорь');
    await setPremoderation(db.db, db.demo.municipalities.Kemerovo, true, new Date());
    const poll = await sql<{
      id: number;
    }>`INSERT INTO poll (kind, starts_at, ends_at, municipality_id, state, title) VALUES ('poll', now() - interval '2 days', now() - interval '1 day', ${db.demo.municipalities.Kemerovo}, 'published', ${`Опрос ${channel}`}) RETURNING id`.execute(
      db.db,
    );
    const pollId = poll.rows[0]!.id;
    // The polls module puts this button on its cards.
    await chat.say(tap(writeComment.id({ kind: 'poll', id: pollId })));
    expect(chat.replyTexts).toEqual([t('ru', 'item_comments.prompt', { max: 1000 })]);
    await chat.say('Голосую за парк');
    expect(chat.replyTexts).toEqual([t('ru', 'item_comments.pending')]);
    const [stored] = await db.db.selectFrom('item_comment').select(['id', 'state', 'target_kind', 'poll_id']).where('resident_id', '=', residentId).execute();
    expect(stored).toMatchObject({ state: 'pending', target_kind: 'poll', poll_id: pollId });
    await chat.say(tap(listComments.id({ kind: 'poll', id: pollId })));
    expect(chat.replyTexts).toEqual([t('ru', 'item_comments.none')]);

    const moderator = await db.db.selectFrom('staff').select('id').where('municipality_id', '=', db.demo.municipalities.Kemerovo).where('role', '=', 'moderator').executeTakeFirstOrThrow();
    await hideComment(db.db, stored!.id, 'Не по теме опроса', moderator.id, new Date());
    await chat.deliverOutbox();
    expect(chat.replyTexts).toEqual([t('ru', 'item_comments.hidden_notice', { text: 'Голосую за парк', reason: 'Не по теме опроса' })]);
    await setPremoderation(db.db, db.demo.municipalities.Kemerovo, false, new Date());
  });
});

describe.each(CHANNELS)('a news item archived while a resident writes a comment on it (%s)', (channel) => {
  it('the comment sent says it cannot be commented on any more and ends, not "not found" and the comment prompt again', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Глеб');
    const item = await published(`Отключение воды ${channel}`, 'Воду отключат в среду.');
    await chat.say(tap(`!nc:${item.id}`));
    expect(chat.replyTexts).toEqual([t('ru', 'item_comments.prompt', { max: 1000 })]);
    await archiveNews(db.db, item.id, new Date());
    await chat.say('А горячую тоже?');
    expect(chat.replyTexts[0]).toBe(t('ru', 'item_comments.unavailable'));
    expect(chat.replyTexts).not.toContain(t('ru', 'item_comments.prompt', { max: 1000 }));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    expect(await db.db.selectFrom('item_comment').select('id').where('news_item_id', '=', item.id).execute()).toEqual([]);
  });
});

describe.each(CHANNELS)('old announcements after the consent is withdrawn (%s)', (channel) => {
  it("their buttons to a municipality's news item and event ask to register, not that the item is gone", async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Роза');
    const item = await published(`Ремонт моста ${channel}`, 'Мост закроют на ремонт.');
    const event = await publishedEvent('culture', `Ёлка на площади ${channel}`, 'Открытие ёлки.', { name: 'Площадь Советов', address: 'Кемерово' }, 30);
    await chat.say('/privacy', press(t('ru', 'privacy.withdraw')), press(t('ru', 'privacy.withdraw_yes')));
    for (const id of [`!nw:${item.id}`, `!ev:${event.id}`]) {
      await chat.say(tap(id));
      expect(chat.replyTexts[0], id).toBe(t('ru', 'errors.CONSENT_REQUIRED'));
    }
    // An item that really is gone still says so to a registered resident.
    const { chat: other } = await registeredChat(db, harness, channel, 'Kemerovo', 'Тимур');
    await other.say(tap('!nw:99999'));
    expect(other.replyTexts).toEqual([t('ru', 'news.gone')]);
  });
});

describe.each(CHANNELS)('a news item corrected after publication (%s)', (channel) => {
  it('a resident the announcement has not reached yet gets the corrected text', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Зоя');
    const item = await published(`Отключение воды ${channel}`, 'Улица Ленина, 3 декабря');
    await expandFully(db.db, item.broadcastId!);
    await updateNews(db.db, item.id, { body: 'Улица Ленина, 4 декабря' }, new Date());
    await chat.deliverOutbox();
    const text = chat.replyTexts.join('\n');
    expect(text).toContain('Улица Ленина, 4 декабря');
    expect(text).not.toContain('3 декабря');
  });
});
