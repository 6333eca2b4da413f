import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFirstResponseAlerts } from '../../../core/alerts/deadlines.ts';
import { createTranslator } from '../../../bots/i18n.ts';
import { renderText } from '../../../bots/render-text.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

/**
 * Incident management through the admin API: intake (idempotent by URL, bad bodies), the urgent
 * alert, triage (accept by a curator, dismiss), the one-working-hour draft rule across a weekend
 * and a holiday, mandatory approval, and the answer's way out (comment under the post, or
 * published by hand). BOLA for every route is in security.test.ts (route-catalogue.ts).
 */
let h: ApiHarness;
let pothole: number;
let lighting: number;
const translate = createTranslator();

beforeAll(async () => {
  h = await createApiHarness();
  pothole = await h.categoryId('roads.pothole');
  lighting = await h.categoryId('roads.lighting');
});
afterAll(() => h.close());

let seq = 0;
const intake = (body: Record<string, unknown> = {}, token?: string) =>
  h.request('POST', '/api/v1/incidents', {
    token,
    body: {
      municipalityId: h.municipality.Kemerovo,
      source: 'web',
      sourceUrl: `https://news.example.org/post/${++seq}`,
      text: 'На Ленина огромная яма, машины ломают колёса',
      postedAt: '2026-11-30T10:00:00+07:00',
      ...body,
    },
  });

const KEMEROVO_CENTER = { lat: 55.3547, lon: 86.0873 };

