import { getIssues } from '@placemarkio/check-geojson';
import { parse } from 'csv-parse/sync';
import { latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { insertMessages, POINT_A, POINT_B, seedHandBuiltSet, STATS_NOW, type HandBuiltSet } from '../../../test/stats.ts';

let h: ApiHarness;
let set: HandBuiltSet;

beforeAll(async () => {
  h = await createApiHarness();
  // The harness's clock starts at STATS_NOW: the hand-built set's overdue flags hold for it.
  expect(h.now().toISOString()).toBe(STATS_NOW.toISOString());
  set = await seedHandBuiltSet(h.t.db, h.municipality);
});
afterAll(() => h.close());

type Feature = { type: string; id: number | string; geometry: { type: string; coordinates: unknown }; properties: Record<string, unknown> };

describe('GET /heatmap: points', () => {
  it('is valid GeoJSON (RFC 7946) served as application/geo+json, coordinates [lon, lat]', async () => {
    const res = await h.request('GET', `/api/v1/heatmap?municipalityId=${h.municipality.Kemerovo}&period=2026-11`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(getIssues(res.text)).toEqual([]);
    expect(res.body.type).toBe('FeatureCollection');
    const features = res.body.features as Feature[];
    expect(features.map((f) => f.id)).toEqual([...set.a, ...set.b]);
    const b0 = features.find((f) => f.id === set.b[0])!;
    expect(b0.geometry).toEqual({ type: 'Point', coordinates: [POINT_B.lon, POINT_B.lat] });
    expect(b0.properties).toEqual({
      id: set.b[0],
      municipalityId: h.municipality.Kemerovo,
      categoryId: expect.any(Number),
      status: 'solved',
      published: false,
      source: 'tg',
      createdAt: '2026-11-15T00:00:00.000Z',
      acceptedAt: '2026-11-15T00:00:00.000Z',
      firstAnswerAt: '2026-11-30T00:00:00.000Z',
      closedAt: '2026-11-30T00:00:00.000Z',
      overdue: true,
      rating: 1,
    });
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.hint).toBeUndefined();
  });

  it('pages with a cursor, a Link rel="next" header and a hint to aggregate', async () => {
    const first = await h.request('GET', '/api/v1/heatmap?limit=5');
    expect(first.body.features).toHaveLength(5);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(first.body.hint).toMatch(/aggregate=h3/);
    expect(first.headers.get('link')).toBe(`</api/v1/heatmap?limit=5&cursor=${first.body.nextCursor}>; rel="next"`);
    const seen = [...first.body.features];
    let next: string | null = first.body.nextCursor;
    while (next) {
      const page = await h.request('GET', `/api/v1/heatmap?limit=5&cursor=${next}`);
      seen.push(...page.body.features);
      next = page.body.nextCursor;
    }
    const ids = seen.map((f: Feature) => f.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids)).toEqual(new Set([...set.a, ...set.b, set.december, set.belovo, set.novokuznetsk]));
  });

  it('filters: status, source, overdue only, category, sector', async () => {
    const ids = async (query: string) => ((await h.request('GET', `/api/v1/heatmap?period=2026-11&${query}`)).body.features as Feature[]).map((f) => f.id);
    expect(await ids(`status=solved,explained&municipalityId=${h.municipality.Kemerovo}`)).toEqual([set.a[2], set.a[3], set.a[4], set.b[0]]);
    expect(await ids('source=vk,open_source')).toEqual([set.a[1], set.a[3]]);
    expect(await ids('overdue=true')).toEqual([set.a[1], set.b[0]]);
    const yard = await h.categoryId('housing.yard');
    expect(await ids(`categoryId=${yard}`)).toEqual([set.a[2]]);
    const sectors = (await h.request('GET', '/api/v1/sectors')).body.items as { id: number; code: string }[];
    expect(await ids(`sectorId=${sectors.find((s) => s.code === 'housing')!.id}`)).toEqual([set.a[2]]);
  });
});

