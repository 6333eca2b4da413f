import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../../../core/access/api-keys.service.ts';
import { fileMessage } from '../../../core/messages/filing.service.ts';
import { rateMessage } from '../../../core/messages/feedback.service.ts';
import { createLinkCode, staffStartPayload } from '../../../core/staff/link-codes.ts';
import { MAX_FAILED_LINK_ATTEMPTS } from '../../../core/staff/link-attempts.ts';
import { newChat, perChannel, type Chat } from '../../../test/bots/chats.ts';
import { BotHarness, TEST_BOT_INFO, TEST_VK_GROUP_ID } from '../../../test/bots/harness.ts';
import { newVkUser, VkConversation } from '../../../test/vk/conversation.ts';
import { CHANNELS, other, press, tap } from '../../../test/bots/player.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, NOVOKUZNETSK_CENTER, registeredResident } from '../../../test/residents.ts';
import { demoStaff, operatorId } from '../../../test/staff.ts';
import { MAX_BUTTON_ID_BYTES } from '../../dialogs/buttons.ts';
import { createTranslator } from '../../i18n.ts';
import { renderOutboxRow } from '../../telegram/render.ts';
import { renderVkNotificationRow, VK_LIMITS } from '../../vk/render.ts';

/**
 * Officials end to end over HTTP, in each messenger: link codes issued through the admin API,
 * `/start staff_<code>` and alert-button taps posted as the messenger's updates, alerts delivered
 * from the outbox and rendered as the sender would, decisions checked in the database.
 */
let db: TestDatabase;
let harness: BotHarness;
let now = new Date('2026-12-01T03:00:00.000Z');
const t = createTranslator();
const keys = { operator: '', moderator: '', curator: '', executor: '', utilityExecutor: '' };
let staff: Awaited<ReturnType<typeof demoStaff>>;
let kemerovoName = '';

