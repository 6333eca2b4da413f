import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

/**
 * Issue 18 item 18 (seeds: a duplicate is counted once): rejected at moderation with that reason;
 * once in work, linked to the original and closed with its outcome and answer, the author told.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

const accept = (id: number) => h.request('POST', `/api/v1/messages/${id}/accept`, { body: {} });
const markDuplicate = (id: number, originalId: number) => h.request('POST', `/api/v1/messages/${id}/duplicate`, { token: h.keys.Belovo.moderator, body: { originalId } });
async function closeWithAnswer(id: number, text: string, resolution: 'solved' | 'explained') {
  const draft = await h.request('POST', `/api/v1/messages/${id}/answers`, { token: h.keys.Belovo.moderator, body: { kind: 'final', resolution, text } });
  const approved = await h.request('POST', `/api/v1/answers/${draft.body.answer.id}/approve`, { token: h.keys.Belovo.curator });
  expect(approved.status).toBe(200);
}
const noticesTo = (residentId: number) => h.t.db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', residentId).orderBy('id').execute();

describe('item 18: duplicates', () => {
  it('at moderation: rejected with the duplicate reason', async () => {
    const original = await h.fileMessage('Belovo');
    const dup = await h.fileMessage('Belovo');
    const res = await markDuplicate(dup.id, original.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'rejected', duplicateOf: original.id });
    const row = await h.t.db.selectFrom('message').select('rejection_reason').where('id', '=', dup.id).executeTakeFirstOrThrow();
    expect(row.rejection_reason).toBe(`duplicate of #${original.id}`);
  });

  it("tells the duplicate's author when the original they were merged into is rejected after all", async () => {
    const original = await h.fileMessage('Belovo');
    const dup = await h.fileMessage('Belovo');
    expect((await markDuplicate(dup.id, original.id)).status).toBe(200);
    const rejected = await h.request('POST', `/api/v1/messages/${original.id}/reject`, { token: h.keys.Belovo.moderator, body: { reason: 'Участок не муниципальный' } });
    expect(rejected.status).toBe(200);
    const notices = await noticesTo(dup.authorId!);
    expect(notices.at(-1)).toMatchObject({ kind: 'follow.rejected', payload: { key: 'notify.followed_rejected', params: { messageId: original.id, reason: 'Участок не муниципальный' } } });
  });

  it('in work: stays in work linked to the original, then closes with its outcome and answer; the author is told', async () => {
    const original = await h.fileMessage('Belovo');
    const dup = await h.fileMessage('Belovo');
    await accept(original.id);
    await accept(dup.id);
    const linked = await markDuplicate(dup.id, original.id);
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ status: 'in_work', duplicateOf: original.id });
    // A draft on the duplicate still waiting for the curator is withdrawn when it closes.
    const waiting = await h.request('POST', `/api/v1/messages/${dup.id}/answers`, { token: h.keys.Belovo.moderator, body: { kind: 'intermediate', text: 'Работы в мае' } });
    expect(waiting.body.answer.state).toBe('draft');
    await closeWithAnswer(original.id, 'Яму заделали 5 декабря', 'solved');
    const card = await h.request('GET', `/api/v1/messages/${dup.id}`, { token: h.keys.Belovo.curator });
    expect(card.body.message).toMatchObject({ status: 'solved', duplicateOf: original.id });
    expect(card.body.answers).toEqual([
      expect.objectContaining({ id: waiting.body.answer.id, state: 'withdrawn' }),
      expect.objectContaining({ kind: 'final', resolution: 'solved', text: 'Яму заделали 5 декабря', state: 'approved' }),
    ]);
    expect(card.body.history.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['duplicate_linked', 'closed']));
    const notices = await noticesTo(dup.authorId!);
    expect(notices.at(-1)).toMatchObject({ kind: 'answer.final', payload: { key: 'notify.answer_final', params: { messageId: dup.id, text: 'Яму заделали 5 декабря', resolution: 'solved' } } });
  });

  it('in work, the original already closed: closes at once with its outcome', async () => {
    const original = await h.fileMessage('Belovo');
    await accept(original.id);
    await closeWithAnswer(original.id, 'Работы не требуются: участок частный', 'explained');
    const dup = await h.fileMessage('Belovo');
    await accept(dup.id);
    const res = await markDuplicate(dup.id, original.id);
    expect(res.body).toMatchObject({ status: 'explained', duplicateOf: original.id });
    const notices = await noticesTo(dup.authorId!);
    expect(notices.at(-1)).toMatchObject({ kind: 'answer.final', payload: { params: { resolution: 'explained', text: 'Работы не требуются: участок частный' } } });
  });

  it('two moderators marking two messages duplicates of each other at the same moment: one is marked, the other refused (409), never a 500', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await h.fileMessage('Belovo');
      const b = await h.fileMessage('Belovo');
      const [first, second] = await Promise.all([markDuplicate(a.id, b.id), h.request('POST', `/api/v1/messages/${b.id}/duplicate`, { token: h.keys.Belovo.curator, body: { originalId: a.id } })]);
      expect([first.status, second.status].sort(), `round ${round}`).toEqual([200, 409]);
      const rows = await h.t.db.selectFrom('message').select(['id', 'duplicate_of']).where('id', 'in', [a.id, b.id]).execute();
      expect(rows.filter((r) => r.duplicate_of !== null)).toHaveLength(1);
    }
  });

  it('is counted once in the statistics, and a duplicate cannot be an original', async () => {
    const original = await h.fileMessage('Belovo', { categoryCode: 'ecology.dump' });
    const dup = await h.fileMessage('Belovo', { categoryCode: 'ecology.dump' });
    await accept(original.id);
    await accept(dup.id);
    await markDuplicate(dup.id, original.id);
    const third = await h.fileMessage('Belovo', { categoryCode: 'ecology.dump' });
    await accept(third.id);
    const chained = await markDuplicate(third.id, dup.id);
    expect(chained.status).toBe(409);
    await closeWithAnswer(original.id, 'Свалку убрали', 'solved');
    const categoryId = await h.categoryId('ecology.dump');
    const slices = await h.request('GET', `/api/v1/stats/slices?municipalityId=${h.municipality.Belovo}&categoryId=${categoryId}&groupBy=status`, { token: h.keys.Belovo.curator });
    expect(slices.status).toBe(200);
    const solved = slices.body.rows.find((r: { status: string }) => r.status === 'solved');
    expect(solved.count).toBe(1);
  });

  it('refuses to link a message in work to an original still on moderation: it could be rejected and leave the duplicate open for ever', async () => {
    const original = await h.fileMessage('Belovo');
    const dup = await h.fileMessage('Belovo');
    await accept(dup.id);
    const res = await markDuplicate(dup.id, original.id);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { original: original.id, status: 'new' } });
    expect(res.body.detail).toMatch(/accept/i);
    const row = await h.t.db.selectFrom('message').select(['status', 'duplicate_of']).where('id', '=', dup.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'in_work', duplicate_of: null });
    // Nor is it offered as a candidate on the card of the one in work.
    const hints = await h.request('GET', `/api/v1/messages/${dup.id}/suggestions`, { token: h.keys.Belovo.moderator });
    expect(hints.body.nearby.map((n: { id: number }) => n.id)).not.toContain(original.id);
    // The other way round is the moderator's way: the new one is the duplicate.
    expect((await markDuplicate(original.id, dup.id)).body).toMatchObject({ status: 'rejected', duplicateOf: dup.id });
  });

  it("moves an original's own duplicates to its original when it becomes a duplicate, so they close with it", async () => {
    const first = await h.fileMessage('Belovo');
    const second = await h.fileMessage('Belovo');
    const third = await h.fileMessage('Belovo');
    for (const m of [first, second, third]) await accept(m.id);
    expect((await markDuplicate(third.id, second.id)).status).toBe(200);
    const res = await markDuplicate(second.id, first.id);
    expect(res.status).toBe(200);
    const thirdCard = await h.request('GET', `/api/v1/messages/${third.id}`, { token: h.keys.Belovo.curator });
    expect(thirdCard.body.message.duplicateOf).toBe(first.id);
    await closeWithAnswer(first.id, 'Освещение восстановили', 'solved');
    const rows = await h.t.db.selectFrom('message').select(['id', 'status']).where('id', 'in', [second.id, third.id]).orderBy('id').execute();
    expect(rows).toEqual([
      { id: second.id, status: 'solved' },
      { id: third.id, status: 'solved' },
    ]);
    expect((await noticesTo(third.authorId!)).at(-1)).toMatchObject({ kind: 'answer.final', payload: { params: { messageId: third.id, text: 'Освещение восстановили' } } });
  });
});
