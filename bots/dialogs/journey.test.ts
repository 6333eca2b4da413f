import { describe, expect, it } from 'vitest';
import { approveAnswer, draftAnswer } from '../../core/messages/answers.service.ts';
import { acceptMessage } from '../../core/messages/moderation.service.ts';
import { CONSENT_VERSION, consentHash } from '../../core/residents/consent.service.ts';
import { dialogStateOf, newChat, perChannel, pressesIn, residentOf, type Chat } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, photos, press } from '../../test/bots/player.ts';
import type { TestDatabase } from '../../test/database.ts';
import { createTranslator } from '../i18n.ts';

/** The resident's journey, played from each messenger's fixtures against the whole app over HTTP. */
let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const staffId = async (role: 'moderator' | 'curator' | 'executor') =>
  (await db.db.selectFrom('staff').select('id').where('municipality_id', '=', db.demo.municipalities.Kemerovo).where('role', '=', role).orderBy('id').executeTakeFirstOrThrow()).id;
const messagesOf = async (chat: Chat) =>
  db.db
    .selectFrom('message')
    .selectAll()
    .where('author_id', '=', await residentOf(db, chat))
    .orderBy('id')
    .execute();
/** The messenger's "stop the spinner" answers to button presses so far. */
const pressAnswers = () => harness.fake.callsOf('answerCallbackQuery').length + harness.vkFake.calls.filter((c) => c.method === 'messages.sendMessageEventAnswer').length;

