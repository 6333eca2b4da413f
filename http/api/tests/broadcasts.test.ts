import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandBatch } from '../../../core/broadcasts/broadcasts.ts';
import { unsubscribeRow } from '../../../core/subscriptions/subscriptions.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { jpegBytes } from '../../../test/media/files.ts';
import { registeredResident } from '../../../test/residents.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

async function expand(id: number): Promise<void> {
  while (!(await expandBatch(h.t.db, id, 2)).done);
}

describe('broadcasts through the admin API', () => {
  it('a curator sends an official mailing to their municipality, reads its progress, and cancels it', async () => {
    const kemerovo = h.municipality.Kemerovo;
    for (let i = 0; i < 3; i++) await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    await registeredResident(h.t.db, { municipalityId: h.municipality.Novokuznetsk, now: h.now() });
    const form = new FormData();
    form.append('file', new Blob([jpegBytes().slice().buffer], { type: 'image/jpeg' }), 'poster.jpg');
    const poster = await h.request('POST', '/api/v1/media', { form, token: h.keys.Kemerovo.curator });

    const created = await h.request('POST', '/api/v1/broadcasts', {
      token: h.keys.Kemerovo.curator,
      body: { municipalityId: kemerovo, topic: 'news', text: 'Отключение воды 3 декабря', mediaIds: [poster.body.id] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      municipalityId: kemerovo,
      topic: 'news',
      status: 'expanding',
      recipients: 0,
      kind: 'broadcast.official',
      source: 'api',
      createdByStaffId: h.staff.Kemerovo.curator,
    });
    await expand(created.body.id);
    const rows = await h.t.db.selectFrom('outbox').select(['payload', 'priority']).where('broadcast_id', '=', created.body.id).execute();
    expect(rows).toHaveLength(3);
    expect(rows[0]!.payload).toEqual({
      key: 'broadcast.official',
      params: { text: 'Отключение воды 3 декабря' },
      keyboard: { kind: 'inline', rows: [unsubscribeRow('news')] },
      media: [poster.body.id],
      language: 'ru',
    });

    const read = await h.request('GET', `/api/v1/broadcasts/${created.body.id}`, { token: h.keys.Kemerovo.curator });
    expect(read.body).toMatchObject({ status: 'sending', recipients: 3, pending: 3, sent: 0, failed: 0, cancelled: 0 });
    const list = await h.request('GET', '/api/v1/broadcasts', { token: h.keys.Kemerovo.curator });
    expect(list.body.items.map((b: { id: number }) => b.id)).toContain(created.body.id);
    const elsewhere = await h.request('GET', '/api/v1/broadcasts', { token: h.keys.Novokuznetsk.curator });
    expect(elsewhere.body.items.map((b: { id: number }) => b.id)).not.toContain(created.body.id);

    const cancelled = await h.request('POST', `/api/v1/broadcasts/${created.body.id}/cancel`, { token: h.keys.Kemerovo.curator });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', pending: 0, cancelled: 3 });
    const again = await h.request('POST', `/api/v1/broadcasts/${created.body.id}/cancel`, { token: h.keys.Kemerovo.curator });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('BROADCAST_NOT_ACTIVE');
    const audit = await h.t.db.selectFrom('audit_log').select(['action', 'entity_id', 'municipality_id']).where('entity', '=', 'broadcast').orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'broadcast.create', entity_id: String(created.body.id), municipality_id: kemerovo },
      { action: 'broadcast.cancel', entity_id: String(created.body.id), municipality_id: kemerovo },
    ]);
  });

  it('only operators send to every municipality; media of another municipality and unknown topics are refused', async () => {
    const all = await h.request('POST', '/api/v1/broadcasts', { token: h.keys.Kemerovo.curator, body: { municipalityId: null, topic: 'news', text: 'Всем' } });
    expect(all.status).toBe(404);
    const regional = await h.request('POST', '/api/v1/broadcasts', { body: { municipalityId: null, topic: 'direct_line', text: 'Прямая линия губернатора' } });
    expect(regional.status).toBe(201);
    expect((await h.request('GET', `/api/v1/broadcasts/${regional.body.id}`, { token: h.keys.Kemerovo.curator })).status).toBe(404);
    expect((await h.request('GET', `/api/v1/broadcasts/${regional.body.id}`)).status).toBe(200);

    const form = new FormData();
    form.append('file', new Blob([jpegBytes(300, 9).slice().buffer], { type: 'image/jpeg' }), 'x.jpg');
    const novokuznetskMedia = await h.request('POST', '/api/v1/media', { form, token: h.keys.Novokuznetsk.curator });
    const foreign = await h.request('POST', '/api/v1/broadcasts', {
      token: h.keys.Kemerovo.curator,
      body: { municipalityId: h.municipality.Kemerovo, topic: 'news', text: 'С чужим фото', mediaIds: [novokuznetskMedia.body.id] },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('MEDIA_NOT_FOUND');
    // An operator sees every file, yet a Kemerovo mailing (or a region-wide one) cannot carry Novokuznetsk's (news and events refuse it too).
    const before = await h.t.db
      .selectFrom('broadcast')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    for (const municipalityId of [h.municipality.Kemerovo, null]) {
      const byOperator = await h.request('POST', '/api/v1/broadcasts', { body: { municipalityId, topic: 'news', text: 'С чужим фото', mediaIds: [novokuznetskMedia.body.id] } });
      expect(byOperator.status, String(municipalityId)).toBe(404);
      expect(byOperator.body).toMatchObject({ code: 'MEDIA_NOT_FOUND', details: { id: novokuznetskMedia.body.id } });
    }
    expect(
      await h.t.db
        .selectFrom('broadcast')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
    ).toEqual(before);
    // One file twice would reach every recipient twice (news refuses it too).
    const twice = await h.request('POST', '/api/v1/broadcasts', {
      body: { municipalityId: h.municipality.Novokuznetsk, topic: 'news', text: 'Дважды', mediaIds: [novokuznetskMedia.body.id, novokuznetskMedia.body.id] },
    });
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([expect.objectContaining({ path: 'mediaIds', message: 'a file is listed twice' })]);
    const topic = await h.request('POST', '/api/v1/broadcasts', { body: { municipalityId: h.municipality.Kemerovo, topic: 'weather', text: 'x' } });
    expect(topic.status).toBe(400);
    const empty = await h.request('POST', '/api/v1/broadcasts', { body: { municipalityId: h.municipality.Kemerovo, topic: 'news', text: '   ' } });
    expect(empty.status).toBe(400);
  });
});
