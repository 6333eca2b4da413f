import { sql } from 'kysely';
import nodeIcal from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandFully } from '../../../test/expand.ts';
import { feedItem } from '../../../core/news/news.service.ts';
import { claimDue } from '../../../core/outbox/outbox.queue.ts';
import { runJob } from '../../../core/jobs/run-job.ts';
import { JOBS } from '../../../cron/jobs.ts';
import { setSubscription } from '../../../core/subscriptions/subscriptions.ts';
import { readerDate } from '../../../core/text/reader-date.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { jpegBytes, mp4Bytes } from '../../../test/media/files.ts';
import { KEMEROVO_CENTER, NOVOKUZNETSK_CENTER, registeredResident } from '../../../test/residents.ts';
import { createTranslator } from '../../../bots/i18n.ts';

let h: ApiHarness;

/** A date as core queues it for residents (rendered in each reader's language): local Kuzbass time, UTC+7. */
const kuzbass = (local: string) => readerDate(new Date(`${local}+07:00`), 'Asia/Novokuznetsk');
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

/** The cron jobs as the scheduler runs them (their transaction, their advisory lock) at a given time. */
const cronNews = async (at: string) => (await runJob(h.t.db, JOBS.newsPublish, () => new Date(at))).counts;
const cronReminders = async (at: string) => (await runJob(h.t.db, JOBS.eventReminders, () => new Date(at))).counts;

async function expand(id: number): Promise<void> {
  await expandFully(h.t.db, id);
}

async function upload(bytes: Uint8Array, type: string, token = h.keys.Kemerovo.curator) {
  const form = new FormData();
  form.append('file', new Blob([bytes.slice().buffer], { type }), type.startsWith('video') ? 'clip.mp4' : 'photo.jpg');
  return h.request('POST', '/api/v1/media', { form, token });
}

const recipients = async (broadcastId: number) =>
  (await h.t.db.selectFrom('outbox').select('resident_id').where('broadcast_id', '=', broadcastId).orderBy('resident_id').execute()).map((r) => r.resident_id);

const venue = { name: 'Филармония Кузбасса', address: 'Кемерово, пр. Советский, 68', ...KEMEROVO_CENTER };

