import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

let h: ApiHarness;
let mod: string;
beforeAll(async () => {
  h = await createApiHarness();
  mod = h.keys.Kemerovo.moderator;
});
afterAll(() => h.close());

const post = (url: string, body?: unknown, headers?: Record<string, string>) => h.request('POST', url, { token: mod, body, headers });

describe('POST /messages/{id}/accept', () => {
  it('routes by the rules, or to a chosen executor of the municipality, and notifies the resident', async () => {
    const routed = await h.fileMessage('Kemerovo', { categoryCode: 'waste.pickup' });
    const res = await post(`/api/v1/messages/${routed.id}/accept`, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'in_work', executorId: h.executors.Kemerovo.utility });
    expect(res.headers.get('etag')).toBe(`"${res.body.version}"`);
    const notice = await h.t.db.selectFrom('outbox').select('kind').where('resident_id', '=', routed.authorId).execute();
    expect(notice.map((n) => n.kind)).toContain('status.accepted');

    const chosen = await h.fileMessage('Kemerovo', { categoryCode: 'waste.pickup' });
    const res2 = await post(`/api/v1/messages/${chosen.id}/accept`, { executorId: h.executors.Kemerovo.city });
    expect(res2.body.executorId).toBe(h.executors.Kemerovo.city);
  });

  it('refuses an executor switched off as inactive (422), not as unknown, and changes nothing', async () => {
    const m = await h.fileMessage('Kemerovo', { categoryCode: 'waste.pickup' });
    expect((await h.request('PATCH', `/api/v1/executors/${h.executors.Kemerovo.city}`, { body: { active: false } })).status).toBe(200);
    const res = await post(`/api/v1/messages/${m.id}/accept`, { executorId: h.executors.Kemerovo.city });
    expect((await h.request('PATCH', `/api/v1/executors/${h.executors.Kemerovo.city}`, { body: { active: true } })).status).toBe(200);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('EXECUTOR_INACTIVE');
    expect((await h.request('GET', `/api/v1/messages/${m.id}`, { token: mod })).body.message.status).toBe('new');
  });

  it('refuses an executor of another municipality as not found, and a closed message as a conflict', async () => {
    const m = await h.fileMessage('Kemerovo');
    const foreign = await post(`/api/v1/messages/${m.id}/accept`, { executorId: h.executors.Novokuznetsk.city });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('EXECUTOR_NOT_FOUND');
    await post(`/api/v1/messages/${m.id}/reject`, { reason: 'Не по теме' });
    const closed = await post(`/api/v1/messages/${m.id}/accept`, {});
    expect(closed.status).toBe(409);
    expect(closed.headers.get('content-type')).toBe('application/problem+json');
    expect(closed.body.code).toBe('ILLEGAL_TRANSITION');
  });

  it('answers 409 CONCURRENT_CHANGE when If-Match names an old version, 400 when it is not a version', async () => {
    const m = await h.fileMessage('Kemerovo');
    const card = await h.request('GET', `/api/v1/messages/${m.id}`, { token: mod });
    const etag = card.headers.get('etag')!;
    await post(`/api/v1/messages/${m.id}/category`, { categoryId: await h.categoryId('roads.sidewalk') }, { 'if-match': etag });
    const stale = await post(`/api/v1/messages/${m.id}/accept`, {}, { 'if-match': etag });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'CONCURRENT_CHANGE', details: { expectedVersion: 1, actualVersion: 2 } });
    const bad = await post(`/api/v1/messages/${m.id}/accept`, {}, { 'if-match': 'yesterday' });
    expect(bad.status).toBe(400);
    expect((await h.request('GET', `/api/v1/messages/${m.id}`, { token: mod })).body.message.status).toBe('new');
  });

  it('takes If-Match: * (RFC 9110: any current version) as no version check, not as a malformed version', async () => {
    const m = await h.fileMessage('Kemerovo');
    await post(`/api/v1/messages/${m.id}/category`, { categoryId: await h.categoryId('roads.sidewalk') });
    const any = await post(`/api/v1/messages/${m.id}/accept`, {}, { 'if-match': '*' });
    expect(any.status).toBe(200);
    expect(any.body).toMatchObject({ status: 'in_work', version: 3 });
    expect(any.headers.get('etag')).toBe('"3"');
  });

  it('answers 422 NO_ROUTING_RULE when no rule names an executor', async () => {
    const m = await h.fileMessage('Kemerovo', { categoryCode: 'roads.signs' });
    const rule = await h.t.db.selectFrom('routing_rule').select('id').where('municipality_id', '=', h.municipality.Kemerovo).where('category_id', '=', m.categoryId).executeTakeFirstOrThrow();
    expect((await h.request('DELETE', `/api/v1/routing-rules/${rule.id}`, { token: h.keys.Kemerovo.curator })).status).toBe(204);
    const res = await post(`/api/v1/messages/${m.id}/accept`, {});
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('NO_ROUTING_RULE');
  });
});

