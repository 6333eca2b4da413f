import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('GET /audit', () => {
  it('records who, with which key and request, what and where, for every write', async () => {
    const m = await h.fileMessage('Belovo');
    const accepted = await h.request('POST', `/api/v1/messages/${m.id}/accept`, { token: h.keys.Belovo.moderator, body: {} });
    const staff = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Секретное Имя', role: 'moderator', municipalityId: h.municipality.Belovo } });
    const keyRow = await h.t.db.selectFrom('api_key').select('id').where('staff_id', '=', h.staff.Belovo.moderator).executeTakeFirstOrThrow();

    const res = await h.request('GET', `/api/v1/audit?municipalityId=${h.municipality.Belovo}`, { token: h.keys.Belovo.curator });
    expect(res.status).toBe(200);
    const [created, accept] = res.body.items;
    expect(accept).toMatchObject({
      action: 'message.accept',
      entity: 'message',
      entityId: String(m.id),
      staffId: h.staff.Belovo.moderator,
      apiKeyId: keyRow.id,
      requestId: accepted.headers.get('x-request-id'),
      municipalityId: h.municipality.Belovo,
      createdAt: h.now().toISOString(),
    });
    expect(created).toMatchObject({ action: 'staff.create', entityId: String(staff.body.id), data: { role: 'moderator' } });
    expect(JSON.stringify(res.body)).not.toContain('Секретное Имя');
  });

  it('filters, pages newest first, and keeps curators to their municipality', async () => {
    for (let i = 0; i < 3; i++) await h.request('PATCH', `/api/v1/executors/${h.executors.Novokuznetsk.city}`, { token: h.keys.Novokuznetsk.curator, body: { name: `Администрация ${i}` } });
    const page1 = await h.request('GET', '/api/v1/audit?action=executor.update&limit=2', { token: h.keys.Novokuznetsk.curator });
    const page2 = await h.request('GET', `/api/v1/audit?action=executor.update&limit=2&cursor=${page1.body.nextCursor}`, { token: h.keys.Novokuznetsk.curator });
    const ids = [...page1.body.items, ...page2.body.items].map((e: { id: number }) => e.id);
    expect(ids).toHaveLength(3);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(page2.body.nextCursor).toBeNull();

    const kemerovoCurator = await h.request('GET', '/api/v1/audit?limit=100', { token: h.keys.Kemerovo.curator });
    expect(kemerovoCurator.body.items.every((e: { municipalityId: number }) => e.municipalityId === h.municipality.Kemerovo)).toBe(true);
    const operator = await h.request('GET', '/api/v1/audit?limit=100');
    expect(operator.body.items.some((e: { municipalityId: number }) => e.municipalityId === h.municipality.Novokuznetsk)).toBe(true);
  });

  it('a moderation action repeated on a message it changes no more (publish, unpublish, urgent, category, executor) writes no second entry', async () => {
    const m = await h.fileMessage('Belovo');
    const token = h.keys.Belovo.curator;
    const post = (path: string, body: unknown = {}) => h.request('POST', `/api/v1/messages/${m.id}/${path}`, { token, body });
    expect((await post('accept')).status).toBe(200);
    const other = await h.categoryId('roads.lighting'); // fileMessage files under roads.pothole
    const steps: [string, unknown][] = [
      ['publish', {}],
      ['unpublish', {}],
      ['urgent', {}],
      ['category', { categoryId: other }],
      ['executor', { executorId: h.executors.Belovo.utility }],
    ];
    for (const [path, body] of steps) {
      const first = await post(path, body);
      expect(first.status, `${path}: ${JSON.stringify(first.body)}`).toBe(200);
      const again = await post(path, body);
      expect(again.status, path).toBe(200);
      expect(again.body.version, path).toBe(first.body.version);
    }
    const entries = await h.t.db.selectFrom('audit_log').select('action').where('entity', '=', 'message').where('entity_id', '=', String(m.id)).orderBy('id').execute();
    expect(entries.map((e) => e.action)).toEqual(['message.accept', 'message.publish', 'message.unpublish', 'message.mark_urgent', 'message.change_category', 'message.route']);
  });

  it('setting a routing rule or the comment policy to what it already is writes no second entry', async () => {
    const token = h.keys.Belovo.curator;
    const m = h.municipality.Belovo;
    const rule = { municipalityId: m, categoryId: await h.categoryId('roads.sidewalk'), executorId: h.executors.Belovo.utility };
    for (let i = 0; i < 2; i++) expect((await h.request('PUT', '/api/v1/routing-rules', { token, body: rule })).status).toBe(200);
    expect((await h.request('PUT', '/api/v1/routing-rules', { token, body: { ...rule, executorId: h.executors.Belovo.city } })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await h.request('PUT', '/api/v1/comments/policy', { token, body: { municipalityId: m, premoderation: true } })).status).toBe(200);
    expect((await h.request('PUT', '/api/v1/comments/policy', { token, body: { municipalityId: m, premoderation: false } })).status).toBe(200);
    const entries = await h.t.db
      .selectFrom('audit_log')
      .select(['action', 'data'])
      .where('action', 'in', ['routing_rule.set', 'item_comment.policy'])
      .where('municipality_id', '=', m)
      .orderBy('id')
      .execute();
    expect(entries).toEqual([
      { action: 'routing_rule.set', data: { categoryId: rule.categoryId, executorId: h.executors.Belovo.utility } },
      { action: 'routing_rule.set', data: { categoryId: rule.categoryId, executorId: h.executors.Belovo.city } },
      { action: 'item_comment.policy', data: { premoderation: true } },
      { action: 'item_comment.policy', data: { premoderation: false } },
    ]);
  });

  it('writes nothing when the change fails', async () => {
    const before = await h.request('GET', '/api/v1/audit?limit=100');
    const m = await h.fileMessage('Belovo');
    const failed = await h.request('POST', `/api/v1/messages/${m.id}/reject`, { token: h.keys.Belovo.moderator, body: { reason: ' ' } });
    expect(failed.status).toBe(400);
    const after = await h.request('GET', '/api/v1/audit?limit=100');
    expect(after.body.items).toEqual(before.body.items);
  });
});

