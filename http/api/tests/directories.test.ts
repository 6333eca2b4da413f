import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

const square = (lon: number, lat: number, d = 0.05) => ({
  type: 'Polygon',
  coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]],
});

describe('municipalities', () => {
  it('lists only the key\'s municipality to its officials, every one to operators', async () => {
    const own = await h.request('GET', '/api/v1/municipalities', { token: h.keys.Belovo.responsible });
    expect(own.body.items.map((m: { id: number }) => m.id)).toEqual([h.municipality.Belovo]);
    const all = await h.request('GET', '/api/v1/municipalities');
    expect(all.body.items).toHaveLength(3);
    const one = await h.request('GET', `/api/v1/municipalities/${h.municipality.Belovo}`, { token: h.keys.Belovo.moderator });
    expect(one.body.boundary.type).toBe('Polygon');
    expect(one.body.hasBoundary).toBe(true);
  });

  it('a municipality that does not exist is 404 MUNICIPALITY_NOT_FOUND with its id, read, changed, given a boundary or named by a write', async () => {
    const missing = 999_999;
    for (const [method, url, body] of [
      ['GET', `/api/v1/municipalities/${missing}`, undefined],
      ['PATCH', `/api/v1/municipalities/${missing}`, { nameEn: 'Nowhere' }],
      ['PUT', `/api/v1/municipalities/${missing}/boundary`, square(86.7, 53.9)],
    ] as const) {
      const res = await h.request(method, url, body === undefined ? {} : { body });
      expect([res.status, res.body.code, res.body.details], `${method} ${url}`).toEqual([404, 'MUNICIPALITY_NOT_FOUND', { id: missing }]);
    }
    const named = await h.request('POST', '/api/v1/news', { body: { municipalityId: missing, title: 'Ярмарка', body: 'В субботу.' } });
    expect([named.status, named.body.code, named.body.details]).toEqual([404, 'MUNICIPALITY_NOT_FOUND', { id: missing }]);
  });

  it('creates a municipality with a boundary, then places messages by a replaced one', async () => {
    const created = await h.request('POST', '/api/v1/municipalities', {
      body: { nameRu: 'Прокопьевский городской округ', nameEn: 'Prokopyevsk', oktmo: '32737000', populationOver14: 170_000, boundary: square(86.7, 53.9) },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ nameEn: 'Prokopyevsk', timeZone: 'Asia/Novokuznetsk', answersNeedApproval: true, hasBoundary: true });
    const duplicate = await h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'x', nameEn: 'x', oktmo: '32737000', populationOver14: 1 } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('ALREADY_EXISTS');
    const moved = await h.request('PUT', `/api/v1/municipalities/${created.body.id}/boundary`, { body: square(87.0, 54.0) });
    expect(moved.status).toBe(200);
    const row = await h.t.db.selectFrom('municipality').select(['min_lat', 'max_lat', 'min_lon', 'max_lon']).where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ min_lat: 53.95, max_lat: 54.05, min_lon: 86.95, max_lon: 87.05 });
  });

  it('refuses a time zone given as a UTC offset (+07:00 is UTC-7 to PostgreSQL, UTC+7 to JavaScript): 400 naming timeZone, nothing saved; an IANA name is taken', async () => {
    for (const [i, timeZone] of ['+07:00', '-03:00', '+0700', '+07'].entries()) {
      const res = await h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'x', nameEn: 'x', oktmo: `3299810${i}`, populationOver14: 1, timeZone } });
      expect(res.status, `${timeZone}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION', details: { field: 'timeZone' } });
    }
    expect(await h.t.db.selectFrom('municipality').select('id').where('oktmo', 'like', '3299810%').execute()).toEqual([]);
    const named = await h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'Омск', nameEn: 'Omsk', oktmo: '32998109', populationOver14: 1, timeZone: 'Asia/Omsk' } });
    expect(named.status).toBe(201);
    expect(named.body.timeZone).toBe('Asia/Omsk');
  });

  it('refuses a population beyond the integer column with 400 naming the field, not 500, and saves nothing', async () => {
    const created = await h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'x', nameEn: 'x', oktmo: '32999001', populationOver14: 3_000_000_000 } });
    expect(created.status).toBe(400);
    expect(created.body.errors).toEqual([expect.objectContaining({ path: 'populationOver14' })]);
    const patched = await h.request('PATCH', `/api/v1/municipalities/${h.municipality.Belovo}`, { body: { nameEn: 'Changed', populationOver14: 2 ** 31 } });
    expect(patched.status).toBe(400);
    expect(patched.body.errors).toEqual([expect.objectContaining({ path: 'populationOver14' })]);
    const belovo = await h.request('GET', `/api/v1/municipalities/${h.municipality.Belovo}`);
    expect(belovo.body.nameEn).toBe('Belovo');
    expect((await h.t.db.selectFrom('municipality').select('id').where('oktmo', '=', '32999001').execute()).length).toBe(0);
  });

  it('the same OKTMO or sector code sent several times at once: one is created, the others get 409 ALREADY_EXISTS, not 500', async () => {
    const municipalities = await Promise.all(
      Array.from({ length: 4 }, () => h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'Гонка', nameEn: 'Race', oktmo: '32999777', populationOver14: 1 } })),
    );
    expect(municipalities.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(municipalities.filter((r) => r.status === 409).every((r) => r.body.code === 'ALREADY_EXISTS')).toBe(true);
    const sectors = await Promise.all(Array.from({ length: 4 }, () => h.request('POST', '/api/v1/sectors', { body: { code: 'race_sector', titleRu: 'Гонка', titleEn: 'Race' } })));
    expect(sectors.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
  });

  it("refuses a boundary sharing area with another municipality's with 409 naming it, saving nothing; a shared point or its own old boundary is fine", async () => {
    const kemerovo = (await h.request('GET', `/api/v1/municipalities/${h.municipality.Kemerovo}`)).body;
    const inside = await h.request('POST', '/api/v1/municipalities', {
      body: { nameRu: 'Ленинск-Кузнецкий', nameEn: 'Leninsk', oktmo: '32727000', populationOver14: 80_000, boundary: square(86.1, 55.35) },
    });
    expect(inside.status).toBe(409);
    expect(inside.body).toMatchObject({ code: 'BOUNDARY_OVERLAP', details: { field: 'boundary', municipalityId: h.municipality.Kemerovo, nameEn: 'Kemerovo', nameRu: 'Кемеровский городской округ' } });
    expect(inside.body.detail).toContain('Kemerovo');
    expect(await h.t.db.selectFrom('municipality').select('id').where('oktmo', '=', '32727000').execute()).toEqual([]);
    // Kemerovo's easternmost vertex is [86.2873, 55.3547]: a neighbour whose west side passes through it touches, nothing more.
    const east = { type: 'Polygon', coordinates: [[[86.2873, 55.3], [86.4, 55.3], [86.4, 55.4], [86.2873, 55.4], [86.2873, 55.3]]] };
    const neighbour = await h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'Соседний', nameEn: 'Neighbour', oktmo: '32727001', populationOver14: 1, boundary: east } });
    expect(neighbour.status).toBe(201);
    // Moved west, it would cover part of Kemerovo; a key that is not the operator's may not even try.
    const url = `/api/v1/municipalities/${neighbour.body.id}/boundary`;
    const moved = await h.request('PUT', url, { body: square(86.28, 55.35) });
    expect(moved.status).toBe(409);
    expect(moved.body.details.municipalityId).toBe(h.municipality.Kemerovo);
    expect((await h.request('GET', `/api/v1/municipalities/${neighbour.body.id}`)).body.boundary).toEqual(east);
    expect((await h.request('PUT', url, { token: h.keys.Kemerovo.curator, body: east })).status).toBe(403);
    // Kemerovo sent again as it is overlaps only itself.
    expect((await h.request('PUT', `/api/v1/municipalities/${h.municipality.Kemerovo}/boundary`, { body: kemerovo.boundary })).status).toBe(200);
    // A boundary covering Kemerovo whole (its eastern vertex on the edge, no edges crossing) is refused the same way.
    const around = await h.request('PUT', url, { body: { type: 'Polygon', coordinates: [[[85.5, 55], [86.2873, 55], [86.2873, 55.7], [85.5, 55.7], [85.5, 55]]] } });
    expect(around.status).toBe(409);
    expect(around.body.details.nameEn).toBe('Kemerovo');
  });

  it("accepts a neighbour whose copy of the shared border is centimetres off Kemerovo's, and refuses one 100 m inside it", async () => {
    const kemerovo = (await h.request('GET', `/api/v1/municipalities/${h.municipality.Kemerovo}`)).body;
    // Kemerovo's western half, north to south, as another source would give it: each vertex 5 to 50 cm east or west.
    const metre = 1 / 111_195 / Math.cos((55.35 * Math.PI) / 180);
    const half = (kemerovo.boundary.coordinates[0] as [number, number][]).filter(([lon]) => lon <= 86.0873).sort((p, q) => q[1] - p[1]);
    const west = (shift: (i: number) => number) => {
      const line = half.map(([lon, lat], i) => [lon + shift(i) * metre, lat]);
      return { type: 'Polygon', coordinates: [[...line, [85.8, line.at(-1)![1]], [85.8, line[0]![1]], line[0]]] };
    };
    const jittered = west((i) => (i % 2 === 0 ? 0.05 : -0.5));
    const created = await h.request('POST', '/api/v1/municipalities', { body: { nameRu: 'Западный', nameEn: 'West', oktmo: '32727002', populationOver14: 1, boundary: jittered } });
    expect(created.status).toBe(201);
    const url = `/api/v1/municipalities/${created.body.id}/boundary`;
    expect((await h.request('PUT', url, { body: west(() => 0.3) })).status).toBe(200);
    const strip = await h.request('PUT', url, { body: west(() => 100) });
    expect(strip.status).toBe(409);
    expect(strip.body).toMatchObject({ code: 'BOUNDARY_OVERLAP', details: { field: 'boundary', municipalityId: h.municipality.Kemerovo, nameEn: 'Kemerovo' } });
    expect((await h.request('GET', `/api/v1/municipalities/${created.body.id}`)).body.boundary).toEqual(west(() => 0.3));
  });

  it('rejects a boundary the core finds invalid, and one that is not GeoJSON at all', async () => {
    const open = await h.request('PUT', `/api/v1/municipalities/${h.municipality.Belovo}/boundary`, { body: { type: 'Polygon', coordinates: [[[86, 54], [86.1, 54], [86.1, 54.1], [86, 54.1]]] } });
    expect(open.status).toBe(400);
    expect(open.body).toMatchObject({ code: 'VALIDATION', details: { field: 'boundary', problem: 'a ring is not closed' } });
    const point = await h.request('PUT', `/api/v1/municipalities/${h.municipality.Belovo}/boundary`, { body: { type: 'Point', coordinates: [86, 54] } });
    expect(point.status).toBe(400);
    // Closed, but on one point or one line: a municipality where nothing could ever be filed.
    for (const ring of [[[86, 54], [86, 54], [86, 54], [86, 54]], [[86, 54], [86.1, 54.1], [86.2, 54.2], [86, 54]]]) {
      const flat = await h.request('PUT', `/api/v1/municipalities/${h.municipality.Belovo}/boundary`, { body: { type: 'Polygon', coordinates: [ring] } });
      expect(flat.status).toBe(400);
      expect(flat.body.details).toEqual({ field: 'boundary', problem: 'a ring encloses no area' });
    }
    const stillThere = await h.request('GET', `/api/v1/municipalities/${h.municipality.Belovo}`);
    expect(stillThere.body.boundary.coordinates[0]).toHaveLength(13);
  });

  it('accepts a large boundary up to the upload limit and refuses a larger body with 413', async () => {
    const ring: [number, number][] = [];
    for (let i = 0; i < 20_000; i++) ring.push([86.3 + 0.05 * Math.cos((i / 20_000) * 2 * Math.PI), 54.4 + 0.05 * Math.sin((i / 20_000) * 2 * Math.PI)]);
    ring.push(ring[0]!);
    const big = await h.request('PUT', `/api/v1/municipalities/${h.municipality.Belovo}/boundary`, { body: { type: 'Polygon', coordinates: [ring] } });
    expect(big.status).toBe(200);
    const huge = await h.request('PUT', `/api/v1/municipalities/${h.municipality.Belovo}/boundary`, { rawBody: JSON.stringify({ type: 'Polygon', coordinates: [ring, ring, ring, ring, ring, ring, ring, ring, ring, ring] }), headers: { 'content-type': 'application/json' } });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('stores a validated work calendar and the approval switch', async () => {
    const ok = await h.request('PATCH', `/api/v1/municipalities/${h.municipality.Kemerovo}`, {
      body: { workCalendar: { start: '08:30', end: '17:30', holidays: ['2027-01-01'], shortenedDays: { '2026-12-31': '16:00' } }, answersNeedApproval: true },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.workCalendar).toEqual({ start: '08:30', end: '17:30', holidays: ['2027-01-01'], shortenedDays: { '2026-12-31': '16:00' } });
    const backwards = await h.request('PATCH', `/api/v1/municipalities/${h.municipality.Kemerovo}`, { body: { workCalendar: { start: '18:00', end: '09:00' } } });
    expect(backwards.status).toBe(400);
    expect(backwards.body.details.field).toBe('workCalendar');
    const noDays = await h.request('PATCH', `/api/v1/municipalities/${h.municipality.Kemerovo}`, { body: { workCalendar: { workDays: [] } } });
    expect(noDays.status).toBe(400);
    const badTime = await h.request('PATCH', `/api/v1/municipalities/${h.municipality.Kemerovo}`, { body: { workCalendar: { start: '9am' } } });
    expect(badTime.status).toBe(400);
  });

  it('refuses a working week with no weekday even with transfer days listed: once they pass, every deadline falls months away or fails (was 200)', async () => {
    const url = `/api/v1/municipalities/${h.municipality.Novokuznetsk}`;
    const before = (await h.request('GET', url)).body.workCalendar;
    const res = await h.request('PATCH', url, { body: { workCalendar: { workDays: [], extraWorkDays: ['2026-12-05', '2026-12-12'] } } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION', details: { field: 'workCalendar', problem: 'workDays must name at least one weekday' } });
    expect((await h.request('GET', url)).body.workCalendar).toEqual(before);
  });

  it('refuses impossible dates and times in a work calendar (30 February, 24:30, a shortened day outside the working day, a weekday twice), keeping the stored one', async () => {
    const url = `/api/v1/municipalities/${h.municipality.Novokuznetsk}`;
    const before = (await h.request('GET', url)).body.workCalendar;
    for (const workCalendar of [{ holidays: ['2026-02-30'] }, { extraWorkDays: ['2026-04-31'] }, { shortenedDays: { '2026-06-31': '16:00' } }, { start: '24:00', end: '24:30' }, { shortenedDays: { '2026-12-30': '24:59' } }]) {
      const res = await h.request('PATCH', url, { body: { workCalendar } });
      expect(res.status, JSON.stringify(workCalendar)).toBe(400);
      expect(res.body.code).toBe('VALIDATION');
    }
    expect((await h.request('GET', url)).body.workCalendar).toEqual(before);
    // A "shortened" day that ends before the working day starts was kept and silently made a day off
    // (every deadline then skipped it); one ending after the usual end is not shortened either.
    for (const workCalendar of [{ shortenedDays: { '2026-12-31': '08:00' } }, { shortenedDays: { '2026-12-31': '09:00' } }, { end: '17:00', shortenedDays: { '2026-12-31': '17:30' } }, { workDays: [1, 1, 2] }]) {
      const res = await h.request('PATCH', url, { body: { workCalendar } });
      expect(res.status, JSON.stringify(workCalendar)).toBe(400);
      expect(res.body.details.field).toBe('workCalendar');
    }
    expect((await h.request('GET', url)).body.workCalendar).toEqual(before);
    expect((await h.request('PATCH', url, { body: { workCalendar: { start: '08:00', shortenedDays: { '2026-12-31': '08:30' } } } })).status).toBe(200);
    const midnight = await h.request('PATCH', url, { body: { workCalendar: { start: '09:00', end: '24:00' } } });
    expect(midnight.status).toBe(200);
    await h.request('PATCH', url, { body: { workCalendar: before } });
  });
});

describe('categories and sectors', () => {
  it('adds, renames and retires a category; codes are unique', async () => {
    const sectors = await h.request('GET', '/api/v1/sectors', { token: h.keys.Kemerovo.executor });
    const roads = sectors.body.items.find((s: { code: string }) => s.code === 'roads');
    const created = await h.request('POST', '/api/v1/categories', { body: { sectorId: roads.id, code: 'roads.bridge', titleRu: 'Мост', titleEn: 'Bridge' } });
    expect(created.status).toBe(201);
    const taken = await h.request('POST', '/api/v1/categories', { body: { sectorId: roads.id, code: 'roads.bridge', titleRu: 'Мост', titleEn: 'Bridge' } });
    expect(taken.status).toBe(409);
    const noSector = await h.request('POST', '/api/v1/categories', { body: { sectorId: 9999, code: 'x.y', titleRu: 'x', titleEn: 'x' } });
    expect(noSector.status).toBe(404);
    const retired = await h.request('PATCH', `/api/v1/categories/${created.body.id}`, { body: { active: false, titleEn: 'Bridges' } });
    expect(retired.body).toMatchObject({ active: false, titleEn: 'Bridges' });
    const active = await h.request('GET', `/api/v1/categories?sectorId=${roads.id}&active=true`, { token: h.keys.Kemerovo.moderator });
    expect(active.body.items.map((c: { code: string }) => c.code)).not.toContain('roads.bridge');
  });
});

describe('executors and routing rules', () => {
  it('an organisation already in the directory (its name in any case or spacing) is 409 naming it, on creation and renaming; a namesake official, another municipality or a switched-off one is not', async () => {
    const cur = h.keys.Belovo.curator;
    const post = (name: string, kind = 'organisation') => h.request('POST', '/api/v1/executors', { token: cur, body: { municipalityId: h.municipality.Belovo, name, kind } });
    const first = await post('МУП «Тепловые сети»');
    expect(first.status).toBe(201);
    const list = async () => (await h.request('GET', `/api/v1/executors?municipalityId=${h.municipality.Belovo}`, { token: cur })).body.items;
    const before = await list();
    for (const name of ['МУП «Тепловые сети»', 'муп «тепловые  сети»', ' МУП «ТЕПЛОВЫЕ СЕТИ» ']) {
      const again = await post(name);
      expect(again.status, name).toBe(409);
      expect(again.body).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name', id: first.body.id } });
    }
    expect(await list()).toEqual(before);
    const other = await post('МУП «Водоканал»');
    const renamed = await h.request('PATCH', `/api/v1/executors/${other.body.id}`, { token: cur, body: { name: 'МУП «тепловые сети»' } });
    expect(renamed.status).toBe(409);
    expect(renamed.body.details).toMatchObject({ field: 'name', id: first.body.id });
    // Two officials may share a name; another municipality has its own directory; a switched-off organisation gives its name up.
    expect((await post('Иванов И. И.', 'official')).status).toBe(201);
    expect((await post('Иванов И. И.', 'official')).status).toBe(201);
    expect((await h.request('POST', '/api/v1/executors', { token: h.keys.Kemerovo.curator, body: { municipalityId: h.municipality.Kemerovo, name: 'МУП «Тепловые сети»', kind: 'organisation' } })).status).toBe(201);
    await h.request('PATCH', `/api/v1/executors/${first.body.id}`, { token: cur, body: { active: false } });
    expect((await post('МУП «Тепловые сети»')).status).toBe(201);
  });

  it('lets a curator manage its own municipality\'s executors and rules', async () => {
    const cur = h.keys.Kemerovo.curator;
    const created = await h.request('POST', '/api/v1/executors', { token: cur, body: { municipalityId: h.municipality.Kemerovo, name: 'Водоканал', kind: 'organisation' } });
    expect(created.status).toBe(201);
    const water = await h.categoryId('housing.water');
    const rule = await h.request('PUT', '/api/v1/routing-rules', { token: cur, body: { municipalityId: h.municipality.Kemerovo, categoryId: water, executorId: created.body.id } });
    expect(rule.status).toBe(200);
    const rules = await h.request('GET', `/api/v1/routing-rules?categoryId=${water}`, { token: cur });
    expect(rules.body.items).toEqual([rule.body]);
    const m = await h.fileMessage('Kemerovo', { categoryCode: 'housing.water' });
    const accepted = await h.request('POST', `/api/v1/messages/${m.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} });
    expect(accepted.body.executorId).toBe(created.body.id);
    const off = await h.request('PATCH', `/api/v1/executors/${created.body.id}`, { token: cur, body: { active: false } });
    expect(off.body.active).toBe(false);
    const m2 = await h.fileMessage('Kemerovo', { categoryCode: 'housing.water' });
    const refused = await h.request('POST', `/api/v1/messages/${m2.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} });
    expect(refused.body.code).toBe('NO_ROUTING_RULE');
    // A rule naming the switched-off executor is refused (it would route nothing), the rule left as it was.
    const again = await h.request('PUT', '/api/v1/routing-rules', { token: cur, body: { municipalityId: h.municipality.Kemerovo, categoryId: water, executorId: created.body.id } });
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ code: 'EXECUTOR_INACTIVE', details: { executorId: created.body.id } });
    const pothole = await h.categoryId('roads.pothole');
    const before = await h.request('GET', `/api/v1/routing-rules?categoryId=${pothole}`, { token: cur });
    const other = await h.request('PUT', '/api/v1/routing-rules', { token: cur, body: { municipalityId: h.municipality.Kemerovo, categoryId: pothole, executorId: created.body.id } });
    expect(other.body.code).toBe('EXECUTOR_INACTIVE');
    expect((await h.request('GET', `/api/v1/routing-rules?categoryId=${pothole}`, { token: cur })).body).toEqual(before.body);
  });

  it('refuses a rule pointing at another municipality\'s executor (operator: 422, curator: 404)', async () => {
    const body = { municipalityId: h.municipality.Kemerovo, categoryId: await h.categoryId('roads.pothole'), executorId: h.executors.Belovo.city };
    const operator = await h.request('PUT', '/api/v1/routing-rules', { body });
    expect(operator.status).toBe(422);
    expect(operator.body.code).toBe('EXECUTOR_OUT_OF_SCOPE');
    const curator = await h.request('PUT', '/api/v1/routing-rules', { token: h.keys.Kemerovo.curator, body });
    expect(curator.status).toBe(404);
  });

  it('lists executors of the caller\'s municipality only', async () => {
    const res = await h.request('GET', '/api/v1/executors', { token: h.keys.Novokuznetsk.responsible });
    expect(res.body.items.every((e: { municipalityId: number }) => e.municipalityId === h.municipality.Novokuznetsk)).toBe(true);
    expect(res.body.items).toHaveLength(2);
  });
});

describe('KPI responsibles', () => {
  it('names officials per indicator, idempotently, and removes them', async () => {
    const body = { municipalityId: h.municipality.Novokuznetsk, kpi: 7, staffId: h.staff.Novokuznetsk.responsible };
    const first = await h.request('POST', '/api/v1/kpi-responsibles', { token: h.keys.Novokuznetsk.curator, body });
    const second = await h.request('POST', '/api/v1/kpi-responsibles', { token: h.keys.Novokuznetsk.curator, body });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const audit = await h.t.db.selectFrom('audit_log').select('action').where('entity', '=', 'kpi_responsible').where('entity_id', '=', String(first.body.id)).execute();
    expect(audit.map((a) => a.action)).toEqual(['kpi_responsible.assign']);
    const list = await h.request('GET', '/api/v1/kpi-responsibles?kpi=7', { token: h.keys.Novokuznetsk.responsible });
    expect(list.body.items).toEqual([first.body]);
    expect((await h.request('DELETE', `/api/v1/kpi-responsibles/${first.body.id}`, { token: h.keys.Novokuznetsk.curator })).status).toBe(204);
    expect((await h.request('GET', '/api/v1/kpi-responsibles?kpi=7', { token: h.keys.Novokuznetsk.curator })).body.items).toEqual([]);
  });

  it('refuses an indicator outside 1..16 and an official of another municipality', async () => {
    const out = await h.request('POST', '/api/v1/kpi-responsibles', { body: { municipalityId: h.municipality.Belovo, kpi: 17, staffId: h.staff.Belovo.curator } });
    expect(out.status).toBe(400);
    const foreign = await h.request('POST', '/api/v1/kpi-responsibles', { body: { municipalityId: h.municipality.Belovo, kpi: 1, staffId: h.staff.Kemerovo.curator } });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('STAFF_NOT_FOUND');
  });
});

describe('an edit that names no field', () => {
  it('PATCH {} of a municipality, category, sector, executor or staff member answers the record and writes no audit entry', async () => {
    const category = await h.categoryId('roads.pothole');
    const sector = (await h.request('GET', '/api/v1/sectors')).body.items[0].id as number;
    const targets = [
      `/api/v1/municipalities/${h.municipality.Belovo}`,
      `/api/v1/categories/${category}`,
      `/api/v1/sectors/${sector}`,
      `/api/v1/executors/${h.executors.Belovo.city}`,
      `/api/v1/staff/${h.staff.Belovo.moderator}`,
    ];
    const entries = async () => (await h.t.db.selectFrom('audit_log').select('id').execute()).length;
    const before = await entries();
    for (const url of targets) {
      const res = await h.request('PATCH', url, { body: {} });
      expect(res.status, url).toBe(200);
    }
    expect(await entries()).toBe(before);
    // A field named as it already is changes nothing either; one that changes is audited.
    const url = `/api/v1/staff/${h.staff.Belovo.moderator}`;
    const { language } = await h.t.db.selectFrom('staff').select('language').where('id', '=', h.staff.Belovo.moderator).executeTakeFirstOrThrow();
    expect((await h.request('PATCH', url, { body: { language } })).status).toBe(200);
    expect(await entries()).toBe(before);
    expect((await h.request('PATCH', url, { body: { language: language === 'ru' ? 'en' : 'ru' } })).status).toBe(200);
    expect(await entries()).toBe(before + 1);
    expect((await h.request('PATCH', url, { body: { language } })).status).toBe(200);
    expect(await entries()).toBe(before + 2);
  });
});