beforeAll(async () => {
  db = await createTestDatabase();
  harness = await BotHarness.start({ database: db, clock: () => now });
  staff = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
  const issue = async (staffId: number) => (await issueKey(db.db, { staffId, label: 'test', createdBy: null }, now)).token;
  keys.operator = await issue(await operatorId(db.db));
  keys.moderator = await issue(staff.moderator);
  keys.curator = await issue(staff.curator);
  keys.executor = await issue(staff.executor);
  keys.utilityExecutor = await issue(staff.utilityExecutor);
  kemerovoName = (await db.db.selectFrom('municipality').select('name_ru').where('id', '=', db.demo.municipalities.Kemerovo).executeTakeFirstOrThrow()).name_ru;
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

async function issueCode(staffId: number, token = keys.operator): Promise<string> {
  const res = await harness.api('POST', `/staff/${staffId}/link-codes`, token, {});
  expect(res.status).toBe(201);
  return res.body.code as string;
}

async function linkOfficial(channel: Chat['channel'], staffId: number, name = 'Сотрудник'): Promise<Chat> {
  const chat = newChat(harness, channel, name);
  await chat.say(`/start staff_${await issueCode(staffId)}`);
  expect((await identityOf(chat))?.staff_id).toBe(staffId);
  return chat;
}

async function acceptedMessage(): Promise<{ messageId: number; residentId: number }> {
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
  const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Яма у остановки', point: KEMEROVO_CENTER, channel: 'tg' }, now);
  const accepted = await harness.api('POST', `/messages/${message.id}/accept`, keys.moderator, {});
  expect(accepted.status).toBe(200);
  return { messageId: message.id, residentId };
}

const identityOf = (chat: Chat) => db.db.selectFrom('staff_identity').selectAll().where('channel', '=', chat.channel).where('external_id', '=', chat.externalId).executeTakeFirst();
const outboxFor = (chat: Chat, kind: string) =>
  db.db.selectFrom('outbox').selectAll().where('channel', '=', chat.channel).where('chat_id', '=', chat.externalId).where('kind', '=', kind).orderBy('id').execute();
const answersOf = (messageId: number) => db.db.selectFrom('answer').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
const kindRu = (kind: string) => t('ru', `official.kind_${kind}`);

/** The executor and the curator linked in `channel`; the executor sent an intermediate answer from the alert, and the curator has its approval card. */
async function intermediateAwaitingApproval(channel: Chat['channel']): Promise<{ executor: Chat; curator: Chat; messageId: number }> {
  const executor = await linkOfficial(channel, staff.executor, 'Исполнитель');
  const curator = await linkOfficial(channel, staff.curator, 'Куратор');
  const { messageId } = await acceptedMessage();
  await executor.deliverOutbox();
  await executor.say(press(t('ru', 'alert.button_intermediate')), 'Работы запланированы.', press(t('ru', 'official.send')));
  await curator.deliverOutbox();
  return { executor, curator, messageId };
}

describe.each(CHANNELS)('%s: an executor answers from the alert, the curator approves from theirs', (channel) => {
  it('link by API code → assigned card → final answer dialog → draft → approval card → Approve → solved, resident notified; a second Approve is stale', async () => {
    const issued = await harness.api('POST', `/staff/${staff.executor}/link-codes`, keys.operator, {});
    expect(issued.status).toBe(201);
    expect(issued.body.deepLink).toBe(`https://t.me/${TEST_BOT_INFO.username}?start=staff_${issued.body.code}`);
    expect(issued.body.expiresAt).toBe(new Date(now.getTime() + 24 * 3_600_000).toISOString());

    const executor = newChat(harness, channel, 'Исполнитель');
    await executor.say(`/start staff_${issued.body.code}`);
    expect(executor.replyTexts).toEqual([t('ru', 'official.linked', { role: t('ru', 'official.role_executor'), municipality: kemerovoName })]);
    expect(await identityOf(executor)).toMatchObject({ staff_id: staff.executor, chat_id: executor.externalId });
    // The code is a credential: the start payload log keeps only its prefix.
    const payloads = await db.db.selectFrom('start_payload').select('payload').where('external_id', '=', executor.externalId).execute();
    expect(payloads.map((p) => p.payload)).toEqual(['staff_']);

    // The curator issues their own code (a curator may, for their municipality's staff).
    const curator = newChat(harness, channel, 'Куратор');
    await curator.say(`/start staff_${await issueCode(staff.curator, keys.curator)}`);
    expect(curator.replyTexts[0]).toBe(t('ru', 'official.linked', { role: t('ru', 'official.role_curator'), municipality: kemerovoName }));

    const { messageId, residentId } = await acceptedMessage();
    const [card] = await outboxFor(executor, 'alert.assigned');
    expect(card).toBeDefined();
    await executor.deliverOutbox();
    const buttons = executor.keyboards().flatMap((k) => (k.inline ? k.rows.flat() : []));
    expect(buttons.map((b) => b.id)).toEqual([`!ans:i:${messageId}`, `!ans:f:${messageId}`, `!ans:c:${messageId}`]);
    expect(buttons.map((b) => b.label)).toEqual([t('ru', 'alert.button_intermediate'), t('ru', 'alert.button_final'), t('ru', 'alert.button_clarification')]);
    // The place comes with the card: Telegram sends it as a location message, VK attaches it to the text.
    if (executor.channel === 'tg') expect(executor.replies.some((c) => c.method === 'sendLocation')).toBe(true);
    else expect(executor.replies.some((c) => c.params.lat === String(KEMEROVO_CENTER.lat))).toBe(true);

    await executor.say(press(t('ru', 'alert.button_final')));
    expect(executor.replyTexts).toEqual([t('ru', 'official.choose_resolution', { messageId })]);
    await executor.say(press(t('ru', 'official.resolution_explained')));
    await executor.say(other('sticker'));
    expect(executor.replyTexts[0]).toBe(t('ru', 'official.send_text'));
    await executor.say('я'.repeat(4001));
    expect(executor.replyTexts[0]).toBe(t('ru', 'errors.TEXT_TOO_LONG', { max: 4000, length: 4001 }));
    await executor.say('Дорога региональная: обращайтесь в Кузбассавтодор.');
    expect(executor.replyTexts[0]).toContain('Дорога региональная');
    expect(executor.replyTexts[0]).toContain(t('ru', 'official.confirm_resolution', { resolution: t('ru', 'official.resolution_explained') }));
    await executor.say(press(t('ru', 'official.send')));
    expect(executor.replyTexts).toEqual([t('ru', 'official.sent_for_approval', { kind: kindRu('final'), messageId })]);

    const [draft] = await answersOf(messageId);
    expect(draft).toMatchObject({ kind: 'final', resolution: 'explained', state: 'draft', author_staff_id: staff.executor, text: 'Дорога региональная: обращайтесь в Кузбассавтодор.' });
    expect(await outboxFor(curator, 'alert.answer_pending')).toHaveLength(1);

    await curator.deliverOutbox();
    await curator.say(press(t('ru', 'alert.button_approve')));
    expect(curator.replyTexts).toEqual([t('ru', 'official.approved', { kind: kindRu('final'), messageId })]);
    const message = await db.db.selectFrom('message').select(['status', 'closed_at']).where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(message.status).toBe('explained');
    const notice = await db.db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', residentId).where('kind', '=', 'answer.final').executeTakeFirstOrThrow();
    expect(notice.payload.params).toMatchObject({ messageId, resolution: 'explained' });
    expect((await answersOf(messageId))[0]).toMatchObject({ state: 'approved', approved_by: staff.curator });
    // Issue 18 item 12: both taps are in the audit log with the official as actor and the messenger.
    const audit = await db.db
      .selectFrom('audit_log')
      .select(['action', 'staff_id', 'api_key_id', 'request_id', 'entity', 'entity_id', 'municipality_id', 'data'])
      .where('entity', '=', 'answer')
      .where('entity_id', '=', String(draft!.id))
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'answer.draft',
        staff_id: staff.executor,
        api_key_id: null,
        request_id: `bot:${channel}:${executor.externalId}`,
        municipality_id: db.demo.municipalities.Kemerovo,
        data: expect.objectContaining({ messageId, channel, kind: 'final', state: 'draft' }),
      }),
      expect.objectContaining({
        action: 'answer.approve',
        staff_id: staff.curator,
        api_key_id: null,
        request_id: `bot:${channel}:${curator.externalId}`,
        municipality_id: db.demo.municipalities.Kemerovo,
        data: expect.objectContaining({ messageId, channel, from: 'in_work', to: 'explained' }),
      }),
    ]);

    // Stale taps: the same Approve again, and the executor's card on a closed message.
    await curator.say(press(t('ru', 'alert.button_approve')));
    expect(curator.replyTexts[0]).toBe(t('ru', 'errors.ANSWER_NOT_PENDING'));
    await executor.say(press(t('ru', 'alert.button_final')));
    expect(executor.replyTexts[0]).toBe(t('ru', 'errors.MESSAGE_ALREADY_CLOSED'));
    expect(await answersOf(messageId)).toHaveLength(1);
  });

  it('Return with a remark → the executor gets the returned alert → revision through the API → approved from the bot', async () => {
    const executor = await linkOfficial(channel, staff.executor, 'Исполнитель');
    const curator = await linkOfficial(channel, staff.curator, 'Куратор');
    const { messageId, residentId } = await acceptedMessage();
    await executor.deliverOutbox();
    await executor.say(press(t('ru', 'alert.button_intermediate')));
    expect(executor.replyTexts[0]).toBe(t('ru', 'official.write_text', { kind: kindRu('intermediate'), messageId, max: 4000 }));
    await executor.say('Работы запланированы.');
    await executor.say(press(t('ru', 'official.send')));
    const [answer] = await answersOf(messageId);

    await curator.deliverOutbox();
    await curator.say(press(t('ru', 'alert.button_return')));
    expect(curator.replyTexts).toEqual([t('ru', 'official.write_remark', { messageId })]);
    await curator.say('   ');
    // Telegram delivers the blank text (refused as empty); VK's parser sees a message with nothing in it.
    expect(curator.replyTexts[0]).toBe(perChannel(channel, { tg: t('ru', 'errors.TEXT_EMPTY'), vk: t('ru', 'official.send_text') }));
    await curator.say('Укажите сроки работ.');
    expect(curator.replyTexts).toEqual([t('ru', 'official.returned', { messageId })]);
    expect((await answersOf(messageId))[0]).toMatchObject({ state: 'returned', return_remark: 'Укажите сроки работ.' });

    await executor.deliverOutbox();
    expect(executor.replyTexts.join('\n')).toContain(t('ru', 'alert.answer_returned', { messageId, remark: 'Укажите сроки работ.' }));
    // Each submission is its own approval alert, keyed by its time: the revision comes later.
    now = new Date(now.getTime() + 60_000);
    const revised = await harness.api('POST', `/answers/${answer!.id}/revise`, keys.executor, { text: 'Работы запланированы на 10 декабря.' });
    expect(revised.status).toBe(200);

    await curator.deliverOutbox();
    expect(curator.replyTexts.join('\n')).toContain('Работы запланированы на 10 декабря.');
    await curator.say(press(t('ru', 'alert.button_approve')));
    expect(curator.replyTexts).toEqual([t('ru', 'official.approved', { kind: kindRu('intermediate'), messageId })]);
    const message = await db.db.selectFrom('message').select(['status', 'first_intermediate_at']).where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(message).toMatchObject({ status: 'in_work', first_intermediate_at: now });
    expect(await db.db.selectFrom('outbox').select('kind').where('resident_id', '=', residentId).where('kind', '=', 'answer.intermediate').execute()).toHaveLength(1);
    // Bot taps and API calls side by side in the audit log, each with its actor.
    const audit = await db.db.selectFrom('audit_log').select(['action', 'staff_id', 'api_key_id']).where('entity', '=', 'answer').where('entity_id', '=', String(answer!.id)).orderBy('id').execute();
    expect(audit.map((a) => [a.action, a.staff_id, a.api_key_id === null ? 'bot' : 'api'])).toEqual([
      ['answer.draft', staff.executor, 'bot'],
      ['answer.return', staff.curator, 'bot'],
      ['answer.revise', staff.executor, 'api'],
      ['answer.approve', staff.curator, 'bot'],
    ]);
  });

  it('the executor is told when the curator approves their answer, in their language; an answer nobody else approved tells nobody', async () => {
    const { executor, curator, messageId } = await intermediateAwaitingApproval(channel);
    await curator.say(press(t('ru', 'alert.button_approve')));
    expect(curator.replyTexts).toEqual([t('ru', 'official.approved', { kind: kindRu('intermediate'), messageId })]);
    await executor.deliverOutbox();
    expect(executor.replyTexts).toEqual([t('ru', 'alert.answer_approved', { kind: kindRu('intermediate'), messageId })]);
    // The curator who approved is not told about it; the moderator, who wrote nothing, neither.
    expect(await outboxFor(curator, 'alert.answer_approved')).toEqual([]);

    // In English for an official who reads English; the final answer approved through the API.
    await db.db.updateTable('staff').set({ language: 'en' }).where('id', '=', staff.executor).execute();
    try {
      const draft = await harness.api('POST', `/messages/${messageId}/answers`, keys.executor, { kind: 'final', resolution: 'solved', text: 'Яма заделана.' });
      expect(draft.body.answer.state).toBe('draft');
      expect((await harness.api('POST', `/answers/${draft.body.answer.id}/approve`, keys.curator)).status).toBe(200);
      await executor.deliverOutbox();
      expect(executor.replyTexts).toEqual([t('en', 'alert.answer_approved', { kind: t('en', 'official.kind_final'), messageId })]);
    } finally {
      await db.db.updateTable('staff').set({ language: 'ru' }).where('id', '=', staff.executor).execute();
    }
  });

  it("after the message is handed to another executor, the curator's Approve and Return on the previous executor's draft say it was withdrawn", async () => {
    const { curator, messageId } = await intermediateAwaitingApproval(channel);
    const utility = (await db.db.selectFrom('staff').select('executor_id').where('id', '=', staff.utilityExecutor).executeTakeFirstOrThrow()).executor_id;
    expect((await harness.api('POST', `/messages/${messageId}/executor`, keys.curator, { executorId: utility })).status).toBe(200);
    await curator.say(press(t('ru', 'alert.button_approve')));
    expect(curator.replyTexts[0]).toBe(t('ru', 'errors.ANSWER_ROUTED_AWAY'));
    await curator.say(press(t('ru', 'alert.button_return')));
    expect(curator.replyTexts[0]).toBe(t('ru', 'errors.ANSWER_ROUTED_AWAY'));
    expect((await answersOf(messageId)).map((a) => a.state)).toEqual(['withdrawn']);
    const message = await db.db.selectFrom('message').select(['status', 'first_intermediate_at']).where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(message).toEqual({ status: 'in_work', first_intermediate_at: null });
  });

  it("the previous executor's card, after the message is handed on, says so — tapped days later, or sent from an answer begun before; another executor's staff still get not found", async () => {
    const executor = await linkOfficial(channel, staff.executor, 'Исполнитель');
    const { messageId } = await acceptedMessage();
    await executor.deliverOutbox();
    // The executor starts an intermediate answer; the curator hands the message to the utility meanwhile.
    await executor.say(press(t('ru', 'alert.button_intermediate')));
    await executor.say('Выезд бригады запланирован на среду.');
    const utility = (await db.db.selectFrom('staff').select('executor_id').where('id', '=', staff.utilityExecutor).executeTakeFirstOrThrow()).executor_id;
    expect((await harness.api('POST', `/messages/${messageId}/executor`, keys.curator, { executorId: utility })).status).toBe(200);
    await executor.say(press(t('ru', 'official.send')));
    const handedOn = t('ru', 'official.routed_away_stale', { messageId });
    expect(executor.replyTexts).toEqual([handedOn]);
    expect(await answersOf(messageId)).toEqual([]);
    // Days later, the card's buttons (in English for an official who reads English).
    await db.db.updateTable('staff').set({ language: 'en' }).where('id', '=', staff.executor).execute();
    try {
      await executor.say(tap(`!ans:f:${messageId}`));
      expect(executor.replyTexts[0]).toBe(t('en', 'official.routed_away_stale', { messageId }));
    } finally {
      await db.db.updateTable('staff').set({ language: 'ru' }).where('id', '=', staff.executor).execute();
    }
    // An executor who never had it learns nothing about it.
    const other = await linkOfficial(channel, staff.utilityExecutor, 'УК');
    const { messageId: notTheirs } = await acceptedMessage();
    await other.say(tap(`!ans:f:${notTheirs}`));
    expect(other.replyTexts[0]).toBe(t('ru', 'errors.MESSAGE_NOT_FOUND'));
  });

  it("the returned alert's own button revises the returned answer instead of starting another one", async () => {
    const executor = await linkOfficial(channel, staff.executor, 'Исполнитель');
    const { messageId } = await acceptedMessage();
    await executor.deliverOutbox();
    await executor.say(press(t('ru', 'alert.button_clarification')));
    await executor.say('Уточните номер дома.');
    await executor.say(press(t('ru', 'official.send')));
    const [answer] = await answersOf(messageId);
    const returned = await harness.api('POST', `/answers/${answer!.id}/return`, keys.curator, { remark: 'Вежливее, пожалуйста.' });
    expect(returned.status).toBe(200);

    await executor.deliverOutbox();
    await executor.say(press(t('ru', 'alert.button_clarification')));
    expect(executor.replyTexts[0]).toContain(t('ru', 'official.revise_remark', { remark: 'Вежливее, пожалуйста.' }));
    await executor.say('Подскажите, пожалуйста, номер дома.');
    await executor.say(press(t('ru', 'official.send')));
    expect(executor.replyTexts).toEqual([t('ru', 'official.sent_for_approval', { kind: kindRu('clarification'), messageId })]);
    const answers = await answersOf(messageId);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ id: answer!.id, state: 'draft', text: 'Подскажите, пожалуйста, номер дома.' });
  });
});