describe('GET /audit: the actor by name', () => {
  it('names who acted, an operator too, for a curator whose staff list leaves operators out', async () => {
    const operatorKey = await h.t.db
      .selectFrom('api_key as k')
      .innerJoin('staff as s', 's.id', 'k.staff_id')
      .select(['s.id', 's.full_name'])
      .where('s.role', '=', 'operator')
      .executeTakeFirstOrThrow();
    await h.request('PATCH', `/api/v1/executors/${h.executors.Belovo.city}`, { body: { name: 'Администрация Белово (оператор)' } });
    await h.request('PATCH', `/api/v1/executors/${h.executors.Belovo.city}`, { token: h.keys.Belovo.curator, body: { name: 'Администрация Белово' } });
    const res = await h.request('GET', '/api/v1/audit?action=executor.update&limit=2', { token: h.keys.Belovo.curator });
    expect(res.status).toBe(200);
    const [byCurator, byOperator] = res.body.items;
    expect(byOperator).toMatchObject({ staffId: operatorKey.id, staffName: operatorKey.full_name });
    const curator = await h.t.db.selectFrom('staff').select('full_name').where('id', '=', h.staff.Belovo.curator).executeTakeFirstOrThrow();
    expect(byCurator).toMatchObject({ staffId: h.staff.Belovo.curator, staffName: curator.full_name });
    // Why the console could not name the operator before: a curator's GET /staff is their municipality's staff only.
    const lookup = await h.request('GET', `/api/v1/staff?ids=${operatorKey.id}`, { token: h.keys.Belovo.curator });
    expect(lookup.body.items).toEqual([]);
  });

  it("an entry with no staff member (the platform's own) has no name", async () => {
    await h.t.db
      .insertInto('audit_log')
      .values({ staff_id: null, api_key_id: null, request_id: null, action: 'kpi.recompute', entity: 'kpi', entity_id: null, municipality_id: h.municipality.Belovo, data: '{}', created_at: h.now() })
      .execute();
    const res = await h.request('GET', '/api/v1/audit?action=kpi.recompute&limit=1', { token: h.keys.Belovo.curator });
    expect(res.body.items[0]).toMatchObject({ staffId: null, staffName: null });
  });
});

describe('GET /audit: security of the actor', () => {
  it("gives the actor's name only: no key hash, role, messenger or other staff fields", async () => {
    await h.request('PATCH', `/api/v1/executors/${h.executors.Belovo.city}`, { body: { name: 'Администрация Белово' } });
    const res = await h.request('GET', '/api/v1/audit?action=executor.update&limit=100', { token: h.keys.Belovo.curator });
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const item of res.body.items) {
      expect(Object.keys(item).sort()).toEqual(['action', 'apiKeyId', 'createdAt', 'data', 'entity', 'entityId', 'id', 'municipalityId', 'requestId', 'staffId', 'staffName'].sort());
    }
    const hashes = await h.t.db.selectFrom('api_key').select('token_hash').execute();
    const identities = await h.t.db.selectFrom('staff_identity').select(['chat_id']).execute();
    const body = JSON.stringify(res.body);
    for (const { token_hash } of hashes) expect(body).not.toContain(token_hash);
    for (const { chat_id } of identities) expect(body).not.toContain(`"${chat_id}"`);
  });

  it("names no one outside the curator's municipality: another municipality's entries stay out", async () => {
    await h.request('PATCH', `/api/v1/executors/${h.executors.Novokuznetsk.city}`, { token: h.keys.Novokuznetsk.curator, body: { name: 'Администрация Новокузнецка' } });
    const other = await h.t.db.selectFrom('staff').select('full_name').where('id', '=', h.staff.Novokuznetsk.curator).executeTakeFirstOrThrow();
    const res = await h.request('GET', '/api/v1/audit?limit=100', { token: h.keys.Belovo.curator });
    expect(res.body.items.every((e: { municipalityId: number }) => e.municipalityId === h.municipality.Belovo)).toBe(true);
    expect(JSON.stringify(res.body)).not.toContain(other.full_name);
  });
});
