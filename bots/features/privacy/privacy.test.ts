import { describe, expect, it } from 'vitest';
import { ERASED } from '../../../core/residents/consent.service.ts';
import { newChat, residentOf, type Chat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, press } from '../../../test/bots/player.ts';
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

/** Telegram shows the @username among the stored data, so this resident has one. */
const oleg = (channel: 'tg' | 'vk'): Chat => (channel === 'tg' ? new Conversation(harness, { ...newUser('Олег'), username: 'oleg_nk' }) : newChat(harness, channel, 'Олег'));

/** A registered resident with a filed message the moderator accepted: its notification is still queued. */
async function withQueuedNotification(chat: Chat): Promise<{ residentId: number; messageId: number }> {
  await chat.playFixture('registration.json');
  await chat.playFixture('file-message.json');
  await chat.play([{ $staff: 'accept' }]);
  const residentId = await residentOf(db, chat);
  const message = await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).executeTakeFirstOrThrow();
  await db.db.insertInto('resident_subscription').values({ resident_id: residentId, topic: 'news', enabled: false }).execute();
  return { residentId, messageId: message.id };
}

/**
 * What a resident gave the platform's other modules, written as those modules store it: a question
 * to a direct line (answered), a poll vote, a contest entry and a vote, a comment on a news item,
 * an event reminder.
 */
