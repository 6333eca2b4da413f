import { describe, expect, it } from 'vitest';
import { approveAnswer, draftAnswer } from '../../core/messages/answers.service.ts';
import { acceptMessage } from '../../core/messages/moderation.service.ts';
import { CONSENT_VERSION, consentHash } from '../../core/residents/consent.service.ts';
import type { TestDatabase } from '../../test/database.ts';
import { Conversation, loadFixture, fixturePath } from '../../test/telegram/conversation.ts';
import { BotHarness, botHarnessPerFile } from '../../test/telegram/harness.ts';
import { KEMEROVO, location, newUser, photo, press, text } from '../../test/telegram/updates.ts';
import { createTranslator } from '../i18n.ts';
import { renderOutboxRow } from './render.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const fixture = (name: string) => loadFixture(fixturePath(name));
const staffId = async (role: 'moderator' | 'curator' | 'executor') =>
  (await db.db.selectFrom('staff').select('id').where('municipality_id', '=', db.demo.municipalities.Kemerovo).where('role', '=', role).orderBy('id').executeTakeFirstOrThrow()).id;
const identityOf = (userId: number) => db.db.selectFrom('resident_identity').selectAll().where('channel', '=', 'tg').where('external_id', '=', String(userId)).executeTakeFirstOrThrow();
const messagesOf = async (userId: number) =>
  db.db.selectFrom('message').selectAll().where('author_id', '=', (await identityOf(userId)).resident_id).orderBy('id').execute();

