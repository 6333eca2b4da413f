import { XMLParser } from 'fast-xml-parser';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open311Status } from '../../core/open311/georeport.ts';
import { REDACTED, redactPersonal } from '../../core/open311/redact.ts';
import { withdrawConsent } from '../../core/residents/consent.service.ts';
import { createApiHarness, type ApiHarness } from '../../test/api-harness.ts';

let h: ApiHarness;
const ids = {} as { solved: number; inWork: number; unpublished: number; novokuznetsk: number; newOne: number };
/** Everything personal about the authors that must never leave through the public view. */
const PERSONAL = ['Иван Петров', 'Петров', 'ivan_petrov_kem', '+7 913 123-45-67', '9131234567', 'ivan@example.com', 'Мария Сидорова', 'Сидорова'];

/** The spec's field list of a service request (GET Service Requests, Response), in order. */
const REQUEST_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
];
const SERVICE_FIELDS = ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'];
const xml = new XMLParser({ parseTagValue: false, isArray: (name) => ['service', 'request', 'error', 'endpoint', 'format'].includes(name) });

async function author(messageId: number, name: string, phone: string, username: string) {
  const { author_id } = await h.t.db.selectFrom('message').select('author_id').where('id', '=', messageId).executeTakeFirstOrThrow();
  await h.t.db.updateTable('resident').set({ display_name: name, phone }).where('id', '=', author_id!).execute();
  await h.t.db.updateTable('resident_identity').set({ username }).where('resident_id', '=', author_id!).execute();
}

async function answer(messageId: number, body: Record<string, unknown>) {
  const draft = await h.request('POST', `/api/v1/messages/${messageId}/answers`, { token: h.keys.Kemerovo.executor, body });
  expect(draft.status).toBe(201);
  const approved = await h.request('POST', `/api/v1/answers/${draft.body.answer.id}/approve`, { token: h.keys.Kemerovo.curator });
  expect(approved.status).toBe(200);
}

beforeAll(async () => {
  h = await createApiHarness();
  const solved = await h.fileMessage('Kemerovo', { text: 'Яма у подъезда, звоните +7 913 123-45-67, спросить Ивана Петрова', photos: ['photo-1'] });
  await author(solved.id, 'Иван Петров', '+7 913 123-45-67', 'ivan_petrov_kem');
  await h.request('POST', `/api/v1/messages/${solved.id}/accept`, { body: {} });
  await answer(solved.id, { kind: 'intermediate', text: 'Иван Петров, бригада выедет в среду.' });
  await answer(solved.id, { kind: 'final', resolution: 'solved', text: 'Иван Петров, яма заделана. Вопросы: ivan@example.com или @ivan_petrov_kem' });
  expect((await h.request('POST', `/api/v1/messages/${solved.id}/publish`)).status).toBe(200);

  const inWork = await h.fileMessage('Kemerovo', { categoryCode: 'roads.lighting', text: 'Не горят фонари на Ивановской улице' });
  await author(inWork.id, 'Мария Сидорова', '89001112233', 'maria_s');
  await h.request('POST', `/api/v1/messages/${inWork.id}/accept`, { body: {} });
  await answer(inWork.id, { kind: 'intermediate', text: 'Мария Сидорова, заявка передана в горсвет.' });
  await answer(inWork.id, { kind: 'clarification', text: 'Уточните номер дома, Мария?' });
  await h.request('POST', `/api/v1/messages/${inWork.id}/publish`);

  const unpublished = await h.fileMessage('Kemerovo', { text: 'Не опубликовано' });
  await h.request('POST', `/api/v1/messages/${unpublished.id}/accept`, { body: {} });
  const newOne = await h.fileMessage('Kemerovo', { text: 'Новое' });

  const nk = await h.fileMessage('Novokuznetsk', { categoryCode: 'roads.lighting', text: 'Фонари в Новокузнецке' });
  await h.request('POST', `/api/v1/messages/${nk.id}/accept`, { body: {} });
  await h.request('POST', `/api/v1/messages/${nk.id}/publish`);
  Object.assign(ids, { solved: solved.id, inWork: inWork.id, unpublished: unpublished.id, novokuznetsk: nk.id, newOne: newOne.id });
});
afterAll(() => h.close());

const get = (url: string) => h.request('GET', url, { token: null });

function expectNoPersonalData(raw: string) {
  for (const value of PERSONAL) expect(raw, value).not.toContain(value);
  expect(raw).not.toMatch(/author|resident|phone|external_id|display_name|username/i);
}