describe('GET /heatmap?aggregate=h3', () => {
  it('gives valid hexagon polygons with the measures worked out by hand', async () => {
    const res = await h.request('GET', `/api/v1/heatmap?aggregate=h3&resolution=8&period=2026-11&municipalityId=${h.municipality.Kemerovo}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(getIssues(res.text)).toEqual([]);
    const features = res.body.features as Feature[];
    const a = features.find((f) => f.id === latLngToCell(POINT_A.lat, POINT_A.lon, 8))!;
    expect(a.properties).toEqual({ cell: a.id, resolution: 8, count: 7, overdue: 1, accepted: 5, overdueShare: 0.2, solvedShare: 0.6667, medianFirstAnswerHours: 11, avgRating: 3.67 });
    expect(features.find((f) => f.id === latLngToCell(POINT_B.lat, POINT_B.lon, 8))!.properties).toMatchObject({ count: 2, overdueShare: 1, medianFirstAnswerHours: 360, avgRating: 1 });
    // [lon, lat] rings, closed, around the point they stand for.
    const ring = (a.geometry.coordinates as number[][][])[0]!;
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    expect(ring.every(([lon, lat]) => Math.abs(lon! - POINT_A.lon) < 0.02 && Math.abs(lat! - POINT_A.lat) < 0.02)).toBe(true);
    expect(res.body.unplaced).toBe(0);
  });

  it('rolls up to coarser resolutions', async () => {
    const res = await h.request('GET', `/api/v1/heatmap?aggregate=h3&resolution=5&period=2026-11`);
    const counts = Object.fromEntries((res.body.features as Feature[]).map((f) => [f.id, f.properties.count]));
    expect(counts[latLngToCell(POINT_A.lat, POINT_A.lon, 5)]).toBe(9);
    expect(Object.values(counts).reduce((s: number, n) => s + (n as number), 0)).toBe(11);
  });

  it.each([
    ['resolution=4', 'aggregate=h3&resolution=4'],
    ['resolution=11', 'aggregate=h3&resolution=11'],
    ['resolution without aggregate', 'resolution=8'],
    ['a cursor with cells', 'aggregate=h3&cursor=abc'],
    ['an unknown aggregate', 'aggregate=s2'],
    ['a bad period', 'period=2026-13'],
    ['period and from together', 'period=2026-11&from=2026-11-01T00:00:00Z'],
    ['an unknown source', 'source=fax'],
    ['a limit over 10,000', 'limit=10001'],
    ['a malformed cursor', 'cursor=%7B%7D'],
    ['to before from', 'from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z'],
    ['to equal to from', 'from=2026-12-01T00:00:00Z&to=2026-12-01T07:00:00%2B07:00'],
  ])('refuses %s with 400', async (_name, query) => {
    const res = await h.request('GET', `/api/v1/heatmap?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toMatch(/^(VALIDATION|INVALID_CURSOR)$/);
  });
});

describe('scope: a Kemerovo key never sees Belovo', () => {
  it.each(['curator', 'moderator', 'responsible'] as const)('%s: points, cells and slices hold only Kemerovo', async (role) => {
    const token = h.keys.Kemerovo[role];
    const points = await h.request('GET', '/api/v1/heatmap', { token });
    const ids = (points.body.features as Feature[]).map((f) => f.id);
    expect(ids).not.toContain(set.belovo);
    expect(ids).not.toContain(set.novokuznetsk);
    expect((points.body.features as Feature[]).every((f) => f.properties.municipalityId === h.municipality.Kemerovo)).toBe(true);
    const cells = await h.request('GET', '/api/v1/heatmap?aggregate=h3&resolution=5', { token });
    expect((cells.body.features as Feature[]).map((f) => f.id)).not.toContain(latLngToCell(54.4165, 86.297, 5));
    const slices = await h.request('GET', '/api/v1/stats/slices?groupBy=municipality', { token });
    expect(slices.body.rows.map((r: { municipality: number }) => r.municipality)).toEqual([h.municipality.Kemerovo]);
    for (const url of ['/api/v1/heatmap', '/api/v1/heatmap?aggregate=h3', '/api/v1/stats/slices']) {
      const res = await h.request('GET', `${url}${url.includes('?') ? '&' : '?'}municipalityId=${h.municipality.Belovo}`, { token });
      expect(res.status, url).toBe(404);
      expect(res.body.code).toBe('MUNICIPALITY_NOT_FOUND');
    }
  });

  it('an executor sees only the messages assigned to it', async () => {
    const token = h.keys.Kemerovo.utility_executor;
    const points = await h.request('GET', '/api/v1/heatmap', { token });
    expect((points.body.features as Feature[]).map((f) => f.id)).toEqual([set.a[3], set.a[5]]);
    const slices = await h.request('GET', '/api/v1/stats/slices', { token });
    expect(slices.body.rows).toEqual([{ count: 2 }]);
  });
});

describe('GET /stats/slices', () => {
  it('answers a JSON table with its columns', async () => {
    const res = await h.request(
      'GET',
      `/api/v1/stats/slices?groupBy=executor&metrics=count,overdue_share,solved_share,median_first_answer_hours,avg_rating&period=2026-11&municipalityId=${h.municipality.Kemerovo}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.groupBy).toEqual(['executor']);
    expect(res.body.columns.map((c: { name: string }) => c.name)).toEqual(['executor', 'executor_name', 'count', 'overdue_share', 'solved_share', 'median_first_answer_hours', 'avg_rating']);
    expect(res.body.rows[0]).toEqual({
      executor: set.executors.city,
      executor_name: 'Администрация: Кемеровский городской округ',
      count: 4,
      overdue_share: 0.5,
      solved_share: 1,
      median_first_answer_hours: 24,
      avg_rating: 3.33,
    });
  });

  it.each(['municipality', 'sector', 'category', 'status', 'source', 'executor', 'month', 'week'])('groups by %s', async (dimension) => {
    const res = await h.request('GET', `/api/v1/stats/slices?groupBy=${dimension}&period=2026-11`);
    expect(res.status).toBe(200);
    expect(res.body.rows.length).toBeGreaterThan(0);
    expect(res.body.rows.every((r: Record<string, unknown>) => dimension in r)).toBe(true);
    expect(res.body.rows.reduce((n: number, r: { count: number }) => n + r.count, 0)).toBe(11);
  });

  it('CSV: a BOM, a header of column names, quoting of commas, quotes and line breaks, formulas escaped', async () => {
    const created = await h.request('POST', '/api/v1/categories', {
      body: { sectorId: (await h.request('GET', '/api/v1/sectors')).body.items[0].id, code: 'roads.weird', titleRu: 'Ямы, "глубокие"\nи длинные', titleEn: 'Weird' },
    });
    expect(created.status).toBe(201);
    await h.t.db.updateTable('message').set({ category_id: created.body.id }).where('id', '=', set.a[0]!).execute();
    await h.request('PATCH', `/api/v1/executors/${set.executors.utility}`, { body: { name: '=HYPERLINK("http://evil")' } });
    const res = await h.request('GET', `/api/v1/stats/slices?groupBy=category,executor&metrics=count,avg_rating&period=2026-11&format=csv&municipalityId=${h.municipality.Kemerovo}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="slices.csv"');
    // Response.text() drops a BOM while decoding: look at the bytes.
    const raw = await h.app.http.request(`/api/v1/stats/slices?groupBy=status&format=csv`, { headers: { authorization: `Bearer ${h.operator}` } });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.text).toContain('"Ямы, ""глубокие""\nи длинные"');
    const rows = parse(res.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['category', 'category_name', 'executor', 'executor_name', 'count', 'avg_rating']);
    expect(rows.find((r) => r.category === String(created.body.id))).toEqual({
      category: String(created.body.id),
      category_name: 'Ямы, "глубокие"\nи длинные',
      executor: '',
      executor_name: '',
      count: '1',
      avg_rating: '',
    });
    expect(rows.filter((r) => r.executor === String(set.executors.utility)).map((r) => r.executor_name)).toEqual(['\'=HYPERLINK("http://evil")']);
    expect(rows.reduce((n, r) => n + Number(r.count), 0)).toBe(9);
  });

  it.each([
    ['an unknown dimension', 'groupBy=colour'],
    ['a dimension twice', 'groupBy=status,status'],
    ['an unknown metric', 'metrics=mood'],
    ['an unknown format', 'format=xlsx'],
    ['a bad week', 'period=2026-W60'],
    ['to before from', 'from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z'],
  ])('refuses %s with 400', async (_name, query) => {
    const res = await h.request('GET', `/api/v1/stats/slices?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION');
  });

  it('a list given as a repeated parameter is refused with a message that says how to give it', async () => {
    const res = await h.request('GET', '/api/v1/stats/slices?groupBy=municipality&groupBy=month&period=2026-11');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ in: 'query', path: 'groupBy', message: 'given more than once: list the values once, comma-separated (e.g. municipality,month)' }]);
    const metrics = await h.request('GET', '/api/v1/stats/slices?metrics=count&metrics=avg_rating');
    expect(metrics.body.errors).toEqual([{ in: 'query', path: 'metrics', message: 'given more than once: list the values once, comma-separated (e.g. count,overdue_share)' }]);
    // A single-valued parameter given twice says so too.
    const period = await h.request('GET', '/api/v1/stats/slices?period=2026-11&period=2026-10');
    expect(period.status).toBe(400);
    expect(period.body.errors).toEqual([{ in: 'query', path: 'period', message: 'given 2 times: give period once' }]);
    // The list given once, comma-separated, is fine.
    expect((await h.request('GET', '/api/v1/stats/slices?groupBy=municipality,month&period=2026-11')).status).toBe(200);
  });
});

describe('a closed period counts only the stars given by its end (as KPI 11, the rankings and the monthly report)', () => {
  it('slices, heat-map points and cells leave out stars given after the local month ended', async () => {
    const K = h.municipality.Kemerovo;
    // September 2026 in Kemerovo (UTC+7): nothing else of the set is filed in it.
    const [early, late] = await insertMessages(h.t.db, [
      { municipalityId: K, point: POINT_A, status: 'solved', createdAt: '2026-09-10T00:00:00Z', acceptedAt: '2026-09-10T01:00:00Z', closedAt: '2026-09-12T00:00:00Z' },
      { municipalityId: K, point: POINT_A, status: 'solved', createdAt: '2026-09-20T00:00:00Z', acceptedAt: '2026-09-20T01:00:00Z', closedAt: '2026-09-30T10:00:00Z' },
    ]);
    const rate = async (messageId: number, stars: number, at: string) => {
      const { author_id } = await h.t.db.selectFrom('message').select('author_id').where('id', '=', messageId).executeTakeFirstOrThrow();
      await h.t.db
        .insertInto('rating')
        .values({ message_id: messageId, resident_id: author_id!, stars, complaint: null, created_at: new Date(at) })
        .execute();
    };
    await rate(early!, 5, '2026-09-13T00:00:00Z');
    // 30 September 18:00 UTC is 1 October 01:00 in Kemerovo: after September's end there.
    await rate(late!, 1, '2026-09-30T18:00:00Z');

    const slices = await h.request('GET', `/api/v1/stats/slices?metrics=count,avg_rating&period=2026-09&municipalityId=${K}`);
    expect(slices.status).toBe(200);
    expect(slices.body.rows).toEqual([{ count: 2, avg_rating: 5 }]);
    const byMonth = await h.request('GET', `/api/v1/stats/slices?groupBy=month&metrics=avg_rating&from=2026-09-01T00:00:00%2B07:00&to=2026-10-01T00:00:00%2B07:00&municipalityId=${K}`);
    expect(byMonth.body.rows).toEqual([{ month: '2026-09', avg_rating: 5 }]);
    // A month's row is a period of its own: a range running past September still gives September only its own stars.
    const monthsOfLonger = await h.request('GET', `/api/v1/stats/slices?groupBy=month&metrics=avg_rating&from=2026-09-01T00:00:00%2B07:00&to=2026-10-05T00:00:00%2B07:00&municipalityId=${K}`);
    expect(monthsOfLonger.body.rows).toEqual([{ month: '2026-09', avg_rating: 5 }]);
    const weeks = await h.request('GET', `/api/v1/stats/slices?groupBy=week&metrics=avg_rating&from=2026-09-01T00:00:00%2B07:00&to=2026-10-05T00:00:00%2B07:00&municipalityId=${K}`);
    // Filed 20 September (week 38), rated 1 October local: after its week; the early one rated within its week 37.
    expect(weeks.body.rows).toEqual([
      { week: '2026-W37', avg_rating: 5 },
      { week: '2026-W38', avg_rating: null },
    ]);
    // A range ending after both stars counts both.
    const fromTo = await h.request('GET', `/api/v1/stats/slices?metrics=count,avg_rating&from=2026-09-01T00:00:00%2B07:00&to=2026-10-05T00:00:00%2B07:00&municipalityId=${K}`);
    expect(fromTo.body.rows).toEqual([{ count: 2, avg_rating: 3 }]);

    const points = await h.request('GET', `/api/v1/heatmap?period=2026-09&municipalityId=${K}`);
    expect(points.status).toBe(200);
    expect(Object.fromEntries((points.body.features as Feature[]).map((f) => [f.id, f.properties.rating]))).toEqual({ [early!]: 5, [late!]: null });
    const cells = await h.request('GET', `/api/v1/heatmap?aggregate=h3&resolution=8&period=2026-09&municipalityId=${K}`);
    expect((cells.body.features as Feature[]).map((f) => f.properties)).toMatchObject([{ count: 2, avgRating: 5 }]);
  });
});