describe.each(CHANNELS)('%s: approving an answer to an open-source message', (channel) => {
  it('tells the curator where the answer goes: published by hand under the post (its link), or a comment under it — not to an author there is none of', async () => {
    const curator = await linkOfficial(channel, staff.curator, 'Куратор');
    const moderator = await linkOfficial(channel, staff.moderator, 'Модератор');
    const answered = async (body: Record<string, unknown>, onOurWall = false) => {
      const intake = await harness.api('POST', '/incidents', keys.curator, {
        municipalityId: db.demo.municipalities.Kemerovo,
        text: 'На Ленина огромная яма, машины ломают колёса',
        postedAt: '2026-11-30T10:00:00+07:00',
        ...body,
      });
      expect(intake.status).toBe(201);
      const accepted = await harness.api('POST', `/incidents/${intake.body.id}/accept`, keys.curator, {
        municipalityId: db.demo.municipalities.Kemerovo,
        categoryId: await categoryId(db.db, 'roads.pothole'),
      });
      expect(accepted.status).toBe(200);
      const messageId = accepted.body.message.id as number;
      // A post of our own community's wall (the wall reader takes those in): answered by a comment under it.
      if (onOurWall) {
        await db.db.updateTable('message').set({ source: 'vk_wall', answer_target: 'source_comment' }).where('id', '=', messageId).execute();
        await db.db
          .updateTable('incident')
          .set({ source_ref: JSON.stringify({ ownerId: -77, postId: 15 }) })
          .where('message_id', '=', messageId)
          .execute();
      }
      const draft = await harness.api('POST', `/messages/${messageId}/answers`, keys.moderator, { kind: 'intermediate', text: 'Ремонт участка запланирован на май.' });
      expect(draft.body.answer.state).toBe('draft');
      await curator.say(tap(`!apr:a:${draft.body.answer.id}`));
      return { messageId, url: accepted.body.message.sourceUrl as string };
    };
    const byHand = await answered({ source: 'web', sourceUrl: `https://news.example.org/${channel}/post/1` });
    expect(curator.replyTexts).toEqual([t('ru', 'official.approved_by_hand', { kind: kindRu('intermediate'), messageId: byHand.messageId, url: byHand.url })]);
    // The moderator who drafted it hears it was approved, and that it is to be published by hand.
    await moderator.deliverOutbox();
    expect(moderator.replyTexts).toContain(t('ru', 'alert.answer_approved_by_hand', { kind: kindRu('intermediate'), messageId: byHand.messageId }));
    const onWall = await answered({ source: 'web', sourceUrl: `https://vk.com/wall-${channel === 'tg' ? 77 : 78}_15` }, true);
    expect(curator.replyTexts).toEqual([t('ru', 'official.approved_source_comment', { kind: kindRu('intermediate'), messageId: onWall.messageId })]);
    await moderator.deliverOutbox();
    expect(moderator.replyTexts).toContain(t('ru', 'alert.answer_approved_source_comment', { kind: kindRu('intermediate'), messageId: onWall.messageId }));
  });
});

