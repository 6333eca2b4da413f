import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../../../core/access/api-keys.service.ts';
import { runHourlyNewMessageCards } from '../../../core/alerts/new-message.ts';
import { fileMessage } from '../../../core/messages/filing.service.ts';
import { newChat, type Chat } from '../../../test/bots/chats.ts';
import { BotHarness } from '../../../test/bots/harness.ts';
import { CHANNELS, press, tap } from '../../../test/bots/player.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../../test/residents.ts';
import { demoStaff, operatorId, regionalCurator } from '../../../test/staff.ts';
import { createTranslator } from '../../i18n.ts';

/** Issue 18 item 13: moderators get a card per new message and moderate from it in the messenger. */
let db: TestDatabase;
let harness: BotHarness;
let now = new Date('2026-12-01T03:00:00.000Z');
const t = createTranslator();
let operator = '';
let staff: Awaited<ReturnType<typeof demoStaff>>;

beforeAll(async () => {
  db = await createTestDatabase();
  harness = await BotHarness.start({ database: db, clock: () => now });
  staff = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
  operator = (await issueKey(db.db, { staffId: await operatorId(db.db), label: 'test', createdBy: null }, now)).token;
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

const api = (method: string, path: string, body?: unknown) => harness.api(method, path, operator, body);

async function link(channel: Chat['channel'], staffId: number, name: string): Promise<Chat> {
  const code = await api('POST', `/staff/${staffId}/link-codes`, {});
  const chat = newChat(harness, channel, name);
  await chat.say(`/start staff_${code.body.code}`);
  return chat;
}

async function filed(code = 'roads.pothole'): Promise<{ messageId: number; residentId: number }> {
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
  const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId(db.db, code), text: 'Яма во дворе', point: KEMEROVO_CENTER, channel: 'tg' }, now);
  return { messageId: message.id, residentId };
}
const messageRow = (id: number) => db.db.selectFrom('message').select(['status', 'executor_id', 'category_id', 'rejection_reason']).where('id', '=', id).executeTakeFirstOrThrow();
const auditOf = (id: number) => db.db.selectFrom('audit_log').select(['action', 'staff_id', 'request_id']).where('entity', '=', 'message').where('entity_id', '=', String(id)).orderBy('id').execute();

