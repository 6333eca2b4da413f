import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlert } from '../../../core/alerts/alerts.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

/** Issue 18 item 20: regional bodies — executors and staff whose scope is the whole region. */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('item 20: regional executors and staff', () => {
  it('a regional ministry as executor: routing rules of any municipality name it, its staff see its messages everywhere', async () => {
    const ministry = await h.request('POST', '/api/v1/executors', { body: { municipalityId: null, name: 'Министерство строительства Кузбасса', kind: 'organisation' } });
    expect(ministry.status).toBe(201);
    expect(ministry.body.municipalityId).toBeNull();
    // A municipality's curator may neither create nor rename a regional body.
    expect((await h.request('POST', '/api/v1/executors', { token: h.keys.Kemerovo.curator, body: { municipalityId: null, name: 'x', kind: 'organisation' } })).status).toBe(404);
    expect((await h.request('PATCH', `/api/v1/executors/${ministry.body.id}`, { token: h.keys.Kemerovo.curator, body: { name: 'x' } })).status).toBe(404);
    // …but sees it among the executors its rules may name, and names it.
    const listed = await h.request('GET', '/api/v1/executors', { token: h.keys.Kemerovo.curator });
    expect(listed.body.items.map((e: { id: number }) => e.id)).toContain(ministry.body.id);
    const category = await h.categoryId('construction.illegal');
    for (const town of ['Kemerovo', 'Belovo'] as const) {
      const rule = await h.request('PUT', '/api/v1/routing-rules', { token: h.keys[town].curator, body: { municipalityId: h.municipality[town], categoryId: category, executorId: ministry.body.id } });
      expect(rule.status).toBe(200);
    }
    const inKemerovo = await h.fileMessage('Kemerovo', { categoryCode: 'construction.illegal' });
    const inBelovo = await h.fileMessage('Belovo', { categoryCode: 'construction.illegal' });
    expect((await h.request('POST', `/api/v1/messages/${inKemerovo.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} })).body.executorId).toBe(ministry.body.id);
    expect((await h.request('POST', `/api/v1/messages/${inBelovo.id}/accept`, { token: h.keys.Belovo.moderator, body: {} })).body.executorId).toBe(ministry.body.id);

    // The ministry's official: no municipality, sees and answers its messages in both.
    const official = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Специалист министерства', role: 'executor', municipalityId: null, executorId: ministry.body.id } });
    expect(official.status).toBe(201);
    expect(official.body.municipalityId).toBeNull();
    const key = await h.request('POST', `/api/v1/staff/${official.body.id}/keys`, { body: { label: 'ministry' } });
    const token = key.body.token as string;
    const mine = await h.request('GET', '/api/v1/messages', { token });
    expect(mine.body.items.map((m: { id: number }) => m.id).sort()).toEqual([inKemerovo.id, inBelovo.id].sort());
    const answered = await h.request('POST', `/api/v1/messages/${inBelovo.id}/answers`, { token, body: { kind: 'intermediate', text: 'Проверка назначена' } });
    expect(answered.status).toBe(201);
    // Nothing else: a message of a municipal executor stays invisible.
    const other = await h.fileMessage('Belovo');
    expect((await h.request('GET', `/api/v1/messages/${other.id}`, { token })).status).toBe(404);
    // An executor official of a municipality cannot belong to the regional body.
    const mismatch = await h.request('POST', '/api/v1/staff', { body: { fullName: 'x', role: 'executor', municipalityId: h.municipality.Belovo, executorId: ministry.body.id } });
    expect(mismatch.status).toBe(422);
  });

  it('the regional ЦУР curator: whole-region scope, accepts and approves in any municipality; omitting the municipality is still an error', async () => {
    const omitted = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Куратор', role: 'curator' } });
    expect(omitted.status).toBe(400);
    const curator = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Куратор ЦУР Кузбасса', role: 'curator', municipalityId: null } });
    expect(curator.status).toBe(201);
    const token = (await h.request('POST', `/api/v1/staff/${curator.body.id}/keys`, { body: { label: 'cur' } })).body.token as string;
    const kemerovo = await h.fileMessage('Kemerovo');
    const novokuznetsk = await h.fileMessage('Novokuznetsk');
    const listed = await h.request('GET', '/api/v1/messages?status=new&limit=100', { token });
    expect(listed.body.items.map((m: { id: number }) => m.id)).toEqual(expect.arrayContaining([kemerovo.id, novokuznetsk.id]));
    expect((await h.request('POST', `/api/v1/messages/${novokuznetsk.id}/accept`, { token, body: {} })).status).toBe(200);
    const draft = await h.request('POST', `/api/v1/messages/${novokuznetsk.id}/answers`, { token: h.keys.Novokuznetsk.executor, body: { kind: 'intermediate', text: 'В работе' } });
    const approved = await h.request('POST', `/api/v1/answers/${draft.body.answer.id}/approve`, { token });
    expect(approved.status).toBe(200);
    const queue = await h.request('GET', '/api/v1/me/queue', { token });
    expect(queue.body.items.map((i: { messageId: number }) => i.messageId)).toContain(kemerovo.id);
    const audit = await h.t.db
      .selectFrom('audit_log')
      .select(['action', 'municipality_id'])
      .where('staff_id', '=', curator.body.id)
      .where('entity', 'in', ['message', 'answer'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'message.accept', municipality_id: h.municipality.Novokuznetsk },
      { action: 'answer.approve', municipality_id: h.municipality.Novokuznetsk },
    ]);
  });
});

describe('item 20: a regional official and the operators', () => {
  it("a regional curator (whole-region scope) neither sees the platform's operators nor links a messenger to one, and still serves every municipality's team", async () => {
    const curator = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Куратор ЦУР (регион)', role: 'curator', municipalityId: null } });
    const token = (await h.request('POST', `/api/v1/staff/${curator.body.id}/keys`, { body: { label: 'cur' } })).body.token as string;
    const operator = (await h.request('GET', '/api/v1/me')).body.staff.id as number;
    const codesBefore = await h.t.db.selectFrom('staff_link_code').select('staff_id').execute();

    expect((await h.request('GET', `/api/v1/staff/${operator}`, { token })).status).toBe(404);
    const code = await h.request('POST', `/api/v1/staff/${operator}/link-codes`, { token, body: {} });
    expect(code.status).toBe(404);
    expect(code.body.code).toBe('STAFF_NOT_FOUND');
    expect(code.text).not.toContain('/start');
    expect((await h.request('DELETE', `/api/v1/staff/${operator}/identities/tg`, { token })).status).toBe(404);
    expect((await h.request('GET', `/api/v1/alerts?staffId=${operator}`, { token })).status).toBe(404);
    const listed = await h.request('GET', '/api/v1/staff?limit=100', { token });
    expect(listed.body.items.map((s: { role: string }) => s.role)).not.toContain('operator');
    expect(await h.t.db.selectFrom('staff_link_code').select('staff_id').execute()).toEqual(codesBefore);

    // The teams of the municipalities, regional officials included, are still theirs.
    expect((await h.request('GET', `/api/v1/staff/${h.staff.Belovo.moderator}`, { token })).status).toBe(200);
    expect(listed.body.items.map((s: { id: number }) => s.id)).toEqual(expect.arrayContaining([h.staff.Kemerovo.curator, curator.body.id]));
    // Operators still see one another.
    expect((await h.request('GET', `/api/v1/staff/${operator}`)).status).toBe(200);
  });

  it("a regional curator's GET /alerts holds no operator's alerts (the platform's own), and still every municipality's", async () => {
    const curator = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Куратор ЦУР (оповещения)', role: 'curator', municipalityId: null } });
    const token = (await h.request('POST', `/api/v1/staff/${curator.body.id}/keys`, { body: { label: 'cur' } })).body.token as string;
    const operator = (await h.request('GET', '/api/v1/me')).body.staff.id as number;
    await raiseAlert(h.t.db, [operator], { kind: 'alert.outbox_dead', key: 'alert.outbox_dead', params: { count: 3 }, dedupeKey: 'regional-test-operator' }, h.now());
    await raiseAlert(h.t.db, [h.staff.Belovo.moderator], { kind: 'alert.test', key: 'alert.test', params: {}, dedupeKey: 'regional-test-belovo' }, h.now());
    const listed = await h.request('GET', '/api/v1/alerts?limit=100', { token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((a: { staffRole: string }) => a.staffRole)).not.toContain('operator');
    expect(listed.body.items.map((a: { staffId: number }) => a.staffId)).toContain(h.staff.Belovo.moderator);
    const all = await h.request('GET', '/api/v1/alerts?limit=100');
    expect(all.body.items.map((a: { staffId: number }) => a.staffId)).toContain(operator);
  });

  it("a regional curator's GET /audit holds no entry about an operator or an operator's key, and still the municipalities' entries", async () => {
    const curator = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Куратор ЦУР (журнал)', role: 'curator', municipalityId: null } });
    const token = (await h.request('POST', `/api/v1/staff/${curator.body.id}/keys`, { body: { label: 'cur' } })).body.token as string;
    const operator = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Оператор платформы', role: 'operator' } });
    const operatorKey = await h.request('POST', `/api/v1/staff/${operator.body.id}/keys`, { body: { label: 'ops' } });
    const moderator = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Модератор (Белово, новый)', role: 'moderator', municipalityId: h.municipality.Belovo } });
    const seen = async (tok?: string) => {
      const res = await h.request('GET', '/api/v1/audit?limit=100', { token: tok });
      expect(res.status).toBe(200);
      return res.body.items.map((e: { entity: string; entityId: string }) => `${e.entity}:${e.entityId}`);
    };
    const regional = await seen(token);
    expect(regional).not.toContain(`staff:${operator.body.id}`);
    expect(regional).not.toContain(`api_key:${operatorKey.body.key.id}`);
    expect(regional).toContain(`staff:${moderator.body.id}`);
    const all = await seen();
    expect(all).toEqual(expect.arrayContaining([`staff:${operator.body.id}`, `api_key:${operatorKey.body.key.id}`]));
  });
});
