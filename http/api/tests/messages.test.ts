import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { MessageCardSchema, MessageSchema } from '../schemas/message.ts';

let h: ApiHarness;
const DAY = 24 * 60 * 60 * 1000;
const ids = (res: { body: { items: { id: number }[] } }) => res.body.items.map((m) => m.id);

let pothole: number, heating: number, overdue: number, openSource: number, withPhotos: number, novokuznetsk: number;
let filedFrom: string;

beforeAll(async () => {
  h = await createApiHarness();
  filedFrom = h.now().toISOString();
  pothole = (await h.fileMessage('Kemerovo', { categoryCode: 'roads.pothole', text: 'Яма 50% дороги на ул. Весенней' })).id;
  h.advance(1000);
  heating = (await h.fileMessage('Kemerovo', { categoryCode: 'housing.heating', text: 'Холодные батареи' })).id;
  h.advance(1000);
  overdue = (await h.fileMessage('Kemerovo', { categoryCode: 'roads.lighting', text: 'Не горят фонари' })).id;
  await h.request('POST', `/api/v1/messages/${overdue}/accept`, { token: h.keys.Kemerovo.moderator, body: {} });
  h.advance(1000);
  openSource = (await h.fileMessage('Kemerovo', { openSource: true, text: 'Пост ВКонтакте про свалку' })).id;
  h.advance(1000);
  withPhotos = (await h.fileMessage('Kemerovo', { photos: ['file-one', 'file-two'] })).id;
  novokuznetsk = (await h.fileMessage('Novokuznetsk')).id;
  await h.request('POST', `/api/v1/messages/${heating}/accept`, { token: h.keys.Kemerovo.moderator, body: {} });
  h.advance(15 * DAY);
});
afterAll(() => h.close());

