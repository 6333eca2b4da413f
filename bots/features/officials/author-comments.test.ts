import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueKey } from '../../../core/access/api-keys.service.ts';
import { runUnansweredCommentAlerts } from '../../../core/alerts/author-comments.ts';
import { addResidentComment } from '../../../core/messages/feedback.service.ts';
import { fileMessage } from '../../../core/messages/filing.service.ts';
import { newChat, type Chat } from '../../../test/bots/chats.ts';
import { BotHarness } from '../../../test/bots/harness.ts';
import { CHANNELS, press, tap } from '../../../test/bots/player.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../../test/residents.ts';
import { demoStaff, operatorId } from '../../../test/staff.ts';
import { createTranslator } from '../../i18n.ts';

/**
 * Issue 18 item 10: an author's comment alerts the executor, who replies from the alert in the
 * messenger; unanswered for a working day it goes to the curators; the API lists the unanswered.
 */
let db: TestDatabase;
let harness: BotHarness;
// Tuesday 1 December 2026, 10:00 in Kemerovo.
let now = new Date('2026-12-01T03:00:00.000Z');
const t = createTranslator();
const keys = { operator: '', curator: '', executor: '', utilityExecutor: '', responsible: '' };
let staff: Awaited<ReturnType<typeof demoStaff>>;