describe('CORS', () => {
  const ORIGIN = 'https://map.city.example.org';
  const fromBrowser = (method: string, url: string, headers: Record<string, string> = {}) => h.request(method, url, { token: null, headers: { origin: ORIGIN, ...headers } });

  it('every GET answer, an error or a 404 included, in JSON or XML, carries Access-Control-Allow-Origin: *', async () => {
    for (const [url, status] of [
      ['/open311/v2/discovery.json', 200],
      ['/open311/v2/services.xml', 200],
      ['/open311/v2/requests.json', 200],
      ['/open311/v2/requests.xml?status=pending', 400],
      ['/open311/v2/requests/999999.json', 404],
      ['/open311/v2/nothing', 404],
    ] as const) {
      const res = await fromBrowser('GET', url);
      expect(res.status, url).toBe(status);
      expect(res.headers.get('access-control-allow-origin'), url).toBe('*');
      expect(res.headers.get('access-control-allow-credentials'), url).toBeNull();
    }
  });

  it('a preflight of any Open311 route, a POST with Idempotency-Key and a JSON Content-Type included, is 204 with the methods and headers allowed', async () => {
    for (const url of ['/open311/v2/requests.json', '/open311/v2/requests.xml', '/open311/v2/discovery.json', `/open311/v2/requests/${ids.solved}.json`]) {
      const res = await fromBrowser('OPTIONS', url, { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' });
      expect(res.status, url).toBe(204);
      expect(res.text, url).toBe('');
      expect(res.headers.get('access-control-allow-origin'), url).toBe('*');
      expect(res.headers.get('access-control-allow-methods')?.split(','), url).toEqual(['GET', 'HEAD', 'POST', 'OPTIONS']);
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase().split(','), url).toEqual(['content-type', 'idempotency-key']);
      expect(res.headers.get('access-control-max-age'), url).toBe('86400');
    }
    // A preflight writes nothing: no incident came of it.
    const incidents = await h.t.db.selectFrom('incident').select('id').execute();
    await fromBrowser('OPTIONS', '/open311/v2/requests.json', { 'access-control-request-method': 'POST' });
    expect(await h.t.db.selectFrom('incident').select('id').execute()).toEqual(incidents);
  });

  it('the admin API and the console open no CORS: neither a GET nor a preflight from another origin gets an allow-origin', async () => {
    for (const url of ['/api/v1/me', '/api/v1/messages', '/console', '/console/api/session']) {
      const get = await h.request('GET', url, { headers: { origin: ORIGIN } });
      expect(get.headers.get('access-control-allow-origin'), url).toBeNull();
      const preflight = await fromBrowser('OPTIONS', url, { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' });
      expect(preflight.status, url).not.toBe(204);
      expect(preflight.headers.get('access-control-allow-origin'), url).toBeNull();
      expect(preflight.headers.get('access-control-allow-methods'), url).toBeNull();
    }
  });
});

describe('discovery', () => {
  it('JSON and XML with every field of the service discovery spec', async () => {
    const json = await get('/open311/v2/discovery.json');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Object.keys(json.body).sort()).toEqual(['changeset', 'contact', 'endpoints', 'key_service']);
    expect(json.body.endpoints).toEqual([
      { specification: 'http://wiki.open311.org/GeoReport_v2', url: 'http://localhost/open311/v2', changeset: json.body.changeset, type: 'production', formats: ['text/xml', 'application/json'] },
    ]);
    const res = await get('/open311/v2/discovery.xml');
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(res.text.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const doc = xml.parse(res.text).discovery;
    expect(doc.endpoints.endpoint[0]).toEqual({
      specification: 'http://wiki.open311.org/GeoReport_v2',
      url: 'http://localhost/open311/v2',
      changeset: json.body.changeset,
      type: 'production',
      formats: { format: ['text/xml', 'application/json'] },
    });
    expect(doc.contact).toBe(json.body.contact);
  });
});

describe('services', () => {
  it("every active category is a service grouped by its sector, with the spec's fields", async () => {
    const res = await get('/open311/v2/services.json');
    expect(res.status).toBe(200);
    const categories = await h.t.db.selectFrom('category').select('code').where('active', '=', true).execute();
    expect(res.body).toHaveLength(categories.length);
    for (const s of res.body) expect(Object.keys(s)).toEqual(SERVICE_FIELDS);
    expect(res.body.find((s: { service_code: string }) => s.service_code === 'roads.pothole')).toEqual({
      service_code: 'roads.pothole',
      service_name: 'Ямы на дороге',
      description: 'Дороги: Ямы на дороге',
      metadata: false,
      type: 'realtime',
      keywords: 'Potholes, Roads, Дороги',
      group: 'Дороги',
    });
    const asXml = xml.parse((await get('/open311/v2/services.xml')).text).services.service;
    expect(asXml).toHaveLength(categories.length);
    expect(asXml[0]).toEqual({ ...res.body[0], metadata: String(res.body[0].metadata) });
  });

  it("an unknown jurisdiction_id is 404 in the spec's error format; a known one is accepted", async () => {
    const res = await get('/open311/v2/services.json?jurisdiction_id=00000000');
    expect(res.status).toBe(404);
    expect(res.body).toEqual([{ code: 404, description: 'jurisdiction_id not found: 00000000' }]);
    expect((await get('/open311/v2/services.json?jurisdiction_id=32701000')).status).toBe(200);
  });
});

describe('service requests', () => {
  it("only published messages, with exactly the spec's fields, statuses mapped and the public answer as notes", async () => {
    const res = await get('/open311/v2/requests.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.body.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([String(ids.novokuznetsk), String(ids.inWork), String(ids.solved)]);
    for (const r of res.body) expect(Object.keys(r)).toEqual(REQUEST_FIELDS);
    const solved = res.body.find((r: { service_request_id: string }) => r.service_request_id === String(ids.solved));
    expect(solved).toEqual({
      service_request_id: String(ids.solved),
      status: 'closed',
      status_notes: `${REDACTED}, яма заделана. Вопросы: ${REDACTED} или ${REDACTED}`,
      service_name: 'Ямы на дороге',
      service_code: 'roads.pothole',
      description: `Яма у подъезда, звоните ${REDACTED}, спросить ${REDACTED} ${REDACTED}`,
      agency_responsible: 'Администрация: Кемеровский городской округ',
      service_notice: null,
      requested_datetime: '2026-12-01T03:00:00.000Z',
      updated_datetime: '2026-12-01T03:00:00.000Z',
      expected_datetime: null,
      address: null,
      address_id: null,
      zipcode: null,
      lat: 55.3547,
      long: 86.0873,
      media_url: null,
    });
    const inWork = res.body.find((r: { service_request_id: string }) => r.service_request_id === String(ids.inWork));
    expect(inWork).toMatchObject({ status: 'open', status_notes: `${REDACTED}, заявка передана в горсвет.`, description: 'Не горят фонари на Ивановской улице' });
  });

  it('the XML variant carries the same requests', async () => {
    const res = await get('/open311/v2/requests.xml');
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const requests = xml.parse(res.text).service_requests.request;
    expect(requests.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([String(ids.novokuznetsk), String(ids.inWork), String(ids.solved)]);
    expect(Object.keys(requests[0])).toEqual(REQUEST_FIELDS);
    expect(requests[2]).toMatchObject({
      status: 'closed',
      service_code: 'roads.pothole',
      status_notes: `${REDACTED}, яма заделана. Вопросы: ${REDACTED} или ${REDACTED}`,
      media_url: '',
      lat: '55.3547',
      long: '86.0873',
    });
  });

  it('XML escapes markup in texts', async () => {
    await h.t.db.updateTable('message').set({ address: 'ул. <Ленина> & "Кирова"' }).where('id', '=', ids.inWork).execute();
    const res = await get('/open311/v2/requests.xml');
    expect(res.text).toContain('<address>ул. &lt;Ленина&gt; &amp; &quot;Кирова&quot;</address>');
    expect(xml.parse(res.text).service_requests.request[1].address).toBe('ул. <Ленина> & "Кирова"');
  });

  it('XML stays well-formed when a text holds characters XML 1.0 cannot carry (they become U+FFFD); JSON keeps them', async () => {
    const address = 'ул. Весенняя,\u0001 5\u000b\u001f\tкв.\uffff 7';
    const before = await h.t.db.selectFrom('message').select('address').where('id', '=', ids.inWork).executeTakeFirstOrThrow();
    await h.t.db.updateTable('message').set({ address }).where('id', '=', ids.inWork).execute();
    try {
      for (const url of ['/open311/v2/requests.xml', `/open311/v2/requests/${ids.inWork}.xml`]) {
        const res = await get(url);
        expect(res.status, url).toBe(200);
        // Everything outside the XML 1.0 Char production; no parser accepts a document holding one.
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is looked for
        expect(res.text, url).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
        expect(res.text, url).toContain('<address>ул. Весенняя,\uFFFD 5\uFFFD\uFFFD\tкв.\uFFFD 7</address>');
      }
      // An id echoed in an error is a text like any other.
      const error = await get('/open311/v2/requests/%01.xml');
      expect(error.status).toBe(404);
      expect(error.text).toContain('<description>service_request_id not found: \uFFFD</description>');
      const json = await get(`/open311/v2/requests/${ids.inWork}.json`);
      expect(json.body[0].address).toBe(address);
    } finally {
      await h.t.db.updateTable('message').set({ address: before.address }).where('id', '=', ids.inWork).execute();
    }
  });

  it('filters: service_code (one or several), status, dates, jurisdiction_id', async () => {
    const list = async (query: string) => ((await get(`/open311/v2/requests.json?${query}`)).body as { service_request_id: string }[]).map((r) => Number(r.service_request_id));
    expect(await list('service_code=roads.pothole')).toEqual([ids.solved]);
    expect(await list('service_code=roads.pothole,roads.lighting')).toEqual([ids.novokuznetsk, ids.inWork, ids.solved]);
    expect(await list('status=open')).toEqual([ids.novokuznetsk, ids.inWork]);
    expect(await list('status=closed')).toEqual([ids.solved]);
    expect(await list('status=open,closed')).toHaveLength(3);
    expect(await list('jurisdiction_id=32731000')).toEqual([ids.novokuznetsk]);
    expect(await list('start_date=2026-12-01T00:00:00Z&end_date=2026-12-02T00:00:00%2B07:00')).toHaveLength(3);
    expect(await list('start_date=2026-11-01T00:00:00Z&end_date=2026-11-30T00:00:00Z')).toEqual([]);
    expect(await list('end_date=2026-11-30T00:00:00Z')).toEqual([]);
    expect(await list('service_code=&status=')).toHaveLength(3);
    expect(await list(`service_request_id=${ids.solved},${ids.unpublished},${ids.newOne}&status=open`)).toEqual([ids.solved]);
  });

  it("a list parameter given more than once (a client library's array) is all its values; any other one repeated is a 400", async () => {
    const list = async (query: string) => ((await get(`/open311/v2/requests.json?${query}`)).body as { service_request_id: string }[]).map((r) => Number(r.service_request_id));
    expect(await list('service_code=roads.pothole&service_code=roads.lighting')).toEqual(await list('service_code=roads.pothole,roads.lighting'));
    expect(await list('service_code=roads.pothole&service_code=roads.lighting')).toHaveLength(3);
    expect(await list('status=open&status=closed')).toHaveLength(3);
    expect(await list(`service_request_id=${ids.solved}&service_request_id=${ids.inWork}`)).toEqual([ids.inWork, ids.solved]);
    expect((await get('/open311/v2/requests.json?service_code=roads.pothole&service_code=roads.nope')).status).toBe(400);
    for (const query of ['start_date=2026-11-01T00:00:00Z&start_date=2026-12-01T00:00:00Z', 'jurisdiction_id=32701000&jurisdiction_id=32731000', 'page=1&page=2']) {
      const res = await get(`/open311/v2/requests.json?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body, query).toEqual([{ code: 400, description: `${query.split('=')[0]} is given more than once` }]);
    }
  });

  it('a service code of a category taken out of the directory still filters the requests that carry it', async () => {
    await h.t.db.updateTable('category').set({ active: false }).where('code', '=', 'roads.lighting').execute();
    try {
      const services = (await get('/open311/v2/services.json')).body as { service_code: string }[];
      expect(services.map((s) => s.service_code)).not.toContain('roads.lighting');
      // Its requests still say service_code roads.lighting: asking for them is no error.
      const listed = await get('/open311/v2/requests.json?service_code=roads.lighting');
      expect(listed.status).toBe(200);
      expect((listed.body as { service_request_id: string }[]).map((r) => Number(r.service_request_id))).toEqual([ids.novokuznetsk, ids.inWork]);
      expect((await get('/open311/v2/requests.json?service_code=roads.nope')).status).toBe(400);
    } finally {
      await h.t.db.updateTable('category').set({ active: true }).where('code', '=', 'roads.lighting').execute();
    }
  });

  it('pages: page and page_size walk the list once, newest first, and an empty page ends it', async () => {
    const list = async (query: string) => ((await get(`/open311/v2/requests.json?${query}`)).body as { service_request_id: string }[]).map((r) => Number(r.service_request_id));
    const all = await list('');
    expect(all).toEqual([ids.novokuznetsk, ids.inWork, ids.solved]);
    expect(await list('page_size=2')).toEqual(all.slice(0, 2));
    expect(await list('page=1&page_size=2')).toEqual(all.slice(0, 2));
    expect(await list('page=2&page_size=2')).toEqual(all.slice(2));
    expect(await list('page=3&page_size=2')).toEqual([]);
    // Without page_size a page is the 1,000 the spec allows: the second is empty here, not the first again.
    expect(await list('page=2')).toEqual([]);
    expect(await list('page=2&page_size=1&status=open')).toEqual([ids.inWork]);
    for (const query of ['page=0', 'page=-1', 'page=x', 'page_size=0', 'page_size=1001', 'page_size=2.5']) {
      const res = await get(`/open311/v2/requests.xml?${query}`);
      expect(res.status, query).toBe(400);
      expect(xml.parse(res.text).errors.error[0].description, query).toMatch(/^page(_size)? must be a whole number from 1 to \d+$/);
    }
  });

  it('a time zone offset written with a bare + (read back as a space by any query decoder) is the offset it names', async () => {
    // curl 'requests.json?start_date=2026-12-01T10:00:00+07:00': the '+' arrives as a space.
    const list = async (query: string) => (await get(`/open311/v2/requests.json?${query}`)).body;
    expect(await list('start_date=2026-12-01T10:00:00+07:00')).toEqual(await list('start_date=2026-12-01T10:00:00%2B07:00'));
    expect(await list('start_date=2026-12-01T10:00:00+07:00')).toHaveLength(3);
    expect(await list('start_date=2026-12-01T11:00:00+07:00')).toEqual([]);
    expect(await list('end_date=2026-12-01T10:00:00.5+07:00')).toHaveLength(3);
    // A space anywhere else is still no w3 datetime.
    expect((await get('/open311/v2/requests.json?start_date=2026-12-01%2010:00:00Z')).status).toBe(400);
  });

  it('a date alone (2026-12-01) is that whole day in Kuzbass time (UTC+7): start_date from its first instant, end_date through its last', async () => {
    const list = async (query: string) => {
      const res = await get(`/open311/v2/requests.json?${query}`);
      expect(res.status, query).toBe(200);
      return (res.body as { service_request_id: string }[]).map((r) => Number(r.service_request_id));
    };
    const times = await h.t.db.selectFrom('message').select(['id', 'created_at']).where('id', 'in', [ids.solved, ids.inWork]).execute();
    // 30 November 23:59:59.999999 and 1 December 00:00:00 in Kemerovo (microseconds, as PostgreSQL keeps them).
    await h.t.db.updateTable('message').set({ created_at: sql`'2026-11-30T16:59:59.999999Z'::timestamptz` }).where('id', '=', ids.solved).execute();
    await h.t.db
      .updateTable('message')
      .set({ created_at: new Date('2026-11-30T17:00:00Z') })
      .where('id', '=', ids.inWork)
      .execute();
    try {
      expect(await list('start_date=2026-12-01')).toEqual([ids.novokuznetsk, ids.inWork]);
      expect(await list('end_date=2026-11-30')).toEqual([ids.solved]);
      expect(await list('start_date=2026-11-30&end_date=2026-11-30')).toEqual([ids.solved]);
      expect(await list('start_date=2026-12-01&end_date=2026-12-01')).toEqual([ids.novokuznetsk, ids.inWork]);
      expect(await list('start_date=2026-11-30&end_date=2026-12-01')).toEqual([ids.novokuznetsk, ids.inWork, ids.solved]);
      // A date and a datetime together; 90 whole days is the longest span.
      expect(await list('start_date=2026-11-30T16:59:59.5Z&end_date=2026-11-30')).toEqual([ids.solved]);
      expect(await list('start_date=2026-09-02&end_date=2026-11-30')).toEqual([ids.solved]);
      // With jurisdiction_id, the day is the municipality's: Novokuznetsk moved to UTC+6 for a moment.
      await h.t.db.updateTable('municipality').set({ time_zone: 'Asia/Omsk' }).where('oktmo', '=', '32731000').execute();
      await h.t.db
        .updateTable('message')
        .set({ created_at: new Date('2026-11-30T17:30:00Z') })
        .where('id', '=', ids.novokuznetsk)
        .execute();
      expect(await list('jurisdiction_id=32731000&start_date=2026-12-01')).toEqual([]);
      expect(await list('jurisdiction_id=32731000&end_date=2026-11-30')).toEqual([ids.novokuznetsk]);
      expect(await list('start_date=2026-12-01')).toEqual([ids.novokuznetsk, ids.inWork]);
    } finally {
      await h.t.db.updateTable('municipality').set({ time_zone: 'Asia/Novokuznetsk' }).where('oktmo', '=', '32731000').execute();
      await h.t.db
        .updateTable('message')
        .set({ created_at: new Date('2026-12-01T03:00:00Z') })
        .where('id', '=', ids.novokuznetsk)
        .execute();
      for (const { id, created_at } of times) await h.t.db.updateTable('message').set({ created_at }).where('id', '=', id).execute();
    }
  });

  it("a year (2026) or a month (2026-11) alone is that whole period in Kuzbass time, or the jurisdiction's", async () => {
    const list = async (query: string) => {
      const res = await get(`/open311/v2/requests.json?${query}`);
      expect(res.status, query).toBe(200);
      return (res.body as { service_request_id: string }[]).map((r) => Number(r.service_request_id));
    };
    const times = await h.t.db.selectFrom('message').select(['id', 'created_at']).where('id', 'in', [ids.solved, ids.inWork, ids.novokuznetsk]).execute();
    // The last instant of 2025 and the first of 2026 in Kemerovo (UTC+7).
    await h.t.db.updateTable('message').set({ created_at: sql`'2025-12-31T16:59:59.999999Z'::timestamptz` }).where('id', '=', ids.solved).execute();
    await h.t.db
      .updateTable('message')
      .set({ created_at: new Date('2025-12-31T17:00:00Z') })
      .where('id', '=', ids.inWork)
      .execute();
    // 1 November 00:30 in Kemerovo, still 31 October 23:30 in Omsk (UTC+6).
    await h.t.db
      .updateTable('message')
      .set({ created_at: new Date('2026-10-31T17:30:00Z') })
      .where('id', '=', ids.novokuznetsk)
      .execute();
    try {
      expect(await list('end_date=2025')).toEqual([ids.solved]);
      expect(await list('start_date=2026')).toEqual([ids.inWork]);
      expect(await list('end_date=2025-12')).toEqual([ids.solved]);
      expect(await list('start_date=2025-12&end_date=2025-12')).toEqual([ids.solved]);
      expect(await list('start_date=2026-01&end_date=2026-01')).toEqual([ids.inWork]);
      expect(await list('start_date=2025-12&end_date=2026-01')).toEqual([ids.inWork, ids.solved]);
      // Mixed with a date and a datetime; a year through its March is 90 days, the longest span.
      expect(await list('start_date=2025-12-31&end_date=2026-01')).toEqual([ids.inWork, ids.solved]);
      expect(await list('start_date=2026-01-01T00:00:00%2B07:00&end_date=2026-01')).toEqual([ids.inWork]);
      expect(await list('start_date=2026&end_date=2026-03')).toEqual([ids.inWork]);
      expect(await list('start_date=2026-11')).toEqual([ids.novokuznetsk]);
      expect(await list('end_date=2026-10')).toEqual([]);
      // Years below 100 are themselves (Date reads 0099 as 1999, which would put this end before its start).
      expect(await list('start_date=0099-12&end_date=0100-01')).toEqual([]);
      // With jurisdiction_id, the month is the municipality's: Novokuznetsk moved to UTC+6 for a moment.
      await h.t.db.updateTable('municipality').set({ time_zone: 'Asia/Omsk' }).where('oktmo', '=', '32731000').execute();
      expect(await list('jurisdiction_id=32731000&start_date=2026-11')).toEqual([]);
      expect(await list('jurisdiction_id=32731000&end_date=2026-10')).toEqual([ids.novokuznetsk]);
      expect(await list('jurisdiction_id=32731000&start_date=2026-10&end_date=2026-10')).toEqual([ids.novokuznetsk]);
    } finally {
      await h.t.db.updateTable('municipality').set({ time_zone: 'Asia/Novokuznetsk' }).where('oktmo', '=', '32731000').execute();
      for (const { id, created_at } of times) await h.t.db.updateTable('message').set({ created_at }).where('id', '=', id).execute();
    }
  });

  it('an offset without its colon (+0700, -0330) is the offset it names, encoded or sent with a bare +', async () => {
    const list = async (query: string) => {
      const res = await get(`/open311/v2/requests.json?${query}`);
      expect(res.status, query).toBe(200);
      return (res.body as { service_request_id: string }[]).map((r) => Number(r.service_request_id));
    };
    // The requests are at 2026-12-01T03:00:00Z = 10:00 in Kemerovo.
    expect(await list('start_date=2026-12-01T10:00:00%2B0700')).toHaveLength(3);
    expect(await list('start_date=2026-12-01T10:00:00+0700')).toHaveLength(3);
    expect(await list('start_date=2026-12-01T10:00:01%2B0700')).toEqual([]);
    expect(await list('end_date=2026-12-01T09:59:59+0700')).toEqual([]);
    expect(await list('end_date=2026-11-30T23:30:00-0330')).toHaveLength(3);
    expect(await list('end_date=2026-11-30T23:29:59-0330')).toEqual([]);
  });

  it.each([
    ['an unknown service code', 'service_code=roads.nope', 400, 'service_code not found: roads.nope'],
    ['an unknown status', 'status=pending', 400, 'status must be open, closed or both (comma-separated)'],
    ['a start date that is not w3', 'start_date=01.11.2026', 400, 'start_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 01.11.2026'],
    [
      'a date without a time zone',
      'start_date=2026-11-01T00:00:00',
      400,
      'start_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-11-01T00:00:00',
    ],
    ['an impossible date', 'end_date=2026-02-30T00:00:00Z', 400, 'end_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-02-30T00:00:00Z'],
    ['an impossible date alone', 'start_date=2026-02-30', 400, 'start_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-02-30'],
    ['a thirteenth month', 'end_date=2026-13-01', 400, 'end_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-13-01'],
    [
      'a date with a time zone but no time',
      'start_date=2026-11-01Z',
      400,
      'start_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-11-01Z',
    ],
    [
      'an offset of 60 minutes',
      'start_date=2026-11-01T00:00:00%2B0760',
      400,
      'start_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-11-01T00:00:00+0760',
    ],
    ['a thirteenth month alone', 'end_date=2026-13', 400, 'end_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-13'],
    ['a month zero', 'start_date=2026-00', 400, 'start_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-00'],
    ['a month of one digit', 'start_date=2026-1', 400, 'start_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-1'],
    ['a year of three digits', 'start_date=202', 400, 'start_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 202'],
    ['a year of five digits', 'end_date=20261', 400, 'end_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 20261'],
    ['a month with a trailing dash', 'start_date=2026-11-', 400, 'start_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-11-'],
    ['an ISO week, which w3 dates have not', 'start_date=2026-W05', 400, 'start_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-W05'],
    ['a month with a time zone but no time', 'end_date=2026-11Z', 400, 'end_date is not a w3 date (2026, 2026-11 or 2026-11-01) or datetime with a time zone (2026-11-01T00:00:00Z): 2026-11Z'],
    ['a whole year and another', 'start_date=2026&end_date=2026', 400, 'start_date and end_date may not span more than 90 days'],
    ['a month that ends before the start', 'start_date=2026-11-02&end_date=2026-10', 400, 'end_date is before start_date'],
    ['an end before the start', 'start_date=2026-11-02T00:00:00Z&end_date=2026-11-01T00:00:00Z', 400, 'end_date is before start_date'],
    ['an end day before the start', 'start_date=2026-11-02T00:00:00%2B07:00&end_date=2026-11-01', 400, 'end_date is before start_date'],
    ['a span of 91 whole days', 'start_date=2026-09-01&end_date=2026-11-30', 400, 'start_date and end_date may not span more than 90 days'],
    ['a span over 90 days', 'start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z', 400, 'start_date and end_date may not span more than 90 days'],
    ['a malformed id list', 'service_request_id=1;DROP', 400, 'service_request_id must be a comma-separated list of request ids'],
    ['an unknown jurisdiction', 'jurisdiction_id=99999999', 404, 'jurisdiction_id not found: 99999999'],
    ['a NUL in a service code', 'service_code=roads%00', 400, 'service_code holds a NUL character'],
  ])("%s: the spec's error list, in JSON and XML", async (_name, query, status, description) => {
    const json = await get(`/open311/v2/requests.json?${query}`);
    expect(json.status).toBe(status);
    expect(json.body).toEqual([{ code: status, description }]);
    const asXml = await get(`/open311/v2/requests.xml?${query}`);
    expect(asXml.status).toBe(status);
    expect(xml.parse(asXml.text).errors.error).toEqual([{ code: String(status), description }]);
  });
});

describe('one service request', () => {
  it('a published message, as a list of one, in JSON and XML', async () => {
    const res = await get(`/open311/v2/requests/${ids.solved}.json`);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({ service_request_id: String(ids.solved), status: 'closed' });
    const asXml = xml.parse((await get(`/open311/v2/requests/${ids.solved}.xml`)).text).service_requests.request;
    expect(asXml[0]).toMatchObject({ service_request_id: String(ids.solved), status: 'closed' });
    expect((await get(`/open311/v2/requests/${ids.novokuznetsk}.json?jurisdiction_id=32731000`)).status).toBe(200);
  });

  it.each([
    ['unpublished', () => `${ids.unpublished}.json`],
    ['new', () => `${ids.newOne}.json`],
    ['missing', () => '99999999.json'],
    ['not a number', () => 'abc.json'],
    ['of another jurisdiction', () => `${ids.solved}.json?jurisdiction_id=32731000`],
  ])("%s: 404 in the spec's error format", async (_name, path) => {
    const res = await get(`/open311/v2/requests/${path()}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual([{ code: 404, description: expect.stringMatching(/not found/) }]);
  });

  it('unknown resources and formats answer 404 in the error format', async () => {
    for (const url of ['/open311/v2/requests.csv', '/open311/v2/tokens/1.json', '/open311/v2/services/roads.pothole.json', '/open311/v2/nothing.json']) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(res.body, url).toEqual([{ code: 404, description: expect.any(String) }]);
    }
  });
});

describe('privacy', () => {
  it("no public response carries an author's name, phone, e-mail, handle or identity", async () => {
    const urls = [
      'discovery.json',
      'discovery.xml',
      'services.json',
      'services.xml',
      'requests.json',
      'requests.xml',
      `requests/${ids.solved}.json`,
      `requests/${ids.solved}.xml`,
      `requests/${ids.inWork}.xml`,
    ];
    const identities = await h.t.db.selectFrom('resident_identity').select(['external_id', 'chat_id']).execute();
    for (const url of urls) {
      const res = await get(`/open311/v2/${url}`);
      expect(res.status, url).toBe(200);
      expectNoPersonalData(res.text);
      for (const i of identities) expect(res.text, url).not.toMatch(new RegExp(`\\b${i.external_id}\\b|\\b${i.chat_id}\\b`));
    }
  });

  it('an author who withdrew consent is not named once their names are erased: the texts that could name them are withheld', async () => {
    const filed = await h.fileMessage('Kemerovo', { text: 'Сломаны качели, перезвоните Анне Смирновой' });
    await author(filed.id, 'Анна Смирнова', '89005556677', 'anna_smirnova');
    await h.request('POST', `/api/v1/messages/${filed.id}/accept`, { body: {} });
    await answer(filed.id, { kind: 'intermediate', text: 'Анна, качели починят в пятницу.' });
    await h.request('POST', `/api/v1/messages/${filed.id}/publish`);
    try {
      const before = (await get(`/open311/v2/requests/${filed.id}.json`)).body[0];
      // While the author's names are known, they are redacted from the texts.
      expect(before.description).toBe(`Сломаны качели, перезвоните ${REDACTED} ${REDACTED}`);
      expect(before.status_notes).toBe(`${REDACTED}, качели починят в пятницу.`);
      const { author_id } = await h.t.db.selectFrom('message').select('author_id').where('id', '=', filed.id).executeTakeFirstOrThrow();
      await withdrawConsent(h.t.db, author_id!, h.now());
      // The names are destroyed, so nothing can tell them in the texts any more.
      for (const url of [`requests/${filed.id}.json`, `requests/${filed.id}.xml`, 'requests.json', 'requests.xml']) {
        const res = await get(`/open311/v2/${url}`);
        expect(res.status, url).toBe(200);
        expect(res.text, url).not.toMatch(/Анн|Смирнов/);
      }
      // The request stays, without its texts.
      const after = (await get(`/open311/v2/requests/${filed.id}.json`)).body[0];
      expect(after).toMatchObject({ service_request_id: String(filed.id), service_code: 'roads.pothole', status: 'open', description: REDACTED, status_notes: REDACTED });
    } finally {
      await h.t.db.updateTable('message').set({ published: false }).where('id', '=', filed.id).execute();
    }
  });

  it('clarification requests to the author are never public notes', async () => {
    const res = await get(`/open311/v2/requests/${ids.inWork}.json`);
    expect(res.text).not.toContain('Уточните');
  });
});

describe('the mapping and the redaction', () => {
  it('new and in work are open; solved, explained and rejected are closed', () => {
    expect((['new', 'in_work', 'solved', 'explained', 'rejected'] as const).map(open311Status)).toEqual(['open', 'open', 'closed', 'closed', 'closed']);
  });

  it('redacts names as words, phones, e-mails and handles, and leaves the rest', () => {
    expect(redactPersonal('Иван Петров, спасибо. Иван, звоните 8-913-123-45-67 или +7(913)1234567', ['Иван Петров'])).toBe(`${REDACTED}, спасибо. ${REDACTED}, звоните ${REDACTED} или ${REDACTED}`);
    expect(redactPersonal('Ивановская улица, дом 8', ['Иван Петров'])).toBe('Ивановская улица, дом 8');
    expect(redactPersonal('Ответ для Марии Сидоровой, копия Ивану', ['Мария Сидорова', 'Иван'])).toBe(`Ответ для ${REDACTED} ${REDACTED}, копия ${REDACTED}`);
    expect(redactPersonal('пишите a.b@mail.ru или @some_handle', [null])).toBe(`пишите ${REDACTED} или ${REDACTED}`);
    expect(redactPersonal('Кв. 12, подъезд 3, 2026 год', ['Ли'])).toBe('Кв. 12, подъезд 3, 2026 год');
  });

  it('redacts phone numbers as residents write them: city numbers with a 4- or 5-digit code, mobiles without +7 or 8, foreign ones', () => {
    for (const phone of [
      '8 (3842) 58-12-34',
      '+7 (3842) 58-12-34',
      '8-3843-45-67-89',
      '8 (38452) 2-12-34',
      '(3842) 58-12-34',
      '9131234567',
      '913-123-45-67',
      '79131234567',
      '7 913 123 45 67',
      '+7 913 12 345 67',
      '+7–913–123–45–67',
      '+375 29 123-45-67',
      '+998 90 123 45 67',
    ]) {
      expect(redactPersonal(`мой телефон ${phone}, звоните`, []), phone).not.toMatch(/\d{2}/);
    }
    // Numbers that are no phone stay: dates, times, house and flat numbers, years, a short count.
    for (const text of ['с 8:00 до 20:00, 01.12.2026', 'дом 12, кв. 345, подъезд 6', 'в 2026 году 1500 обращений', 'счётчик № 0123456789', 'участок 42:24:0101001:123']) {
      expect(redactPersonal(text, []), text).toBe(text);
    }
  });

  it('redacts a SNILS and a bank card number (by their check digits), and leaves numbers that fail the check', () => {
    for (const number of ['112-233-445 95', '11223344595', '2202 2012 3456 7895', '4276-3800-1234-5679', '5469380012345673', '2200700112345678908']) {
      expect(redactPersonal(`вот мой номер ${number}, проверьте`, []), number).toBe(`вот мой номер ${REDACTED}, проверьте`);
    }
    // The same shapes with a wrong check digit: a meter or contract number, not a person's.
    for (const number of ['112-233-445 96', '2202 2012 3456 7890', '5469380012345670']) {
      expect(redactPersonal(`номер ${number}`, []), number).toBe(`номер ${number}`);
    }
  });

  it('redacts links to a messenger or social profile, which name a person as a handle does', () => {
    const text = 'пишите vk.com/id123456 или https://t.me/kem_neighbour, мой ОК: ok.ru/profile/571234567890, WhatsApp wa.me/79131234567; фото: https://vk.ru/ivan.petrov';
    const out = redactPersonal(text, []);
    expect(out).toBe(`пишите ${REDACTED} или ${REDACTED}, мой ОК: ${REDACTED}, WhatsApp ${REDACTED}; фото: ${REDACTED}`);
    // Other links stay.
    expect(redactPersonal('график на https://kemerovo.ru/news/123 и gorod.example.org/vk.com', [])).toBe('график на https://kemerovo.ru/news/123 и gorod.example.org/vk.com');
  });

  it('redacts names whose ё is written е or drops in declension (Пётр → Петра) and whose е is fleeting (Павел → Павла)', () => {
    expect(redactPersonal('Петра Иванова не слышат, Петр пишет снова', ['Пётр Иванов'])).toBe(`${REDACTED} ${REDACTED} не слышат, ${REDACTED} пишет снова`);
    expect(redactPersonal('Спасибо, Артем! Передайте Артёму', ['Артём'])).toBe(`Спасибо, ${REDACTED}! Передайте ${REDACTED}`);
    expect(redactPersonal('Ответ Павлу и Павлом подписан, Павел доволен', ['Павел'])).toBe(`Ответ ${REDACTED} и ${REDACTED} подписан, ${REDACTED} доволен`);
    expect(redactPersonal('Ивановская улица, дом 8', ['Пётр Иванов'])).toBe('Ивановская улица, дом 8');
  });
});