describe.each(CHANNELS)('%s: moderating from the new-message card', (channel) => {
  it('accept to the suggested executor: one winner when a second moderator taps too; audited', async () => {
    const moderator = await link(channel, staff.moderator, 'Модератор');
    const { messageId } = await filed();
    await moderator.deliverOutbox();
    expect(moderator.replyTexts.join('\n')).toContain(`№${messageId}`);
    const ids = moderator
      .keyboards()
      .flatMap((k) => (k.inline ? k.rows.flat() : []))
      .map((b) => b.id);
    expect(ids).toEqual([`!mod:a:${messageId}`, `!mod:o:${messageId}`, `!mod:r:${messageId}`, `!mod:c:${messageId}`]);
    await moderator.say(press(t('ru', 'alert.button_accept_suggested')));
    const city = await db.db.selectFrom('executor').select(['id', 'name']).where('municipality_id', '=', db.demo.municipalities.Kemerovo).orderBy('id').executeTakeFirstOrThrow();
    expect(moderator.replyTexts).toEqual([t('ru', 'official.accepted', { messageId, executor: city.name })]);
    expect(await messageRow(messageId)).toMatchObject({ status: 'in_work', executor_id: city.id });
    // The curator taps the same card a moment later: told what became of the message, nothing changes.
    const curator = await link(channel, staff.curator, 'Куратор');
    await curator.say(tap(`!mod:a:${messageId}`));
    expect(curator.replyTexts[0]).toBe(t('ru', 'official.moderated_in_work', { messageId, executor: city.name }));
    expect(await auditOf(messageId)).toEqual([{ action: 'message.accept', staff_id: staff.moderator, request_id: `bot:${channel}:${moderator.externalId}` }]);
  });

  it('another executor from the list, rejection with a listed or a typed reason, a new category', async () => {
    const moderator = await link(channel, staff.moderator, 'Модератор');
    const first = await filed();
    await moderator.say(tap(`!mod:o:${first.messageId}`));
    const utility = await db.db.selectFrom('executor').select(['id', 'name']).where('municipality_id', '=', db.demo.municipalities.Kemerovo).orderBy('id', 'desc').executeTakeFirstOrThrow();
    await moderator.say(press(utility.name));
    expect(moderator.replyTexts).toEqual([t('ru', 'official.accepted', { messageId: first.messageId, executor: utility.name })]);
    expect((await messageRow(first.messageId)).executor_id).toBe(utility.id);

    const second = await filed();
    await moderator.say(tap(`!mod:r:${second.messageId}`));
    await moderator.say(press(t('ru', 'official.reject_button_no_details')));
    expect(moderator.replyTexts).toEqual([t('ru', 'official.rejected', { messageId: second.messageId })]);
    expect(await messageRow(second.messageId)).toMatchObject({ status: 'rejected', rejection_reason: t('ru', 'official.reject_reason_no_details') });
    const notice = await db.db.selectFrom('outbox').select('payload').where('resident_id', '=', second.residentId).where('kind', '=', 'status.rejected').executeTakeFirstOrThrow();
    expect(notice.payload.params).toMatchObject({ reason: t('ru', 'official.reject_reason_no_details') });

    const third = await filed();
    await moderator.say(tap(`!mod:r:${third.messageId}`));
    await moderator.say('Повторное обращение по тому же адресу уже в работе');
    expect(await messageRow(third.messageId)).toMatchObject({ status: 'rejected', rejection_reason: 'Повторное обращение по тому же адресу уже в работе' });

    const fourth = await filed('roads.pothole');
    await moderator.say(tap(`!mod:c:${fourth.messageId}`));
    await moderator.say(press('Не работает уличное освещение'));
    expect(moderator.replyTexts).toEqual([t('ru', 'official.category_changed', { messageId: fourth.messageId, category: 'Не работает уличное освещение' })]);
    expect((await messageRow(fourth.messageId)).category_id).toBe(await categoryId(db.db, 'roads.lighting'));
    expect((await auditOf(fourth.messageId)).map((a) => a.action)).toEqual(['message.change_category']);
  });

  it('pages the list of executors, so every one of a long directory can be chosen, within one VK keyboard', async () => {
    const kemerovo = db.demo.municipalities.Kemerovo;
    const prefix = `${channel}: УК «Дом-`;
    await db.db
      .insertInto('executor')
      .values(Array.from({ length: 11 }, (_, i) => ({ municipality_id: kemerovo, name: `${prefix}${i + 1}»`, kind: 'organisation' as const })))
      .execute();
    const last = await db.db.selectFrom('executor').select(['id', 'name']).where('name', '=', `${prefix}11»`).executeTakeFirstOrThrow();
    const moderator = await link(channel, staff.moderator, 'Модератор');
    const { messageId } = await filed();
    await moderator.say(tap(`!mod:o:${messageId}`));
    const rows = () => moderator.keyboards().at(-1)!.rows;
    expect(rows().length).toBeLessThanOrEqual(channel === 'vk' ? 6 : 12);
    expect(rows().flat().length).toBeLessThanOrEqual(channel === 'vk' ? 10 : 100);
    for (
      let page = 0;
      page < 5 &&
      !rows()
        .flat()
        .some((b) => b.label === last.name);
      page++
    )
      await moderator.say(press(t('ru', 'dialog.page_next')));
    await moderator.say(press(last.name));
    expect(moderator.replyTexts).toEqual([t('ru', 'official.accepted', { messageId, executor: last.name })]);
    expect((await messageRow(messageId)).executor_id).toBe(last.id);
    // The other tests pick Kemerovo's executors by id: the long directory goes away again.
    const city = await db.db.selectFrom('executor').select('id').where('municipality_id', '=', kemerovo).orderBy('id').executeTakeFirstOrThrow();
    await db.db.updateTable('message').set({ executor_id: city.id }).where('id', '=', messageId).execute();
    await db.db.deleteFrom('executor').where('name', 'like', `${prefix}%`).execute();
  });

  it("a card used after someone else moderated the message says what became of it, in the official's language; nothing changes", async () => {
    const moderator = await link(channel, staff.moderator, 'Модератор');
    const curator = await link(channel, staff.curator, 'Куратор');
    const city = await db.db.selectFrom('executor').select(['id', 'name']).where('municipality_id', '=', db.demo.municipalities.Kemerovo).orderBy('id').executeTakeFirstOrThrow();
    // The moderator opens the list of reasons; the curator accepts the message in the console meanwhile.
    const first = await filed();
    await moderator.say(tap(`!mod:r:${first.messageId}`));
    expect((await api('POST', `/messages/${first.messageId}/accept`, {})).status).toBe(200);
    await moderator.say(press(t('ru', 'official.reject_button_no_details')));
    expect(moderator.replyTexts).toEqual([t('ru', 'official.moderated_in_work', { messageId: first.messageId, executor: city.name })]);
    expect(await messageRow(first.messageId)).toMatchObject({ status: 'in_work', rejection_reason: null });
    // Days later the curator, who reads English, taps Reject and Accept on their copies of the card.
    await api('PATCH', `/staff/${staff.curator}`, { language: 'en' });
    await curator.say(tap(`!mod:r:${first.messageId}`));
    expect(curator.replyTexts[0]).toBe(t('en', 'official.moderated_in_work', { messageId: first.messageId, executor: city.name }));
    const second = await filed();
    await moderator.say(tap(`!mod:r:${second.messageId}`));
    await moderator.say(press(t('ru', 'official.reject_button_no_details')));
    await curator.say(tap(`!mod:a:${second.messageId}`));
    expect(curator.replyTexts[0]).toBe(t('en', 'official.moderated_rejected', { messageId: second.messageId }));
    await curator.say(tap(`!mod:c:${second.messageId}`));
    expect(curator.replyTexts[0]).toBe(t('en', 'official.moderated_rejected', { messageId: second.messageId }));
    expect(await messageRow(second.messageId)).toMatchObject({ status: 'rejected' });
    await api('PATCH', `/staff/${staff.curator}`, { language: 'ru' });
    // Closed since: the card says so.
    await db.db.updateTable('message').set({ status: 'solved' }).where('id', '=', first.messageId).execute();
    await moderator.say(tap(`!mod:o:${first.messageId}`));
    expect(moderator.replyTexts[0]).toBe(t('ru', 'official.moderated_closed', { messageId: first.messageId }));
  });

  it('refuses an executor and an official of another municipality', async () => {
    const executor = await link(channel, staff.executor, 'Исполнитель');
    const { messageId } = await filed();
    await executor.say(tap(`!mod:a:${messageId}`));
    expect(executor.replyTexts[0]).toBe(t('ru', 'errors.MESSAGE_NOT_FOUND'));
    expect((await messageRow(messageId)).status).toBe('new');
  });
});

