import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranslator } from '../../bots/i18n.ts';
import { renderText } from '../../bots/render-text.ts';
import { createApiHarness, type ApiHarness } from '../../test/api-harness.ts';

/**
 * POST /open311/v2/requests.{json,xml} with an integration key: the request enters the incident
 * triage queue of the key's municipality and is public only once accepted and published; refusals
 * are the spec's error list with 400 or 403.
 */
let h: ApiHarness;
let key: string;
let integrationId: number;
const KEMEROVO = { lat: '55.3547', long: '86.0873' };
const xml = new XMLParser({ parseTagValue: false, isArray: (name) => ['request', 'error'].includes(name) });

beforeAll(async () => {
  h = await createApiHarness();
  const staff = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Приложение «Мой город»', role: 'integration', municipalityId: h.municipality.Kemerovo } });
  expect(staff.status).toBe(201);
  integrationId = staff.body.id;
  const issued = await h.request('POST', `/api/v1/staff/${integrationId}/keys`, { body: { label: 'open311' } });
  key = issued.body.token;
});
afterAll(() => h.close());

const post = (fields: Record<string, string>, format: 'json' | 'xml' = 'json') =>
  h.request('POST', `/open311/v2/requests.${format}`, { token: null, rawBody: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

const valid = () => ({
  api_key: key,
  service_code: 'roads.pothole',
  description: 'Яма на перекрёстке',
  ...KEMEROVO,
  first_name: 'Пётр',
  last_name: 'Иванов',
  media_url: 'https://city.example.org/p/1.jpg',
});

describe('POST requests', () => {
  it('takes a request into the triage queue (moderated, never public before acceptance) and audits it', async () => {
    const res = await post(valid());
    expect(res.status).toBe(201);
    expect(res.body).toEqual([{ token: expect.stringMatching(/^incident-\d+$/), service_notice: expect.any(String), account_id: null }]);
    const id = Number(res.body[0].token.slice('incident-'.length));
    const item = await h.request('GET', `/api/v1/incidents/${id}`, { token: h.keys.Kemerovo.moderator });
    expect(item.body).toMatchObject({
      source: 'open311',
      municipalityId: h.municipality.Kemerovo,
      state: 'new',
      suggestedCategoryId: await h.categoryId('roads.pothole'),
      point: { lat: 55.3547, lon: 86.0873 },
      authorName: 'Пётр Иванов',
      photos: ['https://city.example.org/p/1.jpg'],
    });
    expect(item.body.suggestion.categoryId).toBe(await h.categoryId('roads.pothole'));
    // Not public: the public list has no such text.
    const listed = await h.request('GET', '/open311/v2/requests.json', { token: null });
    expect(JSON.stringify(listed.body)).not.toContain('Яма на перекрёстке');
    const audit = await h.t.db.selectFrom('audit_log').select(['staff_id', 'action']).where('entity', '=', 'incident').where('entity_id', '=', String(id)).execute();
    expect(audit).toEqual([{ staff_id: integrationId, action: 'open311.post' }]);
    // The curators' alert has no internal urn:otklik:… for a link: such a request has no public page.
    const [alert] = await h.t.db.selectFrom('staff_alert').select(['key', 'params']).where('dedupe_key', 'like', `incident:${id}:%`).execute();
    const alertText = renderText(createTranslator(), 'ru', alert as { key: string; params: Record<string, unknown> });
    expect(alertText).not.toContain('urn:');
    expect(alertText).toBe(
      `Срочно: новый пост жителя в открытом источнике (№${id}, городское приложение, Open311), нужен разбор.\nСсылки на пост нет: заявка пришла из городского приложения.\n\nЯма на перекрёстке`,
    );
    // Accepted and published, it is a public request without the author's name.
    const accepted = await h.request('POST', `/api/v1/incidents/${id}/accept`, { body: { municipalityId: h.municipality.Kemerovo, categoryId: await h.categoryId('roads.pothole') } });
    await h.request('POST', `/api/v1/messages/${accepted.body.message.id}/publish`);
    const one = await h.request('GET', `/open311/v2/requests/${accepted.body.message.id}.json`, { token: null });
    expect(one.status).toBe(200);
    expect(one.body[0]).toMatchObject({ service_code: 'roads.pothole', status: 'open', description: 'Яма на перекрёстке' });
    expect(JSON.stringify(one.body)).not.toMatch(/Пётр|Иванов/);
  });

  it("a published request from a city app or a public page does not name its author: the name the app or the page gave is redacted like a resident's", async () => {
    const res = await post({ ...valid(), description: 'Пётр Иванов сообщает: яма у дома 5. Спросить Петра Ивановича Иванова' });
    const incidentId = Number(res.body[0].token.slice('incident-'.length));
    const fromOk = await h.request('POST', '/api/v1/incidents', {
      body: {
        municipalityId: h.municipality.Kemerovo,
        source: 'ok',
        sourceUrl: 'https://ok.ru/group/1/topic/2',
        authorName: 'Анна Смирнова',
        text: 'Анна Смирнова: во дворе сломаны качели',
        postedAt: '2026-11-30T10:00:00+07:00',
      },
    });
    const pothole = await h.categoryId('roads.pothole');
    for (const id of [incidentId, fromOk.body.id]) {
      const accepted = await h.request('POST', `/api/v1/incidents/${id}/accept`, { body: { municipalityId: h.municipality.Kemerovo, categoryId: pothole, point: { lat: 55.3547, lon: 86.0873 } } });
      expect(accepted.status).toBe(200);
      expect((await h.request('POST', `/api/v1/messages/${accepted.body.message.id}/publish`)).status).toBe(200);
      const one = await h.request('GET', `/open311/v2/requests/${accepted.body.message.id}.json`, { token: null });
      expect(one.status).toBe(200);
      expect(JSON.stringify(one.body)).not.toMatch(/Пётр|Петр|Иванов|Анна|Смирнова/);
      expect(one.body[0].description).toContain('[скрыто]');
    }
  });

  it('answers in XML too', async () => {
    const res = await post(valid(), 'xml');
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toContain('text/xml');
    expect(xml.parse(res.text).service_requests.request[0].token).toMatch(/^incident-\d+$/);
  });

  it("refuses with the spec's error list: missing or bad api_key, bad service code, bad or foreign location, no description", async () => {
    const before = await h.t.db
      .selectFrom('incident')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const { api_key: _, ...noKey } = valid();
    const cases: [Record<string, string>, number, RegExp][] = [
      [noKey, 400, /api_key is required/],
      [{ ...valid(), api_key: 'otk_not-a-key-000000000000000000000000000' }, 403, /api_key is not valid/],
      [{ ...valid(), api_key: h.keys.Kemerovo.moderator }, 403, /not an integration key/],
      [{ ...valid(), service_code: 'no.such' }, 400, /service_code not found: no.such/],
      [{ ...valid(), service_code: '' }, 400, /service_code is required/],
      [{ ...valid(), lat: 'north' }, 400, /decimal degrees/],
      [{ ...valid(), lat: '53.7574', long: '87.1360' }, 400, /outside this key's jurisdiction/],
      [{ ...valid(), jurisdiction_id: '32731000' }, 400, /not this key's jurisdiction/],
      [{ ...valid(), description: ' ' }, 400, /description is required/],
      [{ ...valid(), description: 'x'.repeat(4001) }, 400, /^description is longer than 4000 characters$/],
      [{ ...valid(), media_url: 'file:///etc/passwd' }, 400, /media_url/],
    ];
    for (const [fields, status, description] of cases) {
      const res = await post(fields);
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(status);
      expect(res.body).toEqual([{ code: status, description: expect.stringMatching(description) }]);
    }
    const { lat: _lat, ...noPoint } = valid();
    expect((await post(noPoint)).body[0].description).toMatch(/lat and long are required/);
    const asText = await h.request('POST', '/open311/v2/requests.json', { token: null, rawBody: 'api_key=x', headers: { 'content-type': 'text/plain' } });
    expect(asText.status).toBe(400);
    expect(asText.body[0].description).toMatch(/takes a form .* or a JSON object/);
    // Bytes that are not UTF-8 (here a lone surrogate's would-be encoding) are refused, not turned into U+FFFD.
    const undecodable = await h.request('POST', '/open311/v2/requests.json', {
      token: null,
      rawBody: `${new URLSearchParams(valid()).toString().replace(/description=[^&]*/, 'description=%D0%AF%ED%A0%80')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(undecodable.status).toBe(400);
    expect(undecodable.body).toEqual([{ code: 400, description: 'description is not valid percent-encoded UTF-8' }]);
    const xmlError = await post(noKey, 'xml');
    expect(xml.parse(xmlError.text).errors.error[0]).toEqual({ code: '400', description: expect.stringMatching(/api_key/) });
    const after = await h.t.db
      .selectFrom('incident')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it("takes the form's fields as a JSON object too (a browser app's fetch), lat and long as numbers; a JSON body that is not such an object is 400, nothing saved", async () => {
    const before = await h.t.db
      .selectFrom('incident')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const asJson = await h.request('POST', '/open311/v2/requests.json', { token: null, body: { ...valid(), lat: 55.3547, long: 86.0873, first_name: null, description: 'Яма у школы 🚧' } });
    expect(asJson.status).toBe(201);
    const id = Number(asJson.body[0].token.slice('incident-'.length));
    const item = await h.request('GET', `/api/v1/incidents/${id}`, { token: h.keys.Kemerovo.moderator });
    expect(item.body).toMatchObject({ source: 'open311', text: 'Яма у школы 🚧', point: { lat: 55.3547, lon: 86.0873 }, authorName: 'Иванов' });
    const refusals: [string, RegExp][] = [
      ['{"api_key":', /JSON body could not be read/],
      ['[1,2]', /must be an object/],
      ['"text"', /must be an object/],
      [JSON.stringify({ ...valid(), lat: [55.3] }), /^lat must be a string or a number$/],
      [JSON.stringify({ ...valid(), description: { text: 'Яма' } }), /^description must be a string or a number$/],
      [JSON.stringify({ ...valid(), description: 'Яма \ud800' }), /^description must be valid Unicode/],
      [JSON.stringify({ ...valid(), description: 'Яма\u0000' }), /^description must not contain the NUL character/],
      [JSON.stringify({ ...valid(), api_key: undefined }), /api_key is required/],
    ];
    for (const [rawBody, description] of refusals) {
      const res = await h.request('POST', '/open311/v2/requests.json', { token: null, rawBody, headers: { 'content-type': 'application/json; charset=utf-8' } });
      expect(res.status, rawBody.slice(0, 60)).toBe(400);
      expect(res.body).toEqual([{ code: 400, description: expect.stringMatching(description) }]);
    }
    const after = await h.t.db
      .selectFrom('incident')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n) + 1);
  });

  it('refuses a body over 256 KiB before reading it, key or not, in the asked format', async () => {
    const huge = new URLSearchParams({ ...valid(), description: 'я'.repeat(200_000) }).toString();
    const res = await h.request('POST', '/open311/v2/requests.xml', { token: null, rawBody: huge, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(413);
    expect(xml.parse(res.text).errors.error[0]).toEqual({ code: '413', description: expect.stringContaining('262144 bytes') });
    const json = await h.request('POST', '/open311/v2/requests.json', { token: null, body: { ...valid(), description: 'x'.repeat(300_000) } });
    expect(json.status).toBe(413);
    expect(json.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('a revoked integration key is refused', async () => {
    const issued = await h.request('POST', `/api/v1/staff/${integrationId}/keys`, { body: { label: 'old' } });
    await h.request('POST', `/api/v1/keys/${issued.body.key.id}/revoke`);
    const res = await post({ ...valid(), api_key: issued.body.token });
    expect(res.status).toBe(403);
  });
});

describe('POST requests sent again (Idempotency-Key)', () => {
  const incidents = async () =>
    Number(
      (
        await h.t.db
          .selectFrom('incident')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const withKey = (idempotencyKey: string, fields: Record<string, string>, format: 'json' | 'xml' = 'json') =>
    h.request('POST', `/open311/v2/requests.${format}`, {
      token: null,
      rawBody: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': idempotencyKey },
    });

  it('a request retried with the same key creates one item: the retry gets the first token back, marked Idempotent-Replayed', async () => {
    const before = await incidents();
    const first = await withKey('app-42-request-1', valid());
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await withKey('app-42-request-1', valid());
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('access-control-allow-origin')).toBe('*');
    // A browser client on another origin may read the marker.
    expect(again.headers.get('access-control-expose-headers')).toBe('Idempotent-Replayed');
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(again.body).toEqual(first.body);
    expect(await incidents()).toBe(before + 1);
    // The same form as multipart, each send with its own boundary: one item too.
    const multipart = () => {
      const form = new FormData();
      for (const [name, value] of Object.entries(valid())) form.append(name, value);
      return h.request('POST', '/open311/v2/requests.xml', { token: null, form, headers: { 'idempotency-key': 'app-42-request-2' } });
    };
    const one = await multipart();
    const two = await multipart();
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(two.text).toBe(one.text);
    expect(two.headers.get('idempotent-replayed')).toBe('true');
    expect(await incidents()).toBe(before + 2);
    // The same fields as JSON, sent again: one item, the first answer.
    const asJson = () => h.request('POST', '/open311/v2/requests.json', { token: null, body: { ...valid(), lat: 55.3547 }, headers: { 'idempotency-key': 'app-42-request-json' } });
    const jsonFirst = await asJson();
    const jsonAgain = await asJson();
    expect([jsonFirst.status, jsonAgain.status]).toEqual([201, 201]);
    expect(jsonAgain.body).toEqual(jsonFirst.body);
    expect(jsonAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(await incidents()).toBe(before + 3);
    // Without a key every POST is a new request.
    expect((await post(valid())).status).toBe(201);
    expect(await incidents()).toBe(before + 4);
  });

  it("the same key with another request is refused in the spec's error list and creates nothing; a malformed key is 400", async () => {
    expect((await withKey('app-42-request-3', valid())).status).toBe(201);
    const before = await incidents();
    const other = await withKey('app-42-request-3', { ...valid(), description: 'Другая яма' });
    expect(other.status).toBe(422);
    expect(other.body).toEqual([{ code: 422, description: expect.stringContaining('Idempotency-Key') }]);
    const malformed = await withKey('with a space', valid());
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual([{ code: 400, description: expect.stringContaining('Idempotency-Key') }]);
    expect(await incidents()).toBe(before);
  });

  it("keys belong to the integration key that sent them: another app's request with the same key runs on its own; a refusal is not kept", async () => {
    const staff = await h.request('POST', '/api/v1/staff', { body: { fullName: 'Приложение «Соседи»', role: 'integration', municipalityId: h.municipality.Kemerovo } });
    const otherKey = (await h.request('POST', `/api/v1/staff/${staff.body.id}/keys`, { body: { label: 'open311' } })).body.token as string;
    const mine = await withKey('shared-app-key', valid());
    const theirs = await withKey('shared-app-key', { ...valid(), api_key: otherKey });
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body[0].token).not.toBe(mine.body[0].token);
    // A key that is not valid is refused each time and keeps nothing under the Idempotency-Key.
    const forged = { ...valid(), api_key: 'otk_not-a-key-000000000000000000000000000' };
    expect((await withKey('forged', forged)).status).toBe(403);
    expect((await withKey('forged', forged)).headers.get('idempotent-replayed')).toBeNull();
  });
});
