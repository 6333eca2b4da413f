import path from 'node:path';
import { expandFully } from '../../test/expand.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announce } from '../../core/broadcasts/broadcasts.ts';
import { createDiskMediaStore } from '../../core/media/store.ts';
import { createApiHarness, type ApiHarness } from '../../test/api-harness.ts';
import { FakeVkApi } from '../../test/fakes/vk-api.ts';
import { jpegBytes, mp4Bytes } from '../../test/media/files.ts';
import { allSettled, telegramSender, vkSender } from '../../test/outbox.ts';
import { registeredResident } from '../../test/residents.ts';
import { createTranslator } from '../i18n.ts';
import type { OutboxSender } from '../outbox/sender.ts';
import { renderVkRow } from '../vk/render.ts';

let h: ApiHarness;
let vk: FakeVkApi;
const senders: OutboxSender[] = [];

beforeAll(async () => {
  h = await createApiHarness({ MEDIA_MAX_IMAGE_BYTES: '20000', MEDIA_MAX_VIDEO_BYTES: '40000' });
  vk = await new FakeVkApi().start();
});
afterAll(async () => {
  await Promise.all(senders.map((s) => s.stop()));
  await vk.stop();
  await h.close();
});

function upload(bytes: Uint8Array, type: string, token?: string, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.append('file', new Blob([bytes.slice().buffer], { type }), 'upload.bin');
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return h.request('POST', '/api/v1/media', { form, ...(token && { token }) });
}

describe('POST /media and GET /media/{id}', () => {
  it('stores an upload with its sniffed type, serves it back within scope, and refuses what it cannot take with clear problems', async () => {
    const created = await upload(jpegBytes(5000), 'image/jpeg', h.keys.Kemerovo.curator);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mime: 'image/jpeg', kind: 'image', sizeBytes: 5000, municipalityId: h.municipality.Kemerovo });
    const got = await h.request('GET', `/api/v1/media/${created.body.id}`, { token: h.keys.Kemerovo.moderator });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    expect((await h.request('GET', `/api/v1/media/${created.body.id}`, { token: h.keys.Novokuznetsk.curator })).status).toBe(404);
    expect((await h.request('GET', `/api/v1/media/${created.body.id}`)).status).toBe(200); // operator

    const tooLarge = await upload(jpegBytes(20_001), 'image/jpeg');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ code: 'MEDIA_TOO_LARGE', details: { kind: 'image', max: 20_000, size: 20_001 } });
    const notMedia = await upload(Buffer.from('%PDF-1.7 quarterly report'), 'image/jpeg');
    expect(notMedia.status).toBe(415);
    expect(notMedia.body.code).toBe('MEDIA_UNSUPPORTED_TYPE');
    expect(notMedia.body.details.accepted).toEqual(['image/jpeg', 'image/png', 'image/webp', 'video/mp4']);
    const disguised = await upload(mp4Bytes(), 'image/png');
    expect(disguised.status).toBe(415);
    expect(disguised.body.details).toMatchObject({ declared: 'image/png', detected: 'video/mp4' });
    const json = await h.request('POST', '/api/v1/media', { body: { file: 'x' } });
    expect(json.status).toBe(415);
    const otherTown = await upload(jpegBytes(), 'image/jpeg', h.keys.Kemerovo.curator, { municipalityId: String(h.municipality.Novokuznetsk) });
    expect(otherTown.status).toBe(404);
    const audit = await h.t.db.selectFrom('audit_log').select(['action', 'entity_id']).where('action', '=', 'media.upload').execute();
    expect(audit).toEqual([{ action: 'media.upload', entity_id: String(created.body.id) }]);
  });
});

describe('POST /media: the municipalityId field', () => {
  it('an operator naming a municipality that does not exist, or an id past 2^31-1, gets 404 / 400 naming it, not a 500 from the foreign key or the int column; nothing is stored', async () => {
    const media = () => h.t.db.selectFrom('media').select('id').execute();
    const before = await media();
    const missing = await upload(jpegBytes(400, 7), 'image/jpeg', undefined, { municipalityId: '99999' });
    expect(missing.status, JSON.stringify(missing.body)).toBe(404);
    expect(missing.body).toMatchObject({ code: 'MUNICIPALITY_NOT_FOUND', details: { id: 99999 } });
    for (const id of ['2147483648', '9999999999']) {
      const huge = await upload(jpegBytes(400, 7), 'image/jpeg', undefined, { municipalityId: id });
      expect(huge.status, `${id}: ${JSON.stringify(huge.body)}`).toBe(400);
      expect(huge.body).toMatchObject({ code: 'VALIDATION', details: { field: 'municipalityId' } });
    }
    expect(await media()).toEqual(before);
    const named = await upload(jpegBytes(400, 7), 'image/jpeg', undefined, { municipalityId: String(h.municipality.Belovo) });
    expect(named.status).toBe(201);
    expect(named.body.municipalityId).toBe(h.municipality.Belovo);
  });
});

describe('POST /media: one file a request', () => {
  it('two files in the field "file" are 400 VALIDATION naming it, and neither is stored (one was kept and the other dropped without a word)', async () => {
    const media = () => h.t.db.selectFrom('media').select('id').execute();
    const before = await media();
    const form = new FormData();
    form.append('file', new Blob([jpegBytes(600, 1).slice().buffer], { type: 'image/jpeg' }), 'first.jpg');
    form.append('file', new Blob([jpegBytes(700, 2).slice().buffer], { type: 'image/jpeg' }), 'second.jpg');
    const both = await h.request('POST', '/api/v1/media', { form });
    expect(both.status, JSON.stringify(both.body)).toBe(400);
    expect(both.body).toMatchObject({ code: 'VALIDATION', details: { field: 'file', problem: 'one file a request' } });
    expect(await media()).toEqual(before);
  });
});