describe('intake', () => {
  it('takes an item in once per source URL: 201, then 200 with the same item and nothing new', async () => {
    const url = 'https://ok.ru/group/55/topic/777';
    const first = await intake({ sourceUrl: url, source: 'ok', authorName: 'Анна', photos: ['https://i.ok.ru/1.jpg'] });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ municipalityId: h.municipality.Kemerovo, source: 'ok', sourceUrl: url, authorName: 'Анна', state: 'new', photos: ['https://i.ok.ru/1.jpg'], messageId: null });
    const again = await intake({ sourceUrl: url, source: 'ok', text: 'другой текст' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, text: first.body.text });
    expect(await h.t.db.selectFrom('incident').select('id').where('source_url', '=', url).execute()).toHaveLength(1);
    const audit = await h.t.db.selectFrom('audit_log').select(['action', 'entity_id']).where('entity', '=', 'incident').where('entity_id', '=', String(first.body.id)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['incident.create', 'incident.create_repeat']);
  });

  it("a URL another municipality took in is 409 ALREADY_EXISTS, without that municipality's item (the repeat answered it whole)", async () => {
    const url = 'https://ok.ru/group/77/topic/1';
    const belovo = await intake({ municipalityId: h.municipality.Belovo, sourceUrl: url, authorName: 'Иван Белов', text: 'Жалоба из Белова' }, h.keys.Belovo.moderator);
    expect(belovo.status).toBe(201);
    const auditBefore = await h.t.db.selectFrom('audit_log').select('id').where('entity', '=', 'incident').execute();
    const probe = await intake({ sourceUrl: url }, h.keys.Kemerovo.moderator);
    expect(probe.status).toBe(409);
    expect(probe.body).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'sourceUrl' } });
    // Nothing of Belovo's item: not its text, author or id.
    expect(probe.body.details).toEqual({ field: 'sourceUrl' });
    expect(probe.body).not.toHaveProperty('id');
    expect(probe.text).not.toContain('Белов');
    expect(await h.t.db.selectFrom('audit_log').select('id').where('entity', '=', 'incident').execute()).toEqual(auditBefore);
    // The region's shared queue (no municipality yet) is everyone's: its repeat is still the item.
    const wall = 'https://vk.com/wall-1_42';
    const shared = await h.t.db
      .insertInto('incident')
      .values({ municipality_id: null, source: 'vk_wall', source_url: wall, canonical_url: wall, text: 'Пост на стене', posted_at: h.now(), created_at: h.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const repeat = await intake({ sourceUrl: wall, source: 'vk_page' }, h.keys.Kemerovo.moderator);
    expect(repeat.status).toBe(200);
    expect(repeat.body.id).toBe(shared.id);
  });

  it('takes the same post under another spelling of its URL as a repeat: scheme, www./m., trailing slash, fragment and utm_ tags', async () => {
    const first = await intake({ sourceUrl: 'https://vk.com/wall-77_5', source: 'vk_page' });
    expect(first.status).toBe(201);
    for (const spelling of ['http://m.vk.com/wall-77_5', 'https://VK.com/wall-77_5/', 'https://www.vk.com/wall-77_5#comments', 'https://vk.com/wall-77_5?utm_source=telegram&utm_medium=social']) {
      const again = await intake({ sourceUrl: spelling, source: 'vk_page' });
      expect(again.status, spelling).toBe(200);
      expect(again.body.id, spelling).toBe(first.body.id);
    }
    // A comment under the post, a different page and another site's post stay items of their own.
    for (const other of ['https://vk.com/wall-77_5?reply=9', 'https://vk.com/wall-77_6', 'https://m.example.org/wall-77_5']) {
      expect((await intake({ sourceUrl: other, source: 'vk_page' })).status, other).toBe(201);
    }
    expect(await h.t.db.selectFrom('incident').select('id').where('source_url', 'like', '%wall-77_5%').execute()).toHaveLength(3);
  });

  it('keeps the URL as given (an http-only site stays http), in the item and in the message it becomes; repeats still go by the canonical spelling', async () => {
    const given = 'http://www.gazeta-kemerovo.example/news/yama-na-lenina/?utm_source=vk';
    const first = await intake({ sourceUrl: given });
    expect(first.status).toBe(201);
    expect(first.body.sourceUrl).toBe(given);
    const again = await intake({ sourceUrl: 'https://gazeta-kemerovo.example/news/yama-na-lenina' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, sourceUrl: given });
    expect((await h.request('GET', `/api/v1/incidents/${first.body.id}`)).body.sourceUrl).toBe(given);
    const accepted = await h.request('POST', `/api/v1/incidents/${first.body.id}/accept`, { body: { municipalityId: h.municipality.Kemerovo, categoryId: pothole } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.message.sourceUrl).toBe(given);
  });

  it("raises the urgent alert once to the municipality's curator and moderator", async () => {
    const res = await intake();
    const alerts = await h.t.db
      .selectFrom('staff_alert')
      .select(['staff_id', 'key', 'params'])
      .where('kind', '=', 'alert.incident_new')
      .where('dedupe_key', 'like', `incident:${res.body.id}:%`)
      .execute();
    expect(alerts.map((a) => a.staff_id).sort()).toEqual([h.staff.Kemerovo.curator, h.staff.Kemerovo.moderator].sort());
    expect(alerts[0]!.params).toMatchObject({ incidentId: res.body.id, source: { $key: 'incident.sources.web' } });
    // The source in words, in the official's language.
    const text = (language: 'ru' | 'en') => renderText(translate, language, alerts[0]! as { key: string; params: Record<string, unknown> });
    expect(text('ru')).toContain(`Срочно: новый пост жителя в открытом источнике (№${res.body.id}, сайт), нужен разбор.`);
    expect(text('en')).toContain(`(#${res.body.id}, a website)`);
    for (const [source, ru] of [
      ['vk_page', 'страница ВКонтакте'],
      ['ok', 'Одноклассники'],
      ['other', 'другой источник'],
    ] as const) {
      const item = await intake({ source });
      const [alert] = await h.t.db.selectFrom('staff_alert').select(['key', 'params']).where('dedupe_key', 'like', `incident:${item.body.id}:%`).execute();
      expect(renderText(translate, 'ru', alert as { key: string; params: Record<string, unknown> })).toContain(`(№${item.body.id}, ${ru})`);
    }
  });

  it('refuses bad bodies with 400 naming the field, and writes nothing', async () => {
    const before = await h.t.db
      .selectFrom('incident')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const cases: [Record<string, unknown>, string][] = [
      [{ sourceUrl: 'ftp://x/y' }, 'sourceUrl'],
      [{ sourceUrl: 'not a url' }, 'sourceUrl'],
      [{ text: '' }, 'text'],
      [{ text: 'x'.repeat(4001) }, 'text'],
      [{ postedAt: 'yesterday' }, 'postedAt'],
      [{ postedAt: '2099-01-01T00:00:00Z' }, 'postedAt'],
      [{ postedAt: new Date(h.now().getTime() + 6 * 60_000).toISOString() }, 'postedAt'],
      [{ point: { lat: 95, lon: 86 } }, 'point'],
      [{ photos: ['javascript:alert(1)'] }, 'photos'],
      [{ source: 'vk_wall' }, 'source'],
      [{ municipalityId: '1' }, 'municipalityId'],
      [{ extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await intake(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body), field).toContain(field.split('.')[0]);
    }
    const missing = await h.request('POST', '/api/v1/incidents', { body: { municipalityId: h.municipality.Kemerovo, source: 'web', text: 'x', postedAt: '2026-11-30T10:00:00Z' } });
    expect(missing.status).toBe(400);
    const notJson = await h.request('POST', '/api/v1/incidents', { rawBody: 'text=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(notJson.status).toBe(415);
    const after = await h.t.db
      .selectFrom('incident')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('an empty cursor is 400 INVALID_CURSOR, as on every other list (it was read as the first page again)', async () => {
    await intake();
    for (const url of ['/api/v1/incidents?cursor=', '/api/v1/messages?cursor=']) {
      const res = await h.request('GET', url);
      expect(res.status, url).toBe(400);
      expect(res.body.code, url).toBe('INVALID_CURSOR');
    }
  });

  it("takes a postedAt a little ahead of the server's clock (the source's clock), not one from the future", async () => {
    const ahead = await intake({ postedAt: new Date(h.now().getTime() + 2 * 60_000).toISOString() });
    expect(ahead.status).toBe(201);
    const future = await intake({ postedAt: '2099-01-01T00:00:00+07:00' });
    expect(future.status).toBe(400);
    expect(future.body.details).toEqual({ field: 'postedAt', problem: 'in the future' });
  });

  it('a key of another municipality cannot take in, read or list Kemerovo items', async () => {
    const own = await intake();
    expect((await intake({}, h.keys.Novokuznetsk.moderator)).status).toBe(404);
    expect((await h.request('GET', `/api/v1/incidents/${own.body.id}`, { token: h.keys.Novokuznetsk.curator })).status).toBe(404);
    const list = await h.request('GET', '/api/v1/incidents', { token: h.keys.Novokuznetsk.curator });
    expect(list.status).toBe(200);
    expect(list.body.items.filter((i: { municipalityId: number | null }) => i.municipalityId === h.municipality.Kemerovo)).toEqual([]);
    expect((await h.request('GET', '/api/v1/incidents', { token: h.keys.Kemerovo.executor })).status).toBe(403);
  });
});

describe('keyword rules and monitored pages', () => {
  it('stores keywords as stems and suggests the category and the routed executor', async () => {
    const rule = await h.request('POST', '/api/v1/incident-rules', {
      token: h.keys.Kemerovo.curator,
      body: { municipalityId: h.municipality.Kemerovo, categoryId: lighting, keywords: ['фонари', 'освещение'] },
    });
    expect(rule.status).toBe(201);
    expect(rule.body.stems).toEqual(['фонар', 'освещен']);
    const item = await intake({ text: 'Третий день не горит фонарь у школы' });
    expect(item.body.suggestedCategoryId).toBe(lighting);
    const card = await h.request('GET', `/api/v1/incidents/${item.body.id}`, { token: h.keys.Kemerovo.moderator });
    expect(card.body.suggestion).toEqual({ categoryId: lighting, executorId: expect.any(Number) });
    const unrelated = await intake({ text: 'Поздравляем всех с праздником!' });
    expect(unrelated.body.suggestedCategoryId).toBeNull();
    const patched = await h.request('PATCH', `/api/v1/incident-rules/${rule.body.id}`, { token: h.keys.Kemerovo.curator, body: { keywords: ['темнота'] } });
    expect(patched.body.stems).toEqual(['темнот']);
    expect((await h.request('PATCH', `/api/v1/incident-rules/${rule.body.id}`, { token: h.keys.Kemerovo.curator, body: {} })).status).toBe(400);
    expect((await h.request('DELETE', `/api/v1/incident-rules/${rule.body.id}`, { token: h.keys.Kemerovo.curator })).status).toBe(204);
    expect((await h.request('GET', `/api/v1/incident-rules?municipalityId=${h.municipality.Kemerovo}`, { token: h.keys.Kemerovo.curator })).body.items.map((r: { id: number }) => r.id)).not.toContain(
      rule.body.id,
    );
  });

  it('a short keyword matches its own forms, not longer words that start with it: «вода» is not «водитель», «газ» is not «газета» or «Газель»', async () => {
    const town = h.municipality.Novokuznetsk;
    const water = await h.categoryId('housing.water');
    const rule = await h.request('POST', '/api/v1/incident-rules', { token: h.keys.Novokuznetsk.curator, body: { municipalityId: town, categoryId: water, keywords: ['вода', 'газ', 'водопровод'] } });
    expect(rule.status).toBe(201);
    const suggested = async (text: string) => (await intake({ municipalityId: town, text })).body.suggestedCategoryId;
    expect(await suggested('Водитель автобуса нагрубил пассажирке')).toBeNull();
    expect(await suggested('Новая газета вышла, а Газель опять не пришла')).toBeNull();
    // Their own forms still match, and a longer keyword still takes its derived words.
    expect(await suggested('Второй день нет воды')).toBe(water);
    expect(await suggested('Пахнет газом в подъезде')).toBe(water);
    expect(await suggested('Прорвало водопроводную трубу')).toBe(water);
  });

  it('the same rule twice (the same keywords in any form and order, for the same category) is 409 ALREADY_EXISTS naming the first, created or edited into; nothing written', async () => {
    const town = h.municipality.Belovo;
    const roads = await h.categoryId('roads.pothole');
    const post = (keywords: string[], categoryId = roads) => h.request('POST', '/api/v1/incident-rules', { token: h.keys.Belovo.curator, body: { municipalityId: town, categoryId, keywords } });
    const rules = async () => (await h.request('GET', `/api/v1/incident-rules?municipalityId=${town}`, { token: h.keys.Belovo.curator })).body.items;
    const first = await post(['яма', 'выбоина']);
    expect(first.status).toBe(201);
    const before = await rules();
    for (const keywords of [
      ['яма', 'выбоина'],
      ['Выбоины', 'ямы'],
      ['ЯМА', 'яма', 'выбоина'],
    ]) {
      const again = await post(keywords);
      expect(again.status, JSON.stringify(keywords)).toBe(409);
      expect(again.body).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'keywords', id: first.body.id } });
    }
    expect(await rules()).toEqual(before);
    // Another category, or other keywords, is another rule; editing one into the first is refused too.
    expect((await post(['яма', 'выбоина'], lighting)).status).toBe(201);
    const other = await post(['яма']);
    expect(other.status).toBe(201);
    const edited = await h.request('PATCH', `/api/v1/incident-rules/${other.body.id}`, { token: h.keys.Belovo.curator, body: { keywords: ['выбоина', 'яма'] } });
    expect(edited.status).toBe(409);
    expect(edited.body.details).toMatchObject({ field: 'keywords', id: first.body.id });
    expect((await h.request('PATCH', `/api/v1/incident-rules/${first.body.id}`, { token: h.keys.Belovo.curator, body: { keywords: ['ямы', 'выбоины'] } })).status).toBe(200);
  });

  it('a page is monitored once per municipality; pausing and removing it are audited', async () => {
    const page = await h.request('POST', '/api/v1/incident-sources', { token: h.keys.Kemerovo.curator, body: { municipalityId: h.municipality.Kemerovo, ownerId: -5005, name: 'Типичный Кемерово' } });
    expect(page.status).toBe(201);
    expect(page.body).toMatchObject({ ownerId: -5005, active: true, lastPostId: 0 });
    expect((await h.request('POST', '/api/v1/incident-sources', { token: h.keys.Kemerovo.curator, body: { municipalityId: h.municipality.Kemerovo, ownerId: -5005, name: 'again' } })).status).toBe(
      409,
    );
    expect((await h.request('POST', '/api/v1/incident-sources', { token: h.keys.Kemerovo.curator, body: { municipalityId: h.municipality.Kemerovo, ownerId: 0, name: 'zero' } })).status).toBe(400);
    const paused = await h.request('PATCH', `/api/v1/incident-sources/${page.body.id}`, { token: h.keys.Kemerovo.curator, body: { active: false } });
    expect(paused.body.active).toBe(false);
    expect((await h.request('DELETE', `/api/v1/incident-sources/${page.body.id}`, { token: h.keys.Kemerovo.curator })).status).toBe(204);
    const actions = await h.t.db.selectFrom('audit_log').select('action').where('entity', '=', 'incident_source').where('entity_id', '=', String(page.body.id)).orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['incident_source.create', 'incident_source.update', 'incident_source.delete']);
  });
});

