import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCategories } from '../../../core/categories/category.repository.ts';
import { rateMessage } from '../../../core/messages/feedback.service.ts';
import { ERROR_KINDS } from '../../../core/errors.ts';
import { SECTORS } from '../../../core/seed/directory.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { createTestDatabase, isRealPostgres } from '../../../test/database.ts';
import { DETAILS } from '../problem-detail.ts';

const execFileAsync = promisify(execFile);

/** Issue 18, officials' gaps found by first real users (items 14–22), over the admin API. */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

describe('item 14: every problem has a human-readable detail', () => {
  it('gives every domain error code its own sentence', () => {
    const missing = Object.keys(ERROR_KINDS).filter((code) => !DETAILS[code]);
    expect(missing).toEqual([]);
  });

  it('answers a 409, a 404, a 403, a 401 and a 400 with a detail', async () => {
    const message = await h.fileMessage('Kemerovo');
    const accept = (body: unknown) => h.request('POST', `/api/v1/messages/${message.id}/accept`, { body });
    expect((await accept({ executorId: h.executors.Kemerovo.city })).status).toBe(200);
    const again = await accept({ executorId: h.executors.Kemerovo.city });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/state/);
    const missing = await h.request('GET', '/api/v1/messages/999999');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toMatch(/No message with this id/);
    const forbidden = await h.request('GET', '/api/v1/keys', { token: h.keys.Kemerovo.responsible });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.detail).toEqual(expect.any(String));
    const anonymous = await h.request('GET', '/api/v1/messages', { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.detail).toMatch(/API key/);
    const invalid = await h.request('GET', '/api/v1/messages?limit=abc');
    expect(invalid.status).toBe(400);
    expect(invalid.body.detail).toMatch(/^The request is invalid: query\.limit/);
  });

  it('names what the request was about, not a message, where the code serves other things too', async () => {
    // An official of Kemerovo bound to a Belovo executor: no message involved.
    const staff = await h.request('POST', '/api/v1/staff', {
      body: { fullName: 'Исполнитель', role: 'executor', municipalityId: h.municipality.Kemerovo, executorId: h.executors.Belovo.city },
    });
    expect(staff.status).toBe(422);
    expect(staff.body.code).toBe('EXECUTOR_OUT_OF_SCOPE');
    expect(staff.body.detail).not.toMatch(/message/i);
    // A routing rule is deleted by its id.
    const rule = await h.request('DELETE', '/api/v1/routing-rules/999999');
    expect(rule.status).toBe(404);
    expect(rule.body.detail).toMatch(/with this id/);
  });
});

