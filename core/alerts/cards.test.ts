import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Keyboard } from '../../bots/dialogs/view.ts';
import { createTranslator } from '../../bots/i18n.ts';
import { renderText } from '../../bots/render-text.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, NOVOKUZNETSK_CENTER, registeredResident } from '../../test/residents.ts';
import { demoStaff, linkStaff, messageInWork, regionalCurator } from '../../test/staff.ts';
import { draftAnswer, reviseAnswer } from '../messages/answers.service.ts';
import { fileMessage } from '../messages/filing.service.ts';
import { acceptMessage } from '../messages/moderation.service.ts';
import { listAlerts } from './alerts.ts';
import { approvalKeyboard, assignedKeyboard, parseAlertButton } from './buttons.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const at = (iso: string) => new Date(iso);

describe('alert buttons', () => {
  it('are abstract inline keyboards the bots render, with ids that parse back', () => {
    const card: Keyboard = assignedKeyboard(42);
    const approval: Keyboard = approvalKeyboard(7);
    const ids = [card, approval].flatMap((k) => (k.kind === 'inline' ? k.rows.flat().map((b) => b.id) : []));
    expect(ids).toEqual(['!ans:i:42', '!ans:f:42', '!ans:c:42', '!apr:a:7', '!apr:r:7']);
    // Cards sent before the button ids were unified keep working: their ids read as the same actions.
    const legacy = ['ans1:i:42', 'ans1:f:42', 'ans1:c:42', 'apr1:a:7', 'apr1:r:7'];
    expect(legacy.map(parseAlertButton)).toEqual(ids.map(parseAlertButton));
    expect(ids.map(parseAlertButton)).toEqual([
      { action: 'answer', kind: 'intermediate', messageId: 42 },
      { action: 'answer', kind: 'final', messageId: 42 },
      { action: 'answer', kind: 'clarification', messageId: 42 },
      { action: 'approve', answerId: 7 },
      { action: 'return', answerId: 7 },
    ]);
    for (const id of ids) expect(Buffer.byteLength(id)).toBeLessThanOrEqual(64);
    for (const bad of ['ans0:i:42', 'ans1:x:42', 'ans1:i:0', 'ans1:i:-1', 'apr1:z:3', 'ans1:i:99999999999', '!ans:i:42:1', '!apr:a', '!r:1:3', 'cat:3', '']) expect(parseAlertButton(bad), bad).toBeNull();
  });
});

