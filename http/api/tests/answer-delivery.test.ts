import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxSender } from '../../../bots/outbox/sender.ts';
import { withdrawConsent } from '../../../core/residents/consent.service.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { eventually, telegramSender } from '../../../test/outbox.ts';

/**
 * Issue 18 item 16: an answer's delivery is what its notification's outbox row says, not
 * "delivered" the moment it is queued. The real Telegram sender runs against the fake Bot API.
 */
let h: ApiHarness;
const senders: OutboxSender[] = [];
beforeAll(async () => {
  h = await createApiHarness();
});
afterEach(async () => {
  for (const s of senders.splice(0)) await s.stop();
});
afterAll(() => h.close());

/** A message in work with a final answer approved by the curator; returns ids and the author's chat. */
async function approvedAnswer() {
  const filed = await h.fileMessage('Kemerovo');
  await h.request('POST', `/api/v1/messages/${filed.id}/accept`, { body: {} });
  const draft = await h.request('POST', `/api/v1/messages/${filed.id}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'final', resolution: 'solved', text: 'Яму заделали' } });
  const approved = await h.request('POST', `/api/v1/answers/${draft.body.answer.id}/approve`, { token: h.keys.Kemerovo.curator });
  expect(approved.status).toBe(200);
  const identity = await h.t.db.selectFrom('resident_identity').select('chat_id').where('resident_id', '=', filed.authorId!).executeTakeFirstOrThrow();
  const row = await h.t.db.selectFrom('outbox').select('id').where('dedupe_key', '=', `answer:${draft.body.answer.id}`).executeTakeFirstOrThrow();
  // The earlier notices to this chat ("accepted") are out of the way, so the answer is the next call there.
  await h.t.db.updateTable('outbox').set({ state: 'sent', sent_at: new Date() }).where('chat_id', '=', identity.chat_id).where('id', '!=', row.id).execute();
  return { messageId: filed.id, answerId: draft.body.answer.id as number, authorId: filed.authorId!, chatId: identity.chat_id, outboxId: row.id, approved: approved.body.answer };
}

const answerOnCard = async (messageId: number, answerId: number) => {
  const card = await h.request('GET', `/api/v1/messages/${messageId}`, { token: h.keys.Kemerovo.curator });
  return card.body.answers.find((a: { id: number }) => a.id === answerId);
};
const outboxState = async (id: number) => await h.t.db.selectFrom('outbox').select(['state', 'attempts', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();

describe('item 16: answer delivery from the outbox row', () => {
  it('queued after approval, still queued after a 429, cancelled when the resident withdraws consent', async () => {
    const a = await approvedAnswer();
    expect(a.approved).toMatchObject({ state: 'approved', deliveredAt: null, delivery: { state: 'queued', attempts: 0 } });
    h.telegram.failNext({ status: 429, description: 'Too Many Requests: retry after 60', retryAfter: 60 }, { method: 'sendMessage', chatId: a.chatId });
    const sender = telegramSender(h.t.db, h.telegram.url);
    senders.push(sender);
    sender.start();
    // A 429 does not count as an attempt: the row is rescheduled with the error.
    await eventually(async () => (await outboxState(a.outboxId)).last_error !== null, 10_000, 'the refused attempt');
    expect(h.telegram.rejected.some((c) => String(c.params.chat_id) === a.chatId)).toBe(true);
    await sender.stop();
    senders.length = 0;
    const afterRefusal = await answerOnCard(a.messageId, a.answerId);
    expect(afterRefusal).toMatchObject({ state: 'approved', deliveredAt: null, delivery: { state: 'queued' } });
    expect(afterRefusal.delivery.lastError).toMatch(/429|Too Many/);
    await withdrawConsent(h.t.db, a.authorId, h.now());
    const cancelled = await answerOnCard(a.messageId, a.answerId);
    expect(cancelled).toMatchObject({ state: 'approved', deliveredAt: null, delivery: { state: 'cancelled', at: null } });
    const listed = await h.request('GET', `/api/v1/answers?messageId=${a.messageId}`, { token: h.keys.Kemerovo.curator });
    expect(listed.body.items[0].delivery.state).toBe('cancelled');
  });

  it('sent with its time once Telegram accepted it; the state filter follows the outbox', async () => {
    const a = await approvedAnswer();
    const sender = telegramSender(h.t.db, h.telegram.url);
    senders.push(sender);
    sender.start();
    await eventually(async () => (await outboxState(a.outboxId)).state === 'sent', 10_000, 'the answer sent');
    const row = await h.t.db.selectFrom('outbox').select('sent_at').where('id', '=', a.outboxId).executeTakeFirstOrThrow();
    const sent = await answerOnCard(a.messageId, a.answerId);
    expect(sent).toMatchObject({ state: 'delivered', deliveredAt: row.sent_at!.toISOString(), delivery: { state: 'sent', at: row.sent_at!.toISOString() } });
    expect(h.telegram.textsTo(a.chatId).some((t) => t.includes('Яму заделали'))).toBe(true);
    const delivered = await h.request('GET', `/api/v1/answers?messageId=${a.messageId}&state=delivered`, { token: h.keys.Kemerovo.curator });
    expect(delivered.body.items.map((x: { id: number }) => x.id)).toEqual([a.answerId]);
    const approvedOnly = await h.request('GET', `/api/v1/answers?messageId=${a.messageId}&state=approved`, { token: h.keys.Kemerovo.curator });
    expect(approvedOnly.body.items).toEqual([]);
  });

  it('unreachable when the resident blocked the bot, failed when the messenger keeps refusing', async () => {
    const blocked = await approvedAnswer();
    h.telegram.block(blocked.chatId);
    const failing = await approvedAnswer();
    for (let i = 0; i < 6; i++) h.telegram.failNext({ status: 500, description: 'Internal Server Error' }, { method: 'sendMessage', chatId: failing.chatId });
    const sender = telegramSender(h.t.db, h.telegram.url, { settings: { maxAttempts: 2 } });
    senders.push(sender);
    sender.start();
    await eventually(async () => (await outboxState(blocked.outboxId)).state === 'unreachable', 10_000, 'unreachable');
    await eventually(async () => (await outboxState(failing.outboxId)).state === 'dead', 10_000, 'dead');
    expect(await answerOnCard(blocked.messageId, blocked.answerId)).toMatchObject({ state: 'approved', deliveredAt: null, delivery: { state: 'unreachable' } });
    expect(await answerOnCard(failing.messageId, failing.answerId)).toMatchObject({ state: 'approved', deliveredAt: null, delivery: { state: 'failed', attempts: 2 } });
  });

  it('not queued when the author could not be reached at approval', async () => {
    const filed = await h.fileMessage('Kemerovo');
    await h.request('POST', `/api/v1/messages/${filed.id}/accept`, { body: {} });
    await withdrawConsent(h.t.db, filed.authorId!, h.now());
    const draft = await h.request('POST', `/api/v1/messages/${filed.id}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'intermediate', text: 'Работы запланированы' } });
    const approved = await h.request('POST', `/api/v1/answers/${draft.body.answer.id}/approve`, { token: h.keys.Kemerovo.curator });
    expect(approved.body.answer).toMatchObject({ state: 'approved', deliveredAt: null, delivery: { state: 'not_queued' } });
    // Drafts have no delivery yet.
    const second = await h.request('POST', `/api/v1/messages/${filed.id}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'intermediate', text: 'Ещё одно' } });
    expect(second.body.answer.delivery).toBeNull();
  });
});