describe.each(CHANNELS)('%s: a low rating, and the message back in work from the alert', (channel) => {
  it('the curator taps «Вернуть в работу» on the low-rating alert and writes why; a moderator may not, and a second tap is stale', async () => {
    const curator = await linkOfficial(channel, staff.curator, 'Куратор');
    const moderator = await linkOfficial(channel, staff.moderator, 'Модератор');
    const { messageId, residentId } = await acceptedMessage();
    const draft = await harness.api('POST', `/messages/${messageId}/answers`, keys.moderator, { kind: 'final', resolution: 'solved', text: 'Яму засыпали' });
    if (draft.body.answer.state === 'draft') expect((await harness.api('POST', `/answers/${draft.body.answer.id}/approve`, keys.curator)).status).toBe(200);
    await rateMessage(db.db, { residentId, messageId, stars: 1 }, now);
    await curator.deliverOutbox();
    expect(curator.replyTexts.at(-1)).toBe(t('ru', 'alert.low_rating', { stars: 1, messageId }));

    await moderator.say(tap(`!reo:${messageId}`));
    expect(moderator.replyTexts[0]).toBe(t('ru', 'errors.FORBIDDEN'));

    await curator.say(press(t('ru', 'alert.button_reopen')));
    expect(curator.replyTexts).toEqual([t('ru', 'official.write_reopen_reason', { messageId })]);
    await curator.say('Яму засыпали щебнем, асфальт не положили');
    expect(curator.replyTexts).toEqual([t('ru', 'official.reopened', { messageId })]);
    const row = await db.db.selectFrom('message').select(['status', 'closed_at']).where('id', '=', messageId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'in_work', closed_at: null });
    const notice = await db.db.selectFrom('outbox').select('payload').where('resident_id', '=', residentId).where('kind', '=', 'status.reopened').executeTakeFirstOrThrow();
    expect(notice.payload.params).toMatchObject({ messageId, reason: 'Яму засыпали щебнем, асфальт не положили' });
    const audit = await db.db.selectFrom('audit_log').select(['action', 'staff_id']).where('action', '=', 'message.reopen').where('entity_id', '=', String(messageId)).execute();
    expect(audit).toEqual([{ action: 'message.reopen', staff_id: staff.curator }]);

    // A second tap (or another curator's copy of the alert): told it is back in work already.
    await curator.say(press(t('ru', 'alert.button_reopen')));
    expect(curator.replyTexts).toEqual([t('ru', 'official.reopened_already', { messageId })]);

    // Closed again; the curator starts on the reason while a colleague reopens it in the console.
    const next = await harness.api('POST', `/messages/${messageId}/answers`, keys.moderator, { kind: 'final', resolution: 'solved', text: 'Асфальт положили' });
    if (next.body.answer.state === 'draft') expect((await harness.api('POST', `/answers/${next.body.answer.id}/approve`, keys.curator)).status).toBe(200);
    await curator.say(tap(`!reo:${messageId}`));
    expect(curator.replyTexts).toEqual([t('ru', 'official.write_reopen_reason', { messageId })]);
    expect((await harness.api('POST', `/messages/${messageId}/reopen`, keys.curator, { reason: 'Асфальт положили не везде' })).status).toBe(200);
    await curator.say('Асфальт положили только наполовину');
    expect(curator.replyTexts).toEqual([t('ru', 'official.reopened_already', { messageId })]);
    const reopenings = await db.db.selectFrom('message_event').select('id').where('message_id', '=', messageId).where('kind', '=', 'reopened').execute();
    expect(reopenings).toHaveLength(2);
  });
});