describe('GET /messages', () => {
  it('lists the scope newest first, each item in the documented shape', async () => {
    const res = await h.request('GET', '/api/v1/messages', { token: h.keys.Kemerovo.moderator });
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([withPhotos, openSource, overdue, heating, pothole]);
    for (const item of res.body.items) expect(() => MessageSchema.parse(item)).not.toThrow();
  });

  it('filters by status, category, executor, overdue, open source, date range and text', async () => {
    const k = h.keys.Kemerovo.moderator;
    const get = (q: string) => h.request('GET', `/api/v1/messages?${q}`, { token: k });
    expect(ids(await get('status=in_work'))).toEqual([overdue, heating]);
    expect(ids(await get(`status=new,in_work&categoryId=${await h.categoryId('housing.heating')}`))).toEqual([heating]);
    expect(ids(await get(`executorId=${h.executors.Kemerovo.utility}`))).toEqual([heating]);
    expect(ids(await get('overdue=true'))).toEqual([overdue, heating]);
    expect(ids(await get('overdue=false'))).toEqual([withPhotos, openSource, pothole]);
    expect(ids(await get('openSource=true'))).toEqual([openSource]);
    expect(ids(await get(`from=${encodeURIComponent(filedFrom)}&to=${encodeURIComponent(new Date(Date.parse(filedFrom) + 1500).toISOString())}`))).toEqual([heating, pothole]);
    expect(ids(await get(`q=${encodeURIComponent('фонари')}`))).toEqual([overdue]);
    // LIKE wildcards are literal: "0% д" matches only the text that has it (terms are 3+ characters: the trigram index).
    expect(ids(await get(`q=${encodeURIComponent('0% д')}`))).toEqual([pothole]);
  });

  it('pages overdue messages with a cursor and combines overdue with other filters; text search ignores case', async () => {
    const k = h.keys.Kemerovo.moderator;
    const get = (q: string) => h.request('GET', `/api/v1/messages?${q}`, { token: k });
    const first = await get('overdue=true&limit=1');
    expect(ids(first)).toEqual([overdue]);
    const second = await get(`overdue=true&limit=1&cursor=${first.body.nextCursor}`);
    expect(ids(second)).toEqual([heating]);
    expect(second.body.nextCursor).toBeNull();
    expect(ids(await get('overdue=true&sort=created_at'))).toEqual([heating, overdue]);
    expect(ids(await get(`overdue=true&categoryId=${await h.categoryId('roads.lighting')}`))).toEqual([overdue]);
    expect(ids(await get('overdue=true&status=new'))).toEqual([]);
    expect(ids(await get(`q=${encodeURIComponent('ФОНАРИ')}`))).toEqual([overdue]);
    expect(ids(await get(`q=${encodeURIComponent('весенней')}`))).toEqual([pothole]);
  });

  it('searches text and address, each match once, newest first, page by page', async () => {
    const k = h.keys.Kemerovo.moderator;
    const get = (q: string) => h.request('GET', `/api/v1/messages?${q}`, { token: k });
    const setAddress = (id: number, address: string) => h.t.db.updateTable('message').set({ address }).where('id', '=', id).execute();
    await setAddress(heating, 'ул. Садовая, 12');
    await setAddress(openSource, 'САДОВАЯ ул., 3');
    await setAddress(pothole, 'ул. Весенняя, 1');
    expect(ids(await get(`q=${encodeURIComponent('садовая')}`))).toEqual([openSource, heating]);
    const first = await get(`q=${encodeURIComponent('Садовая')}&limit=1`);
    expect(ids(first)).toEqual([openSource]);
    const second = await get(`q=${encodeURIComponent('Садовая')}&limit=1&cursor=${first.body.nextCursor}`);
    expect(ids(second)).toEqual([heating]);
    expect(second.body.nextCursor).toBeNull();
    // "Весенн" is in the pothole's text and its address: one item.
    expect(ids(await get(`q=${encodeURIComponent('весенн')}`))).toEqual([pothole]);
    expect(ids(await get(`q=${encodeURIComponent('садовая')}&status=in_work`))).toEqual([heating]);
    expect(ids(await get(`q=${encodeURIComponent('садовая')}&sort=created_at`))).toEqual([heating, openSource]);
  });

  it('pages with a cursor without gaps or repeats, in both sort orders', async () => {
    for (const sort of ['-created_at', 'created_at', '-updated_at']) {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { id: number }[]; nextCursor: string | null } } = await h.request('GET', `/api/v1/messages?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: h.keys.Kemerovo.moderator });
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...ids(page));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect([...seen].sort((a, b) => a - b)).toEqual([pothole, heating, overdue, openSource, withPhotos].sort((a, b) => a - b));
      if (sort === 'created_at') expect(seen).toEqual([pothole, heating, overdue, openSource, withPhotos]);
    }
  });

  it('caps the page size and rejects a malformed cursor or filter', async () => {
    const k = h.keys.Kemerovo.moderator;
    expect((await h.request('GET', '/api/v1/messages?limit=101', { token: k })).status).toBe(400);
    const cursor = await h.request('GET', '/api/v1/messages?cursor=not-a-cursor', { token: k });
    expect(cursor.status).toBe(400);
    expect(cursor.body.code).toBe('INVALID_CURSOR');
    const status = await h.request('GET', '/api/v1/messages?status=new,bogus', { token: k });
    expect(status.status).toBe(400);
    expect(status.body.errors[0].in).toBe('query');
    expect((await h.request('GET', '/api/v1/messages?overdue=yes', { token: k })).status).toBe(400);
    // A reversed range is refused (as by /heatmap and Open311), here and in the audit log.
    for (const path of ['/api/v1/messages', '/api/v1/audit']) {
      const reversed = await h.request('GET', `${path}?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z`);
      expect(reversed.status, path).toBe(400);
      expect(reversed.body.details).toEqual({ field: 'to', problem: 'must be after from' });
    }
  });

  it('never shows another municipality\'s messages, even without a filter', async () => {
    const res = await h.request('GET', '/api/v1/messages', { token: h.keys.Novokuznetsk.moderator });
    expect(ids(res)).toEqual([novokuznetsk]);
    const operator = await h.request('GET', '/api/v1/messages?limit=100', { token: h.operator });
    expect(ids(operator)).toContain(novokuznetsk);
    expect(ids(operator)).toContain(pothole);
  });

  it('shows an executor only the messages assigned to its organisation', async () => {
    const city = await h.request('GET', '/api/v1/messages', { token: h.keys.Kemerovo.executor });
    expect(ids(city)).toEqual([overdue]);
    const utility = await h.request('GET', '/api/v1/messages', { token: h.keys.Kemerovo.utility_executor });
    expect(ids(utility)).toEqual([heating]);
    expect((await h.request('GET', `/api/v1/messages/${heating}`, { token: h.keys.Kemerovo.executor })).status).toBe(404);
  });
});

describe('GET /messages/{id}', () => {
  it('returns the full card with an ETag of its version', async () => {
    const res = await h.request('GET', `/api/v1/messages/${heating}`, { token: h.keys.Kemerovo.responsible });
    expect(res.status).toBe(200);
    const card = MessageCardSchema.parse(res.body);
    expect(card.message).toMatchObject({ id: heating, status: 'in_work', overdue: true, executorId: h.executors.Kemerovo.utility });
    expect(card.executorName).toContain('Сервис');
    expect(card.history.map((e) => e.kind)).toEqual(['filed', 'accepted']);
    expect(res.headers.get('etag')).toBe(`"${card.message.version}"`);
  });

  it('lists photos with URLs that serve their bytes', async () => {
    const res = await h.request('GET', `/api/v1/messages/${withPhotos}`, { token: h.keys.Kemerovo.moderator });
    expect(res.body.photos).toEqual([
      { index: 0, channel: 'tg', url: `/api/v1/messages/${withPhotos}/photos/0`, mediaId: null },
      { index: 1, channel: 'tg', url: `/api/v1/messages/${withPhotos}/photos/1`, mediaId: null },
    ]);
  });
});

describe('GET /messages/{id}/photos/{index}', () => {
  it('fetches the bytes through the Telegram file API once, then serves them from the cache', async () => {
    h.telegram.reset();
    const first = await h.request('GET', `/api/v1/messages/${withPhotos}/photos/1`, { token: h.keys.Kemerovo.moderator });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/jpeg');
    expect(first.text).toBe('fake-bytes:photos/file-two.jpg');
    expect(h.telegram.callsOf('getFile').map((c) => c.params.file_id)).toEqual(['file-two']);
    const again = await h.request('GET', `/api/v1/messages/${withPhotos}/photos/1`, { token: h.keys.Kemerovo.curator });
    expect(again.text).toBe('fake-bytes:photos/file-two.jpg');
    expect(h.telegram.callsOf('getFile')).toHaveLength(1);
  });

  it('answers 404 for a missing photo and 502 when Telegram fails, without leaking the bot token', async () => {
    const missing = await h.request('GET', `/api/v1/messages/${withPhotos}/photos/2`, { token: h.keys.Kemerovo.moderator });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('PHOTO_NOT_FOUND');
    h.telegram.failNext({ status: 400, description: 'Bad Request: file is too big' }, { method: 'getFile' });
    const failed = await h.request('GET', `/api/v1/messages/${withPhotos}/photos/0`, { token: h.keys.Kemerovo.moderator });
    expect(failed.status).toBe(502);
    expect(failed.body.code).toBe('PHOTO_UPSTREAM_FAILED');
    expect(failed.text).not.toContain('TEST-token');
  });

  it('once copied into the media store after filing, a photo is listed with its copy and served from it without asking Telegram', async () => {
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...Array.from({ length: 400 }, (_, i) => i % 251)]);
    h.telegram.files.set('copied-photo', { path: 'photos/copied.jpg', bytes: jpeg, contentType: 'image/jpeg' });
    // The second is no image (the fake's placeholder bytes): the store refuses it, and it is not tried again.
    const message = (await h.fileMessage('Kemerovo', { photos: ['copied-photo', 'not-an-image'] })).id;
    await h.app.photoCopier.runOnce();
    const card = await h.request('GET', `/api/v1/messages/${message}`, { token: h.keys.Kemerovo.moderator });
    const [copied, refused] = card.body.photos as { index: number; mediaId: number | null }[];
    expect(copied!.mediaId).toEqual(expect.any(Number));
    expect(refused!.mediaId).toBeNull();
    const queue = await h.t.db.selectFrom('message_photo').select(['copy_due_at', 'copy_error']).where('message_id', '=', message).orderBy('position').execute();
    expect(queue).toEqual([
      { copy_due_at: null, copy_error: null },
      { copy_due_at: null, copy_error: 'MEDIA_UNSUPPORTED_TYPE' },
    ]);

    h.telegram.reset();
    const bytesOf = async (url: string) => {
      const res = await h.app.http.request(url, { headers: { authorization: `Bearer ${h.keys.Kemerovo.curator}` } });
      return { status: res.status, type: res.headers.get('content-type'), bytes: new Uint8Array(await res.arrayBuffer()) };
    };
    expect(await bytesOf(`/api/v1/messages/${message}/photos/0`)).toEqual({ status: 200, type: 'image/jpeg', bytes: jpeg });
    // The copy is a media file of the message's municipality, like an upload.
    expect(await bytesOf(`/api/v1/media/${copied!.mediaId}`)).toMatchObject({ status: 200, bytes: jpeg });
    expect(h.telegram.callsOf('getFile')).toEqual([]);
  });
});