describe('triage and the answer workflow', () => {
  it('a curator accepts an item: it becomes an open-source message in work with the routed executor, and the executor is alerted', async () => {
    const item = await intake({ point: KEMEROVO_CENTER });
    const res = await h.request('POST', `/api/v1/incidents/${item.body.id}/accept`, { token: h.keys.Kemerovo.curator, body: { municipalityId: h.municipality.Kemerovo, categoryId: pothole } });
    expect(res.status).toBe(200);
    expect(res.body.incident).toMatchObject({ state: 'accepted', messageId: res.body.message.id, triagedBy: h.staff.Kemerovo.curator });
    expect(res.body.message).toMatchObject({
      status: 'in_work',
      openSource: true,
      source: 'web',
      sourceUrl: item.body.sourceUrl,
      answerTarget: 'by_hand',
      authorId: null,
      lat: KEMEROVO_CENTER.lat,
      lon: KEMEROVO_CENTER.lon,
      categoryId: pothole,
    });
    expect(res.body.message.executorId).toEqual(expect.any(Number));
    const assigned = await h.t.db.selectFrom('staff_alert').select('kind').where('message_id', '=', res.body.message.id).execute();
    expect(assigned.map((a) => a.kind)).toContain('alert.assigned');
    // Accepted once only.
    const again = await h.request('POST', `/api/v1/incidents/${item.body.id}/accept`, { token: h.keys.Kemerovo.curator, body: { municipalityId: h.municipality.Kemerovo, categoryId: pothole } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INCIDENT_NOT_NEW');
  });

  it('accepts without a point (the message has none) and refuses a point outside the municipality', async () => {
    const outside = await intake();
    const bad = await h.request('POST', `/api/v1/incidents/${outside.body.id}/accept`, { body: { municipalityId: h.municipality.Kemerovo, categoryId: pothole, point: { lat: 53.75, lon: 87.12 } } });
    expect(bad.status).toBe(422);
    expect((await h.request('GET', `/api/v1/incidents/${outside.body.id}`)).body.state).toBe('new');
    const ok = await h.request('POST', `/api/v1/incidents/${outside.body.id}/accept`, { body: { municipalityId: h.municipality.Kemerovo, categoryId: pothole } });
    expect(ok.status).toBe(200);
    expect(ok.body.message).toMatchObject({ lat: null, lon: null });
  });

  it('dismiss needs a reason, keeps the item and makes no message', async () => {
    const item = await intake();
    expect((await h.request('POST', `/api/v1/incidents/${item.body.id}/dismiss`, { body: { reason: '  ' } })).status).toBe(400);
    const res = await h.request('POST', `/api/v1/incidents/${item.body.id}/dismiss`, { token: h.keys.Kemerovo.moderator, body: { reason: 'реклама' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'dismissed', dismissReason: 'реклама', messageId: null });
    expect((await h.request('POST', `/api/v1/incidents/${item.body.id}/accept`, { body: { municipalityId: h.municipality.Kemerovo, categoryId: pothole } })).status).toBe(409);
    const listed = await h.request('GET', `/api/v1/incidents?state=dismissed&municipalityId=${h.municipality.Kemerovo}`);
    expect(listed.body.items.map((i: { id: number }) => i.id)).toContain(item.body.id);
    expect(await h.t.db.selectFrom('message').select('id').where('source_url', '=', item.body.sourceUrl).execute()).toEqual([]);
  });

  it('answers need the curator even where approval is off; published by hand, its URL recorded once', async () => {
    await h.request('PATCH', `/api/v1/municipalities/${h.municipality.Kemerovo}`, { body: { answersNeedApproval: false } });
    const item = await intake({ point: KEMEROVO_CENTER });
    const accepted = await h.request('POST', `/api/v1/incidents/${item.body.id}/accept`, {
      body: { municipalityId: h.municipality.Kemerovo, categoryId: pothole, executorId: h.executors.Kemerovo.city },
    });
    const messageId = accepted.body.message.id;
    const draft = await h.request('POST', `/api/v1/messages/${messageId}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'intermediate', text: 'Бригада выедет завтра' } });
    expect(draft.status).toBe(201);
    expect(draft.body.answer.state).toBe('draft');
    const early = await h.request('POST', `/api/v1/messages/${messageId}/published-reply`, { body: { url: 'https://news.example.org/post/1#c1' } });
    expect(early.status).toBe(409);
    const approved = await h.request('POST', `/api/v1/answers/${draft.body.answer.id}/approve`, { token: h.keys.Kemerovo.curator });
    expect(approved.status).toBe(200);
    expect(approved.body.answer.state).toBe('approved');
    expect(await h.t.db.selectFrom('outbox').select('id').where('kind', '=', 'wall.comment').execute()).toEqual([]);
    expect((await h.request('POST', `/api/v1/messages/${messageId}/published-reply`, { body: { url: 'javascript:1' } })).status).toBe(400);
    // Only an absolute http(s) URL of a public page, whatever the site: refused ones name the field and deliver nothing.
    for (const url of [
      'vk.com/wall-1_101',
      '/wall-1_101',
      'ftp://vk.com/wall-1_101',
      'https://',
      'http:///vk.com/wall-1_101',
      'https://localhost/reply',
      'https://vk/wall-1_101',
      'https://vk.com/wall 1',
      ' ',
    ]) {
      const refused = await h.request('POST', `/api/v1/messages/${messageId}/published-reply`, { body: { url } });
      expect([url, refused.status, refused.body.code, refused.body.details?.field]).toEqual([url, 400, 'VALIDATION', 'url']);
    }
    expect((await h.t.db.selectFrom('answer').select('state').where('id', '=', draft.body.answer.id).executeTakeFirstOrThrow()).state).toBe('approved');
    const published = await h.request('POST', `/api/v1/messages/${messageId}/published-reply`, { token: h.keys.Kemerovo.moderator, body: { url: 'https://news.example.org/post/1#c1' } });
    expect(published.status).toBe(200);
    expect(published.body.publishedReplyUrl).toBe('https://news.example.org/post/1#c1');
    const answer = await h.t.db.selectFrom('answer').select(['state', 'delivered_at']).where('id', '=', draft.body.answer.id).executeTakeFirstOrThrow();
    expect(answer.state).toBe('delivered');
    expect((await h.request('POST', `/api/v1/messages/${messageId}/published-reply`, { body: { url: 'https://news.example.org/post/1#c2' } })).status).toBe(409);
    await h.request('PATCH', `/api/v1/municipalities/${h.municipality.Kemerovo}`, { body: { answersNeedApproval: true } });
  });

  it("published-reply is refused for a resident's message (its answers go to the chat)", async () => {
    const m = await h.fileMessage('Kemerovo');
    const res = await h.request('POST', `/api/v1/messages/${m.id}/published-reply`, { body: { url: 'https://example.org/x' } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('REPLY_NOT_BY_HAND');
  });
});

describe('the one-working-hour draft rule across a weekend and a holiday', () => {
  it('records a draft in time as met and a later one as late, in working minutes', async () => {
    // Monday 7 December 2026 is made a holiday; acceptance on Friday 4 December at 17:30 local (UTC+7).
    const calendar = { holidays: ['2026-12-07'] };
    await h.request('PATCH', `/api/v1/municipalities/${h.municipality.Kemerovo}`, { body: { workCalendar: calendar } }).then(async (r) => {
      if (r.status !== 200)
        await h.t.db
          .updateTable('municipality')
          .set({ work_calendar: JSON.stringify(calendar) })
          .where('id', '=', h.municipality.Kemerovo)
          .execute();
    });
    const friday = new Date('2026-12-04T10:30:00Z');
    h.advance(friday.getTime() - h.now().getTime());
    const ids: number[] = [];
    for (const _ of [1, 2]) {
      const item = await intake({ point: KEMEROVO_CENTER });
      const res = await h.request('POST', `/api/v1/incidents/${item.body.id}/accept`, {
        body: { municipalityId: h.municipality.Kemerovo, categoryId: pothole, executorId: h.executors.Kemerovo.city },
      });
      ids.push(res.body.message.id);
    }
    const due = await h.t.db.selectFrom('first_response').select(['message_id', 'due_at']).where('message_id', 'in', ids).execute();
    // 30 minutes on Friday, nothing on the weekend or the holiday Monday, 30 minutes on Tuesday.
    expect(due.map((d) => d.due_at.toISOString())).toEqual(['2026-12-08T02:30:00.000Z', '2026-12-08T02:30:00.000Z']);

    h.advance(new Date('2026-12-08T02:20:00Z').getTime() - h.now().getTime());
    await h.request('POST', `/api/v1/messages/${ids[0]}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'clarification', text: 'Уточните адрес, пожалуйста' } });
    // The one-hour scan after the deadline alerts on the message still without a draft only.
    h.advance(20 * 60_000);
    await runFirstResponseAlerts(h.t.db, h.now());
    const late = await h.t.db.selectFrom('staff_alert').select(['message_id']).where('kind', '=', 'alert.first_response_late').where('message_id', 'in', ids).execute();
    expect([...new Set(late.map((a) => a.message_id))]).toEqual([ids[1]]);
    h.advance(5 * 60_000);
    await h.request('POST', `/api/v1/messages/${ids[1]}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'intermediate', text: 'Передано в дорожную службу' } });
    // A second draft changes nothing.
    await h.request('POST', `/api/v1/messages/${ids[0]}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'intermediate', text: 'Ещё' } });
    const rows = await h.t.db.selectFrom('first_response').select(['message_id', 'met', 'working_minutes', 'drafted_at']).where('message_id', 'in', ids).orderBy('message_id').execute();
    expect(rows).toEqual([
      { message_id: ids[0], met: true, working_minutes: 50, drafted_at: new Date('2026-12-08T02:20:00Z') },
      { message_id: ids[1], met: false, working_minutes: 75, drafted_at: new Date('2026-12-08T02:45:00Z') },
    ]);
    const card = await h.request('GET', `/api/v1/messages/${ids[1]}`, { token: h.keys.Kemerovo.curator });
    expect(card.body.firstResponse).toEqual({ acceptedAt: '2026-12-04T10:30:00.000Z', dueAt: '2026-12-08T02:30:00.000Z', draftedAt: '2026-12-08T02:45:00.000Z', met: false, workingMinutes: 75 });
    expect((await h.request('GET', `/api/v1/messages/${(await h.fileMessage('Kemerovo')).id}`)).body.firstResponse).toBeNull();
  });
});