describe('news through the admin API', () => {
  it('a scheduled item is published by cron at its local time and reaches only subscribers of its municipality', async () => {
    const kemerovo = h.municipality.Kemerovo;
    const subscribed = await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    const vkResident = await registeredResident(h.t.db, { municipalityId: kemerovo, channel: 'vk', now: h.now() });
    const optedOut = await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    await setSubscription(h.t.db, optedOut, 'news', false, h.now());
    const elsewhere = await registeredResident(h.t.db, { municipalityId: h.municipality.Novokuznetsk, now: h.now() });

    // Local 12:00 in Kemerovo (UTC+7) is 05:00 UTC.
    const created = await h.request('POST', '/api/v1/news', {
      token: h.keys.Kemerovo.curator,
      body: { municipalityId: kemerovo, title: 'Ярмарка', body: 'В субботу на площади Советов.', publishAt: '2026-12-01T12:00' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'scheduled', publishAt: '2026-12-01T05:00:00.000Z', publishedAt: null });

    expect(await cronNews('2026-12-01T04:59:00Z')).toEqual({ published: 0, failed: 0 });
    expect(await cronNews('2026-12-01T05:00:00Z')).toEqual({ published: 1, failed: 0 });
    expect(await cronNews('2026-12-01T05:01:00Z')).toEqual({ published: 0, failed: 0 });

    const item = (await h.request('GET', `/api/v1/news/${created.body.id}`, { token: h.keys.Kemerovo.curator })).body;
    expect(item).toMatchObject({ state: 'published', publishedAt: '2026-12-01T05:00:00.000Z' });
    await expand(item.broadcastId);
    expect(await recipients(item.broadcastId)).toEqual([subscribed, vkResident].sort((a, b) => a - b));
    expect(await recipients(item.broadcastId)).not.toContain(optedOut);
    expect(await recipients(item.broadcastId)).not.toContain(elsewhere);
    const channels = await h.t.db.selectFrom('outbox').select(['channel', 'kind']).where('broadcast_id', '=', item.broadcastId).orderBy('channel').execute();
    expect(channels).toEqual([
      { channel: 'tg', kind: 'broadcast.news' },
      { channel: 'vk', kind: 'broadcast.news' },
    ]);
  });

  it('a regional item reaches every municipality; only operators write one', async () => {
    const refused = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: null, title: 'Регион', body: 'Текст' } });
    expect(refused.status).toBe(404);
    const novokuznetsk = await registeredResident(h.t.db, { municipalityId: h.municipality.Novokuznetsk, now: h.now() });
    const created = await h.request('POST', '/api/v1/news', { body: { municipalityId: null, title: 'Новости Кузбасса', body: 'Для всех' } });
    expect(created.body.state).toBe('draft');
    const published = await h.request('POST', `/api/v1/news/${created.body.id}/publish`, {});
    expect(published.status).toBe(200);
    await expand(published.body.broadcastId);
    expect(await recipients(published.body.broadcastId)).toContain(novokuznetsk);
    const again = await h.request('POST', `/api/v1/news/${created.body.id}/publish`, {});
    expect(again.status).toBe(409);
    expect((await h.request('GET', `/api/v1/news/${created.body.id}`, { token: h.keys.Kemerovo.curator })).status).toBe(404);
  });

  it('edits after publication are stamped and audited; archived items leave the feed', async () => {
    const kemerovo = h.municipality.Kemerovo;
    const created = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.moderator, body: { municipalityId: kemerovo, title: 'Снег', body: 'Уборка ночью' } });
    await h.request('POST', `/api/v1/news/${created.body.id}/publish`, { token: h.keys.Kemerovo.moderator });
    // An empty PATCH changes nothing: no «edited» stamp, no audit entry.
    const untouched = await h.request('PATCH', `/api/v1/news/${created.body.id}`, { token: h.keys.Kemerovo.moderator, body: {} });
    expect(untouched.status).toBe(200);
    expect(untouched.body.editedAt).toBeNull();
    const edited = await h.request('PATCH', `/api/v1/news/${created.body.id}`, { token: h.keys.Kemerovo.moderator, body: { body: 'Уборка ночью, с 23:00' } });
    expect(edited.status).toBe(200);
    expect(edited.body.editedAt).not.toBeNull();
    const audit = await h.t.db.selectFrom('audit_log').select('action').where('entity', '=', 'news_item').where('entity_id', '=', String(created.body.id)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['news.create', 'news.publish', 'news.edit_published']);

    const feed = async () => {
      const ids: number[] = [];
      for (let i = 0; ; i++) {
        const { item, total } = await feedItem(h.t.db, kemerovo, i);
        if (!item) return { ids, total };
        ids.push(item.id);
      }
    };
    const before = await feed();
    expect(before.ids).toContain(created.body.id);
    const archived = await h.request('POST', `/api/v1/news/${created.body.id}/archive`, { token: h.keys.Kemerovo.moderator });
    expect(archived.body.state).toBe('archived');
    const after = await feed();
    expect(after.ids).not.toContain(created.body.id);
    expect(after.total).toBe(before.total - 1);
    expect((await h.request('PATCH', `/api/v1/news/${created.body.id}`, { token: h.keys.Kemerovo.moderator, body: { title: 'x' } })).status).toBe(409);
    // Kept for reports: still listed through the API.
    const list = await h.request('GET', '/api/v1/news?state=archived', { token: h.keys.Kemerovo.curator });
    expect(list.body.items.map((n: { id: number }) => n.id)).toContain(created.body.id);
  });

  it('archiving an item while its announcement is still going out stops the rest of it; an announcement sent in full stays done', async () => {
    const kemerovo = h.municipality.Kemerovo;
    for (let i = 0; i < 3; i++) await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    const publish = async (title: string) => {
      const created = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.moderator, body: { municipalityId: kemerovo, title, body: 'Текст' } });
      const published = await h.request('POST', `/api/v1/news/${created.body.id}/publish`, { token: h.keys.Kemerovo.moderator });
      await expand(published.body.broadcastId);
      return published.body as { id: number; broadcastId: number };
    };
    const progress = async (id: number) => (await h.request('GET', `/api/v1/broadcasts/${id}`, { token: h.keys.Kemerovo.curator })).body;

    // Published by mistake: one resident has it already, the others are still waiting in the outbox.
    const mistaken = await publish('Ошибочная новость');
    const first = await h.t.db.selectFrom('outbox').select('id').where('broadcast_id', '=', mistaken.broadcastId).orderBy('id').executeTakeFirstOrThrow();
    await h.t.db.updateTable('outbox').set({ state: 'sent' }).where('id', '=', first.id).execute();
    const recipients = (await progress(mistaken.broadcastId)).recipients as number;
    expect(recipients).toBeGreaterThanOrEqual(3);
    expect((await h.request('POST', `/api/v1/news/${mistaken.id}/archive`, { token: h.keys.Kemerovo.moderator })).status).toBe(200);
    expect(await progress(mistaken.broadcastId)).toMatchObject({ status: 'cancelled', pending: 0, sent: 1, cancelled: recipients - 1 });

    const delivered = await publish('Новость, которую все получили');
    await h.t.db.updateTable('outbox').set({ state: 'sent' }).where('broadcast_id', '=', delivered.broadcastId).execute();
    await h.request('POST', `/api/v1/news/${delivered.id}/archive`, { token: h.keys.Kemerovo.moderator });
    expect(await progress(delivered.broadcastId)).toMatchObject({ status: 'done', pending: 0, cancelled: 0 });
  });

  it('an edit after publication reaches the residents the announcement has not reached yet; who got it keeps what they got', async () => {
    const kemerovo = h.municipality.Kemerovo;
    for (let i = 0; i < 3; i++) await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    const payloads = async (broadcastId: number) =>
      (await h.t.db.selectFrom('outbox').select(['state', 'payload']).where('broadcast_id', '=', broadcastId).orderBy('id').execute()).map((r) => ({
        state: r.state,
        ...(r.payload.params as { title: string; body: string }),
      }));

    // Corrected while the announcement is still being written out: every row carries the correction.
    const early = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.moderator, body: { municipalityId: kemerovo, title: 'Отключение воды', body: 'Улица Ленина, 3 декабря' } });
    const earlyPublished = await h.request('POST', `/api/v1/news/${early.body.id}/publish`, { token: h.keys.Kemerovo.moderator });
    const fixed = await h.request('PATCH', `/api/v1/news/${early.body.id}`, { token: h.keys.Kemerovo.moderator, body: { body: 'Улица Ленина, 4 декабря' } });
    expect(fixed.status).toBe(200);
    await expand(earlyPublished.body.broadcastId);
    const written = await payloads(earlyPublished.body.broadcastId);
    expect(written.length).toBeGreaterThanOrEqual(3);
    expect(new Set(written.map((p) => p.body))).toEqual(new Set(['Улица Ленина, 4 декабря']));

    // Corrected while it is being sent: the one sent stays, those waiting get the correction (each in their language).
    // The edit writes the broadcast's one payload, not every waiting row (an audience of 100,000 would
    // be as many rows rewritten inside the request): each row takes the correction when it is claimed.
    const late = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.moderator, body: { municipalityId: kemerovo, title: 'Ярмарка', body: 'В субботу' } });
    const latePublished = await h.request('POST', `/api/v1/news/${late.body.id}/publish`, { token: h.keys.Kemerovo.moderator });
    await expand(latePublished.body.broadcastId);
    const first = await h.t.db.selectFrom('outbox').select('id').where('broadcast_id', '=', latePublished.body.broadcastId).orderBy('id').executeTakeFirstOrThrow();
    await h.t.db.updateTable('outbox').set({ state: 'sent' }).where('id', '=', first.id).execute();
    await h.request('PATCH', `/api/v1/news/${late.body.id}`, { token: h.keys.Kemerovo.moderator, body: { title: 'Ярмарка выходного дня', body: 'В субботу и воскресенье' } });
    const waiting = await payloads(latePublished.body.broadcastId);
    expect(waiting.slice(1).every((row) => row.state === 'pending' && row.body === 'В субботу')).toBe(true);
    // The API (and so the console's mailings page) reads the edited version at once, not what the waiting rows hold until claimed.
    const shown = { key: 'news.broadcast', params: { title: 'Ярмарка выходного дня', body: 'В субботу и воскресенье', link: '' } };
    expect((await h.request('GET', `/api/v1/broadcasts/${latePublished.body.broadcastId}`, { token: h.keys.Kemerovo.curator })).body.message).toEqual(shown);
    const listed = (await h.request('GET', '/api/v1/broadcasts', { token: h.keys.Kemerovo.curator })).body.items as { id: number; message: unknown }[];
    expect(listed.find((x) => x.id === latePublished.body.broadcastId)!.message).toEqual(shown);
    // What a sender claims (the rows of earlier broadcasts to the same chats settled first: a chat's rows leave in order).
    const mine = await h.t.db.selectFrom('outbox').select(['id', 'chat_id']).where('broadcast_id', '=', latePublished.body.broadcastId).where('state', '=', 'pending').execute();
    await h.t.db
      .updateTable('outbox')
      .set({ state: 'sent' })
      .where('state', '=', 'pending')
      .where('broadcast_id', '<>', latePublished.body.broadcastId)
      .where(
        'chat_id',
        'in',
        mine.map((r) => r.chat_id),
      )
      .execute();
    const claimed = [...(await claimDue(h.t.db, { channel: 'tg', claimedBy: 'test', limit: 1000 })), ...(await claimDue(h.t.db, { channel: 'vk', claimedBy: 'test', limit: 1000 }))].filter((r) =>
      mine.some((m) => m.id === r.id),
    );
    expect(claimed.length).toBe(mine.length);
    expect(mine.length).toBe(waiting.length - 1);
    for (const row of claimed) expect(row.payload).toMatchObject({ language: 'ru', params: { title: 'Ярмарка выходного дня', body: 'В субботу и воскресенье' } });
    const rows = await payloads(latePublished.body.broadcastId);
    expect(rows[0]).toMatchObject({ state: 'sent', title: 'Ярмарка', body: 'В субботу' });
    for (const row of rows.slice(1)) expect(row).toMatchObject({ state: 'sending', title: 'Ярмарка выходного дня', body: 'В субботу и воскресенье' });
    const languages = await h.t.db.selectFrom('outbox').select(sql<string>`payload->>'language'`.as('language')).where('broadcast_id', '=', latePublished.body.broadcastId).execute();
    expect(languages.every((l) => l.language === 'ru')).toBe(true);
  });

  it('a news item reports a decision on a poll (KPI 13): linked both ways, found by the poll; an unknown poll is refused', async () => {
    const poll = await sql<{
      id: number;
    }>`INSERT INTO poll (kind, starts_at, ends_at, municipality_id, state, title) VALUES ('poll', now() - interval '2 days', now() - interval '1 day', ${h.municipality.Kemerovo}, 'closed', 'Какой сквер благоустроить?') RETURNING id`.execute(
      h.t.db,
    );
    const pollId = poll.rows[0]!.id;
    const created = await h.request('POST', '/api/v1/news', {
      token: h.keys.Kemerovo.curator,
      body: { municipalityId: h.municipality.Kemerovo, title: 'Решение по итогам опроса', body: 'Сквер у школы № 5 благоустроят в 2027 году.', pollId },
    });
    expect(created.status).toBe(201);
    expect(created.body.pollId).toBe(pollId);
    await h.request('POST', `/api/v1/news/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    await sql`INSERT INTO poll_decision (poll_id, decided_on, text, decided_by, news_item_id) VALUES (${pollId}, '2026-12-01', 'Благоустроить сквер у школы № 5', 'Глава города', ${created.body.id})`.execute(
      h.t.db,
    );
    const found = await h.request('GET', `/api/v1/news?pollId=${pollId}`, { token: h.keys.Kemerovo.curator });
    expect(found.body.items.map((n: { id: number }) => n.id)).toEqual([created.body.id]);
    // KPI 13: a decision taken on a poll, published in News.
    const kpi = await sql<{ n: string }>`
      SELECT count(*) AS n FROM poll_decision d JOIN news_item n ON n.id = d.news_item_id AND n.poll_id = d.poll_id AND n.state = 'published'`.execute(h.t.db);
    expect(Number(kpi.rows[0]!.n)).toBe(1);

    const unknown = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: h.municipality.Kemerovo, title: 'x', body: 'y', pollId: 987_654 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details.field).toBe('pollId');
    const foreignPoll = await sql<{
      id: number;
    }>`INSERT INTO poll (kind, starts_at, ends_at, municipality_id, state, title) VALUES ('poll', now() - interval '2 days', now() - interval '1 day', ${h.municipality.Novokuznetsk}, 'closed', 'Чужой опрос') RETURNING id`.execute(
      h.t.db,
    );
    const foreign = await h.request('PATCH', `/api/v1/news/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { pollId: foreignPoll.rows[0]!.id } });
    expect(foreign.status).toBe(400);
  });

  it('refuses 11 photos, photos with a video, a 60 MB video, and a file that is no image or video, naming the field', async () => {
    const kemerovo = h.municipality.Kemerovo;
    const photos: number[] = [];
    for (let i = 0; i < 11; i++) photos.push((await upload(jpegBytes(300, 100 + i), 'image/jpeg')).body.id);
    const eleven = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: kemerovo, title: 'Фото', body: 'Много', mediaIds: photos } });
    expect(eleven.status).toBe(400);
    expect(JSON.stringify(eleven.body)).toContain('mediaIds');
    const ten = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: kemerovo, title: 'Фото', body: 'Десять', mediaIds: photos.slice(0, 10) } });
    expect(ten.status).toBe(201);

    const video = await upload(mp4Bytes(2048), 'video/mp4');
    expect(video.status).toBe(201);
    const mixed = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: kemerovo, title: 'Видео', body: 'И фото', mediaIds: [video.body.id, photos[0]] } });
    expect(mixed.status).toBe(400);
    expect(mixed.body.details.field).toBe('mediaIds');
    const oneVideo = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: kemerovo, title: 'Видео', body: 'Одно', mediaIds: [video.body.id] } });
    expect(oneVideo.status).toBe(201);

    const big = new Uint8Array(60 * 1024 * 1024);
    big.set(mp4Bytes(64));
    const tooLarge = await upload(big, 'video/mp4');
    expect(tooLarge.status).toBe(413);
    const text = await upload(new TextEncoder().encode('not a picture at all, just text'), 'text/plain');
    expect(text.status).toBe(415);

    const foreign = await upload(jpegBytes(300, 77), 'image/jpeg', h.keys.Novokuznetsk.curator);
    const notOurs = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: kemerovo, title: 'Чужое', body: 'Фото', mediaIds: [foreign.body.id] } });
    expect(notOurs.status).toBe(404);
    expect(await h.t.db.selectFrom('news_item').select('id').where('title', '=', 'Чужое').execute()).toEqual([]);
  });

  it('a retired category is refused for a new item and for a change (400 naming categoryId), as polls refuse it; an item already in it keeps it', async () => {
    const m = h.municipality.Kemerovo;
    const retired = await h.categoryId('roads.signs');
    const before = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: m, title: 'Разметка', body: 'Текст', categoryId: retired } });
    expect(before.status).toBe(201);
    const other = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: m, title: 'Другое', body: 'Текст' } });
    expect((await h.request('PATCH', `/api/v1/categories/${retired}`, { body: { active: false } })).status).toBe(200);
    try {
      const created = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: m, title: 'Разметка', body: 'Текст', categoryId: retired } });
      expect(created.status, JSON.stringify(created.body)).toBe(400);
      expect(created.body).toMatchObject({ code: 'VALIDATION', details: { field: 'categoryId' } });
      const moved = await h.request('PATCH', `/api/v1/news/${other.body.id}`, { token: h.keys.Kemerovo.curator, body: { categoryId: retired } });
      expect(moved.status, JSON.stringify(moved.body)).toBe(400);
      expect((await h.request('GET', `/api/v1/news/${other.body.id}`, { token: h.keys.Kemerovo.curator })).body.categoryId).toBeNull();
      const kept = await h.request('PATCH', `/api/v1/news/${before.body.id}`, { token: h.keys.Kemerovo.curator, body: { title: 'Разметка улиц', categoryId: retired } });
      expect(kept.status, JSON.stringify(kept.body)).toBe(200);
      expect(kept.body).toMatchObject({ title: 'Разметка улиц', categoryId: retired });
    } finally {
      await h.request('PATCH', `/api/v1/categories/${retired}`, { body: { active: true } });
    }
  });

  it('keeps scope: another municipality is 404, an executor may not write, a past publishAt is 400', async () => {
    const created = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: h.municipality.Kemerovo, title: 'Своё', body: 'Текст' } });
    for (const [method, path] of [
      ['GET', `/api/v1/news/${created.body.id}`],
      ['PATCH', `/api/v1/news/${created.body.id}`],
      ['POST', `/api/v1/news/${created.body.id}/publish`],
      ['POST', `/api/v1/news/${created.body.id}/archive`],
    ] as const) {
      const reply = await h.request(method, path, { token: h.keys.Novokuznetsk.curator, ...(method === 'PATCH' && { body: { title: 'Чужое' } }) });
      expect(reply.status, `${method} ${path}`).toBe(404);
    }
    const other = await h.request('POST', '/api/v1/news', { token: h.keys.Novokuznetsk.curator, body: { municipalityId: h.municipality.Kemerovo, title: 'x', body: 'y' } });
    expect(other.status).toBe(404);
    const executor = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.executor, body: { municipalityId: h.municipality.Kemerovo, title: 'x', body: 'y' } });
    expect(executor.status).toBe(403);
    const past = await h.request('POST', '/api/v1/news', {
      token: h.keys.Kemerovo.curator,
      body: { municipalityId: h.municipality.Kemerovo, title: 'x', body: 'y', publishAt: '2026-11-30T10:00:00+07:00' },
    });
    expect(past.status).toBe(400);
    expect(past.body.details.field).toBe('publishAt');
    const garbage = await h.request('POST', '/api/v1/news', { token: h.keys.Kemerovo.curator, body: { municipalityId: h.municipality.Kemerovo, title: 'x', body: 'y', publishAt: 'tomorrow' } });
    expect(garbage.status).toBe(400);
  });
});

