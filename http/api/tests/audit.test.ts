import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { fullContest } from '../../../test/contest-body.ts';
import { KEMEROVO_CENTER } from '../../../test/residents.ts';

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

  it('an edit (PATCH, or PUT of a boundary) that changes nothing writes no entry; one that changes something writes one naming what changed', async () => {
    const kemerovo = h.municipality.Kemerovo;
    const curator = h.keys.Kemerovo.curator;
    const entries = async (entity: string, id: number, after: number) =>
      h.t.db.selectFrom('audit_log').select(['action', 'data']).where('entity', '=', entity).where('entity_id', '=', String(id)).where('id', '>', after).orderBy('id').execute();
    const lastId = async () =>
      (
        await h.t.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.max('id').as('id'))
          .executeTakeFirstOrThrow()
      ).id ?? 0;
    /** Sends the same values twice (and an empty PATCH where the route takes one), then a change; gives the entries they wrote. */
    const edit = async (method: 'PATCH' | 'PUT', path: string, entity: string, id: number, same: unknown, change: unknown, token?: string, takesEmpty = method === 'PATCH') => {
      const after = await lastId();
      for (const body of takesEmpty ? [same, same, {}] : [same, same]) {
        const res = await h.request(method, path, { token, body });
        expect(res.status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).toBe(200);
      }
      expect(await entries(entity, id, after), `${path}: a repeat`).toEqual([]);
      const changed = await h.request(method, path, { token, body: change });
      expect(changed.status, `${path}: ${JSON.stringify(changed.body)}`).toBe(200);
      return entries(entity, id, after);
    };

    const belovo = (await h.request('GET', `/api/v1/municipalities/${h.municipality.Belovo}`)).body;
    expect(
      await edit(
        'PATCH',
        `/api/v1/municipalities/${belovo.id}`,
        'municipality',
        belovo.id,
        { nameRu: belovo.nameRu, answersNeedApproval: belovo.answersNeedApproval },
        {
          nameRu: belovo.nameRu,
          populationOver14: belovo.populationOver14 + 1,
        },
      ),
    ).toEqual([{ action: 'municipality.update', data: { fields: ['populationOver14'] } }]);
    const ring: number[][] = belovo.boundary.coordinates[0];
    const turned = { type: 'Polygon', coordinates: [[...ring.slice(1), ring[1]]] };
    expect(await edit('PUT', `/api/v1/municipalities/${belovo.id}/boundary`, 'municipality', belovo.id, belovo.boundary, turned)).toEqual([
      { action: 'municipality.set_boundary', data: { type: 'Polygon' } },
    ]);

    const sidewalk = await h.categoryId('roads.sidewalk');
    const category = await h.t.db.selectFrom('category').select(['title_ru', 'position', 'sector_id']).where('id', '=', sidewalk).executeTakeFirstOrThrow();
    // position is no part of the category the API answers with, yet an edit of it is a change.
    expect(
      await edit(
        'PATCH',
        `/api/v1/categories/${sidewalk}`,
        'category',
        sidewalk,
        { titleRu: category.title_ru, position: category.position, active: true },
        { titleRu: category.title_ru, position: category.position + 1 },
      ),
    ).toEqual([{ action: 'category.update', data: { position: category.position + 1 } }]);
    const sector = await h.t.db.selectFrom('sector').select(['title_ru', 'title_en']).where('id', '=', category.sector_id).executeTakeFirstOrThrow();
    expect(
      await edit('PATCH', `/api/v1/sectors/${category.sector_id}`, 'sector', category.sector_id, { titleRu: sector.title_ru, titleEn: sector.title_en }, { titleEn: `${sector.title_en}!` }),
    ).toEqual([{ action: 'sector.update', data: { titleEn: `${sector.title_en}!` } }]);

    const moderator = await h.t.db.selectFrom('staff').selectAll().where('id', '=', h.staff.Belovo.moderator).executeTakeFirstOrThrow();
    expect(
      await edit(
        'PATCH',
        `/api/v1/staff/${moderator.id}`,
        'staff',
        moderator.id,
        { fullName: moderator.full_name, active: true, language: moderator.language },
        {
          active: true,
          newMessageAlerts: moderator.new_message_alerts === 'digest' ? 'hourly' : 'digest',
        },
      ),
    ).toEqual([{ action: 'staff.update', data: { fields: ['newMessageAlerts'] } }]);
    const utility = await h.t.db.selectFrom('executor').select('name').where('id', '=', h.executors.Belovo.utility).executeTakeFirstOrThrow();
    expect(
      await edit(
        'PATCH',
        `/api/v1/executors/${h.executors.Belovo.utility}`,
        'executor',
        h.executors.Belovo.utility,
        { name: utility.name, active: true },
        { name: utility.name, active: false },
        h.keys.Belovo.curator,
      ),
    ).toEqual([{ action: 'executor.update', data: { fields: ['active'], active: false } }]);

    const news = await h.request('POST', '/api/v1/news', { token: curator, body: { municipalityId: kemerovo, title: 'Снег', body: 'Уборка ночью' } });
    expect((await h.request('POST', `/api/v1/news/${news.body.id}/publish`, { token: curator })).status).toBe(200);
    expect(await edit('PATCH', `/api/v1/news/${news.body.id}`, 'news_item', news.body.id, { title: 'Снег', body: 'Уборка ночью' }, { title: 'Снег', body: 'Уборка с 23:00' }, curator)).toEqual([
      { action: 'news.edit_published', data: { changed: ['body'], state: 'published' } },
    ]);

    const venue = { name: 'Филармония Кузбасса', address: 'Кемерово, пр. Советский, 68', ...KEMEROVO_CENTER };
    const times = { startsAt: '2026-12-05T18:00', endsAt: '2026-12-05T20:00' };
    const event = await h.request('POST', '/api/v1/events', { token: curator, body: { municipalityId: kemerovo, kind: 'culture', title: 'Концерт', description: '', venue, ...times } });
    expect(event.status, JSON.stringify(event.body)).toBe(201);
    expect(await edit('PATCH', `/api/v1/events/${event.body.id}`, 'afisha_event', event.body.id, { title: 'Концерт', venue, ...times }, { ...times, price: '500 ₽' }, curator)).toEqual([
      { action: 'event.update', data: { changed: ['price'] } },
    ]);

    const now = h.now().getTime();
    const questions = [
      { kind: 'single', text: 'Что важнее?', options: ['Освещение', 'Скамейки'] },
      { kind: 'text', text: 'Ваши предложения' },
    ];
    const pollTimes = { startsAt: new Date(now + 3_600_000).toISOString(), endsAt: new Date(now + 7 * 86_400_000).toISOString() };
    const poll = await h.request('POST', '/api/v1/polls', { token: curator, body: { municipalityId: kemerovo, kind: 'poll', title: 'Сквер', description: '', ...pollTimes, questions } });
    expect(poll.status, JSON.stringify(poll.body)).toBe(201);
    // Questions given again are the same questions, though they are written anew.
    expect(await edit('PATCH', `/api/v1/polls/${poll.body.id}`, 'poll', poll.body.id, { title: 'Сквер', questions, ...pollTimes }, { title: 'Сквер на Весенней', questions }, curator)).toEqual([
      { action: 'poll.update', data: { fields: ['title'] } },
    ]);

    const contest = await h.request('POST', '/api/v1/contests', { token: curator, body: { municipalityId: kemerovo, ...fullContest() } });
    expect(contest.status, JSON.stringify(contest.body)).toBe(201);
    expect(
      await edit(
        'PATCH',
        `/api/v1/contests/${contest.body.id}`,
        'contest',
        contest.body.id,
        { title: 'Зимний Кемерово', entriesFrom: '2026-12-10', winnersCount: 2 },
        { title: 'Зимний Кемерово', winnersCount: 3 },
        curator,
      ),
    ).toEqual([{ action: 'contest.update', data: { fields: ['winnersCount'] } }]);

    const rule = await h.request('POST', '/api/v1/incident-rules', { token: curator, body: { municipalityId: kemerovo, categoryId: sidewalk, keywords: ['тротуар'] } });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    expect(await edit('PATCH', `/api/v1/incident-rules/${rule.body.id}`, 'incident_rule', rule.body.id, { keywords: ['тротуар'], active: true }, { active: false }, curator, false)).toEqual([
      { action: 'incident_rule.update', data: { categoryId: sidewalk, stems: rule.body.stems, active: false } },
    ]);
  });

  it('a KPI group saved again as it is writes no entry; a changed one writes one', async () => {
    const token = h.keys.Kemerovo.curator;
    const group = { municipalityId: h.municipality.Kemerovo, name: 'Группа по дорогам', staffIds: [h.staff.Kemerovo.responsible], kpis: [3] };
    const created = await h.request('POST', '/api/v1/kpi-groups', { token, body: group });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    for (const body of [
      { ...group, id: created.body.id },
      { ...group, id: created.body.id, kpis: [3, 3] },
      { ...group, id: created.body.id, kpis: [3, 5] },
    ]) {
      expect((await h.request('POST', '/api/v1/kpi-groups', { token, body })).status).toBe(200);
    }
    const entries = await h.t.db.selectFrom('audit_log').select(['action', 'data']).where('entity', '=', 'staff_group').where('entity_id', '=', String(created.body.id)).orderBy('id').execute();
    expect(entries).toEqual([
      { action: 'kpi_group.create', data: { staffIds: group.staffIds, kpis: [3] } },
      { action: 'kpi_group.update', data: { staffIds: group.staffIds, kpis: [3, 5] } },
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