describe('the executor card and the approval card', () => {
  it('an accepted message reaches the executor as a card: text, category, address, deadline, photos of that messenger, place, buttons', async () => {
    const kemerovo = t.demo.municipalities.Kemerovo;
    const staff = await demoStaff(t.db, kemerovo);
    const tgChat = await linkStaff(t.db, staff.executor, 'tg');
    const vkChat = await linkStaff(t.db, staff.executor, 'vk');
    const residentId = await registeredResident(t.db, { municipalityId: kemerovo });
    const { message } = await fileMessage(
      t.db,
      { residentId, categoryId: await categoryId(t.db, 'roads.pothole'), text: 'Яма у дома 5', point: KEMEROVO_CENTER, address: 'ул. Весенняя, 5', channel: 'tg', photos: [{ fileId: 'AgAD-1', fileUniqueId: 'u1' }, { fileId: 'AgAD-2', fileUniqueId: 'u2' }] },
      at('2026-11-02T02:00:00Z'),
    );
    await acceptMessage(t.db, { messageId: message.id, actor: { kind: 'staff', staffId: staff.moderator } }, at('2026-11-02T03:15:00Z'));

    const rows = await t.db.selectFrom('outbox').select(['channel', 'chat_id', 'payload']).where('kind', '=', 'alert.assigned').where('staff_id', '=', staff.executor).orderBy('channel').execute();
    expect(rows.map((r) => [r.channel, r.chat_id])).toEqual([['tg', tgChat], ['vk', vkChat]]);
    const [tg, vk] = rows.map((r) => r.payload);
    expect(tg).toMatchObject({
      key: 'alert.assigned',
      params: { messageId: message.id, text: 'Яма у дома 5', categoryRu: expect.any(String), categoryEn: expect.any(String), address: 'ул. Весенняя, 5', deadline: '16.11.2026 10:15' },
      photos: ['AgAD-1', 'AgAD-2'],
      location: KEMEROVO_CENTER,
      keyboard: assignedKeyboard(message.id),
    });
    expect(tg!.params).not.toHaveProperty('context');
    // Telegram file ids mean nothing to VK.
    expect(vk!.photos).toBeUndefined();

    const t9n = createTranslator();
    const ru = t9n('ru', tg!.key, tg!.params);
    expect(ru).toContain(`№${message.id}`);
    expect(ru).toContain('до 16.11.2026 10:15');
    expect(ru).toContain('Яма у дома 5');
    expect(t9n('en', tg!.key, tg!.params)).toContain(`Message #${message.id} has been assigned to you.`);
    expect(await listAlerts(t.db, { messageId: message.id, kind: 'alert.assigned' })).toMatchObject([{ staffId: staff.executor, queued: true }]);
  });

  it("the other messenger's card carries the photos' copies in the media store, and counts in its note only those not copied", async () => {
    const kemerovo = t.demo.municipalities.Kemerovo;
    const staff = await demoStaff(t.db, kemerovo);
    const residentId = await registeredResident(t.db, { municipalityId: kemerovo });
    const pothole = await categoryId(t.db, 'roads.pothole');
    const filed = (photos: { fileId: string; url: string }[]) => fileMessage(t.db, { residentId, categoryId: pothole, text: 'Яма', point: KEMEROVO_CENTER, channel: 'vk', photos }, at('2026-11-05T02:00:00Z'));
    const vkPhoto = (n: number) => ({ fileId: `photo700_${n}_k`, url: `https://sun9-1.userapi.com/${n}.jpg` });
    const copy = async (messageId: number, position: number) => {
      const media = await t.db
        .insertInto('media')
        .values({ sha256: randomBytes(32).toString('hex'), mime: 'image/jpeg', kind: 'image', size_bytes: 100, municipality_id: kemerovo, created_by_staff_id: null, origin: 'vk' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db.updateTable('message_photo').set({ media_id: media.id, copy_due_at: null }).where('message_id', '=', messageId).where('position', '=', position).execute();
      return media.id;
    };
    const cardPayloads = async (messageId: number) => {
      await acceptMessage(t.db, { messageId, actor: { kind: 'staff', staffId: staff.moderator } }, at('2026-11-06T03:00:00Z'));
      const rows = await t.db.selectFrom('outbox').select(['channel', 'payload']).where('kind', '=', 'alert.assigned').where('staff_id', '=', staff.executor).execute();
      return Object.fromEntries(rows.filter((r) => r.payload.params?.messageId === messageId).map((r) => [r.channel, r.payload]));
    };
    await linkStaff(t.db, staff.executor, 'tg');
    await linkStaff(t.db, staff.executor, 'vk');
    const t9n = createTranslator();

    // Both copied: Telegram shows the copies, VK the resident's own attachments; no note anywhere.
    const all = (await filed([vkPhoto(1), vkPhoto(2)])).message.id;
    const copies = [await copy(all, 0), await copy(all, 1)];
    const both = await cardPayloads(all);
    expect(both.tg).toMatchObject({ media: copies, params: { photosNote: '' } });
    expect(both.tg!.photos).toBeUndefined();
    expect(both.vk).toMatchObject({ photos: ['photo700_1_k', 'photo700_2_k'], params: { photosNote: '' } });
    expect(both.vk!.media).toBeUndefined();

    // One of two copied: Telegram shows it and counts the other.
    const half = (await filed([vkPhoto(3), vkPhoto(4)])).message.id;
    const second = await copy(half, 1);
    const some = await cardPayloads(half);
    expect(some.tg!.media).toEqual([second]);
    expect(renderText(t9n, 'ru', some.tg!)).toContain('Не показаны фото: 1 из 2 — присланы через VK');
    expect(renderText(t9n, 'en', some.tg!)).toContain('Photos not shown here: 1 of 2, sent via VK');

    // None copied (yet, or ever): the note counts them all, as before copies existed.
    const none = (await filed([vkPhoto(5)])).message.id;
    const bare = await cardPayloads(none);
    expect(bare.tg!.media).toBeUndefined();
    expect(renderText(t9n, 'ru', bare.tg!)).toContain('Фото к сообщению: 1 — присланы через VK');
  });

  it('an urgent or open-source message card asks for a draft within one working hour', async () => {
    const kemerovo = t.demo.municipalities.Kemerovo;
    const staff = await demoStaff(t.db, kemerovo);
    const residentId = await registeredResident(t.db, { municipalityId: kemerovo });
    const { message } = await fileMessage(t.db, { residentId, categoryId: await categoryId(t.db, 'roads.pothole'), text: 'Провал асфальта', point: KEMEROVO_CENTER, channel: 'tg' }, at('2026-11-03T02:00:00Z'));
    await t.db.updateTable('message').set({ open_source: true }).where('id', '=', message.id).execute();
    await acceptMessage(t.db, { messageId: message.id, actor: { kind: 'staff', staffId: staff.moderator } }, at('2026-11-03T03:00:00Z'));
    const row = await t.db.selectFrom('outbox').select('payload').where('kind', '=', 'alert.assigned').where('staff_id', '=', staff.executor).where('channel', '=', 'tg').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(row.payload.params).toMatchObject({ messageId: message.id, context: 'urgent' });
    expect(createTranslator()('ru', row.payload.key, row.payload.params)).toContain('1 рабочего часа');
  });

  it("the urgent card names when the one working hour ends: accepted on Friday near midnight, by Monday 10:00, not «within the hour» of the night", async () => {
    const kemerovo = t.demo.municipalities.Kemerovo;
    const staff = await demoStaff(t.db, kemerovo);
    const residentId = await registeredResident(t.db, { municipalityId: kemerovo });
    const { message } = await fileMessage(t.db, { residentId, categoryId: await categoryId(t.db, 'roads.pothole'), text: 'Открытый люк', point: KEMEROVO_CENTER, channel: 'tg' }, at('2026-11-06T16:00:00Z'));
    await t.db.updateTable('message').set({ urgent: true }).where('id', '=', message.id).execute();
    // Friday 6 November 2026, 23:30 in Kemerovo.
    await acceptMessage(t.db, { messageId: message.id, actor: { kind: 'staff', staffId: staff.moderator } }, at('2026-11-06T16:30:00Z'));
    const row = await t.db.selectFrom('outbox').select('payload').where('kind', '=', 'alert.assigned').where('staff_id', '=', staff.executor).where('channel', '=', 'tg').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(row.payload.params).toMatchObject({ messageId: message.id, context: 'urgent', due: '09.11.2026 10:00' });
    const t9n = createTranslator();
    expect(t9n('ru', row.payload.key, row.payload.params)).toContain('не позднее 1 рабочего часа (до 09.11.2026 10:00)');
    expect(t9n('en', row.payload.key, row.payload.params)).toContain('within 1 working hour (by 09.11.2026 10:00)');
  });

  it('a draft, and each revision of it, reaches the curators with Approve / Return buttons', async () => {
    const kemerovo = t.demo.municipalities.Kemerovo;
    const staff = await demoStaff(t.db, kemerovo);
    const curatorChat = await linkStaff(t.db, staff.curator);
    const residentId = await registeredResident(t.db, { municipalityId: kemerovo });
    const { message } = await fileMessage(t.db, { residentId, categoryId: await categoryId(t.db, 'roads.pothole'), text: 'Яма', point: KEMEROVO_CENTER, channel: 'tg' }, at('2026-11-04T02:00:00Z'));
    await acceptMessage(t.db, { messageId: message.id, actor: { kind: 'staff', staffId: staff.moderator } }, at('2026-11-04T03:00:00Z'));
    const { answer } = await draftAnswer(t.db, { messageId: message.id, kind: 'intermediate', text: 'Работы запланированы', actor: { kind: 'staff', staffId: staff.executor } }, at('2026-11-04T04:00:00Z'));
    await reviseAnswer(t.db, { answerId: answer.id, text: 'Работы запланированы на 10 ноября', actor: { kind: 'staff', staffId: staff.executor } }, at('2026-11-04T05:00:00Z'));

    const rows = await t.db.selectFrom('outbox').select(['chat_id', 'payload']).where('kind', '=', 'alert.answer_pending').where('staff_id', '=', staff.curator).orderBy('id').execute();
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.chat_id)).toEqual([curatorChat, curatorChat]);
    expect(rows.map((r) => r.payload.params?.text)).toEqual(['Работы запланированы', 'Работы запланированы на 10 ноября']);
    expect(rows[1]!.payload).toMatchObject({ params: { messageId: message.id, answerId: answer.id, kind: 'intermediate', context: 'intermediate' }, keyboard: approvalKeyboard(answer.id) });
    const t9n = createTranslator();
    expect(t9n('ru', rows[1]!.payload.key, rows[1]!.payload.params)).toMatch(/^Промежуточный ответ по сообщению №\d+ ждёт согласования/);
    expect(t9n('en', 'alert.button_approve')).toBe('Approve');
  });
});

