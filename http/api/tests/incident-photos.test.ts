import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeIncident } from '../../../core/incidents/incidents.service.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { jpegBytes, pngBytes } from '../../../test/media/files.ts';

/**
 * An open-source item's photos as the console shows them: the copies the filed-photo copier made
 * after intake (VK's signed file URLs expire), listed per photo in GET /incidents/{id} and served by
 * GET /incidents/{id}/photos/{position} to whoever may see the item. The copier runs for real here,
 * against a stand-in for VK's file servers. Roles, forged ids and every other municipality's keys
 * are in security.test.ts (route-catalogue.ts).
 */
let h: ApiHarness;
/** VK's file servers: these URLs serve their bytes, `down` ones answer 503, the rest 404 (gone). */
const files = new Map<string, { bytes: Uint8Array; type: string }>();
const down = new Set<string>();
const vkFiles = (async (input: string | URL | Request) => {
  const url = String(input instanceof Request ? input.url : input);
  if (down.has(url)) return new Response('unavailable', { status: 503 });
  const file = files.get(url);
  return file ? new Response(Buffer.from(file.bytes), { status: 200, headers: { 'content-type': file.type } }) : new Response('not found', { status: 404 });
}) as typeof fetch;

beforeAll(async () => {
  h = await createApiHarness({}, { vkFiles });
});
afterAll(() => h.close());

let seq = 0;
const url = (name: string) => `https://sun9-${++seq}.userapi.com/impg/${name}.jpg`;
const intake = async (photos: string[], municipalityId = h.municipality.Kemerovo) => {
  const res = await h.request('POST', '/api/v1/incidents', {
    token: h.keys.Kemerovo.moderator,
    body: { municipalityId, source: 'vk_page', sourceUrl: `https://vk.com/wall-77_${++seq}`, text: 'Во дворе яма', postedAt: '2026-11-30T10:00:00Z', photos },
  });
  expect(res.status).toBe(201);
  return res.body.id as number;
};
const card = (id: number, token = h.keys.Kemerovo.moderator) => h.request('GET', `/api/v1/incidents/${id}`, { token });
const photo = (id: number, position: number | string, token: string | null = h.keys.Kemerovo.moderator) => h.request('GET', `/api/v1/incidents/${id}/photos/${position}`, { token });
/** The body's bytes as the route sent them (the harness reads bodies as text). */
const bytesOf = async (id: number, position: number, token: string) => {
  const res = await h.app.http.request(`/api/v1/incidents/${id}/photos/${position}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), bytes: new Uint8Array(await res.arrayBuffer()) };
};

describe('happy path', () => {
  it('lists each photo with its copy and serves the copy with its type and bytes; VK URLs kept as before', async () => {
    const [png, jpeg, gone, slow] = [url('png'), url('jpeg'), url('gone'), url('slow')];
    const other = 'https://i.ok.ru/photo/7.jpg';
    files.set(png, { bytes: pngBytes(600), type: 'image/png' });
    files.set(jpeg, { bytes: jpegBytes(900, 7), type: 'image/jpeg' });
    down.add(slow);
    const id = await intake([png, other, jpeg, gone, slow]);
    await h.app.photoCopier.runOnce();

    const res = await card(id);
    expect(res.status).toBe(200);
    // The fields other tools read are unchanged.
    expect(res.body.photos).toEqual([png, other, jpeg, gone, slow]);
    expect(res.body.photoCopies).toEqual([
      { position: 0, sourceUrl: png, state: 'copied', copied: true, url: `/api/v1/incidents/${id}/photos/0`, error: null },
      { position: 1, sourceUrl: other, state: 'not_copied', copied: false, url: null, error: null },
      { position: 2, sourceUrl: jpeg, state: 'copied', copied: true, url: `/api/v1/incidents/${id}/photos/2`, error: null },
      { position: 3, sourceUrl: gone, state: 'given_up', copied: false, url: null, error: 'VK file download answered 404' },
      { position: 4, sourceUrl: slow, state: 'waiting', copied: false, url: null, error: 'VK file download answered 503' },
    ]);

    for (const [position, type, bytes] of [
      [0, 'image/png', pngBytes(600)],
      [2, 'image/jpeg', jpegBytes(900, 7)],
    ] as const) {
      const served = await bytesOf(id, position, h.keys.Kemerovo.curator);
      expect(served).toEqual({ status: 200, type, bytes });
    }
    const headers = (await photo(id, 0)).headers;
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('cache-control')).toBe('private, max-age=86400, immutable');
    // An operator sees every municipality's items.
    expect((await bytesOf(id, 2, h.operator)).bytes).toEqual(jpegBytes(900, 7));
  });

  it("a shared-queue item's copy (a region's file, which GET /media refuses a municipality's key) is served to every municipality's triage", async () => {
    const source = url('wall');
    files.set(source, { bytes: jpegBytes(700, 11), type: 'image/jpeg' });
    const { incident } = await intakeIncident(
      h.t.db,
      { municipalityId: null, source: 'vk_wall', sourceUrl: `https://vk.com/wall-1_${++seq}`, text: 'Пост на стене', postedAt: h.now(), photos: [source] },
      h.now(),
    );
    await h.app.photoCopier.runOnce();
    const copy = await h.t.db
      .selectFrom('incident_photo as p')
      .innerJoin('media as m', 'm.id', 'p.media_id')
      .select(['m.id', 'm.municipality_id'])
      .where('p.incident_id', '=', incident.id)
      .executeTakeFirstOrThrow();
    expect(copy.municipality_id).toBeNull();
    expect((await h.request('GET', `/api/v1/media/${copy.id}`, { token: h.keys.Belovo.moderator })).status).toBe(404);
    for (const token of [h.keys.Kemerovo.moderator, h.keys.Belovo.curator]) {
      expect((await card(incident.id, token)).body.photoCopies[0]).toMatchObject({ state: 'copied', url: `/api/v1/incidents/${incident.id}/photos/0` });
      expect(await bytesOf(incident.id, 0, token)).toEqual({ status: 200, type: 'image/jpeg', bytes: jpegBytes(700, 11) });
    }
  });

  it("after acceptance: copies made before stay served, a photo still waiting is copied from the message's queue and served here too", async () => {
    const [early, late] = [url('early'), url('late')];
    files.set(early, { bytes: jpegBytes(500, 21), type: 'image/jpeg' });
    down.add(late);
    const id = await intake([early, late]);
    await h.app.photoCopier.runOnce();
    const accepted = await h.request('POST', `/api/v1/incidents/${id}/accept`, {
      token: h.keys.Kemerovo.curator,
      body: { municipalityId: h.municipality.Kemerovo, categoryId: await h.categoryId('roads.pothole'), executorId: h.executors.Kemerovo.city },
    });
    expect(accepted.status).toBe(200);
    // The late photo left the item's queue for the message's: still waiting, as the card says.
    expect((await card(id)).body.photoCopies.map((p: { state: string }) => p.state)).toEqual(['copied', 'waiting']);
    expect((await photo(id, 1)).body).toMatchObject({ code: 'PHOTO_NOT_COPIED', details: { state: 'waiting' } });

    // VK's server is back; the message's copier takes it (its retry is due a minute on).
    down.delete(late);
    files.set(late, { bytes: jpegBytes(500, 22), type: 'image/jpeg' });
    h.advance(10 * 60_000);
    await h.app.photoCopier.runOnce();
    const after = (await card(id)).body.photoCopies;
    expect(after.map((p: { state: string; url: string | null }) => [p.state, p.url])).toEqual([
      ['copied', `/api/v1/incidents/${id}/photos/0`],
      ['copied', `/api/v1/incidents/${id}/photos/1`],
    ]);
    expect((await bytesOf(id, 0, h.keys.Kemerovo.moderator)).bytes).toEqual(jpegBytes(500, 21));
    expect((await bytesOf(id, 1, h.keys.Kemerovo.moderator)).bytes).toEqual(jpegBytes(500, 22));
  });
});