describe('events through the admin API', () => {
  const event = (over: Record<string, unknown> = {}) => ({
    municipalityId: h.municipality.Kemerovo,
    kind: 'culture',
    title: 'Концерт симфонического оркестра',
    description: 'Бетховен, Симфония № 9',
    startsAt: '2026-12-05T18:00',
    endsAt: '2026-12-05T20:00',
    venue,
    ageLimit: 6,
    price: 'от 500 ₽',
    organiser: 'Кузбасский симфонический оркестр',
    link: 'https://example.ru/tickets',
    ...over,
  });

  it('refuses an end before the start and a venue outside the municipality, naming the field', async () => {
    const reversed = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ endsAt: '2026-12-05T17:00' }) });
    expect(reversed.status).toBe(400);
    expect(reversed.body.details.field).toBe('endsAt');
    const outside = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ venue: { ...venue, ...NOVOKUZNETSK_CENTER } }) });
    expect(outside.status).toBe(400);
    expect(outside.body.details.field).toBe('venue');
    const video = await upload(mp4Bytes(4096), 'video/mp4');
    const notPhoto = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ photoMediaId: video.body.id }) });
    expect(notPhoto.status).toBe(400);
    expect(notPhoto.body.details.field).toBe('photoMediaId');
    expect(await h.t.db.selectFrom('afisha_event').select('id').execute()).toEqual([]);
  });

  it('publishing broadcasts to subscribers of the kind with the venue; periods; a reminder at start − 3 h; cancel tells who asked', async () => {
    const kemerovo = h.municipality.Kemerovo;
    const fan = await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    await setSubscription(h.t.db, fan, 'culture_events', true, h.now());
    const sportFan = await registeredResident(h.t.db, { municipalityId: kemerovo, channel: 'vk', now: h.now() });
    await setSubscription(h.t.db, sportFan, 'sport_events', true, h.now());

    const photo = await upload(jpegBytes(320, 55), 'image/jpeg');
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ photoMediaId: photo.body.id }) });
    expect(created.status).toBe(201);
    // Saturday 5 December 18:00 in Kemerovo is 11:00 UTC.
    expect(created.body).toMatchObject({ state: 'draft', startsAt: '2026-12-05T11:00:00.000Z', endsAt: '2026-12-05T13:00:00.000Z' });
    const published = await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    expect(published.status).toBe(200);
    await expand(published.body.broadcastId);
    const rows = await h.t.db.selectFrom('outbox').select(['resident_id', 'payload']).where('broadcast_id', '=', published.body.broadcastId).execute();
    expect(rows.map((r) => r.resident_id)).toEqual([fan]);
    expect(rows[0]!.payload).toMatchObject({ key: 'events.broadcast', media: [photo.body.id], location: { lat: venue.lat, lon: venue.lon } });

    const weekend = await h.request('GET', `/api/v1/events?period=weekend&municipalityId=${kemerovo}`, { token: h.keys.Kemerovo.curator });
    expect(weekend.body.items.map((e: { id: number }) => e.id)).toEqual([created.body.id]);
    const today = await h.request('GET', '/api/v1/events?period=today', { token: h.keys.Kemerovo.curator });
    expect(today.body.items).toEqual([]);
    const sport = await h.request('GET', '/api/v1/events?kind=sport', { token: h.keys.Kemerovo.curator });
    expect(sport.body.items).toEqual([]);

    // The fan asks for a reminder: nothing is queued until 18:00 − 3 h local = 08:00 UTC.
    const { remindMe } = await import('../../../core/news/events.service.ts');
    expect(await remindMe(h.t.db, created.body.id, fan, h.now())).toBe('scheduled');
    expect(await remindMe(h.t.db, created.body.id, fan, h.now())).toBe('already');
    expect(await cronReminders('2026-12-05T07:59:00Z')).toEqual({ queued: 0, failed: 0 });
    expect(await cronReminders('2026-12-05T08:00:00Z')).toEqual({ queued: 1, failed: 0 });
    const reminder = await h.t.db.selectFrom('outbox').select(['kind', 'payload', 'state']).where('resident_id', '=', fan).where('kind', '=', 'event.reminder').executeTakeFirstOrThrow();
    expect(reminder.payload).toMatchObject({ key: 'events.reminder', params: { title: 'Концерт симфонического оркестра', starts: kuzbass('2026-12-05T18:00') }, location: { lat: venue.lat } });

    // A second event: a reminder asked for, then the event is cancelled before it is due.
    const second = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Ёлка', startsAt: '2026-12-06T12:00', endsAt: '2026-12-06T14:00' }) });
    await h.request('POST', `/api/v1/events/${second.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    await remindMe(h.t.db, second.body.id, fan, h.now());
    const cancelled = await h.request('POST', `/api/v1/events/${second.body.id}/cancel`, { token: h.keys.Kemerovo.curator, body: { reason: 'Погода' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', told: 1, cancelReason: 'Погода' });
    expect(await cronReminders('2026-12-06T03:00:00Z')).toEqual({ queued: 0, failed: 0 });
    const told = await h.t.db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', fan).where('kind', 'in', ['event.cancelled', 'event.reminder']).orderBy('id').execute();
    expect(told.map((r) => r.kind)).toEqual(['event.reminder', 'event.cancelled']);
    expect(told[1]!.payload).toMatchObject({ key: 'events.cancelled', params: { title: 'Ёлка', reason: 'Погода' } });
    expect((await h.request('POST', `/api/v1/events/${second.body.id}/cancel`, { token: h.keys.Kemerovo.curator })).status).toBe(409);
    const audit = await h.t.db.selectFrom('audit_log').select('action').where('entity', '=', 'afisha_event').where('entity_id', '=', String(second.body.id)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['event.create', 'event.publish', 'event.cancel']);

    // A reminder already queued is dropped when the event is cancelled.
    const third = await h.request('POST', '/api/v1/events', {
      token: h.keys.Kemerovo.curator,
      body: event({ title: 'Лыжня', kind: 'sport', startsAt: '2026-12-01T12:00', endsAt: '2026-12-01T13:00' }),
    });
    await h.request('POST', `/api/v1/events/${third.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    // It starts within 3 hours: the reminder is queued at once (and says so).
    expect(await remindMe(h.t.db, third.body.id, sportFan, h.now())).toBe('soon');
    const queuedNow = await h.t.db.selectFrom('outbox').select(['id', 'state']).where('resident_id', '=', sportFan).where('kind', '=', 'event.reminder').executeTakeFirstOrThrow();
    expect(queuedNow.state).toBe('pending');
    await h.request('POST', `/api/v1/events/${third.body.id}/cancel`, { token: h.keys.Kemerovo.curator });
    const dropped = await h.t.db.selectFrom('outbox').select('state').where('id', '=', queuedNow.id).executeTakeFirstOrThrow();
    expect(dropped.state).toBe('cancelled');
  });

  it('cancelling an event while its announcement is still going out stops the rest of it (no "Remind me" for a cancelled event)', async () => {
    const fans = [];
    for (let i = 0; i < 2; i++) {
      const fan = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
      await setSubscription(h.t.db, fan, 'culture_events', true, h.now());
      fans.push(fan);
    }
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Органный вечер', startsAt: '2026-12-07T18:00', endsAt: '2026-12-07T20:00' }) });
    const published = await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    await expand(published.body.broadcastId);
    expect(await recipients(published.body.broadcastId)).toEqual(expect.arrayContaining(fans));
    expect((await h.request('POST', `/api/v1/events/${created.body.id}/cancel`, { token: h.keys.Kemerovo.curator, body: { reason: 'Болезнь солиста' } })).status).toBe(200);
    const progress = (await h.request('GET', `/api/v1/broadcasts/${published.body.broadcastId}`, { token: h.keys.Kemerovo.curator })).body;
    expect(progress).toMatchObject({ status: 'cancelled', pending: 0, sent: 0 });
    expect(progress.cancelled).toBe(progress.recipients);
  });

  it('an event without a description is announced without an empty paragraph closing the message', async () => {
    const fan = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
    await setSubscription(h.t.db, fan, 'culture_events', true, h.now());
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ description: '' }) });
    expect(created.status).toBe(201);
    const published = await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    await expand(published.body.broadcastId);
    const row = await h.t.db.selectFrom('outbox').select('payload').where('broadcast_id', '=', published.body.broadcastId).executeTakeFirstOrThrow();
    expect(row.payload.key).toBe('events.broadcast_brief');
    const text = createTranslator()('ru', 'events.broadcast_brief', { ...row.payload.params, kindLabel: 'Культура', ageLine: '', priceLabel: 'от 500 ₽' });
    expect(text).toMatch(/💳 от 500 ₽$/);
  });

  it('an event moved after publication: the announcement not sent yet says the new time', async () => {
    const fan = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
    await setSubscription(h.t.db, fan, 'culture_events', true, h.now());
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Джазовый вечер', startsAt: '2026-12-08T18:00', endsAt: '2026-12-08T20:00' }) });
    const published = await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    await expand(published.body.broadcastId);
    const moved = await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { startsAt: '2026-12-09T19:00', endsAt: '2026-12-09T21:00' } });
    expect(moved.status).toBe(200);
    // The waiting row takes the new time when a sender claims it (the edit revises the broadcast's one payload).
    const row = await h.t.db.selectFrom('outbox').select(['id', 'chat_id']).where('broadcast_id', '=', published.body.broadcastId).where('resident_id', '=', fan).executeTakeFirstOrThrow();
    await h.t.db.updateTable('outbox').set({ state: 'sent' }).where('chat_id', '=', row.chat_id).where('state', '=', 'pending').where('id', '<>', row.id).execute();
    const claimed = [...(await claimDue(h.t.db, { channel: 'tg', claimedBy: 'test', limit: 1000 })), ...(await claimDue(h.t.db, { channel: 'vk', claimedBy: 'test', limit: 1000 }))].find(
      (r) => r.id === row.id,
    );
    expect(claimed!.payload).toMatchObject({
      key: 'events.broadcast',
      params: { starts: kuzbass('2026-12-09T19:00'), ends: kuzbass('2026-12-09T21:00') },
      location: { lat: venue.lat, lon: venue.lon },
      language: 'ru',
    });
  });

  it('moving an event moves its reminders: a queued one goes back to waiting for the new start − 3 h', async () => {
    const { remindMe } = await import('../../../core/news/events.service.ts');
    const fan = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
    // Today 12:00 local (05:00 UTC); now is 10:00 local, inside the 3 hours: queued at once.
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Мастер-класс', startsAt: '2026-12-01T12:00', endsAt: '2026-12-01T13:00' }) });
    await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    expect(await remindMe(h.t.db, created.body.id, fan, h.now())).toBe('soon');
    const first = await h.t.db.selectFrom('outbox').select(['id', 'state']).where('resident_id', '=', fan).where('kind', '=', 'event.reminder').executeTakeFirstOrThrow();
    expect(first.state).toBe('pending');

    expect((await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: {} })).status).toBe(200);
    const moved = await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { startsAt: '2026-12-02T18:00', endsAt: '2026-12-02T19:00' } });
    expect(moved.status).toBe(200);
    expect((await h.t.db.selectFrom('outbox').select('state').where('id', '=', first.id).executeTakeFirstOrThrow()).state).toBe('cancelled');
    // 18:00 − 3 h local on 2 December = 08:00 UTC.
    expect(await cronReminders('2026-12-02T07:59:00Z')).toEqual({ queued: 0, failed: 0 });
    expect(await cronReminders('2026-12-02T08:00:00Z')).toEqual({ queued: 1, failed: 0 });
    const rows = await h.t.db.selectFrom('outbox').select(['state', 'payload']).where('resident_id', '=', fan).where('kind', '=', 'event.reminder').orderBy('id').execute();
    expect(rows.map((r) => r.state)).toEqual(['cancelled', 'pending']);
    expect(rows[1]!.payload).toMatchObject({ params: { starts: kuzbass('2026-12-02T18:00') } });
    const audit = await h.t.db.selectFrom('audit_log').select('action').where('entity', '=', 'afisha_event').where('entity_id', '=', String(created.body.id)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['event.create', 'event.publish', 'event.edit_published']);
  });

  it('a reminder already sent for the old time: the moved event is reminded of again before its new start, once', async () => {
    const { remindMe } = await import('../../../core/news/events.service.ts');
    const fan = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
    // Today 12:00 local: the reminder goes out at once and is delivered.
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Фестиваль снега', startsAt: '2026-12-01T12:00', endsAt: '2026-12-01T13:00' }) });
    await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    expect(await remindMe(h.t.db, created.body.id, fan, h.now())).toBe('soon');
    await h.t.db.updateTable('outbox').set({ state: 'sent' }).where('resident_id', '=', fan).where('kind', '=', 'event.reminder').execute();

    const moved = await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { startsAt: '2026-12-03T18:00', endsAt: '2026-12-03T19:00' } });
    expect(moved.status).toBe(200);
    // 18:00 − 3 h local on 3 December = 08:00 UTC; a later run queues nothing more.
    expect(await cronReminders('2026-12-03T07:59:00Z')).toEqual({ queued: 0, failed: 0 });
    expect(await cronReminders('2026-12-03T08:00:00Z')).toEqual({ queued: 1, failed: 0 });
    expect(await cronReminders('2026-12-03T08:01:00Z')).toEqual({ queued: 0, failed: 0 });
    const rows = await h.t.db.selectFrom('outbox').select(['state', 'payload']).where('resident_id', '=', fan).where('kind', '=', 'event.reminder').orderBy('id').execute();
    expect(rows.map((r) => r.state)).toEqual(['sent', 'pending']);
    expect(rows[1]!.payload).toMatchObject({ key: 'events.reminder', params: { starts: kuzbass('2026-12-03T18:00') } });
  });

  it('moving a published event tells everyone who asked for a reminder the new time at once; an edit that keeps the time tells no one', async () => {
    const { remindMe } = await import('../../../core/news/events.service.ts');
    const fan = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
    const created = await h.request('POST', '/api/v1/events', {
      token: h.keys.Kemerovo.curator,
      body: event({ title: 'Лекция о Кузбассе', startsAt: '2026-12-10T18:00', endsAt: '2026-12-10T19:30' }),
    });
    await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    expect(await remindMe(h.t.db, created.body.id, fan, h.now())).toBe('scheduled');
    const notices = () => h.t.db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', fan).where('kind', '=', 'event.moved').execute();

    await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { description: 'Вход по записи' } });
    expect(await notices()).toEqual([]);
    const moved = await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { startsAt: '2026-12-11T17:00', endsAt: '2026-12-11T18:30' } });
    expect(moved.status).toBe(200);
    const told = await notices();
    expect(told).toHaveLength(1);
    expect(told[0]!.payload).toMatchObject({
      key: 'events.moved',
      params: { title: 'Лекция о Кузбассе', was: kuzbass('2026-12-10T18:00'), starts: kuzbass('2026-12-11T17:00'), ends: kuzbass('2026-12-11T18:30') },
    });
  });

  it('an event moved a third time, back to a time it was moved to before, is told each time', async () => {
    const { remindMe } = await import('../../../core/news/events.service.ts');
    const fan = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Вечер романса', startsAt: '2026-12-13T18:00', endsAt: '2026-12-13T20:00' }) });
    await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    expect(await remindMe(h.t.db, created.body.id, fan, h.now())).toBe('scheduled');
    for (const start of ['2026-12-13T19:00', '2026-12-14T19:00', '2026-12-13T19:00']) {
      const end = start.replace('T19:00', 'T21:00');
      expect((await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { startsAt: start, endsAt: end } })).status).toBe(200);
      h.advance(60_000);
    }
    const told = await h.t.db.selectFrom('outbox').select('payload').where('resident_id', '=', fan).where('kind', '=', 'event.moved').orderBy('id').execute();
    expect(told.map((r) => [r.payload.params?.was, r.payload.params?.starts])).toEqual([
      [kuzbass('2026-12-13T18:00'), kuzbass('2026-12-13T19:00')],
      [kuzbass('2026-12-13T19:00'), kuzbass('2026-12-14T19:00')],
      [kuzbass('2026-12-14T19:00'), kuzbass('2026-12-13T19:00')],
    ]);
  });

  it('a new venue alone is told to everyone who asked for a reminder, with the new place; a corrected map point alone tells no one', async () => {
    const { remindMe } = await import('../../../core/news/events.service.ts');
    const fan = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
    const created = await h.request('POST', '/api/v1/events', {
      token: h.keys.Kemerovo.curator,
      body: event({ title: 'Турнир по шахматам', startsAt: '2026-12-04T15:00', endsAt: '2026-12-04T18:00' }),
    });
    await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    expect(await remindMe(h.t.db, created.body.id, fan, h.now())).toBe('scheduled');
    const notices = () => h.t.db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', fan).where('kind', 'in', ['event.venue_changed', 'event.moved']).orderBy('id').execute();

    const pin = { ...venue, lat: venue.lat + 0.0005 };
    expect((await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { venue: pin } })).status).toBe(200);
    expect(await notices()).toEqual([]);
    const hall = { name: 'Дворец творчества', address: 'Кемерово, пр. Кузнецкий, 65', lat: venue.lat + 0.01, lon: venue.lon };
    expect((await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { venue: hall } })).status).toBe(200);
    const told = await notices();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({
      kind: 'event.venue_changed',
      payload: {
        key: 'events.venue_changed',
        params: { title: 'Турнир по шахматам', starts: kuzbass('2026-12-04T15:00'), venue: hall.name, address: hall.address, was: `${venue.name}, ${venue.address}` },
        location: { lat: hall.lat, lon: hall.lon },
      },
    });
  });

  it('an event that is over: correcting its time or venue, or cancelling it, tells no one who asked for its reminder', async () => {
    const { publishEvent, remindMe } = await import('../../../core/news/events.service.ts');
    const fan = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
    // Yesterday evening's concert, published and asked about the day before.
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Вечер бардов', startsAt: '2026-11-30T18:00', endsAt: '2026-11-30T20:00' }) });
    const before = new Date('2026-11-29T03:00:00Z');
    await publishEvent(h.t.db, created.body.id, before, null);
    expect(await remindMe(h.t.db, created.body.id, fan, before)).toBe('scheduled');

    const hall = { name: 'Дворец творчества', address: 'Кемерово, пр. Кузнецкий, 65', lat: venue.lat + 0.01, lon: venue.lon };
    for (const body of [{ startsAt: '2026-11-30T17:30', endsAt: '2026-11-30T19:30' }, { venue: hall }]) {
      expect((await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body })).status).toBe(200);
    }
    const cancelled = await h.request('POST', `/api/v1/events/${created.body.id}/cancel`, { token: h.keys.Kemerovo.curator, body: { reason: 'Ошибка в афише' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.told).toBe(0);
    expect(await h.t.db.selectFrom('outbox').select('kind').where('resident_id', '=', fan).execute()).toEqual([]);
  });

  it('«Афиша» across the weekend and the time-zone boundary: an event at 00:30 Saturday local is not Friday\'s "today"', async () => {
    const { afisha } = await import('../../../core/news/events.service.ts');
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Ночь кино', startsAt: '2026-12-12T00:30', endsAt: '2026-12-12T03:00' }) });
    await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    // Friday 11 December 23:00 local = 16:00 UTC; the event starts at 17:30 UTC the same UTC day.
    const fridayEvening = new Date('2026-12-11T16:00:00Z');
    const ids = async (period: 'today' | 'weekend' | 'week', kind?: 'culture' | 'sport', now = fridayEvening) => (await afisha(h.t.db, h.municipality.Kemerovo, period, kind, now)).map((e) => e.id);
    expect(await ids('today')).not.toContain(created.body.id);
    expect(await ids('weekend')).toContain(created.body.id);
    expect(await ids('week')).toContain(created.body.id);
    expect(await ids('weekend', 'sport')).not.toContain(created.body.id);
    // Saturday 01:00 local (Friday 18:00 UTC): it is on now, so "today" shows it.
    expect(await ids('today', 'culture', new Date('2026-12-11T18:00:00Z'))).toContain(created.body.id);
    // Once over it leaves «Афиша».
    expect(await ids('weekend', undefined, new Date('2026-12-11T20:30:00Z'))).not.toContain(created.body.id);
  });

  it('serves an .ics a calendar parser accepts; drafts and other municipalities stay hidden', async () => {
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Лекция', startsAt: '2026-12-10T19:00', endsAt: '2026-12-10T20:30' }) });
    expect((await h.request('GET', `/calendar/events/${created.body.id}.ics`, { token: null })).status).toBe(404);
    await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    const file = await h.request('GET', `/calendar/events/${created.body.id}.ics`, { token: null });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('text/calendar');
    const parsed = nodeIcal.sync.parseICS(file.text);
    const vevent = Object.values(parsed).find((c) => c?.type === 'VEVENT') as nodeIcal.VEvent;
    expect(vevent.summary).toBe('Лекция');
    expect(new Date(vevent.start as unknown as string).toISOString()).toBe('2026-12-10T12:00:00.000Z');
    expect(new Date(vevent.end as unknown as string).toISOString()).toBe('2026-12-10T13:30:00.000Z');
    expect(String(vevent.location)).toContain('Филармония Кузбасса');
    expect((await h.request('GET', '/calendar/events/999999.ics', { token: null })).status).toBe(404);
    expect((await h.request('GET', `/api/v1/events/${created.body.id}`, { token: h.keys.Novokuznetsk.curator })).status).toBe(404);
    expect((await h.request('POST', `/api/v1/events/${created.body.id}/cancel`, { token: h.keys.Novokuznetsk.curator })).status).toBe(404);
  });

  it('escapes the calendar name of an .ics as the summary is (a title with ; , and a backslash)', async () => {
    const title = 'Матч; финал, 1/2 \\ кубок';
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title, startsAt: '2026-12-12T19:00', endsAt: '2026-12-12T21:00' }) });
    await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    const file = await h.request('GET', `/calendar/events/${created.body.id}.ics`, { token: null });
    const lines = file.text.split('\r\n');
    const escaped = 'Матч\\; финал\\, 1/2 \\\\ кубок';
    expect(lines).toContain(`SUMMARY:${escaped}`);
    expect(lines).toContain(`NAME:${escaped}`);
    expect(lines).toContain(`X-WR-CALNAME:${escaped}`);
  });

  it('an .ics of a moved or cancelled event carries a higher SEQUENCE than the one imported before, so calendars take the change', async () => {
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Лыжня Кузбасса', startsAt: '2026-12-19T10:00', endsAt: '2026-12-19T13:00' }) });
    await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    const vevent = async () => {
      const file = await h.request('GET', `/calendar/events/${created.body.id}.ics`, { token: null });
      return Object.values(nodeIcal.sync.parseICS(file.text)).find((c) => c?.type === 'VEVENT') as nodeIcal.VEvent;
    };
    const published = await vevent();
    // RFC 5545 §3.8.7.4: 0 when created, higher with every revision; a calendar that has the event
    // (same UID) applies a file only when its SEQUENCE is higher.
    expect(published.sequence).toBe(0);
    h.advance(60_000);
    await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { startsAt: '2026-12-20T10:00', endsAt: '2026-12-20T13:00' } });
    const moved = await vevent();
    expect(moved.uid).toBe(published.uid);
    expect(new Date(moved.start as unknown as string).toISOString()).toBe('2026-12-20T03:00:00.000Z');
    expect(moved.sequence).toBeGreaterThan(0);
    h.advance(60_000);
    await h.request('POST', `/api/v1/events/${created.body.id}/cancel`, { token: h.keys.Kemerovo.curator, body: { reason: 'Оттепель' } });
    const cancelled = await vevent();
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.sequence).toBeGreaterThan(moved.sequence as number);
  });

  it('an .ics carries a strong ETag and Cache-Control; If-None-Match with it is 304 until the event is revised or cancelled', async () => {
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Ёлка на площади', startsAt: '2026-12-26T18:00', endsAt: '2026-12-26T21:00' }) });
    await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    const url = `/calendar/events/${created.body.id}.ics`;
    const fetchIcs = (ifNoneMatch?: string, method = 'GET') => h.request(method, url, { token: null, headers: ifNoneMatch === undefined ? {} : { 'if-none-match': ifNoneMatch } });
    const first = await fetchIcs();
    expect(first.status).toBe(200);
    const tag = first.headers.get('etag')!;
    expect(tag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    // The same file for the same event: the same tag, however often it is asked.
    expect((await fetchIcs()).headers.get('etag')).toBe(tag);
    for (const header of [tag, `W/${tag}`, `"older", ${tag}`, '*']) {
      const cached = await fetchIcs(header);
      expect(cached.status, header).toBe(304);
      expect(cached.text, header).toBe('');
      expect(cached.headers.get('etag'), header).toBe(tag);
      expect(cached.headers.get('cache-control'), header).toBe('public, max-age=300');
    }
    expect((await fetchIcs(tag, 'HEAD')).status).toBe(304);
    const other = await fetchIcs('"0000000000000000000000000000000000000000"');
    expect(other.status).toBe(200);
    expect(other.text).toBe(first.text);
    // A revision is another file: the old tag gets the whole new one.
    h.advance(60_000);
    await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { title: 'Ёлка на главной площади' } });
    const revised = await fetchIcs(tag);
    expect(revised.status).toBe(200);
    expect(revised.text).toContain('SUMMARY:Ёлка на главной площади');
    const revisedTag = revised.headers.get('etag')!;
    expect(revisedTag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(revisedTag).not.toBe(tag);
    expect((await fetchIcs(revisedTag)).status).toBe(304);
    h.advance(60_000);
    await h.request('POST', `/api/v1/events/${created.body.id}/cancel`, { token: h.keys.Kemerovo.curator, body: { reason: 'Мороз' } });
    const cancelled = await fetchIcs(revisedTag);
    expect(cancelled.status).toBe(200);
    expect(cancelled.text).toContain('STATUS:CANCELLED');
    expect(cancelled.headers.get('etag')).not.toBe(revisedTag);
    expect(cancelled.headers.get('etag')).not.toBe(tag);
    // Not found stays 404 whatever the client holds.
    expect((await h.request('GET', '/calendar/events/999999.ics', { token: null, headers: { 'if-none-match': '*' } })).status).toBe(404);
  });

  it("an .ics event's UID names no host: the same whichever host name serves the file (PUBLIC_URL or the request's)", async () => {
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event({ title: 'Каток', startsAt: '2026-12-27T12:00', endsAt: '2026-12-27T14:00' }) });
    await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    const uid = async (base: string) => {
      const file = await h.request('GET', `${base}/calendar/events/${created.body.id}.ics`, { token: null });
      expect(file.status).toBe(200);
      return (Object.values(nodeIcal.sync.parseICS(file.text)).find((c) => c?.type === 'VEVENT') as nodeIcal.VEvent).uid;
    };
    const { created_at } = await h.t.db.selectFrom('afisha_event').select('created_at').where('id', '=', created.body.id).executeTakeFirstOrThrow();
    const expected = `afisha-event-${created.body.id}-${created_at.getTime().toString(36)}@otklik`;
    expect(await uid('')).toBe(expected);
    expect(await uid('http://otklik.example.org')).toBe(expected);
    expect(await uid('https://new-name.example.org:8443')).toBe(expected);
    // A revision keeps it.
    h.advance(60_000);
    await h.request('PATCH', `/api/v1/events/${created.body.id}`, { token: h.keys.Kemerovo.curator, body: { title: 'Каток на стадионе' } });
    expect(await uid('http://otklik.example.org')).toBe(expected);
  });

  it('a second publish of an event is 409 ILLEGAL_TRANSITION whose detail does not call the event a message', async () => {
    const created = await h.request('POST', '/api/v1/events', { token: h.keys.Kemerovo.curator, body: event() });
    expect((await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator })).status).toBe(200);
    const again = await h.request('POST', `/api/v1/events/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { state: 'published', action: 'publish' } });
    expect(again.body.detail).not.toMatch(/message/i);
  });
});