describe('how each moderator hears of new messages', () => {
  it('immediate by default, hourly at the top of each working hour, digest only: no card', async () => {
    const count = async (staffId: number, messageId: number) =>
      (await db.db.selectFrom('staff_alert').select('id').where('staff_id', '=', staffId).where('message_id', '=', messageId).where('kind', '=', 'alert.new_message').execute()).length;
    expect((await api('PATCH', `/staff/${staff.moderator}`, { newMessageAlerts: 'hourly' })).status).toBe(200);
    const hourly = await filed();
    expect(await count(staff.moderator, hourly.messageId)).toBe(0);
    now = new Date(now.getTime() + 3_600_000);
    expect((await runHourlyNewMessageCards(db.db, now)).alerts).toBeGreaterThanOrEqual(1);
    expect(await count(staff.moderator, hourly.messageId)).toBe(1);
    expect((await runHourlyNewMessageCards(db.db, now)).alerts).toBe(0);
    // Filed in the evening: no card at night (22:00 and 03:00 Kuzbass time), the first batch of the working day has it.
    now = new Date('2026-12-01T14:30:00.000Z');
    const evening = await filed();
    expect((await runHourlyNewMessageCards(db.db, new Date('2026-12-01T15:00:00.000Z'))).alerts).toBe(0);
    expect((await runHourlyNewMessageCards(db.db, new Date('2026-12-01T20:00:00.000Z'))).alerts).toBe(0);
    expect(await count(staff.moderator, evening.messageId)).toBe(0);
    now = new Date('2026-12-02T02:00:00.000Z');
    expect((await runHourlyNewMessageCards(db.db, now)).alerts).toBeGreaterThanOrEqual(1);
    expect(await count(staff.moderator, evening.messageId)).toBe(1);
    expect((await api('PATCH', `/staff/${staff.moderator}`, { newMessageAlerts: 'digest' })).status).toBe(200);
    const digestOnly = await filed();
    await runHourlyNewMessageCards(db.db, new Date(now.getTime() + 3_600_000));
    expect(await count(staff.moderator, digestOnly.messageId)).toBe(0);
    expect((await api('PATCH', `/staff/${staff.moderator}`, { newMessageAlerts: 'sometimes' })).status).toBe(400);
    await api('PATCH', `/staff/${staff.moderator}`, { newMessageAlerts: 'immediate' });
  });

  it("hourly: the batch that closes the working day brings the messages of its last hour, not the next working morning's", async () => {
    await db.db.deleteFrom('staff_identity').where('staff_id', '=', staff.moderator).execute();
    const moderator = await link('tg', staff.moderator, 'Модератор');
    expect((await api('PATCH', `/staff/${staff.moderator}`, { newMessageAlerts: 'hourly' })).status).toBe(200);
    const cardOf = async (messageId: number) => {
      await moderator.deliverOutbox();
      return moderator.replyTexts.some((text) => text.includes(`№${messageId}`));
    };
    // Monday 2 November 2026, 17:30 Kuzbass time: filed in the last working hour; the 18:00 batch has it.
    now = new Date('2026-11-02T10:30:00.000Z');
    const monday = await filed();
    await runHourlyNewMessageCards(db.db, new Date('2026-11-02T11:00:00.000Z'));
    expect(await cardOf(monday.messageId)).toBe(true);
    // Filed at 18:10, after work: the 19:00 batch stays silent (the night's messages wait for the morning).
    now = new Date('2026-11-02T11:10:00.000Z');
    const evening = await filed();
    await runHourlyNewMessageCards(db.db, new Date('2026-11-02T12:00:00.000Z'));
    expect(await cardOf(evening.messageId)).toBe(false);
    // Tuesday 3 November, the shortened day before the 4 November holiday, ends at 17:00: filed at
    // 16:30, it comes at 17:00 rather than on Thursday morning.
    now = new Date('2026-11-03T09:30:00.000Z');
    const shortened = await filed();
    await runHourlyNewMessageCards(db.db, new Date('2026-11-03T10:00:00.000Z'));
    expect(await cardOf(shortened.messageId)).toBe(true);
    await api('PATCH', `/staff/${staff.moderator}`, { newMessageAlerts: 'immediate' });
  });
});