describe.each(CHANNELS)('%s: the whole resident journey, replayed from fixtures', (channel) => {
  it('registration → filing with photos and a place → accepted → final answer → rating by tap → complaint', async () => {
    const anna = newChat(harness, channel, 'Анна Петрова');
    const registration = anna.fixtureUpdates('registration.json');
    const answered = pressAnswers();
    await anna.play(registration);
    // Every button press was answered (the messenger's spinner stops).
    expect(pressAnswers() - answered).toBe(pressesIn(registration));

    const identity = await db.db.selectFrom('resident_identity').selectAll().where('channel', '=', channel).where('external_id', '=', anna.externalId).executeTakeFirstOrThrow();
    expect(identity.chat_id).toBe(anna.externalId);
    const resident = await db.db.selectFrom('resident').selectAll().where('id', '=', identity.resident_id).executeTakeFirstOrThrow();
    expect(resident).toMatchObject({ language: 'ru', municipality_id: db.demo.municipalities.Kemerovo });
    // Telegram's fixture shares the resident's own contact; VK has no such button, so the number is typed there.
    expect(resident).toMatchObject(perChannel(channel, { tg: { phone: '+79001234567', display_name: 'Анна Петрова' }, vk: { phone: '+79001234567' } }));
    expect(resident.registered_at).not.toBeNull();
    const consent = await db.db.selectFrom('consent').selectAll().where('resident_id', '=', resident.id).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ channel, text_version: CONSENT_VERSION, withdrawn_at: null });
    expect(consent.text_hash).toBe(consentHash(t('ru', 'reg.consent_text', { version: CONSENT_VERSION })));

    await anna.playFixture('file-message.json');
    const [message] = await messagesOf(anna);
    const category = await db.db.selectFrom('category').select('id').where('code', '=', 'roads.pothole').executeTakeFirstOrThrow();
    expect(message).toMatchObject({ category_id: category.id, municipality_id: db.demo.municipalities.Kemerovo, status: 'new', channel, lat: 55.3601, lon: 86.0902 });
    expect(message!.address).toBe(perChannel(channel, { tg: 'Дом 12, ул. Весенняя, 12, Кемерово', vk: 'ул. Весенняя, 12, Кемерово' }));
    expect(message!.text).toMatch(/^Глубокая яма/);
    const stored = await db.db.selectFrom('message_photo').selectAll().where('message_id', '=', message!.id).orderBy('position').execute();
    expect(stored.map((p) => [p.file_id, p.file_unique_id, p.channel])).toEqual(
      perChannel(channel, {
        tg: [
          ['AgACAgIAAxkBAAEBphoto1-l', 'AQADphoto1-l', 'tg'],
          ['AgACAgIAAxkBAAEBphoto2-l', 'AQADphoto2-l', 'tg'],
        ],
        vk: [
          ['photo700000001_457239017_a1b2c3', 'photo700000001_457239017', 'vk'],
          ['photo700000001_457239018_d4e5f6', 'photo700000001_457239018', 'vk'],
        ],
      }),
    );
    expect(anna.replyTexts.join('\n')).toContain(t('ru', 'notice.not_59fz'));

    await acceptMessage(db.db, { messageId: message!.id, actor: { kind: 'staff', staffId: await staffId('moderator') } }, new Date());
    const { answer } = await draftAnswer(
      db.db,
      { messageId: message!.id, kind: 'final', resolution: 'solved', text: 'Яма заделана асфальтом.', actor: { kind: 'staff', staffId: await staffId('executor') } },
      new Date(),
    );
    await approveAnswer(db.db, { answerId: answer.id, actor: { kind: 'staff', staffId: await staffId('curator') } }, new Date());
    const rows = await db.db.selectFrom('outbox').selectAll().where('resident_id', '=', resident.id).where('kind', '<>', 'reply').orderBy('id').execute();
    expect(rows.map((r) => [r.kind, r.payload.key, r.channel, r.chat_id, r.state])).toEqual([
      ['status.accepted', 'notify.accepted', channel, identity.chat_id, 'pending'],
      ['answer.final', 'notify.answer_final', channel, identity.chat_id, 'pending'],
    ]);

    await anna.deliverOutbox();
    const finalText = `Ответ по сообщению №${message!.id} (решено):\nЯма заделана асфальтом.\n\nОцените, пожалуйста, результат.`;
    const final = anna.replyTexts.findIndex((text) => text.includes('(решено)'));
    expect(anna.replyTexts[final]).toBe(finalText);
    const stars = anna.keyboards().find((k) => k.rows[0]?.[0]?.label === '1 ★')!;
    expect(stars.inline).toBe(true);
    expect(stars.rows[0]!.map((b) => [b.label, b.id])).toEqual([1, 2, 3, 4, 5].map((n) => [`${n} ★`, `!r:${message!.id}:${n}`]));
    if (anna.channel === 'vk') {
      // VK: callback buttons (answered without a message), and random_id from the outbox row, so a resend is dropped.
      const call = anna.replies.find((c) => c.params.message === finalText)!;
      const buttons = (JSON.parse(call.params.keyboard!) as { buttons: { action: { type: string; payload: string } }[][] }).buttons[0]!;
      expect(buttons.map((b) => [b.action.type, b.action.payload])).toEqual([1, 2, 3, 4, 5].map((n) => ['callback', JSON.stringify({ b: `!r:${message!.id}:${n}` })]));
      expect(Number(call.params.random_id)).toBe(rows[1]!.id);
    } else {
      expect(anna.replies.find((c) => c.params.text === finalText)?.method).toBe('sendMessage');
    }

    await anna.playFixture('rate-low.json');
    const rating = await db.db.selectFrom('rating').selectAll().where('message_id', '=', message!.id).executeTakeFirstOrThrow();
    expect(rating).toMatchObject({ stars: 2, flagged: true, resident_id: resident.id, complaint: 'Яму засыпали щебнем, через неделю она снова появилась.' });

    // The rating buttons are single-use: a second tap is answered with the rating given, not applied.
    await anna.say(press('5 ★'));
    expect(anna.replyTexts).toEqual([t('ru', 'my.already_rated', { stars: 2 })]);
    expect((await db.db.selectFrom('rating').select('stars').where('message_id', '=', message!.id).executeTakeFirstOrThrow()).stars).toBe(2);
  });

  it('a restart in the middle of filing continues where the resident was; the location button is taken away by the next answer', async () => {
    const petr = newChat(harness, channel, 'Пётр');
    await petr.playFixture('registration.json');
    await petr.say('/new', press('ЖКХ'), press('Протекает крыша'), 'Крыша течёт над третьим подъездом.');
    expect(await dialogStateOf(db, petr)).toEqual({ flow: 'filing', step: 'location' });
    // A regular keyboard with the messenger's own location button.
    const regular = petr.keyboards().find((k) => !k.inline);
    expect(regular?.rows).toEqual([[{ label: perChannel(channel, { tg: t('ru', 'filing.send_location'), vk: '' }), request: 'location' }]]);
    if (petr.channel === 'vk') {
      const raw = petr.replies.flatMap((c) => (c.params.keyboard ? [JSON.parse(c.params.keyboard) as { inline?: boolean; buttons: unknown }] : [])).find((k) => !k.inline);
      expect(raw?.buttons).toEqual([[{ action: { type: 'location', payload: JSON.stringify({ b: 'location' }) } }]]);
    }

    await harness.restart();

    await petr.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(petr.replyTexts[0]).toContain('Место принято');
    expect(petr.keyboards()[0]).toEqual({ inline: false, removed: true, rows: [] });
    if (petr.channel === 'vk') expect(JSON.parse(petr.replies[0]!.params.keyboard!)).toEqual({ one_time: true, buttons: [] });
    else expect(petr.replies[0]!.params.reply_markup).toEqual({ remove_keyboard: true });
    await petr.say(press('Без фото'), press('✅ Отправить'));
    expect((await messagesOf(petr)).map((m) => m.text)).toEqual(['Крыша течёт над третьим подъездом.']);
  });

  it('an update delivered twice (same update_id / event_id) is acknowledged without effect: the message is filed once', async () => {
    const olga = newChat(harness, channel, 'Ольга');
    await olga.playFixture('registration.json');
    await olga.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у остановки.', location(KEMEROVO.lat, KEMEROVO.lon), press('Без фото'));
    const serial = 900_000_000 + Math.floor(Math.random() * 1_000_000);
    const deliveryId = perChannel(channel, { tg: String(serial), vk: `dup-${serial}` });

    expect(await olga.sayOnce(press('✅ Отправить'), deliveryId)).toEqual([200]);
    expect(olga.replyTexts[0]).toContain('отправлено на модерацию');
    const callsBefore = harness.fake.calls.length + harness.vkFake.calls.length;
    expect(await olga.sayOnce(press('✅ Отправить'), deliveryId)).toEqual([200]);
    expect(olga.replies).toEqual([]);
    // Not even the spinner answer: the repeat is dropped before anything is done.
    expect(harness.fake.calls.length + harness.vkFake.calls.length).toBe(callsBefore);
    expect(await messagesOf(olga)).toHaveLength(1);
    const processed = await db.db.selectFrom('processed_update').selectAll().where('channel', '=', channel).where('update_id', '=', deliveryId).execute();
    expect(processed).toHaveLength(1);
  });

  it('photos sent together (a Telegram album arriving at once, one VK message with several) are all kept', async () => {
    const vera = newChat(harness, channel, 'Вера');
    await vera.playFixture('registration.json');
    await vera.say('/new', press('Дороги'), press('Разрушен тротуар'), 'Тротуар провалился.', location(KEMEROVO.lat, KEMEROVO.lon));
    // Telegram: three updates of one chat at the same time (they serialise on the dialog state); VK: one event.
    expect(await vera.sayOnce(photos('p1', 'p2', 'p3'))).toEqual(perChannel(channel, { tg: [200, 200, 200], vk: [200] }));
    // One count line for the three, with their count (View `slot`), not one per photo.
    expect(vera.replyTexts.filter((text) => text.includes('из 5'))).toEqual([t('ru', 'filing.photo_added', { count: 3, max: 5 })]);
    await vera.say(press('Готово'), press('✅ Отправить'));
    const [message] = await messagesOf(vera);
    const stored = await db.db.selectFrom('message_photo').select('file_id').where('message_id', '=', message!.id).orderBy('position').execute();
    const ids = stored.map((p) => p.file_id);
    // Telegram's album may be handled in any order; VK's attachments keep theirs.
    expect(channel === 'tg' ? ids.sort() : ids).toEqual(perChannel(channel, { tg: ['p1-l', 'p2-l', 'p3-l'], vk: [1, 2, 3].map((id) => `photo${vera.userId}_${id}`) }));
  });
});