beforeAll(async () => {
  db = await createTestDatabase();
  harness = await BotHarness.start({ database: db, clock: () => now });
  staff = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
  const issue = async (staffId: number) => (await issueKey(db.db, { staffId, label: 'test', createdBy: null }, now)).token;
  keys.operator = await issue(await operatorId(db.db));
  keys.curator = await issue(staff.curator);
  keys.executor = await issue(staff.executor);
  keys.utilityExecutor = await issue(staff.utilityExecutor);
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

async function linkOfficial(channel: Chat['channel'], staffId: number, name: string): Promise<Chat> {
  const code = await harness.api('POST', `/staff/${staffId}/link-codes`, keys.operator, {});
  const chat = newChat(harness, channel, name);
  await chat.say(`/start staff_${code.body.code}`);
  return chat;
}

async function commentedMessage(text: string): Promise<{ messageId: number; residentId: number; commentId: number }> {
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
  // Road categories go to the city administration (executor staff.executor) by the demo routing rules.
  const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Яма у остановки', point: KEMEROVO_CENTER, channel: 'tg' }, now);
  expect((await harness.api('POST', `/messages/${message.id}/accept`, keys.curator, {})).status).toBe(200);
  const comment = await addResidentComment(db.db, { residentId, messageId: message.id, text }, now);
  return { messageId: message.id, residentId, commentId: comment.id };
}

const unanswered = async (token: string) => (await harness.api('GET', '/comments/unanswered', token)).body.items.map((i: { id: number }) => i.id) as number[];

describe.each(CHANNELS)('%s: an author comment reaches the executor, who replies from the alert', (channel) => {
  it('alerts the executor with a Reply button; the reply goes to the author, is audited, and the comment leaves the unanswered list', async () => {
    const executor = await linkOfficial(channel, staff.executor, 'Исполнитель');
    const { messageId, residentId, commentId } = await commentedMessage('Яма стала глубже, машины объезжают по встречке');
    const alerts = await db.db.selectFrom('staff_alert').select(['staff_id', 'kind']).where('message_id', '=', messageId).where('kind', '=', 'alert.author_comment').execute();
    expect(alerts).toEqual([{ staff_id: staff.executor, kind: 'alert.author_comment' }]);
    expect(await unanswered(keys.executor)).toContain(commentId);
    // Another organisation's executor does not see it.
    expect(await unanswered(keys.utilityExecutor)).not.toContain(commentId);

    await executor.deliverOutbox();
    expect(executor.replyTexts.join('\n')).toContain(t('ru', 'alert.author_comment', { messageId, text: 'Яма стала глубже, машины объезжают по встречке' }));
    const buttons = executor.keyboards().flatMap((k) => (k.inline ? k.rows.flat() : []));
    expect(buttons.map((b) => b.id)).toContain(`!cmr:${commentId}`);
    await executor.say(press(t('ru', 'alert.button_reply_comment')));
    expect(executor.replyTexts).toEqual([t('ru', 'official.write_comment_reply', { messageId, max: 4000 })]);
    await executor.say('Бригада выедет завтра утром.');
    expect(executor.replyTexts).toEqual([t('ru', 'official.comment_replied', { messageId })]);

    const reply = await db.db
      .selectFrom('comment')
      .select(['id', 'author_kind', 'staff_id', 'reply_to_id', 'text'])
      .where('message_id', '=', messageId)
      .where('author_kind', '=', 'staff')
      .executeTakeFirstOrThrow();
    expect(reply).toMatchObject({ staff_id: staff.executor, reply_to_id: commentId, text: 'Бригада выедет завтра утром.' });
    const notice = await db.db.selectFrom('outbox').select('payload').where('resident_id', '=', residentId).where('kind', '=', 'comment.reply').executeTakeFirstOrThrow();
    expect(notice.payload.params).toMatchObject({ messageId, text: 'Бригада выедет завтра утром.' });
    const audit = await db.db.selectFrom('audit_log').select(['action', 'staff_id', 'request_id']).where('entity', '=', 'comment').where('entity_id', '=', String(reply.id)).execute();
    expect(audit).toEqual([{ action: 'comment.create', staff_id: staff.executor, request_id: `bot:${channel}:${executor.externalId}` }]);
    expect(await unanswered(keys.executor)).not.toContain(commentId);
  });

  it('refuses the Reply button to an official who may not answer that message', async () => {
    const utility = await linkOfficial(channel, staff.utilityExecutor, 'Исполнитель УК');
    const { commentId } = await commentedMessage('Когда заделаете?');
    await utility.say(tap(`!cmr:${commentId}`));
    // Another organisation's message is out of this executor's sight: answered as a missing comment.
    expect(utility.replyTexts[0]).toBe(t('ru', 'errors.COMMENT_NOT_FOUND'));
    const stranger = newChat(harness, channel, 'Посторонний');
    await stranger.say(tap(`!cmr:${commentId}`));
    expect(stranger.replyTexts).toEqual([t('ru', 'official.not_linked')]);
    expect(await db.db.selectFrom('comment').select('id').where('reply_to_id', '=', commentId).execute()).toEqual([]);
  });
});

describe('an author comment unanswered for a working day goes to the curators', () => {
  it('escalates once after a working day (not counting the night), and marks it in the list', async () => {
    const { commentId, messageId } = await commentedMessage('Ответьте, пожалуйста');
    // Tuesday 10:00 + 9 working hours = Wednesday 10:00 (Kemerovo).
    now = new Date('2026-12-02T02:59:00.000Z');
    expect((await runUnansweredCommentAlerts(db.db, now)).alerts).toBe(0);
    now = new Date('2026-12-02T03:00:00.000Z');
    const first = await runUnansweredCommentAlerts(db.db, now);
    expect(first.alerts).toBeGreaterThanOrEqual(1);
    const curatorAlerts = await db.db.selectFrom('staff_alert').select(['staff_id', 'params']).where('kind', '=', 'alert.author_comment_unanswered').where('message_id', '=', messageId).execute();
    expect(curatorAlerts).toEqual([{ staff_id: staff.curator, params: { messageId, commentId, text: 'Ответьте, пожалуйста' } }]);
    expect((await runUnansweredCommentAlerts(db.db, now)).alerts).toBe(0);
    const listed = await harness.api('GET', '/comments/unanswered', keys.curator);
    expect(listed.body.items.find((i: { id: number }) => i.id === commentId)).toMatchObject({ messageId, escalated: true });
    // Another municipality's key sees none of Kemerovo's, and asking for Kemerovo is 404.
    const belovo = await db.db.selectFrom('staff').select('id').where('municipality_id', '=', db.demo.municipalities.Belovo).where('role', '=', 'curator').executeTakeFirstOrThrow();
    const belovoKey = (await issueKey(db.db, { staffId: belovo.id, label: 'test', createdBy: null }, now)).token;
    expect(await unanswered(belovoKey)).not.toContain(commentId);
    expect((await harness.api('GET', `/comments/unanswered?municipalityId=${db.demo.municipalities.Kemerovo}`, belovoKey)).status).toBe(404);
    // The same list at the issue's address, GET /comments?unanswered=true, for executors too.
    const sameList = await harness.api('GET', '/comments?unanswered=true', keys.curator);
    expect(sameList.status).toBe(200);
    expect(sameList.body.items).toEqual(listed.body.items);
    const forExecutor = await harness.api('GET', '/comments?unanswered=true', keys.executor);
    expect(forExecutor.status).toBe(200);
    expect(forExecutor.body.items.map((i: { id: number }) => i.id)).toContain(commentId);
    expect((await harness.api('GET', '/comments?unanswered=true', belovoKey)).body.items.map((i: { id: number }) => i.id)).not.toContain(commentId);
    // Comments on news and polls stay their moderators' business.
    expect((await harness.api('GET', '/comments', keys.executor)).status).toBe(403);
    expect((await harness.api('GET', '/comments?unanswered=maybe', keys.curator)).status).toBe(400);
  });

  it('a comment falling due at the end of the working day waits for the next working start', async () => {
    const before = now;
    // Wednesday 20:00 (Kemerovo): due after the working day of Thursday, at 18:00, when the curators have left.
    now = new Date('2026-12-02T13:00:00.000Z');
    const { messageId } = await commentedMessage('Когда приедут?');
    const escalated = async () => (await db.db.selectFrom('staff_alert').select('id').where('kind', '=', 'alert.author_comment_unanswered').where('message_id', '=', messageId).execute()).length;
    for (const at of ['2026-12-03T11:00:00.000Z', '2026-12-03T11:14:00.000Z', '2026-12-03T20:00:00.000Z']) await runUnansweredCommentAlerts(db.db, new Date(at));
    expect(await escalated()).toBe(0);
    // Friday 09:00.
    await runUnansweredCommentAlerts(db.db, new Date('2026-12-04T02:00:00.000Z'));
    expect(await escalated()).toBe(1);
    now = before;
  });
});