describe('POST /messages/{id}/reject', () => {
  it('rejects with the reason the resident reads', async () => {
    const m = await h.fileMessage('Kemerovo');
    const res = await post(`/api/v1/messages/${m.id}/reject`, { reason: 'Нецензурная лексика' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'rejected', rejectionReason: 'Нецензурная лексика' });
    const notice = await h.t.db.selectFrom('outbox').select('payload').where('resident_id', '=', m.authorId).where('kind', '=', 'status.rejected').executeTakeFirstOrThrow();
    expect(notice.payload).toMatchObject({ params: { reason: 'Нецензурная лексика' } });
  });

  it('requires a reason', async () => {
    const m = await h.fileMessage('Kemerovo');
    const res = await post(`/api/v1/messages/${m.id}/reject`, { reason: '   ' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('REASON_REQUIRED');
    expect((await post(`/api/v1/messages/${m.id}/reject`, {})).status).toBe(400);
  });
});

describe('POST /messages/{id}/publish and /unpublish', () => {
  it('publishes an accepted message, idempotently, and withdraws it', async () => {
    const m = await h.fileMessage('Kemerovo');
    const early = await post(`/api/v1/messages/${m.id}/publish`);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('ILLEGAL_TRANSITION');
    await post(`/api/v1/messages/${m.id}/accept`, {});
    const published = await post(`/api/v1/messages/${m.id}/publish`);
    expect(published.body.published).toBe(true);
    const again = await post(`/api/v1/messages/${m.id}/publish`);
    expect(again.body.version).toBe(published.body.version);
    const withdrawn = await post(`/api/v1/messages/${m.id}/unpublish`);
    expect(withdrawn.body.published).toBe(false);
  });
});

describe('POST /messages/{id}/category', () => {
  it('moves an open message and records the change; an unknown category is 404', async () => {
    const m = await h.fileMessage('Kemerovo');
    const target = await h.categoryId('transport.stop');
    const res = await post(`/api/v1/messages/${m.id}/category`, { categoryId: target });
    expect(res.body.categoryId).toBe(target);
    const card = await h.request('GET', `/api/v1/messages/${m.id}`, { token: mod });
    expect(card.body.history.at(-1)).toMatchObject({ kind: 'category_changed', data: { from: m.categoryId, to: target } });
    const unknown = await post(`/api/v1/messages/${m.id}/category`, { categoryId: 999_999 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('CATEGORY_NOT_FOUND');
  });
});

describe('POST /messages/{id}/category: a retired category', () => {
  it('is refused as filing and open-source intake refuse it (404 CATEGORY_NOT_FOUND), and the message keeps its category; a message already in it keeps it', async () => {
    const m = await h.fileMessage('Kemerovo');
    const inIt = await h.fileMessage('Kemerovo', { categoryCode: 'roads.sidewalk' });
    const retired = await h.categoryId('roads.sidewalk');
    const off = await h.request('PATCH', `/api/v1/categories/${retired}`, { body: { active: false } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    try {
      const res = await post(`/api/v1/messages/${m.id}/category`, { categoryId: retired });
      expect(res.status, JSON.stringify(res.body)).toBe(404);
      expect(res.body).toMatchObject({ code: 'CATEGORY_NOT_FOUND', details: { id: retired } });
      const row = await h.t.db.selectFrom('message').select(['category_id', 'version']).where('id', '=', m.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ category_id: m.categoryId, version: m.version });
      const same = await post(`/api/v1/messages/${inIt.id}/category`, { categoryId: retired });
      expect(same.status).toBe(200);
      expect(same.body).toMatchObject({ categoryId: retired, version: inIt.version });
    } finally {
      await h.request('PATCH', `/api/v1/categories/${retired}`, { body: { active: true } });
    }
  });
});

describe('POST /messages/{id}/duplicate', () => {
  it('closes a duplicate and makes its author a supporter of the original', async () => {
    const original = await h.fileMessage('Kemerovo');
    const duplicate = await h.fileMessage('Kemerovo');
    const res = await post(`/api/v1/messages/${duplicate.id}/duplicate`, { originalId: original.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'rejected', duplicateOf: original.id });
    const card = await h.request('GET', `/api/v1/messages/${original.id}`, { token: mod });
    expect(card.body.supporters).toBe(1);
  });

  it('refuses itself (422) and an original of another municipality (404)', async () => {
    const m = await h.fileMessage('Kemerovo');
    const self = await post(`/api/v1/messages/${m.id}/duplicate`, { originalId: m.id });
    expect(self.status).toBe(422);
    expect(self.body.code).toBe('DUPLICATE_OF_SELF');
    const foreign = await h.fileMessage('Novokuznetsk');
    const res = await post(`/api/v1/messages/${m.id}/duplicate`, { originalId: foreign.id });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('MESSAGE_NOT_FOUND');
  });

  it('an operator, who sees both, is refused an original of another municipality as the moderator is: 404 MESSAGE_NOT_FOUND naming it, the message unchanged', async () => {
    const m = await h.fileMessage('Kemerovo');
    const foreign = await h.fileMessage('Novokuznetsk');
    const res = await h.request('POST', `/api/v1/messages/${m.id}/duplicate`, { body: { originalId: foreign.id } });
    expect([res.status, res.body.code, res.body.details]).toEqual([404, 'MESSAGE_NOT_FOUND', { id: foreign.id }]);
    expect((await h.request('GET', `/api/v1/messages/${m.id}`)).body.message).toMatchObject({ status: 'new', duplicateOf: null });
  });
});