describe('item 17: a sector directory on a fresh install', () => {
  it('creates, renames and retires a sector through the API, audited', async () => {
    const created = await h.request('POST', '/api/v1/sectors', { body: { code: 'tourism', titleRu: 'Туризм', titleEn: 'Tourism', position: 20 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'tourism', titleRu: 'Туризм', titleEn: 'Tourism', position: 20, active: true });
    const again = await h.request('POST', '/api/v1/sectors', { body: { code: 'tourism', titleRu: 'x', titleEn: 'x' } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ALREADY_EXISTS', details: { entity: 'sector', code: 'tourism' } });
    const bad = await h.request('POST', '/api/v1/sectors', { body: { code: 'Туризм', titleRu: 'x', titleEn: 'x' } });
    expect(bad.status).toBe(400);
    const byModerator = await h.request('POST', '/api/v1/sectors', { token: h.keys.Kemerovo.moderator, body: { code: 'sport', titleRu: 'Спорт', titleEn: 'Sport' } });
    expect(byModerator.status).toBe(403);
    const renamed = await h.request('PATCH', `/api/v1/sectors/${created.body.id}`, { body: { titleEn: 'Tourism and leisure' } });
    expect(renamed.body).toMatchObject({ titleEn: 'Tourism and leisure', titleRu: 'Туризм' });
    const missing = await h.request('PATCH', '/api/v1/sectors/999999', { body: { titleEn: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('SECTOR_NOT_FOUND');
    const listed = await h.request('GET', '/api/v1/sectors', { token: h.keys.Belovo.responsible });
    expect(listed.body.items.find((s: { code: string }) => s.code === 'tourism')).toMatchObject({ titleEn: 'Tourism and leisure', active: true });
    const audit = await h.t.db.selectFrom('audit_log').select(['action', 'entity_id']).where('entity', '=', 'sector').orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'sector.create', entity_id: String(created.body.id) },
      { action: 'sector.update', entity_id: String(created.body.id) },
    ]);
  });

  it.runIf(isRealPostgres())('npm run seed:directory loads the standard sectors and categories of seed 002 only', async () => {
    const fresh = await createTestDatabase({ seed: false });
    try {
      const run = () => execFileAsync(process.execPath, ['scripts/seed-directory.ts'], { env: { ...process.env, DATABASE_URL: fresh.url, DATA_DIR: h.dataDir }, cwd: process.cwd() });
      const { stdout } = await run();
      const categories = SECTORS.reduce((n, s) => n + s.categories.length, 0);
      expect(stdout).toContain(`${SECTORS.length} sectors, ${categories} categories`);
      await run(); // idempotent
      const count = async (table: 'sector' | 'category' | 'municipality' | 'staff' | 'executor' | 'routing_rule') =>
        Number(
          (
            await fresh.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      expect(await count('sector')).toBe(SECTORS.length);
      expect(await count('category')).toBe(categories);
      expect([await count('municipality'), await count('staff'), await count('executor'), await count('routing_rule')]).toEqual([0, 0, 0, 0]);
      const codes = await fresh.db.selectFrom('sector').select('code').orderBy('position').execute();
      expect(codes.map((s) => s.code)).toEqual(SECTORS.map((s) => s.code));
    } finally {
      await fresh.close();
    }
  });
});

describe('item 22: seed 002 §5, at least three categories per active sector', () => {
  it('refuses to retire a category that would leave an active sector with fewer than three, naming the rule', async () => {
    // Transport has exactly three categories in seed 002.
    const schedule = await h.categoryId('transport.schedule');
    const refused = await h.request('PATCH', `/api/v1/categories/${schedule}`, { body: { active: false } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('SECTOR_TOO_FEW_CATEGORIES');
    expect(refused.body.detail).toMatch(/seed 002 §5.*at least 3/);
    expect(refused.body.details).toMatchObject({ rule: expect.stringContaining('seed 002 §5'), minimum: 3, remaining: 2 });
    const row = await h.t.db.selectFrom('category').select('active').where('id', '=', schedule).executeTakeFirstOrThrow();
    expect(row.active).toBe(true);
    // Renaming is not retiring.
    expect((await h.request('PATCH', `/api/v1/categories/${schedule}`, { body: { titleEn: 'Timetable broken' } })).status).toBe(200);
  });

  it('retires a category while three stay, and any category of a retired sector', async () => {
    // Housing has five: two may go, the third may not.
    expect((await h.request('PATCH', `/api/v1/categories/${await h.categoryId('housing.roof')}`, { body: { active: false } })).status).toBe(200);
    expect((await h.request('PATCH', `/api/v1/categories/${await h.categoryId('housing.snow')}`, { body: { active: false } })).status).toBe(200);
    expect((await h.request('PATCH', `/api/v1/categories/${await h.categoryId('housing.yard')}`, { body: { active: false } })).status).toBe(409);
    const sector = await h.t.db.selectFrom('sector').select('id').where('code', '=', 'education').executeTakeFirstOrThrow();
    expect((await h.request('PATCH', `/api/v1/sectors/${sector.id}`, { body: { active: false } })).body.active).toBe(false);
    const meals = await h.categoryId('education.meals');
    expect((await h.request('PATCH', `/api/v1/categories/${meals}`, { body: { active: false } })).status).toBe(200);
    // A retired sector's categories leave filing.
    const offered = await listCategories(h.t.db, { activeOnly: true });
    expect(offered.some((c) => c.code.startsWith('education.'))).toBe(false);
    expect(offered.some((c) => c.code === 'housing.heating')).toBe(true);
  });
});

describe('item 19: curators accept, reject and route in their municipality (seed 004 §6)', () => {
  it("accepts to a chosen executor, routes to another, rejects, and is audited as the curator's", async () => {
    const curator = h.keys.Kemerovo.curator;
    const first = await h.fileMessage('Kemerovo');
    const accepted = await h.request('POST', `/api/v1/messages/${first.id}/accept`, { token: curator, body: { executorId: h.executors.Kemerovo.city } });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'in_work', executorId: h.executors.Kemerovo.city });
    const routed = await h.request('POST', `/api/v1/messages/${first.id}/executor`, { token: curator, body: { executorId: h.executors.Kemerovo.utility } });
    expect(routed.status).toBe(200);
    expect(routed.body.executorId).toBe(h.executors.Kemerovo.utility);
    // The utility company's executor now sees it and got the assignment alert.
    expect((await h.request('GET', `/api/v1/messages/${first.id}`, { token: h.keys.Kemerovo.utility_executor })).status).toBe(200);
    const alerts = await h.t.db.selectFrom('staff_alert').select(['staff_id', 'kind']).where('message_id', '=', first.id).execute();
    expect(alerts).toEqual(expect.arrayContaining([{ staff_id: h.staff.Kemerovo.utility_executor, kind: 'alert.assigned' }]));
    // The city's executor, whose card's buttons now answer "not found", is told the message went to another executor.
    const away = await h.t.db.selectFrom('staff_alert').select(['staff_id', 'key', 'params']).where('message_id', '=', first.id).where('kind', '=', 'alert.routed_away').execute();
    const utilityName = (await h.t.db.selectFrom('executor').select('name').where('id', '=', h.executors.Kemerovo.utility).executeTakeFirstOrThrow()).name;
    expect(away).toEqual([{ staff_id: h.staff.Kemerovo.executor, key: 'alert.routed_away', params: { messageId: first.id, executor: utilityName } }]);
    const elsewhere = await h.request('POST', `/api/v1/messages/${first.id}/executor`, { token: curator, body: { executorId: h.executors.Belovo.city } });
    expect(elsewhere.status).toBe(404);
    const second = await h.fileMessage('Kemerovo');
    const notInWork = await h.request('POST', `/api/v1/messages/${second.id}/executor`, { token: curator, body: { executorId: h.executors.Kemerovo.utility } });
    expect(notInWork.status).toBe(409);
    const rejected = await h.request('POST', `/api/v1/messages/${second.id}/reject`, { token: curator, body: { reason: 'Не относится к компетенции' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    const audit = await h.t.db
      .selectFrom('audit_log')
      .select(['action', 'staff_id'])
      .where('entity', '=', 'message')
      .where('entity_id', 'in', [String(first.id), String(second.id)])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'message.accept', staff_id: h.staff.Kemerovo.curator },
      { action: 'message.route', staff_id: h.staff.Kemerovo.curator },
      { action: 'message.reject', staff_id: h.staff.Kemerovo.curator },
    ]);
  });

  it('alerts the first executor again when the message is routed back to it', async () => {
    const curator = h.keys.Kemerovo.curator;
    const m = await h.fileMessage('Kemerovo');
    await h.request('POST', `/api/v1/messages/${m.id}/accept`, { token: curator, body: { executorId: h.executors.Kemerovo.city } });
    expect((await h.request('POST', `/api/v1/messages/${m.id}/executor`, { token: curator, body: { executorId: h.executors.Kemerovo.utility } })).status).toBe(200);
    h.advance(60_000);
    expect((await h.request('POST', `/api/v1/messages/${m.id}/executor`, { token: curator, body: { executorId: h.executors.Kemerovo.city } })).status).toBe(200);
    const cards = await h.t.db.selectFrom('staff_alert').select('id').where('message_id', '=', m.id).where('kind', '=', 'alert.assigned').where('staff_id', '=', h.staff.Kemerovo.executor).execute();
    expect(cards).toHaveLength(2);
  });

  it("cannot touch another municipality's message (404), and responsible officials still may not (403)", async () => {
    const belovo = await h.fileMessage('Belovo');
    const foreign = await h.request('POST', `/api/v1/messages/${belovo.id}/accept`, { token: h.keys.Kemerovo.curator, body: {} });
    expect(foreign.status).toBe(404);
    const responsible = await h.request('POST', `/api/v1/messages/${belovo.id}/accept`, { token: h.keys.Belovo.responsible, body: {} });
    expect(responsible.status).toBe(403);
    const row = await h.t.db.selectFrom('message').select('status').where('id', '=', belovo.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('new');
  });
});

describe('item 11: the low-rating flag is an alert, and GET /messages filters by it', () => {
  it('raises alert.low_rating for the curators (listed in /alerts, queued to a linked messenger) and lists the message with lowRating=true', async () => {
    await h.t.db.insertInto('staff_identity').values({ staff_id: h.staff.Belovo.curator, channel: 'vk', external_id: '880011', chat_id: '880011' }).execute();
    const closed = async (stars: number) => {
      const m = await h.fileMessage('Belovo');
      await h.request('POST', `/api/v1/messages/${m.id}/accept`, { body: {} });
      const draft = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: h.keys.Belovo.moderator, body: { kind: 'final', resolution: 'solved', text: 'Сделано' } });
      await h.request('POST', `/api/v1/answers/${draft.body.answer.id}/approve`, { token: h.keys.Belovo.curator });
      await rateMessage(h.t.db, { residentId: m.authorId!, messageId: m.id, stars }, h.now());
      return m.id;
    };
    const low = await closed(2);
    const fine = await closed(5);
    const alerts = await h.request('GET', '/api/v1/alerts?kind=alert.low_rating', { token: h.keys.Belovo.curator });
    expect(alerts.status).toBe(200);
    expect(alerts.body.items.filter((a: { messageId: number }) => a.messageId === low || a.messageId === fine)).toEqual([
      expect.objectContaining({ kind: 'alert.low_rating', messageId: low, staffId: h.staff.Belovo.curator, queued: true, params: { messageId: low, stars: 2 } }),
    ]);
    const row = await h.t.db.selectFrom('outbox').select(['chat_id', 'kind']).where('staff_id', '=', h.staff.Belovo.curator).where('kind', '=', 'alert.low_rating').execute();
    expect(row).toEqual([{ chat_id: '880011', kind: 'alert.low_rating' }]);
    const flagged = await h.request('GET', '/api/v1/messages?lowRating=true', { token: h.keys.Belovo.curator });
    expect(flagged.body.items.map((m: { id: number }) => m.id)).toEqual([low]);
    const others = await h.request('GET', `/api/v1/messages?lowRating=false&status=solved`, { token: h.keys.Belovo.curator });
    expect(others.body.items.map((m: { id: number }) => m.id)).toContain(fine);
    expect(others.body.items.map((m: { id: number }) => m.id)).not.toContain(low);
    // Another municipality's key sees none of it.
    expect((await h.request('GET', '/api/v1/messages?lowRating=true', { token: h.keys.Kemerovo.curator })).body.items).toEqual([]);
    expect((await h.request('GET', '/api/v1/messages?lowRating=maybe')).status).toBe(400);
  });
});
