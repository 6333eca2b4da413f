import { describe, expect, it } from 'vitest';
import { approveAnswer, draftAnswer } from '../../core/messages/answers.service.ts';
import { acceptMessage } from '../../core/messages/moderation.service.ts';
import { CONSENT_VERSION, consentHash } from '../../core/residents/consent.service.ts';
import type { TestDatabase } from '../../test/database.ts';
import { BotHarness, botHarnessPerFile } from '../../test/telegram/harness.ts';
import { loadVkFixture, newVkUser, VkConversation, vkFixturePath } from '../../test/vk/conversation.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const fixture = (name: string) => loadVkFixture(vkFixturePath(name));
const staffId = async (role: 'moderator' | 'curator' | 'executor') =>
  (await db.db.selectFrom('staff').select('id').where('municipality_id', '=', db.demo.municipalities.Kemerovo).where('role', '=', role).orderBy('id').executeTakeFirstOrThrow()).id;
const identityOf = (userId: number) => db.db.selectFrom('resident_identity').selectAll().where('channel', '=', 'vk').where('external_id', '=', String(userId)).executeTakeFirstOrThrow();
const messagesOf = async (userId: number) => db.db.selectFrom('message').selectAll().where('author_id', '=', (await identityOf(userId)).resident_id).orderBy('id').execute();
const keyboardOf = (params: Record<string, string>) => JSON.parse(params.keyboard ?? 'null') as { inline?: boolean; one_time?: boolean; buttons: { action: Record<string, string> }[][] } | null;