describe.each(CHANNELS)("%s: taps that are not the tapper's to make", (channel) => {
  it('another executor, a moderator and a stranger get a clear refusal and nothing changes', async () => {
    const executor = await linkOfficial(channel, staff.executor, 'Исполнитель');
    const { messageId } = await acceptedMessage();
    // Both spellings of an alert id work: the current one and the one on cards sent before the ids were unified.
    await executor.say(tap(`!ans:i:${messageId}`));
    await executor.say('В работе.');
    await executor.say(press(t('ru', 'official.send')));
    const [answer] = await answersOf(messageId);

    const otherExecutor = await linkOfficial(channel, staff.utilityExecutor, 'Другой исполнитель');
    await otherExecutor.say(tap(`ans1:f:${messageId}`));
    // Another organisation's message is out of this executor's sight: answered as a missing one.
    expect(otherExecutor.replyTexts[0]).toBe(t('ru', 'errors.MESSAGE_NOT_FOUND'));
    const moderator = await linkOfficial(channel, staff.moderator, 'Модератор');
    await moderator.say(tap(`!apr:a:${answer!.id}`));
    expect(moderator.replyTexts[0]).toBe(t('ru', 'errors.FORBIDDEN'));
    const stranger = newChat(harness, channel, 'Посторонний');
    await stranger.say(tap(`apr1:r:${answer!.id}`));
    expect(stranger.replyTexts).toEqual([t('ru', 'official.not_linked')]);
    await stranger.say(tap(`!apr:a:99999999`));
    expect(stranger.replyTexts).toEqual([t('ru', 'official.not_linked')]);

    expect(await answersOf(messageId)).toEqual([answer]);
    const states = await db.db
      .selectFrom('dialog_state')
      .select('flow')
      .where('channel', '=', channel)
      .where(
        'external_id',
        'in',
        [otherExecutor, moderator, stranger].map((c) => c.externalId),
      )
      .execute();
    expect(states).toHaveLength(3);
    expect(states.every((s) => s.flow === 'idle')).toBe(true);
  });
});

