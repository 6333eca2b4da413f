import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('the whole loop through the admin API', () => {
  it('filed → accepted → final answer drafted → returned → revised → approved → resident notified → solved with history', async () => {
    const filed = await h.fileMessage('Kemerovo', { categoryCode: 'roads.pothole', text: 'Глубокая яма у дома 5' });
    const k = h.keys.Kemerovo;

    const card0 = await h.request('GET', `/api/v1/messages/${filed.id}`, { token: k.moderator });
    expect(card0.status).toBe(200);
    expect(card0.body.message.status).toBe('new');

    h.advance(60_000);
    const accepted = await h.request('POST', `/api/v1/messages/${filed.id}/accept`, { token: k.moderator, body: {}, headers: { 'if-match': card0.headers.get('etag')! } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('in_work');
    expect(accepted.body.executorId).toBe(h.executors.Kemerovo.city);

    h.advance(60_000);
    const drafted = await h.request('POST', `/api/v1/messages/${filed.id}/answers`, { token: k.executor, body: { kind: 'final', resolution: 'solved', text: 'Яму заделали' } });
    expect(drafted.status).toBe(201);
    expect(drafted.body.answer.state).toBe('draft');
    expect(drafted.body.message.status).toBe('in_work');
    const answerId = drafted.body.answer.id;

    const pending = await h.request('GET', '/api/v1/answers?state=draft', { token: k.curator });
    expect(pending.body.items.map((a: { id: number }) => a.id)).toContain(answerId);

    h.advance(60_000);
    const returned = await h.request('POST', `/api/v1/answers/${answerId}/return`, { token: k.curator, body: { remark: 'Приложите фото' } });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ state: 'returned', returnRemark: 'Приложите фото' });

    h.advance(60_000);
    const revised = await h.request('POST', `/api/v1/answers/${answerId}/revise`, { token: k.executor, body: { text: 'Яму заделали, фото приложено' } });
    expect(revised.status).toBe(200);
    expect(revised.body.state).toBe('draft');

    h.advance(60_000);
    const approved = await h.request('POST', `/api/v1/answers/${answerId}/approve`, { token: k.curator });
    expect(approved.status).toBe(200);
    // Queued for the resident, not yet delivered (issue 18 item 16: delivery is the outbox row's word).
    expect(approved.body.answer).toMatchObject({ state: 'approved', deliveredAt: null, delivery: { state: 'queued' } });
    expect(approved.body.message.status).toBe('solved');

    const outbox = await h.t.db.selectFrom('outbox').selectAll().where('resident_id', '=', filed.authorId).orderBy('id').execute();
    const answerRow = outbox.find((r) => r.kind === 'answer.final');
    expect(answerRow).toBeDefined();
    expect(answerRow!.payload).toMatchObject({ key: 'notify.answer_final', params: { messageId: filed.id, text: 'Яму заделали, фото приложено', resolution: 'solved' } });
    expect(answerRow!.state).toBe('pending');

    const card = await h.request('GET', `/api/v1/messages/${filed.id}`, { token: k.curator });
    expect(card.body.message.status).toBe('solved');
    expect(card.body.message.closedAt).not.toBeNull();
    expect(card.body.history.map((e: { kind: string }) => e.kind)).toEqual(['filed', 'accepted', 'answer_drafted', 'answer_returned', 'answer_revised', 'closed']);
    expect(card.body.history.at(-1)).toMatchObject({ fromStatus: 'in_work', toStatus: 'solved', actorKind: 'staff', actorId: h.staff.Kemerovo.curator });
    expect(card.body.answers).toHaveLength(1);

    const audit = await h.request('GET', `/api/v1/audit?municipalityId=${h.municipality.Kemerovo}&limit=10`, { token: k.curator });
    expect(audit.body.items.map((e: { action: string }) => e.action).reverse()).toEqual(['message.accept', 'answer.draft', 'answer.return', 'answer.revise', 'answer.approve']);
    expect(audit.body.items[0]).toMatchObject({ staffId: h.staff.Kemerovo.curator, entity: 'answer', entityId: String(answerId) });
    expect(audit.body.items[0].requestId).toBe(approved.headers.get('x-request-id'));
  });
});
