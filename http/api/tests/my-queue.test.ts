import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

/** Issue 18 item 15: what waits for each official, and who a message is assigned to. */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

const queue = async (token: string) => {
  const res = await h.request('GET', '/api/v1/me/queue', { token });
  expect(res.status).toBe(200);
  return res.body as { role: string; items: { kind: string; messageId: number; answerId: number | null }[] };
};
const pick = (items: { kind: string; messageId: number; answerId: number | null }[], ids: number[]) =>
  items.filter((i) => ids.includes(i.messageId)).map((i) => ({ kind: i.kind, messageId: i.messageId, answerId: i.answerId }));

describe('item 15: GET /me/queue and the assignee on the message card', () => {
  it('gives each role its own queue, within its scope', async () => {
    const fresh = await h.fileMessage('Kemerovo');
    const toCity = await h.fileMessage('Kemerovo');
    await h.request('POST', `/api/v1/messages/${toCity.id}/accept`, { body: { executorId: h.executors.Kemerovo.city } });
    const drafted = await h.fileMessage('Kemerovo');
    await h.request('POST', `/api/v1/messages/${drafted.id}/accept`, { body: { executorId: h.executors.Kemerovo.city } });
    const draft = await h.request('POST', `/api/v1/messages/${drafted.id}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'intermediate', text: 'Работы запланированы' } });
    const returned = await h.fileMessage('Kemerovo');
    await h.request('POST', `/api/v1/messages/${returned.id}/accept`, { body: { executorId: h.executors.Kemerovo.city } });
    const back = await h.request('POST', `/api/v1/messages/${returned.id}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'intermediate', text: 'черновик' } });
    await h.request('POST', `/api/v1/answers/${back.body.answer.id}/return`, { token: h.keys.Kemerovo.curator, body: { remark: 'Уточните сроки' } });
    const belovo = await h.fileMessage('Belovo');
    const ids = [fresh.id, toCity.id, drafted.id, returned.id, belovo.id];

    const moderator = await queue(h.keys.Kemerovo.moderator);
    expect(moderator.role).toBe('moderator');
    expect(pick(moderator.items, ids)).toEqual([
      { kind: 'moderate', messageId: fresh.id, answerId: null },
      { kind: 'revise', messageId: returned.id, answerId: back.body.answer.id },
    ]);
    const curator = await queue(h.keys.Kemerovo.curator);
    expect(pick(curator.items, ids)).toEqual([
      { kind: 'moderate', messageId: fresh.id, answerId: null },
      { kind: 'approve', messageId: drafted.id, answerId: draft.body.answer.id },
    ]);
    const executor = await queue(h.keys.Kemerovo.executor);
    expect(pick(executor.items, ids)).toEqual([
      { kind: 'answer', messageId: toCity.id, answerId: null },
      { kind: 'revise', messageId: returned.id, answerId: back.body.answer.id },
    ]);
    // The utility company has nothing of these; Belovo's moderator sees only Belovo.
    expect(pick((await queue(h.keys.Kemerovo.utility_executor)).items, ids)).toEqual([]);
    expect(pick((await queue(h.keys.Belovo.moderator)).items, ids)).toEqual([{ kind: 'moderate', messageId: belovo.id, answerId: null }]);
    expect((await queue(h.keys.Kemerovo.responsible)).items).toEqual([]);
    // Operators see every municipality.
    expect(pick((await queue(h.operator)).items, ids).map((i) => i.messageId)).toEqual(expect.arrayContaining([fresh.id, belovo.id, drafted.id]));
  });

  it("leaves out of the executor's queue a duplicate linked in work: it closes with its original's answer", async () => {
    const original = await h.fileMessage('Novokuznetsk');
    const duplicate = await h.fileMessage('Novokuznetsk');
    for (const m of [original, duplicate]) await h.request('POST', `/api/v1/messages/${m.id}/accept`, { body: { executorId: h.executors.Novokuznetsk.city } });
    const linked = await h.request('POST', `/api/v1/messages/${duplicate.id}/duplicate`, { body: { originalId: original.id } });
    expect(linked.body).toMatchObject({ status: 'in_work', duplicateOf: original.id });
    const executor = await queue(h.keys.Novokuznetsk.executor);
    expect(pick(executor.items, [original.id, duplicate.id])).toEqual([{ kind: 'answer', messageId: original.id, answerId: null }]);
  });

  it('names the executor organisation and its linked staff on the card', async () => {
    const m = await h.fileMessage('Kemerovo');
    const before = await h.request('GET', `/api/v1/messages/${m.id}`, { token: h.keys.Kemerovo.moderator });
    expect(before.body.assignee).toBeNull();
    await h.request('POST', `/api/v1/messages/${m.id}/accept`, { body: { executorId: h.executors.Kemerovo.utility } });
    await h.t.db.insertInto('staff_identity').values({ staff_id: h.staff.Kemerovo.utility_executor, channel: 'tg', external_id: '7700001', chat_id: '7700001' }).execute();
    const card = await h.request('GET', `/api/v1/messages/${m.id}`, { token: h.keys.Kemerovo.moderator });
    expect(card.body.assignee).toMatchObject({ executorId: h.executors.Kemerovo.utility, kind: 'organisation', name: expect.stringContaining('Кемерово-Сервис') });
    expect(card.body.assignee.staff).toEqual([{ id: h.staff.Kemerovo.utility_executor, fullName: 'Исполнитель УК (Кемерово)', active: true, channels: ['tg'] }]);
  });

  it('pages the queue like the other lists: limit items, nextCursor while more wait, each item once in order even as items leave', async () => {
    const filed = [];
    for (let i = 0; i < 5; i++) filed.push((await h.fileMessage('Belovo')).id);
    // A returned answer too, so the page merges two kinds.
    const m = await h.fileMessage('Belovo');
    await h.request('POST', `/api/v1/messages/${m.id}/accept`, { body: { executorId: h.executors.Belovo.city } });
    const back = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: h.keys.Belovo.executor, body: { kind: 'intermediate', text: 'черновик' } });
    await h.request('POST', `/api/v1/answers/${back.body.answer.id}/return`, { token: h.keys.Belovo.curator, body: { remark: 'Уточните сроки' } });
    const token = h.keys.Belovo.moderator;
    const whole = await h.request('GET', '/api/v1/me/queue?limit=100', { token });
    expect(whole.body.nextCursor).toBeNull();
    const all = whole.body.items.map((i: { kind: string; messageId: number }) => `${i.kind}:${i.messageId}`);
    expect(all).toEqual(expect.arrayContaining([...filed.map((id) => `moderate:${id}`), `revise:${m.id}`]));
    const first = await h.request('GET', '/api/v1/me/queue?limit=2', { token });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    // Moderating an item already seen moves nothing on the later pages.
    expect((await h.request('POST', `/api/v1/messages/${first.body.items[0].messageId}/reject`, { token, body: { reason: 'Не по теме' } })).status).toBe(200);
    const seen = first.body.items.map((i: { kind: string; messageId: number }) => `${i.kind}:${i.messageId}`);
    let cursor: string | null = first.body.nextCursor;
    while (cursor !== null) {
      const next = await h.request('GET', `/api/v1/me/queue?limit=2&cursor=${cursor}`, { token });
      expect(next.status).toBe(200);
      expect(next.body.items.length).toBeGreaterThan(0);
      seen.push(...next.body.items.map((i: { kind: string; messageId: number }) => `${i.kind}:${i.messageId}`));
      cursor = next.body.nextCursor;
    }
    expect(seen).toEqual(all);
    // Without a limit: 25 at most, like every list.
    expect((await h.request('GET', '/api/v1/me/queue', { token: h.operator })).body.items.length).toBeLessThanOrEqual(25);
  });

  it('refuses a forged cursor and a limit over 100 with 400', async () => {
    const token = h.keys.Belovo.moderator;
    for (const cursor of ['not-a-cursor', Buffer.from(JSON.stringify({ v: 'yesterday|0', id: 1 })).toString('base64url'), Buffer.from(JSON.stringify({ v: 5, id: 1 })).toString('base64url')]) {
      const res = await h.request('GET', `/api/v1/me/queue?cursor=${cursor}`, { token });
      expect(res.status, cursor).toBe(400);
      expect(res.body.code).toBe('INVALID_CURSOR');
    }
    expect((await h.request('GET', '/api/v1/me/queue?limit=101', { token })).status).toBe(400);
    expect((await h.request('GET', '/api/v1/me/queue?limit=0', { token })).status).toBe(400);
  });
});