describe.each(CHANNELS)('%s: link codes in the bot', (channel) => {
  it('unknown, used and expired codes are answered clearly and link nothing', async () => {
    const first = newChat(harness, channel);
    const code = await issueCode(staff.moderator);
    await first.say(`/start staff_${code}`);
    const second = newChat(harness, channel);
    await second.say(`/start staff_${code}`);
    expect(second.replyTexts).toEqual([t('ru', 'errors.LINK_CODE_USED')]);
    await second.say('/start staff_abcdefghjkmnpqrs');
    expect(second.replyTexts).toEqual([t('ru', 'errors.LINK_CODE_INVALID')]);
    const late = await issueCode(staff.moderator);
    now = new Date(now.getTime() + 25 * 3_600_000);
    await second.say(`/start staff_${late}`);
    expect(second.replyTexts).toEqual([t('ru', 'errors.LINK_CODE_EXPIRED')]);
    expect(await identityOf(second)).toBeUndefined();
    expect((await identityOf(first))?.staff_id).toBe(staff.moderator);
  });

  it(`after ${MAX_FAILED_LINK_ATTEMPTS} wrong codes an account must wait an hour, across a restart; then a right code links`, async () => {
    const guesser = newChat(harness, channel, 'Угадывающий');
    for (let i = 0; i < MAX_FAILED_LINK_ATTEMPTS; i++) {
      if (i === 3) await harness.restart();
      await guesser.say(`/start staff_wrongcode${i}xyzabcd`);
      expect(guesser.replyTexts).toEqual([t('ru', 'errors.LINK_CODE_INVALID')]);
    }
    const right = await issueCode(staff.moderator);
    await guesser.say(`/start staff_${right}`);
    expect(guesser.replyTexts).toEqual([t('ru', 'official.link_rate_limited', { minutes: 60 })]);
    expect(await identityOf(guesser)).toBeUndefined();
    // Another account is not affected by this one's guesses.
    const colleague = newChat(harness, channel);
    await colleague.say('/start staff_anotherwrongcode1');
    expect(colleague.replyTexts).toEqual([t('ru', 'errors.LINK_CODE_INVALID')]);

    now = new Date(now.getTime() + 61 * 60_000);
    await guesser.say(`/start staff_${right}`);
    expect(guesser.replyTexts[0]).toContain(t('ru', 'official.role_moderator'));
    expect(await identityOf(guesser)).toBeDefined();
  });

  it('answers an official in their own language, and /unlink asks first', async () => {
    const english = await harness.api('PATCH', `/staff/${staff.moderator}`, keys.operator, { language: 'en' });
    expect(english.status).toBe(200);
    const official = newChat(harness, channel, 'Moderator', 'ru');
    await official.say(`/start staff_${await issueCode(staff.moderator)}`);
    expect(official.replyTexts).toEqual([
      t('en', 'official.linked', {
        role: t('en', 'official.role_moderator'),
        municipality: (await db.db.selectFrom('municipality').select('name_en').where('id', '=', db.demo.municipalities.Kemerovo).executeTakeFirstOrThrow()).name_en,
      }),
    ]);

    await official.say('/unlink');
    expect(official.replyTexts[0]).toBe(t('en', 'official.unlink_confirm'));
    await official.say(press(t('en', 'official.unlink_no')));
    expect(official.replyTexts).toEqual([t('en', 'official.unlink_kept')]);
    expect(await identityOf(official)).toBeDefined();
    await official.say('/unlink');
    await official.say(press(t('en', 'official.unlink_yes')));
    expect(official.replyTexts).toEqual([t('en', 'official.unlinked')]);
    expect(await identityOf(official)).toBeUndefined();
    const unlinkAudit = await db.db
      .selectFrom('audit_log')
      .select(['staff_id', 'entity_id', 'request_id', 'data'])
      .where('action', '=', 'staff.unlink')
      .where('request_id', '=', `bot:${channel}:${official.externalId}`)
      .execute();
    expect(unlinkAudit).toEqual([{ staff_id: staff.moderator, entity_id: String(staff.moderator), request_id: `bot:${channel}:${official.externalId}`, data: { channel, removed: true } }]);
    await official.say('/unlink');
    expect(official.replyTexts).toEqual([t('ru', 'official.not_linked_account')]);
    await harness.api('PATCH', `/staff/${staff.moderator}`, keys.operator, { language: 'ru' });
  });

  it("a linked official is a resident too: registration and the official's buttons both work for one account", async () => {
    const official = await linkOfficial(channel, staff.executor, 'Анна');
    await official.say('что-нибудь');
    expect(official.replyTexts).toEqual([t('ru', 'official.idle_hint')]);
    await official.playFixture('registration.json');
    const resident = await db.db
      .selectFrom('resident_identity')
      .innerJoin('resident', 'resident.id', 'resident_identity.resident_id')
      .select(['resident.registered_at'])
      .where('resident_identity.channel', '=', channel)
      .where('resident_identity.external_id', '=', official.externalId)
      .executeTakeFirstOrThrow();
    expect(resident.registered_at).not.toBeNull();
    const { messageId } = await acceptedMessage();
    await official.deliverOutbox();
    await official.say(press(t('ru', 'alert.button_intermediate')));
    expect(official.replyTexts[0]).toBe(t('ru', 'official.write_text', { kind: kindRu('intermediate'), messageId, max: 4000 }));
    await official.say(press(t('ru', 'dialog.cancel')));
    expect(official.replyTexts[0]).toBe(t('ru', 'dialog.cancelled'));
    expect(official.replyTexts[1]).toBe(t('ru', 'menu.main'));
  });

  it("every alert button id fits the messenger's limit (Telegram: 64-byte callback data; VK: the button payload), even for the largest ids", () => {
    const payload = {
      key: 'alert.answer_pending',
      params: { messageId: 2_147_483_647, answerId: 2_147_483_647, text: 'x', context: 'final' },
      language: 'en',
      keyboard: {
        kind: 'inline',
        rows: [
          [
            { id: '!apr:a:2147483647', label: 'alert.button_approve' },
            { id: '!apr:r:2147483647', label: 'alert.button_return' },
          ],
        ],
      },
    };
    const returnedRow = { kind: 'alert.answer_returned', chat_id: '1', payload: { key: 'alert.answer_returned', params: { messageId: 2_147_483_647, answerId: 1, remark: 'r' } } };
    if (channel === 'tg') {
      const [call] = renderOutboxRow({ kind: 'alert.answer_pending', chat_id: '1', payload }, t);
      expect(call).toMatchObject({
        method: 'sendMessage',
        params: {
          reply_markup: {
            inline_keyboard: [
              [
                { text: 'Approve', callback_data: '!apr:a:2147483647' },
                { text: 'Return with a remark', callback_data: '!apr:r:2147483647' },
              ],
            ],
          },
        },
      });
      const [returned] = renderOutboxRow(returnedRow, t);
      const ids =
        returned!.method === 'sendMessage' && returned!.params.reply_markup && 'inline_keyboard' in returned!.params.reply_markup
          ? returned!.params.reply_markup.inline_keyboard.flat().map((b) => ('callback_data' in b ? b.callback_data! : ''))
          : [];
      expect(ids).toEqual(['!ans:i:2147483647', '!ans:f:2147483647', '!ans:c:2147483647']);
      for (const id of ids) expect(Buffer.byteLength(id)).toBeLessThanOrEqual(MAX_BUTTON_ID_BYTES);
    } else {
      const buttonsOf = (keyboard: string | undefined) => (JSON.parse(keyboard ?? '{"buttons":[]}') as { buttons: { action: { type: string; label: string; payload: string } }[][] }).buttons.flat();
      const [message] = renderVkNotificationRow({ kind: 'alert.answer_pending', payload }, t);
      expect(buttonsOf(message!.keyboard).map((b) => [b.action.type, b.action.label, b.action.payload])).toEqual([
        ['callback', 'Approve', JSON.stringify({ b: '!apr:a:2147483647' })],
        ['callback', 'Return with a remark', JSON.stringify({ b: '!apr:r:2147483647' })],
      ]);
      const returned = buttonsOf(renderVkNotificationRow(returnedRow, t).at(-1)!.keyboard);
      expect(returned.map((b) => (JSON.parse(b.action.payload) as { b: string }).b)).toEqual(['!ans:i:2147483647', '!ans:f:2147483647', '!ans:c:2147483647']);
      for (const b of returned) expect(b.action.payload.length).toBeLessThanOrEqual(VK_LIMITS.payload);
    }
  });
});

