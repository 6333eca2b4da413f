import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

/**
 * Issue 20 (the console's moderation queue): GET /messages/{id}/suggestions gives the executor the
 * routing rules would pick and the open messages nearby a moderator may mark it a duplicate of.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

const suggestions = (id: number | string, token = h.keys.Kemerovo.moderator) => h.request('GET', `/api/v1/messages/${id}/suggestions`, { token });
const moveTo = (id: number, lat: number, lon: number) => h.t.db.updateTable('message').set({ lat, lon }).where('id', '=', id).execute();

describe('GET /messages/{id}/suggestions', () => {
  it('names the routed executor and lists open messages nearby, nearest first, without closed ones, duplicates or far ones', async () => {
    const message = await h.fileMessage('Kemerovo');
    const near = await h.fileMessage('Kemerovo', { categoryCode: 'ecology.dump' });
    const inWork = await h.fileMessage('Kemerovo');
    await h.request('POST', `/api/v1/messages/${inWork.id}/accept`, { body: {} });
    const rejected = await h.fileMessage('Kemerovo');
    await h.request('POST', `/api/v1/messages/${rejected.id}/reject`, { body: { reason: 'не по теме' } });
    const far = await h.fileMessage('Kemerovo');
    await moveTo(far.id, message.lat! + 0.01, message.lon!);
    // 50 m north: further than the others, which share the message's point.
    await moveTo(near.id, message.lat! + 0.00045, message.lon!);

    const res = await suggestions(message.id);
    expect(res.status).toBe(200);
    const rule = await h.t.db
      .selectFrom('routing_rule')
      .innerJoin('executor', 'executor.id', 'routing_rule.executor_id')
      .select(['executor.id', 'executor.name'])
      .where('routing_rule.municipality_id', '=', h.municipality.Kemerovo)
      .where('routing_rule.category_id', '=', message.categoryId)
      .executeTakeFirstOrThrow();
    expect(res.body.suggestedExecutor).toEqual({ id: rule.id, name: rule.name });
    // The in-work one shares the point; the new one 50 m away in another category; not the message itself, the rejected or the far one.
    expect(res.body.nearby).toEqual([
      { id: inWork.id, text: inWork.text, status: 'in_work', categoryId: message.categoryId, createdAt: expect.any(String), distanceM: 0 },
      { id: near.id, text: near.text, status: 'new', categoryId: await h.categoryId('ecology.dump'), createdAt: expect.any(String), distanceM: 50 },
    ]);

    // A message marked as a duplicate is no candidate any more (an original of one in work is in work too).
    await h.request('POST', `/api/v1/messages/${near.id}/accept`, { body: {} });
    const linked = await h.request('POST', `/api/v1/messages/${inWork.id}/duplicate`, { token: h.keys.Kemerovo.moderator, body: { originalId: near.id } });
    expect(linked.body).toMatchObject({ status: 'in_work', duplicateOf: near.id });
    const after = await suggestions(message.id);
    expect(after.body.nearby.map((n: { id: number }) => n.id)).not.toContain(inWork.id);
  });

  it('has no nearby messages for one without a point, and no executor without a routing rule', async () => {
    const message = await h.fileMessage('Kemerovo');
    await h.t.db.updateTable('message').set({ lat: null, lon: null }).where('id', '=', message.id).execute();
    await h.t.db.deleteFrom('routing_rule').where('municipality_id', '=', h.municipality.Kemerovo).where('category_id', '=', message.categoryId).execute();
    const res = await suggestions(message.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ suggestedExecutor: null, nearby: [] });
  });

  it('refuses a bad id, an unknown message, another municipality and roles that do not moderate', async () => {
    expect((await suggestions('abc')).status).toBe(400);
    expect((await suggestions(999_999)).status).toBe(404);
    const belovo = await h.fileMessage('Belovo');
    const foreign = await suggestions(belovo.id);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.body)).not.toContain('Яма');
    const kemerovo = await h.fileMessage('Kemerovo');
    expect((await suggestions(kemerovo.id, h.keys.Kemerovo.executor)).status).toBe(403);
    expect((await suggestions(kemerovo.id, h.keys.Kemerovo.responsible)).status).toBe(403);
    expect((await h.request('GET', `/api/v1/messages/${kemerovo.id}/suggestions`, {})).status).toBe(200); // the operator's key
  });
});