async function withModuleData(residentId: number, channel: 'tg' | 'vk'): Promise<{ entryId: number }> {
  const kemerovo = db.demo.municipalities.Kemerovo;
  const now = harness.now();
  const day = 24 * 3600_000;
  const line = await db.db
    .insertInto('direct_line')
    .values({
      municipality_id: kemerovo,
      title: 'Прямая линия о дорогах',
      head_name: 'Глава',
      collect_from: new Date(now.getTime() - day),
      collect_to: new Date(now.getTime() + day),
      broadcast_on: '2026-12-30',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.db
    .insertInto('direct_line_question')
    .values({ direct_line_id: line.id, resident_id: residentId, channel, text: 'Когда отремонтируют Весеннюю?', answer_text: 'Летом', answered_at: now })
    .execute();
  const poll = await db.db
    .insertInto('poll')
    .values({ title: 'Опрос о парках', kind: 'poll', starts_at: new Date(now.getTime() - day), ends_at: new Date(now.getTime() + day) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.db.insertInto('poll_ballot').values({ poll_id: poll.id, resident_id: residentId, channel, municipality_id: kemerovo }).execute();
  const contest = await db.db.insertInto('contest').values({ title: 'Зимний город' }).returning('id').executeTakeFirstOrThrow();
  const media = await db.db
    .insertInto('media')
    .values({ kind: 'image', mime: 'image/jpeg', sha256: 'a'.repeat(64), size_bytes: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const entry = await db.db
    .insertInto('contest_entry')
    .values({ contest_id: contest.id, resident_id: residentId, channel, media_id: media.id, media_kind: 'photo', caption: 'Горка у школы', state: 'accepted' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.db.insertInto('contest_vote').values({ contest_id: contest.id, resident_id: residentId, entry_id: entry.id, channel }).execute();
  const news = await db.db.insertInto('news_item').values({ title: 'Открыт каток', body: 'Каток в парке открыт.' }).returning('id').executeTakeFirstOrThrow();
  await db.db.insertInto('item_comment').values({ target_kind: 'news', news_item_id: news.id, resident_id: residentId, text: 'Отличная новость', state: 'published' }).execute();
  const event = await db.db
    .insertInto('afisha_event')
    .values({
      municipality_id: kemerovo,
      kind: 'culture',
      title: 'Ёлка на площади',
      starts_at: new Date(now.getTime() + 2 * day),
      ends_at: new Date(now.getTime() + 2 * day + 3600_000),
      venue_name: 'Площадь',
      venue_address: 'пр. Советский, 1',
      venue_lat: 55.35,
      venue_lon: 86.08,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.db.insertInto('event_reminder').values({ event_id: event.id, resident_id: residentId }).execute();
  return { entryId: entry.id };
}

describe.each(CHANNELS)('%s: privacy', (channel) => {
  it('the fixture plays: /mydata, /privacy, withdrawal destroys the personal data, the account is a stranger afterwards', async () => {
    const chat = oleg(channel);
    await chat.playFixture('privacy-withdraw.json');
    expect(chat.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
  });

  it('/mydata also lists what the resident gave the other modules: direct-line questions, poll votes, contest entries and votes, comments on news, event reminders', async () => {
    const chat = newChat(harness, channel, 'Вера');
    await chat.playFixture('registration.json');
    const { entryId } = await withModuleData(await residentOf(db, chat), channel);
    await chat.say('/mydata');
    const text = chat.replyTexts.join('\n');
    expect(text).toContain('Ваш вопрос на прямую линию «Прямая линия о дорогах» (');
    expect(text).toContain('Когда отремонтируют Весеннюю? — ответ дан.');
    expect(text).toContain('Вы участвовали в опросе «Опрос о парках» (');
    expect(text).toContain(`Ваша работа № ${entryId} на конкурс «Зимний город» (`);
    expect(text).toContain('подпись: Горка у школы — принята.');
    expect(text).toContain(`Ваш голос в конкурсе «Зимний город»: за работу № ${entryId} (`);
    expect(text).toContain('Ваш комментарий к новости «Открыт каток» (');
    expect(text).toContain('Отличная новость');
    expect(text).toContain('Вы просили напомнить о событии «Ёлка на площади» (');
  });

  it('/mydata sends everything stored: profile, accounts, consent, messages with place and text, subscriptions', async () => {
    const chat = oleg(channel);
    const { messageId } = await withQueuedNotification(chat);
    await chat.say('/mydata');
    const text = chat.replyTexts.join('\n');
    expect(text).toContain(t('ru', 'privacy.d_title'));
    expect(text).toContain(`id ${chat.externalId}, чат ${chat.externalId}`);
    if (channel === 'tg') expect(text).toContain('@oleg_nk');
    expect(text).toContain('телефон — +79001234567');
    expect(text).toContain('муниципалитет — Кемеровский городской округ');
    expect(text).toContain(`№${messageId} от `);
    expect(text).toContain('место 55.36010, 86.09020');
    expect(text).toContain('Глубокая яма на проезжей части');
    // The topic by the name the settings screen gives it, not its code.
    expect(text).toContain('Рассылка «Новости»: выключена.');
    expect(text).not.toContain('«news»');
    expect(text).toContain('(редакция 2026-11-25');
    // The language by its name, not its code.
    expect(text).toContain('язык — русский;');
    await chat.say('/privacy');
    const screen = chat.replyTexts.join('\n');
    // The messenger and the language by their names, as /mydata gives them, not their codes.
    expect(screen).toContain(`• Аккаунт в мессенджере (${channel === 'tg' ? 'Telegram' : 'VK'}): id ${chat.externalId}`);
    expect(screen).toContain('• Язык: русский');
  });

  it('/mydata names the message each rating, comment and support is about, and gives "what is wrong" only when written', async () => {
    const chat = oleg(channel);
    const { messageId } = await withQueuedNotification(chat);
    await chat.play([{ $staff: 'final_solved', text: 'Яма заделана.' }, { $deliver_outbox: true }]);
    await chat.say(press('5 ★'), '/my', press('№'), press(t('ru', 'my.add_comment')), 'Спасибо, сделали быстро.');
    await chat.say('/mydata');
    const text = chat.replyTexts.join('\n');
    expect(text).toContain(`Ваша оценка сообщения №${messageId}: 5 ★.`);
    expect(text).not.toContain('что не так: нет');
    expect(text).toContain(`Ваш комментарий к сообщению №${messageId} (`);
    expect(text).not.toMatch(/оценка №|к №|поддержали №/);
  });

  it('/mydata of an account with no consent (never given, or withdrawn) does not offer to withdraw it', async () => {
    const chat = newChat(harness, channel);
    await chat.say('/mydata');
    const text = chat.replyTexts.join('\n');
    expect(text).toContain(t('ru', 'privacy.d_title'));
    expect(text).not.toContain(t('ru', 'privacy.d_footer'));
    expect(text).toContain(t('ru', 'privacy.d_footer_no_consent'));
    await chat.playFixture('registration.json');
    await chat.say('/mydata');
    expect(chat.replyTexts.join('\n')).toContain(t('ru', 'privacy.d_footer'));
  });

  it('withdrawal erases name, phone, accounts and the link to the messages (kept anonymised), cancels every queued notification and says so', async () => {
    const chat = oleg(channel);
    const { residentId, messageId } = await withQueuedNotification(chat);
    const queued = await db.db.selectFrom('outbox').select('id').where('resident_id', '=', residentId).where('state', '=', 'pending').execute();
    expect(queued.length).toBeGreaterThan(0);

    await chat.say('/privacy', press(t('ru', 'privacy.withdraw')));
    expect(chat.replyTexts[0]).toBe(t('ru', 'privacy.confirm_withdraw'));
    await chat.say(press(t('ru', 'privacy.withdraw_yes')));
    expect(chat.replyTexts).toEqual([t('ru', 'privacy.withdrawn', { messages: 1, cancelled: queued.length })]);

    const resident = await db.db.selectFrom('resident').selectAll().where('id', '=', residentId).executeTakeFirstOrThrow();
    expect(resident).toMatchObject({ display_name: null, phone: null, municipality_id: null, registered_at: null, notify_channel: null });
    expect(await db.db.selectFrom('resident_identity').select('id').where('resident_id', '=', residentId).execute()).toEqual([]);
    expect(await db.db.selectFrom('resident_identity').select('id').where('channel', '=', channel).where('external_id', '=', chat.externalId).execute()).toEqual([]);
    expect(await db.db.selectFrom('dialog_state').select('flow').where('channel', '=', channel).where('external_id', '=', chat.externalId).execute()).toEqual([]);
    expect(await db.db.selectFrom('start_payload').select('id').where('channel', '=', channel).where('external_id', '=', chat.externalId).execute()).toEqual([]);
    expect(await db.db.selectFrom('resident_subscription').select('topic').where('resident_id', '=', residentId).execute()).toEqual([]);
    // The message stays, for the statistics, without an author and with no resident in its history.
    const message = await db.db.selectFrom('message').selectAll().where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(message.author_id).toBeNull();
    expect(message.text).toMatch(/^Глубокая яма/);
    const residentEvents = await db.db.selectFrom('message_event').select('actor_id').where('message_id', '=', messageId).where('actor_kind', '=', 'resident').execute();
    expect(residentEvents.every((e) => e.actor_id === null)).toBe(true);
    // Nothing more is sent: the queued notifications are cancelled, and the resident's rows keep no chat id.
    const rows = await db.db.selectFrom('outbox').select(['id', 'state', 'chat_id']).where('resident_id', '=', residentId).execute();
    expect(rows.filter((r) => queued.some((q) => q.id === r.id)).map((r) => r.state)).toEqual(queued.map(() => 'cancelled'));
    expect(rows.every((r) => r.chat_id === ERASED)).toBe(true);
    const sentBefore = chat.replyTexts.length;
    await chat.deliverOutbox();
    expect(chat.replyTexts.length).toBeLessThanOrEqual(sentBefore);
    expect(chat.replyTexts.join('\n')).not.toContain('принято в работу');

    // The same account is a stranger now: a new resident, asked for consent again.
    await chat.say('/new');
    expect(chat.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
    expect(await residentOf(db, chat)).not.toBe(residentId);
  });
});