describe('errors', () => {
  it('an unknown item is 404 INCIDENT_NOT_FOUND; a position past its photos 404 PHOTO_NOT_FOUND; a malformed or too large one 400', async () => {
    const id = await intake([url('one')]);
    const missing = await photo(2_000_000, 0);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'INCIDENT_NOT_FOUND', details: { id: 2_000_000 } });
    const past = await photo(id, 1);
    expect(past.status).toBe(404);
    expect(past.body).toMatchObject({ code: 'PHOTO_NOT_FOUND', details: { incidentId: id, position: 1 } });
    const none = await photo(await intake([]), 0);
    expect(none.body.code).toBe('PHOTO_NOT_FOUND');
    for (const bad of ['-1', '01', 'x', '100']) {
      const res = await photo(id, bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.code).toBe('VALIDATION');
    }
  });

  it('a photo without a copy is 409 PHOTO_NOT_COPIED saying why: waiting, given up, or never copied (not on VK, or dismissed while waiting)', async () => {
    const [slow, gone] = [url('slow2'), url('gone2')];
    down.add(slow);
    const id = await intake([slow, gone, 'https://example.org/photo.jpg']);
    // Before the copier's first pass the photos wait too.
    expect((await photo(id, 0)).body).toMatchObject({ code: 'PHOTO_NOT_COPIED', details: { incidentId: id, position: 0, state: 'waiting' } });
    await h.app.photoCopier.runOnce();
    for (const [position, state] of [
      [0, 'waiting'],
      [1, 'given_up'],
      [2, 'not_copied'],
    ] as const) {
      const res = await photo(id, position);
      expect(res.status, state).toBe(409);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'PHOTO_NOT_COPIED', details: { incidentId: id, position, state } });
      expect(res.body.detail).toMatch(/source URL/);
    }
    const dismissed = await h.request('POST', `/api/v1/incidents/${id}/dismiss`, { token: h.keys.Kemerovo.moderator, body: { reason: 'не по теме' } });
    expect(dismissed.status).toBe(200);
    expect((await card(id)).body.photoCopies.map((p: { state: string }) => p.state)).toEqual(['not_copied', 'not_copied', 'not_copied']);
  });
});

describe('security', () => {
  it("another municipality's staff get 404 and no bytes; no key 401; a role without triage 403", async () => {
    const source = url('private');
    files.set(source, { bytes: jpegBytes(400, 31), type: 'image/jpeg' });
    const id = await intake([source]);
    await h.app.photoCopier.runOnce();
    expect((await photo(id, 0)).status).toBe(200);
    for (const token of [h.keys.Novokuznetsk.moderator, h.keys.Novokuznetsk.curator]) {
      const res = await photo(id, 0, token);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'INCIDENT_NOT_FOUND' });
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      // Nor does its card list the copy.
      expect((await card(id, token)).status).toBe(404);
    }
    const anonymous = await photo(id, 0, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHORIZED');
    for (const token of [h.keys.Kemerovo.executor, h.keys.Kemerovo.responsible]) {
      const res = await photo(id, 0, token);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
  });
});