describe.each(CHANNELS)('%s: the moderation fixture', (channel) => {
  it('replays: linked, accepted from the card, rejected with a listed reason', async () => {
    // The moderator may be linked in this messenger from the tests above: the fixture links its own account.
    await db.db.deleteFrom('staff_identity').where('staff_id', '=', staff.moderator).execute();
    const moderator = newChat(harness, channel, 'Ольга');
    await moderator.playFixture('moderation.json');
    const accepted = await db.db.selectFrom('message').select(['status', 'executor_id']).where('text', '=', 'Яма на въезде во двор дома 12.').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(accepted.status).toBe('in_work');
    const rejected = await db.db.selectFrom('message').select(['status', 'rejection_reason']).where('text', '=', 'Тут что-то не так.').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(rejected).toEqual({ status: 'rejected', rejection_reason: t('ru', 'official.reject_reason_no_details') });
  });
});

describe.each(CHANNELS)('%s: curators moderate from the card when no moderator is at hand', (channel) => {
  const cardButtons = (chat: Chat) =>
    chat
      .keyboards()
      .flatMap((k) => (k.inline ? k.rows.flat() : []))
      .map((b) => b.id);
  const city = () => db.db.selectFrom('executor').select(['id', 'name']).where('municipality_id', '=', db.demo.municipalities.Kemerovo).orderBy('id').executeTakeFirstOrThrow();

  it("the municipality's curator gets the card, saying why, and accepts from it; audited as theirs", async () => {
    // No moderator of Kemerovo linked in any messenger (the tests above linked them).
    await db.db.deleteFrom('staff_identity').where('staff_id', '=', staff.moderator).execute();
    const curator = await link(channel, staff.curator, 'Куратор');
    const { messageId } = await filed();
    await curator.deliverOutbox();
    const card = curator.replyTexts.join('\n');
    expect(card).toContain(`№${messageId}`);
    expect(card).toContain(t('ru', 'alert.moderation_fallback_note').trim());
    expect(cardButtons(curator)).toEqual([`!mod:a:${messageId}`, `!mod:o:${messageId}`, `!mod:r:${messageId}`, `!mod:c:${messageId}`]);
    await curator.say(press(t('ru', 'alert.button_accept_suggested')));
    const executor = await city();
    expect(curator.replyTexts).toEqual([t('ru', 'official.accepted', { messageId, executor: executor.name })]);
    expect(await messageRow(messageId)).toMatchObject({ status: 'in_work', executor_id: executor.id });
    expect(await auditOf(messageId)).toEqual([{ action: 'message.accept', staff_id: staff.curator, request_id: `bot:${channel}:${curator.externalId}` }]);
  });

  it('a regional curator gets it, naming the municipality, when no curator of it is reachable either, and rejects from it', async () => {
    await db.db.deleteFrom('staff_identity').where('staff_id', 'in', [staff.moderator, staff.curator]).execute();
    const regional = await link(channel, await regionalCurator(db.db, `Куратор ЦУР (${channel})`, { linked: false }), 'Куратор ЦУР');
    const { messageId } = await filed();
    await regional.deliverOutbox();
    const town = await db.db.selectFrom('municipality').select('name_ru').where('id', '=', db.demo.municipalities.Kemerovo).executeTakeFirstOrThrow();
    expect(regional.replyTexts.join('\n')).toContain(t('ru', 'alert.regional_staff_fallback_note', { municipalityRu: town.name_ru }).trim());
    expect(cardButtons(regional)).toContain(`!mod:r:${messageId}`);
    await regional.say(tap(`!mod:r:${messageId}`));
    await regional.say(press(t('ru', 'official.reject_button_no_details')));
    expect(regional.replyTexts).toEqual([t('ru', 'official.rejected', { messageId })]);
    expect(await messageRow(messageId)).toMatchObject({ status: 'rejected', rejection_reason: t('ru', 'official.reject_reason_no_details') });
  });
});