describe('the whole resident journey, replayed from fixtures', () => {
  it('registration → filing with photos and a place → accepted → final answer → rating by tap → complaint', async () => {
    const registration = fixture('registration.json');
    const anna = new Conversation(harness, registration.user);
    await anna.play(registration.updates);

    const identity = await identityOf(registration.user.id);
    expect(identity.chat_id).toBe(String(registration.user.id));
    const resident = await db.db.selectFrom('resident').selectAll().where('id', '=', identity.resident_id).executeTakeFirstOrThrow();
    expect(resident).toMatchObject({ language: 'ru', phone: '+79001234567', display_name: 'Анна Петрова', municipality_id: db.demo.municipalities.Kemerovo });
    expect(resident.registered_at).not.toBeNull();
    const consent = await db.db.selectFrom('consent').selectAll().where('resident_id', '=', resident.id).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ channel: 'tg', text_version: CONSENT_VERSION, withdrawn_at: null });
    expect(consent.text_hash).toBe(consentHash(t('ru', 'reg.consent_text', { version: CONSENT_VERSION })));

    await anna.play(fixture('file-message.json').updates);
    const [message] = await messagesOf(registration.user.id);
    const category = await db.db.selectFrom('category').select('id').where('code', '=', 'roads.pothole').executeTakeFirstOrThrow();
    expect(message).toMatchObject({ category_id: category.id, municipality_id: db.demo.municipalities.Kemerovo, status: 'new', channel: 'tg', lat: 55.3601, lon: 86.0902, address: 'Дом 12, ул. Весенняя, 12, Кемерово' });
    expect(message!.text).toMatch(/^Глубокая яма/);
    const photos = await db.db.selectFrom('message_photo').selectAll().where('message_id', '=', message!.id).orderBy('position').execute();
    expect(photos.map((p) => [p.file_id, p.file_unique_id, p.channel])).toEqual([
      ['AgACAgIAAxkBAAEBphoto1-l', 'AQADphoto1-l', 'tg'],
      ['AgACAgIAAxkBAAEBphoto2-l', 'AQADphoto2-l', 'tg'],
    ]);
    expect(anna.replyTexts.join('\n')).toContain(t('ru', 'notice.not_59fz'));

    await acceptMessage(db.db, { messageId: message!.id, actor: { kind: 'staff', staffId: await staffId('moderator') } }, new Date());
    const { answer } = await draftAnswer(db.db, { messageId: message!.id, kind: 'final', resolution: 'solved', text: 'Яма заделана асфальтом.', actor: { kind: 'staff', staffId: await staffId('executor') } }, new Date());
    await approveAnswer(db.db, { answerId: answer.id, actor: { kind: 'staff', staffId: await staffId('curator') } }, new Date());

    // Notifications only: the bot's direct replies are rows of the reply lane, sent already.
    const rows = await db.db.selectFrom('outbox').selectAll().where('resident_id', '=', resident.id).where('kind', '<>', 'reply').orderBy('id').execute();
    expect(rows.map((r) => [r.kind, r.payload.key, r.chat_id, r.state])).toEqual([
      ['status.accepted', 'notify.accepted', identity.chat_id, 'pending'],
      ['answer.final', 'notify.answer_final', identity.chat_id, 'pending'],
    ]);
    const [call] = renderOutboxRow(rows[1]!, t);
    expect(call?.method).toBe('sendMessage');
    if (call?.method !== 'sendMessage') throw new Error('expected a text message');
    expect(call.params.text).toBe(`Ответ по сообщению №${message!.id} (решено):\nЯма заделана асфальтом.\n\nОцените, пожалуйста, результат.`);
    const keyboard = (call.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard;
    expect(keyboard[0]!.map((b) => [b.text, b.callback_data])).toEqual([1, 2, 3, 4, 5].map((n) => [`${n} ★`, `!r:${message!.id}:${n}`]));

    await anna.deliverOutbox();
    expect(anna.replyTexts[1]).toContain('(решено)');
    await anna.play(fixture('rate-low.json').updates);
    const rating = await db.db.selectFrom('rating').selectAll().where('message_id', '=', message!.id).executeTakeFirstOrThrow();
    expect(rating).toMatchObject({ stars: 2, flagged: true, resident_id: resident.id, complaint: 'Яму засыпали щебнем, через неделю она снова появилась.' });

    // The rating buttons are single-use: a second tap is answered, not applied.
    await anna.send(press('5 ★'));
    expect(anna.replyTexts[0]).toBe(t('ru', 'errors.ALREADY_RATED'));
    expect((await db.db.selectFrom('rating').select('stars').where('message_id', '=', message!.id).executeTakeFirstOrThrow()).stars).toBe(2);
  });

  it('a restart in the middle of filing continues where the resident was', async () => {
    const user = newUser('Пётр');
    const petr = new Conversation(harness, user);
    await petr.play(fixture('registration.json').updates);
    await petr.play([text('/new'), press('ЖКХ'), press('Протекает крыша'), text('Крыша течёт над третьим подъездом.')]);
    const state = await db.db.selectFrom('dialog_state').selectAll().where('channel', '=', 'tg').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect([state.flow, state.step]).toEqual(['filing', 'location']);

    await harness.restart();

    await petr.send(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(petr.replyTexts[0]).toContain('Место принято');
    await petr.play([press('Без фото'), press('✅ Отправить')]);
    const messages = await messagesOf(user.id);
    expect(messages.map((m) => m.text)).toEqual(['Крыша течёт над третьим подъездом.']);
  });

  it('a duplicate update_id is acknowledged without effect: the message is filed once', async () => {
    const user = newUser('Ольга');
    const olga = new Conversation(harness, user);
    await olga.play(fixture('registration.json').updates);
    await olga.play([text('/new'), press('Дороги'), press('Ямы на дороге'), text('Яма у остановки.'), location(KEMEROVO.lat, KEMEROVO.lon), press('Без фото')]);
    const send = { update_id: 900_000_001, callback_query: { data: olga.findButton('✅ Отправить').data, message: { message_id: olga.findButton('✅ Отправить').messageId, date: 0, chat: { id: user.id, type: 'private' } } } };

    expect(await olga.send(send)).toBe(200);
    expect(olga.replyTexts[0]).toContain('отправлено на модерацию');
    const callsBefore = harness.fake.calls.length;
    expect(await olga.send(send)).toBe(200);
    expect(harness.fake.calls.length).toBe(callsBefore);
    expect(await messagesOf(user.id)).toHaveLength(1);
    const processed = await db.db.selectFrom('processed_update').selectAll().where('update_id', '=', '900000001').execute();
    expect(processed).toHaveLength(1);
  });

  it("an album's photos arriving at the same time are all kept (updates of one chat serialise)", async () => {
    const user = newUser('Вера');
    const vera = new Conversation(harness, user);
    await vera.play(fixture('registration.json').updates);
    await vera.play([text('/new'), press('Дороги'), press('Разрушен тротуар'), text('Тротуар провалился.'), location(KEMEROVO.lat, KEMEROVO.lon)]);
    const album = ['p1', 'p2', 'p3'].map((id) => ({ ...photo(id), message: { ...photo(id).message, media_group_id: 'album-1' } }));
    const statuses = await Promise.all(album.map((update) => vera.send(update)));
    expect(statuses).toEqual([200, 200, 200]);
    await vera.play([press('Готово'), press('✅ Отправить')]);
    const [message] = await messagesOf(user.id);
    const photos = await db.db.selectFrom('message_photo').select('file_id').where('message_id', '=', message!.id).execute();
    expect(photos.map((p) => p.file_id).sort()).toEqual(['p1-l', 'p2-l', 'p3-l']);
  });
});