describe('the approval card where the municipality has no curator at hand', () => {
  const cardsFor = async (messageId: number) =>
    (await t.db.selectFrom('outbox').select(['staff_id', 'payload']).where('kind', '=', 'alert.answer_pending').orderBy('id').execute()).filter((r) => r.payload.params?.messageId === messageId);

  it('goes to the active regional curators with a messenger, naming the municipality, until a curator of its own is reachable; a municipality with one never copies them', async () => {
    const { Kemerovo, Novokuznetsk } = t.demo.municipalities;
    const regional = await regionalCurator(t.db, 'Куратор ЦУР');
    const inactive = await regionalCurator(t.db, 'Бывший куратор ЦУР', { active: false });
    const withoutMessenger = await regionalCurator(t.db, 'Куратор ЦУР без мессенджера', { linked: false });
    const kemerovo = await demoStaff(t.db, Kemerovo);
    await linkStaff(t.db, kemerovo.curator);
    const nk = await demoStaff(t.db, Novokuznetsk);
    const nkName = await t.db.selectFrom('municipality').select(['name_ru', 'name_en']).where('id', '=', Novokuznetsk).executeTakeFirstOrThrow();
    const t9n = createTranslator();

    // Novokuznetsk's curator has no messenger: a clarification request there reaches the regional curator.
    const nkMessage = await messageInWork(t.db, { municipalityId: Novokuznetsk, acceptedAt: at('2026-11-09T03:00:00Z'), point: NOVOKUZNETSK_CENTER });
    const { answer: request } = await draftAnswer(t.db, { messageId: nkMessage, kind: 'clarification', text: 'Уточните номер дома', actor: { kind: 'staff', staffId: nk.executor } }, at('2026-11-09T04:00:00Z'));
    const [card, ...more] = await cardsFor(nkMessage);
    expect(more).toEqual([]);
    expect(card).toMatchObject({ staff_id: regional, payload: { keyboard: approvalKeyboard(request.id), params: { answerId: request.id, kind: 'clarification' } } });
    expect(renderText(t9n, 'ru', card!.payload)).toBe(`Запрос уточнения по сообщению №${nkMessage} ждёт согласования.\nМуниципалитет: ${nkName.name_ru} — своего куратора на связи в мессенджере у него нет.\n\nУточните номер дома`);
    expect(renderText(t9n, 'en', card!.payload)).toContain(`Municipality: ${nkName.name_en} (no curator of its own is reachable in a messenger).`);
    // The municipality's own curator still has it in GET /alerts; the inactive and the unlinked regional ones have nothing.
    expect((await listAlerts(t.db, { messageId: nkMessage, kind: 'alert.answer_pending' })).map((a) => [a.staffId, a.queued]).sort()).toEqual(
      [
        [nk.curator, false],
        [regional, true],
      ].sort(),
    );
    const nothingFor = async (staffId: number) => [
      await t.db.selectFrom('staff_alert').select('id').where('staff_id', '=', staffId).execute(),
      await t.db.selectFrom('outbox').select('id').where('staff_id', '=', staffId).execute(),
    ];
    expect(await nothingFor(inactive)).toEqual([[], []]);
    expect(await nothingFor(withoutMessenger)).toEqual([[], []]);

    // Kemerovo's curator is linked: an intermediate answer there is theirs alone.
    const kemMessage = await messageInWork(t.db, { municipalityId: Kemerovo, acceptedAt: at('2026-11-09T03:00:00Z') });
    await draftAnswer(t.db, { messageId: kemMessage, kind: 'intermediate', text: 'В плане', actor: { kind: 'staff', staffId: kemerovo.executor } }, at('2026-11-09T04:00:00Z'));
    const kemCards = await cardsFor(kemMessage);
    expect(kemCards.map((c) => c.staff_id)).toEqual([kemerovo.curator]);
    expect(renderText(t9n, 'ru', kemCards[0]!.payload)).toBe(`Промежуточный ответ по сообщению №${kemMessage} ждёт согласования.\n\nВ плане`);

    // Once Novokuznetsk's curator links a messenger, its revision goes to them, not to the region.
    await linkStaff(t.db, nk.curator);
    await reviseAnswer(t.db, { answerId: request.id, text: 'Уточните номер дома и подъезд', actor: { kind: 'staff', staffId: nk.executor } }, at('2026-11-09T05:00:00Z'));
    expect((await cardsFor(nkMessage)).map((c) => c.staff_id)).toEqual([regional, nk.curator]);
    // Their messenger found unreachable (the bot blocked): the next one falls back to the region again.
    await t.db.updateTable('staff_identity').set({ unreachable_at: at('2026-11-09T05:30:00Z') }).where('staff_id', '=', nk.curator).execute();
    await reviseAnswer(t.db, { answerId: request.id, text: 'Уточните номер дома, подъезд и этаж', actor: { kind: 'staff', staffId: nk.executor } }, at('2026-11-09T06:00:00Z'));
    expect((await cardsFor(nkMessage)).map((c) => c.staff_id)).toEqual([regional, nk.curator, regional]);
  });
});