describe.each(CHANNELS)('%s: the official-answer fixture', (channel) => {
  it('replays: linked, answered, returned, revised in the bot, approved, unlinked', async () => {
    const executor = newChat(harness, channel, 'Пётр');
    await executor.playFixture('official-answer.json');
    const message = await db.db.selectFrom('message').select(['id', 'status']).where('text', 'like', 'Глубокая яма у дома 5%').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(message.status).toBe('solved');
    const answers = await answersOf(message.id);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ text: 'Яма заделана 3 декабря.', resolution: 'solved', return_remark: 'Укажите дату ремонта.' });
    expect(['approved', 'delivered']).toContain(answers[0]!.state);
    expect(await identityOf(executor)).toBeUndefined();
  });
});

describe.each(CHANNELS)('%s: an official links with a typed code', (channel) => {
  it('a typed "/start staff_<code>" links the account; the code works once', async () => {
    const { code } = await createLinkCode(db.db, { actorStaffId: await operatorId(db.db), staffId: staff.curator }, harness.now());
    const official = newChat(harness, channel);
    await official.say(`/start ${staffStartPayload(code)}`);
    const identity = await db.db.selectFrom('staff_identity').select(['staff_id', 'channel']).where('channel', '=', channel).where('external_id', '=', official.externalId).executeTakeFirst();
    expect(identity).toEqual({ staff_id: staff.curator, channel });
    expect(official.replyTexts.join('\n')).toContain(t('ru', 'official.role_curator'));

    const stranger = newChat(harness, channel);
    await stranger.say(`/start ${staffStartPayload(code)}`);
    expect(stranger.replyTexts.join('\n')).toContain(t('ru', 'errors.LINK_CODE_USED'));
    expect(await identityOf(stranger)).toBeUndefined();
  });
});