describe('stored media sent to both messengers', () => {
  it('uploads each file once per messenger and reuses its file id / attachment for every later send', async () => {
    const photo = await upload(jpegBytes(3000, 7), 'image/jpeg');
    const video = await upload(mp4Bytes(6000), 'video/mp4');
    expect([photo.status, video.status]).toEqual([201, 201]);
    const kemerovo = h.municipality.Kemerovo;
    const residents = [
      await registeredResident(h.t.db, { municipalityId: kemerovo, channel: 'tg' }),
      await registeredResident(h.t.db, { municipalityId: kemerovo, channel: 'tg' }),
      await registeredResident(h.t.db, { municipalityId: kemerovo, channel: 'vk', externalId: '3100001' }),
      await registeredResident(h.t.db, { municipalityId: kemerovo, channel: 'vk', externalId: '3100002' }),
    ];
    const id = await announce(h.t.db, {
      audience: { municipalityId: kemerovo, topic: 'culture_events' },
      message: { key: 'broadcast.official', params: { text: 'Концерт в субботу' }, media: [photo.body.id, video.body.id] },
    });
    for (const r of residents) await h.t.db.insertInto('resident_subscription').values({ resident_id: r, topic: 'culture_events', enabled: true }).execute();
    await expandFully(h.t.db, id);
    const rows = await h.t.db.selectFrom('outbox').select('id').where('broadcast_id', '=', id).execute();
    expect(rows).toHaveLength(4);

    const media = { db: h.t.db, store: createDiskMediaStore(path.join(h.dataDir, 'media')) };
    const t = createTranslator();
    const tg = telegramSender(h.t.db, h.telegram.url, { media });
    const vkOut = vkSender(h.t.db, vk.apiBaseUrl, { media, render: (row) => renderVkRow(row, t).parts });
    senders.push(tg, vkOut);
    tg.start();
    vkOut.start();
    await allSettled(
      h.t.db,
      rows.map((r) => r.id),
      20_000,
    );
    const states = await h.t.db.selectFrom('outbox').select(['state', 'last_error']).where('broadcast_id', '=', id).execute();
    expect(states).toEqual([0, 1, 2, 3].map(() => ({ state: 'sent', last_error: null })));

    // Telegram: the photo and the video go as one album (one sendMediaGroup per resident); the first
    // album uploaded both, the second resident got them by file_id.
    expect(h.telegram.uploads.map((u) => [u.method, u.size])).toEqual([
      ['sendMediaGroup', 3000],
      ['sendMediaGroup', 6000],
    ]);
    const [photoUploaded, videoUploaded] = h.telegram.uploads;
    const photoId = photoUploaded!.fileId;
    const albums = h.telegram.callsOf('sendMediaGroup').map((c) => (c.params.media as { type: string; media: string }[]).map((m) => [m.type, m.media.startsWith('attach://') ? 'upload' : m.media]));
    expect(albums).toEqual([
      [
        ['photo', 'upload'],
        ['video', 'upload'],
      ],
      [
        ['photo', photoId],
        ['video', videoUploaded!.fileId],
      ],
    ]);
    expect(h.telegram.callsOf('sendPhoto')).toEqual([]);
    expect(h.telegram.callsOf('sendVideo')).toEqual([]);
    expect(h.telegram.callsOf('sendMessage').map((c) => c.params.text)).toEqual(['📢 Концерт в субботу', '📢 Концерт в субботу']);

    // VK: one photo upload (getMessagesUploadServer → upload → saveMessagesPhoto), one document upload, then reuse.
    expect(vk.uploads.map((u) => [u.kind, u.size])).toEqual([
      ['photo', 3000],
      ['doc', 6000],
    ]);
    expect(vk.calls.filter((c) => c.method === 'photos.getMessagesUploadServer')).toHaveLength(1);
    expect(vk.calls.filter((c) => c.method === 'docs.save')).toHaveLength(1);
    const sends = vk.calls.filter((c) => c.method === 'messages.send');
    expect(sends).toHaveLength(2);
    const [photoUpload, docUpload] = vk.uploads;
    for (const send of sends) {
      expect(send.params.attachment).toBe(`photo-229000001_${photoUpload!.id}_key${photoUpload!.id},doc-229000001_${docUpload!.id}`);
      expect(send.params.message).toBe('📢 Концерт в субботу');
    }
    const remembered = await h.t.db.selectFrom('media_upload').select(['channel', 'file_ref']).orderBy('channel').orderBy('file_ref').execute();
    expect(remembered.map((r) => r.channel)).toEqual(['tg', 'tg', 'vk', 'vk']);

    // A later announcement with the same photo: no upload anywhere.
    const again = await announce(h.t.db, {
      audience: { municipalityId: kemerovo, topic: 'culture_events' },
      message: { key: 'broadcast.official', params: { text: 'Ещё раз' }, media: [photo.body.id] },
    });
    await expandFully(h.t.db, again);
    tg.kick();
    vkOut.kick();
    const againRows = await h.t.db.selectFrom('outbox').select('id').where('broadcast_id', '=', again).execute();
    await allSettled(
      h.t.db,
      againRows.map((r) => r.id),
      20_000,
    );
    expect(h.telegram.uploads).toHaveLength(2);
    expect(vk.uploads).toHaveLength(2);
    // A single file is no album: sendPhoto by the kept file id.
    expect(h.telegram.callsOf('sendPhoto').map((c) => c.params.photo)).toEqual([photoId, photoId]);
  });
});