describe('the VK resident journey, posted as Callback API events', () => {
  it('registration → filing with photos and a place → accepted → final answer → rating by callback → complaint', async () => {
    const user = newVkUser('Анна');
    const anna = new VkConversation(harness, user);
    await anna.play(fixture('registration.json').updates);

    const identity = await identityOf(user.id);
    expect(identity.chat_id).toBe(String(user.id));
    const resident = await db.db.selectFrom('resident').selectAll().where('id', '=', identity.resident_id).executeTakeFirstOrThrow();
    expect(resident).toMatchObject({ language: 'ru', phone: null, municipality_id: db.demo.municipalities.Kemerovo });
    expect(resident.registered_at).not.toBeNull();
    const consent = await db.db.selectFrom('consent').selectAll().where('resident_id', '=', resident.id).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ channel: 'vk', text_version: CONSENT_VERSION, withdrawn_at: null });
    expect(consent.text_hash).toBe(consentHash(t('ru', 'reg.consent_text', { version: CONSENT_VERSION })));
    // Every button press was answered with sendMessageEventAnswer (the spinner stops).
    const answers = harness.vkFake.calls.filter((c) => c.method === 'messages.sendMessageEventAnswer' && c.params.user_id === String(user.id));
    expect(answers.length).toBe(4);

    await anna.play(fixture('file-message.json').updates);
    const [message] = await messagesOf(user.id);
    const category = await db.db.selectFrom('category').select('id').where('code', '=', 'roads.pothole').executeTakeFirstOrThrow();
    expect(message).toMatchObject({ category_id: category.id, municipality_id: db.demo.municipalities.Kemerovo, status: 'new', channel: 'vk', lat: 55.3601, lon: 86.0902, address: 'ул. Весенняя, 12, Кемерово' });
    const photos = await db.db.selectFrom('message_photo').selectAll().where('message_id', '=', message!.id).orderBy('position').execute();
    expect(photos.map((p) => [p.file_id, p.file_unique_id, p.channel])).toEqual([
      ['photo700000001_457239017_a1b2c3', 'photo700000001_457239017', 'vk'],
      ['photo700000001_457239018_d4e5f6', 'photo700000001_457239018', 'vk'],
    ]);
    expect(anna.replyTexts.join('\n')).toContain(t('ru', 'notice.not_59fz'));

    await acceptMessage(db.db, { messageId: message!.id, actor: { kind: 'staff', staffId: await staffId('moderator') } }, new Date());
    const { answer } = await draftAnswer(db.db, { messageId: message!.id, kind: 'final', resolution: 'solved', text: 'Яма заделана асфальтом.', actor: { kind: 'staff', staffId: await staffId('executor') } }, new Date());
    await approveAnswer(db.db, { answerId: answer.id, actor: { kind: 'staff', staffId: await staffId('curator') } }, new Date());
    const rows = await db.db.selectFrom('outbox').selectAll().where('resident_id', '=', resident.id).where('kind', '<>', 'reply').orderBy('id').execute();
    expect(rows.map((r) => [r.kind, r.channel, r.chat_id])).toEqual([
      ['status.accepted', 'vk', String(user.id)],
      ['answer.final', 'vk', String(user.id)],
    ]);

    await anna.deliverOutbox();
    const final = anna.replies.find((c) => (c.params.message ?? '').includes('(решено)'));
    expect(final?.params.message).toBe(`Ответ по сообщению №${message!.id} (решено):\nЯма заделана асфальтом.\n\nОцените, пожалуйста, результат.`);
    const stars = keyboardOf(final!.params)!;
    expect(stars.inline).toBe(true);
    expect(stars.buttons[0]!.map((b) => [b.action.type, b.action.label, b.action.payload])).toEqual([1, 2, 3, 4, 5].map((n) => ['callback', `${n} ★`, JSON.stringify({ b: `!r:${message!.id}:${n}` })]));
    expect(Number(final!.params.random_id)).toBe(rows[1]!.id);

    await anna.play([{ type: 'message_event', object: { payload: '$press:2 ★' } }]);
    await anna.send({ type: 'message_new', object: { message: { text: 'Яму засыпали щебнем, через неделю она снова появилась.' } } });
    const rating = await db.db.selectFrom('rating').selectAll().where('message_id', '=', message!.id).executeTakeFirstOrThrow();
    expect(rating).toMatchObject({ stars: 2, flagged: true, resident_id: resident.id, complaint: 'Яму засыпали щебнем, через неделю она снова появилась.' });

    // The rating buttons are single-use: a second tap is answered, not applied.
    await anna.send({ type: 'message_event', object: { payload: '$press:5 ★' } });
    expect(anna.replyTexts[0]).toBe(t('ru', 'errors.ALREADY_RATED'));
  });

  it('the location step shows a regular keyboard with a VK location button, removed by the next answer', async () => {
    const user = newVkUser('Пётр');
    const petr = new VkConversation(harness, user);
    await petr.play(fixture('registration.json').updates);
    await petr.play([
      { type: 'message_new', object: { message: { text: '/new' } } },
      { type: 'message_event', object: { payload: '$press:ЖКХ' } },
      { type: 'message_event', object: { payload: '$press:Протекает крыша' } },
      { type: 'message_new', object: { message: { text: 'Крыша течёт над третьим подъездом.' } } },
    ]);
    const regular = petr.replies.map((c) => keyboardOf(c.params)).find((k) => k && !k.inline);
    expect(regular?.buttons).toEqual([[{ action: { type: 'location', payload: JSON.stringify({ b: 'location' }) } }]]);
    await harness.restart();
    await petr.send({ type: 'message_new', object: { message: { geo: { type: 'point', coordinates: { latitude: 55.3601, longitude: 86.0902 } } } } });
    expect(petr.replyTexts[0]).toContain('Место принято');
    expect(keyboardOf(petr.replies[0]!.params)).toEqual({ one_time: true, buttons: [] });
    await petr.play([{ type: 'message_event', object: { payload: '$press:Без фото' } }, { type: 'message_event', object: { payload: '$press:✅ Отправить' } }]);
    expect((await messagesOf(user.id)).map((m) => m.text)).toEqual(['Крыша течёт над третьим подъездом.']);
  });

  it('a message with text and photos in one event is taken as the text, then each photo', async () => {
    const user = newVkUser('Вера');
    const vera = new VkConversation(harness, user);
    await vera.play(fixture('registration.json').updates);
    await vera.play([
      { type: 'message_new', object: { message: { text: '/new' } } },
      { type: 'message_event', object: { payload: '$press:Дороги' } },
      { type: 'message_event', object: { payload: '$press:Разрушен тротуар' } },
      { type: 'message_new', object: { message: { text: 'Тротуар провалился.' } } },
      { type: 'message_new', object: { message: { geo: { coordinates: { latitude: 55.3601, longitude: 86.0902 } } } } },
    ]);
    const photo = (id: number) => ({ type: 'photo', photo: { id, owner_id: user.id, sizes: [{ type: 'x', width: 604, height: 453, url: 'https://sun9-1.userapi.com/x.jpg' }] } });
    await vera.send({ type: 'message_new', object: { message: { attachments: [photo(1), photo(2), photo(3)] } } });
    expect(vera.replyTexts.filter((text) => text.includes('из 5'))).toHaveLength(3);
    await vera.play([{ type: 'message_event', object: { payload: '$press:Готово' } }, { type: 'message_event', object: { payload: '$press:✅ Отправить' } }]);
    const [message] = await messagesOf(user.id);
    const photos = await db.db.selectFrom('message_photo').select('file_id').where('message_id', '=', message!.id).orderBy('position').execute();
    expect(photos.map((p) => p.file_id)).toEqual([1, 2, 3].map((id) => `photo${user.id}_${id}`));
  });
});