describe("VK: an official links with the API's vk.me link", () => {
  it('opening https://vk.me/club<group>?ref=staff_<code> and writing brings the code as `ref`: the account is linked', async () => {
    const issued = await harness.api('POST', `/staff/${staff.moderator}/link-codes`, keys.operator, {});
    expect(issued.status).toBe(201);
    const link = new URL(issued.body.deepLinks.vk);
    expect(`${link.origin}${link.pathname}`).toBe(`https://vk.me/club${TEST_VK_GROUP_ID}`);
    // Both bots are on here: deepLink stays the Telegram one, as before.
    expect(issued.body.deepLink).toBe(issued.body.deepLinks.telegram);
    const user = newVkUser();
    const official = new VkConversation(harness, user);
    await official.send({ type: 'message_new', object: { message: { text: 'Здравствуйте', ref: link.searchParams.get('ref'), ref_source: 'link' } } });
    expect(official.replyTexts).toEqual([t('ru', 'official.linked', { role: t('ru', 'official.role_moderator'), municipality: kemerovoName })]);
    const identity = await db.db.selectFrom('staff_identity').select(['staff_id']).where('channel', '=', 'vk').where('external_id', '=', String(user.id)).executeTakeFirst();
    expect(identity).toEqual({ staff_id: staff.moderator });
  });
});

describe.each(CHANNELS)('%s: an official deactivated with alerts still waiting to go', (channel) => {
  it('gets none of them afterwards (their waiting alerts are cancelled), and the stale buttons do nothing', async () => {
    const { executor_id } = await db.db.selectFrom('staff').select('executor_id').where('id', '=', staff.executor).executeTakeFirstOrThrow();
    const leaving = (
      await db.db
        .insertInto('staff')
        .values({ full_name: `Уходящий исполнитель ${channel}`, role: 'executor', municipality_id: db.demo.municipalities.Kemerovo, executor_id })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const chat = await linkOfficial(channel, leaving, 'Уходящий исполнитель');
    const { messageId } = await acceptedMessage();
    const [card] = await outboxFor(chat, 'alert.assigned');
    expect(card).toMatchObject({ state: 'pending', staff_id: leaving });

    const res = await harness.api('PATCH', `/staff/${leaving}`, keys.operator, { active: false });
    expect(res.status).toBe(200);
    expect((await outboxFor(chat, 'alert.assigned'))[0]).toMatchObject({ id: card!.id, state: 'cancelled' });
    // The alert list says so: not queued any more, its copy cancelled.
    const listed = await harness.api('GET', `/alerts?staffId=${leaving}&kind=alert.assigned`, keys.operator);
    expect(listed.body.items).toEqual([expect.objectContaining({ staffId: leaving, messageId, queued: false, delivery: 'cancelled' })]);
    await chat.deliverOutbox();
    expect(chat.replyTexts).toEqual([]);
    // Its stale buttons do nothing either.
    await chat.say(tap(`!ans:f:${messageId}`));
    expect(await answersOf(messageId)).toEqual([]);
  });
});

describe.each(CHANNELS)('%s: a municipality none of whose curators is in a messenger', (channel) => {
  it("its executor's clarification request reaches the linked regional curator, naming the municipality, who approves it from the card; once its own curator links, the next draft is theirs alone", async () => {
    const { Novokuznetsk } = db.demo.municipalities;
    const nk = await demoStaff(db.db, Novokuznetsk);
    const nkName = (await db.db.selectFrom('municipality').select('name_ru').where('id', '=', Novokuznetsk).executeTakeFirstOrThrow()).name_ru;
    const regionalId = (
      await db.db
        .insertInto('staff')
        .values({ full_name: `Куратор ЦУР ${channel}`, role: 'curator', municipality_id: null, executor_id: null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    try {
      const regional = await linkOfficial(channel, regionalId, 'Куратор ЦУР');
      const executor = await linkOfficial(channel, nk.executor, 'Исполнитель');
      const residentId = await registeredResident(db.db, { municipalityId: Novokuznetsk, now });
      const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Яма во дворе', point: NOVOKUZNETSK_CENTER, channel: 'tg' }, now);
      expect((await harness.api('POST', `/messages/${message.id}/accept`, keys.operator, {})).status).toBe(200);
      await executor.deliverOutbox();
      await executor.say(press(t('ru', 'alert.button_clarification')), 'Уточните номер дома.', press(t('ru', 'official.send')));
      expect(executor.replyTexts).toEqual([t('ru', 'official.sent_for_approval', { kind: kindRu('clarification'), messageId: message.id })]);

      await regional.deliverOutbox();
      expect(regional.replyTexts.join('\n')).toContain(
        `Запрос уточнения по сообщению №${message.id} ждёт согласования.\nМуниципалитет: ${nkName} — своего куратора на связи в мессенджере у него нет.\n\nУточните номер дома.`,
      );
      await regional.say(press(t('ru', 'alert.button_approve')));
      expect(regional.replyTexts).toEqual([t('ru', 'official.approved', { kind: kindRu('clarification'), messageId: message.id })]);
      expect((await answersOf(message.id))[0]).toMatchObject({ kind: 'clarification', state: 'approved', approved_by: regionalId });

      // Novokuznetsk's curator links a messenger: the executor's next draft goes to them, not to the region.
      const local = await linkOfficial(channel, nk.curator, 'Куратор');
      await executor.say(tap(`!ans:i:${message.id}`), 'Работы запланированы.', press(t('ru', 'official.send')));
      expect((await answersOf(message.id)).map((a) => a.state)).toEqual(['approved', 'draft']);
      expect(await outboxFor(regional, 'alert.answer_pending')).toHaveLength(1);
      expect(await outboxFor(local, 'alert.answer_pending')).toHaveLength(1);
    } finally {
      // The other messenger's run starts again with nobody of Novokuznetsk's at hand, and no regional curator.
      await db.db.deleteFrom('staff_identity').where('staff_id', 'in', [nk.curator, nk.executor, regionalId]).execute();
      await db.db.updateTable('staff').set({ active: false }).where('id', '=', regionalId).execute();
    }
  });
});
