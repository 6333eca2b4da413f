import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentPhotoCopiesOf } from '../../../core/incidents/incident-photos.ts';
import { intakeIncident } from '../../../core/incidents/incidents.service.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { countingQueries } from '../../../test/database.ts';
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
const intake = async (photos: string[], municipalityId = h.municipality.Kemerovo, token = h.keys.Kemerovo.moderator) => {
  const res = await h.request('POST', '/api/v1/incidents', {
    token,
    body: { municipalityId, source: 'vk_page', sourceUrl: `https://vk.com/wall-77_${++seq}`, text: 'Во дворе яма', postedAt: '2026-11-30T10:00:00Z', photos },
  });
  expect(res.status).toBe(201);
  return res.body.id as number;
};
const card = (id: number, token = h.keys.Kemerovo.moderator) => h.request('GET', `/api/v1/incidents/${id}`, { token });
const photo = (id: number, position: number | string, token: string | null = h.keys.Kemerovo.moderator) => h.request('GET', `/api/v1/incidents/${id}/photos/${position}`, { token });
type Copy = { state: string; url: string | null };
/** Every item of the triage queue the key sees (all pages), by id. */
const listed = async (token = h.keys.Kemerovo.moderator, query = '') => {
  const items = new Map<number, { photos: string[]; photoCopies: Copy[] }>();
  let cursor: string | null = null;
  do {
    const res = await h.request('GET', `/api/v1/incidents?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    for (const item of res.body.items) items.set(item.id, item);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
};
const states = (copies: Copy[]) => copies.map((p) => p.state);
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

describe('photo copies on the list and the triage answers', () => {
  it('the list gives every item its photoCopies as its card does, states mixed on one page, each item only its own', async () => {
    const [a0, b0, b1, c0, c1, d0] = ['a0', 'b0', 'b1', 'c0', 'c1', 'd0'].map(url);
    for (const [u, seed] of [
      [a0, 41],
      [b1, 42],
      [c0, 43],
      [c1, 44],
      [d0, 45],
    ] as const)
      files.set(u!, { bytes: jpegBytes(300, seed), type: 'image/jpeg' });
    down.add(b0!);
    // a: copied, then a photo never copied; b: waiting, copied; c: both copied, then accepted; d: copied, then dismissed; e: no photos; f: only a link.
    const a = await intake([a0!, 'https://i.ok.ru/photo/a.jpg']);
    const b = await intake([b0!, b1!]);
    const c = await intake([c0!, c1!]);
    const d = await intake([d0!, url('gone-d')]);
    const e = await intake([]);
    const f = await intake(['https://example.org/f.jpg']);
    await h.app.photoCopier.runOnce();
    const categoryId = await h.categoryId('roads.pothole');
    expect(
      (
        await h.request('POST', `/api/v1/incidents/${c}/accept`, {
          token: h.keys.Kemerovo.curator,
          body: { municipalityId: h.municipality.Kemerovo, categoryId, executorId: h.executors.Kemerovo.city },
        })
      ).status,
    ).toBe(200);
    expect((await h.request('POST', `/api/v1/incidents/${d}/dismiss`, { token: h.keys.Kemerovo.curator, body: { reason: 'не по теме' } })).status).toBe(200);

    const items = await listed();
    const expected: Record<number, string[]> = {
      [a]: ['copied', 'not_copied'],
      [b]: ['waiting', 'copied'],
      [c]: ['copied', 'copied'],
      [d]: ['copied', 'not_copied'],
      [e]: [],
      [f]: ['not_copied'],
    };
    for (const [id, want] of Object.entries(expected)) {
      const item = items.get(Number(id))!;
      expect(states(item.photoCopies), `item ${id}`).toEqual(want);
      // The same as the card's, field for field; a copy's URL names the item's own id.
      expect(item.photoCopies, `item ${id}`).toEqual((await card(Number(id))).body.photoCopies);
      for (const p of item.photoCopies) if (p.url) expect(p.url).toMatch(new RegExp(`^/api/v1/incidents/${id}/photos/\\d$`));
    }
    expect(items.get(b)!.photoCopies[0]).toMatchObject({ state: 'waiting', url: null, error: 'VK file download answered 503' });
    // The existing fields are unchanged by the addition.
    expect(items.get(a)).toMatchObject({ id: a, photos: [a0, 'https://i.ok.ru/photo/a.jpg'], state: 'new', municipalityId: h.municipality.Kemerovo });
    // A copy the list names is served.
    expect((await bytesOf(c, 1, h.keys.Kemerovo.moderator)).bytes).toEqual(jpegBytes(300, 44));
    // Filters and pages carry them too: the accepted items, two a page.
    const accepted = await h.request('GET', '/api/v1/incidents?state=accepted&limit=1', { token: h.keys.Kemerovo.moderator });
    expect(accepted.body.items).toHaveLength(1);
    expect(accepted.body.items[0]).toMatchObject({ id: c, state: 'accepted', photoCopies: [{ state: 'copied' }, { state: 'copied' }] });
  });

  it('reads the copies of a whole page in one query, whatever its size', async () => {
    const [x, y] = [url('one-q-x'), url('one-q-y')];
    files.set(x, { bytes: jpegBytes(300, 51), type: 'image/jpeg' });
    const ids = [await intake([x]), await intake([y, x]), await intake([])];
    await h.app.photoCopier.runOnce();
    const incidents = await h.t.db.selectFrom('incident').select(['id', 'photos', 'message_id as messageId']).where('id', 'in', ids).execute();
    const counted = countingQueries(h.t.db);
    const copies = await incidentPhotoCopiesOf(counted.db, incidents);
    expect(counted.queries()).toBe(1);
    expect(ids.map((id) => copies.get(id)!.map((p) => p.state))).toEqual([['copied'], ['given_up', 'copied'], []]);
    // Nothing to read (no item with a photo on VK): no query at all.
    counted.reset();
    expect((await incidentPhotoCopiesOf(counted.db, [{ id: ids[2]!, photos: ['https://example.org/z.jpg'], messageId: null }])).get(ids[2]!)).toMatchObject([{ state: 'not_copied' }]);
    expect(counted.queries()).toBe(0);
  });

  it('accept and dismiss answer with the photoCopies they left: the acceptance the copies and the one still waiting, the dismissal its copies only', async () => {
    const [kept, late, dropped] = [url('acc-kept'), url('acc-late'), url('dis-dropped')];
    files.set(kept, { bytes: jpegBytes(300, 61), type: 'image/jpeg' });
    down.add(late);
    down.add(dropped);
    const toAccept = await intake([kept, late]);
    const toDismiss = await intake([kept, dropped]);
    await h.app.photoCopier.runOnce();
    const accepted = await h.request('POST', `/api/v1/incidents/${toAccept}/accept`, {
      token: h.keys.Kemerovo.curator,
      body: { municipalityId: h.municipality.Kemerovo, categoryId: await h.categoryId('roads.pothole'), executorId: h.executors.Kemerovo.city },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.incident).toMatchObject({ id: toAccept, state: 'accepted', photos: [kept, late] });
    // The waiting photo went on in the message's queue (a fresh start: no error yet).
    expect(accepted.body.incident.photoCopies).toEqual([
      { position: 0, sourceUrl: kept, state: 'copied', copied: true, url: `/api/v1/incidents/${toAccept}/photos/0`, error: null },
      { position: 1, sourceUrl: late, state: 'waiting', copied: false, url: null, error: null },
    ]);
    expect(accepted.body.incident.photoCopies).toEqual((await card(toAccept)).body.photoCopies);
    expect(accepted.body.message.id).toBe(accepted.body.incident.messageId);

    const dismissed = await h.request('POST', `/api/v1/incidents/${toDismiss}/dismiss`, { token: h.keys.Kemerovo.moderator, body: { reason: 'не по теме' } });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toMatchObject({ id: toDismiss, state: 'dismissed', dismissReason: 'не по теме' });
    expect(dismissed.body.photoCopies.map((p: Copy) => [p.state, p.url])).toEqual([
      ['copied', `/api/v1/incidents/${toDismiss}/photos/0`],
      ['not_copied', null],
    ]);
    // Triaged again: 409, and the answer is a problem, not the item.
    const again = await h.request('POST', `/api/v1/incidents/${toDismiss}/dismiss`, { token: h.keys.Kemerovo.moderator, body: { reason: 'ещё раз' } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'INCIDENT_NOT_NEW' });
    expect(again.body.photoCopies).toBeUndefined();
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

  it("the list shows a municipality its own items' copies and the shared queue's, never another municipality's; its triage of them is 404 with nothing in it", async () => {
    const [mine, theirs, shared] = [url('mine'), url('theirs'), url('shared')];
    for (const [u, seed] of [
      [mine, 71],
      [theirs, 72],
      [shared, 73],
    ] as const)
      files.set(u, { bytes: jpegBytes(300, seed), type: 'image/jpeg' });
    const kemerovo = await intake([mine]);
    const novokuznetsk = await intake([theirs], h.municipality.Novokuznetsk, h.keys.Novokuznetsk.moderator);
    const { incident } = await intakeIncident(
      h.t.db,
      { municipalityId: null, source: 'vk_wall', sourceUrl: `https://vk.com/wall-1_${++seq}`, text: 'Пост на стене', postedAt: h.now(), photos: [shared] },
      h.now(),
    );
    await h.app.photoCopier.runOnce();

    const seenBy = await listed(h.keys.Novokuznetsk.moderator);
    expect(seenBy.has(kemerovo)).toBe(false);
    expect(states(seenBy.get(novokuznetsk)!.photoCopies)).toEqual(['copied']);
    expect(seenBy.get(incident.id)!.photoCopies).toMatchObject([{ state: 'copied', url: `/api/v1/incidents/${incident.id}/photos/0` }]);
    // No other municipality's item, photo URL or copy URL anywhere in what it was given.
    const all = JSON.stringify([...seenBy.values()]);
    expect(all).not.toContain(mine);
    expect(all).not.toContain(`/api/v1/incidents/${kemerovo}/`);
    for (const item of seenBy.values()) for (const p of item.photoCopies) if (p.url) expect(p.url.startsWith(`/api/v1/incidents/${(item as unknown as { id: number }).id}/`)).toBe(true);
    // And Kemerovo's list does not carry Novokuznetsk's.
    const kemerovoList = await listed();
    expect(kemerovoList.has(novokuznetsk)).toBe(false);
    expect(JSON.stringify([...kemerovoList.values()])).not.toContain(theirs);
    // Asking for the other municipality by name: 404, no items.
    const forced = await h.request('GET', `/api/v1/incidents?municipalityId=${h.municipality.Kemerovo}`, { token: h.keys.Novokuznetsk.moderator });
    expect(forced.status).toBe(404);
    expect(forced.body.items).toBeUndefined();
    // Triage of another municipality's item: 404 INCIDENT_NOT_FOUND, nothing of it in the answer, the item untouched.
    for (const [path, body] of [
      ['dismiss', { reason: 'чужое' }],
      ['accept', { municipalityId: h.municipality.Novokuznetsk, categoryId: await h.categoryId('roads.pothole') }],
    ] as const) {
      const res = await h.request('POST', `/api/v1/incidents/${kemerovo}/${path}`, { token: h.keys.Novokuznetsk.curator, body });
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({ code: 'INCIDENT_NOT_FOUND' });
      expect(res.text).not.toContain(mine);
      expect(res.body.photoCopies).toBeUndefined();
    }
    expect((await card(kemerovo)).body).toMatchObject({ state: 'new', photoCopies: [{ state: 'copied' }] });
  });

  it('a malformed list query is 400 and lists nothing', async () => {
    for (const query of ['limit=0', 'limit=101', 'state=bogus', 'municipalityId=-1', 'photoCopies=true', 'cursor=%00']) {
      const res = await h.request('GET', `/api/v1/incidents?${query}`, { token: h.keys.Kemerovo.moderator });
      expect(res.status, query).toBe(400);
      expect(res.body.items, query).toBeUndefined();
    }
  });
});
