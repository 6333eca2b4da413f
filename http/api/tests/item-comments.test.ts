import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addComment, reportComment, visibleComments } from '../../../core/item-comments/comments.service.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { registeredResident } from '../../../test/residents.ts';

let h: ApiHarness;
let newsId: number;
beforeAll(async () => {
  h = await createApiHarness();
  const created = await h.request('POST', '/api/v1/news', {
    token: h.keys.Kemerovo.curator,
    body: { municipalityId: h.municipality.Kemerovo, title: 'Благоустройство', body: 'Сквер откроют в мае.' },
  });
  await h.request('POST', `/api/v1/news/${created.body.id}/publish`, { token: h.keys.Kemerovo.curator });
  newsId = created.body.id;
});
afterAll(() => h.close());

const kemerovoResident = () => registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
const comment = async (residentId: number, text: string, target: { kind: 'news' | 'poll'; id: number } = { kind: 'news', id: newsId }) =>
  addComment(h.t.db, { residentId, residentMunicipalityId: h.municipality.Kemerovo, target, text }, h.now());
const noticesOf = async (residentId: number) =>
  h.t.db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', residentId).where('kind', 'like', 'item_comment.%').orderBy('id').execute();

describe('comments on news and polls', () => {
  it('post-moderation: shown at once; a moderator hides one with a reason and its author is told; an official replies', async () => {
    const author = await kemerovoResident();
    const shown = await comment(author, 'Спасибо, ждём!');
    expect(shown.state).toBe('published');
    expect((await visibleComments(h.t.db, { kind: 'news', id: newsId })).map((c) => c.id)).toContain(shown.id);

    const rude = await comment(author, 'Грубость');
    const hidden = await h.request('POST', `/api/v1/comments/${rude.id}/hide`, { token: h.keys.Kemerovo.moderator, body: { reason: 'Оскорбления' } });
    expect(hidden.status).toBe(200);
    expect(hidden.body).toMatchObject({ state: 'hidden', hiddenReason: 'Оскорбления' });
    expect((await visibleComments(h.t.db, { kind: 'news', id: newsId })).map((c) => c.id)).not.toContain(rude.id);

    const replied = await h.request('POST', `/api/v1/comments/${shown.id}/reply`, { token: h.keys.Kemerovo.moderator, body: { text: 'Откроем 1 мая.' } });
    expect(replied.body).toMatchObject({ replyText: 'Откроем 1 мая.' });
    const notices = await noticesOf(author);
    expect(notices.map((n) => n.kind)).toEqual(['item_comment.hidden', 'item_comment.reply']);
    expect(notices[0]!.payload).toMatchObject({ key: 'item_comments.hidden_notice', params: { reason: 'Оскорбления' } });
    expect(notices[1]!.payload).toMatchObject({ key: 'item_comments.reply_notice', params: { reply: 'Откроем 1 мая.' } });
    const audit = await h.t.db.selectFrom('audit_log').select('action').where('entity', '=', 'item_comment').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['item_comment.hide', 'item_comment.reply']);
    // The author has the first reply: a second one would silently replace it.
    const second = await h.request('POST', `/api/v1/comments/${shown.id}/reply`, { token: h.keys.Kemerovo.moderator, body: { text: 'Нет, 2 мая.' } });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('COMMENT_ALREADY_REPLIED');
    expect((await noticesOf(author)).length).toBe(2);
    expect((await h.request('POST', `/api/v1/comments/${rude.id}/hide`, { token: h.keys.Kemerovo.moderator, body: { reason: 'ещё раз' } })).status).toBe(409);
  });

  it('pre-moderation: a comment waits until a moderator approves it', async () => {
    const policy = await h.request('PUT', '/api/v1/comments/policy', { token: h.keys.Kemerovo.curator, body: { municipalityId: h.municipality.Kemerovo, premoderation: true } });
    expect(policy.status).toBe(200);
    const author = await kemerovoResident();
    const waiting = await comment(author, 'Когда уберут снег?');
    expect(waiting.state).toBe('pending');
    expect((await visibleComments(h.t.db, { kind: 'news', id: newsId })).map((c) => c.id)).not.toContain(waiting.id);
    const queue = await h.request('GET', '/api/v1/comments?state=pending', { token: h.keys.Kemerovo.moderator });
    expect(queue.body.items.map((c: { id: number }) => c.id)).toEqual([waiting.id]);
    const approved = await h.request('POST', `/api/v1/comments/${waiting.id}/approve`, { token: h.keys.Kemerovo.moderator });
    expect(approved.body.state).toBe('published');
    expect((await visibleComments(h.t.db, { kind: 'news', id: newsId })).map((c) => c.id)).toContain(waiting.id);
    // The author was told it would be shown after a check: they are told it is shown now.
    const notices = await noticesOf(author);
    expect(notices.map((n) => n.kind)).toEqual(['item_comment.approved']);
    expect(notices[0]!.payload).toMatchObject({ key: 'item_comments.approved_notice', params: { text: 'Когда уберут снег?', title: 'Благоустройство' } });
    await h.request('PUT', '/api/v1/comments/policy', { token: h.keys.Kemerovo.curator, body: { municipalityId: h.municipality.Kemerovo, premoderation: false } });
  });

  it('three reports from different residents hide a comment pending review; the author and repeats do not count', async () => {
    const author = await kemerovoResident();
    const target = await comment(author, 'Спорное мнение');
    const [a, b, c] = [await kemerovoResident(), await kemerovoResident(), await kemerovoResident()];
    expect(await reportComment(h.t.db, target.id, author, h.now())).toBe('own');
    expect(await reportComment(h.t.db, target.id, a, h.now())).toBe('reported');
    expect(await reportComment(h.t.db, target.id, a, h.now())).toBe('already');
    expect(await reportComment(h.t.db, target.id, b, h.now())).toBe('reported');
    expect((await visibleComments(h.t.db, { kind: 'news', id: newsId })).map((x) => x.id)).toContain(target.id);
    expect(await reportComment(h.t.db, target.id, c, h.now())).toBe('reported');
    expect((await visibleComments(h.t.db, { kind: 'news', id: newsId })).map((x) => x.id)).not.toContain(target.id);
    const review = await h.request('GET', `/api/v1/comments?state=review&target=news:${newsId}`, { token: h.keys.Kemerovo.moderator });
    expect(review.body.items).toMatchObject([{ id: target.id, state: 'review', reports: 3 }]);
    // Reviewed and kept: shown again; the same residents cannot hide it again, three new ones can.
    const kept = await h.request('POST', `/api/v1/comments/${target.id}/approve`, { token: h.keys.Kemerovo.moderator });
    expect(kept.body).toMatchObject({ state: 'published', reports: 0 });
    // Kept after reports: the author was never told it was hidden for review, so nothing to say now.
    expect(await noticesOf(author)).toEqual([]);
    expect(await reportComment(h.t.db, target.id, a, h.now())).toBe('already');
    expect((await visibleComments(h.t.db, { kind: 'news', id: newsId })).map((x) => x.id)).toContain(target.id);
  });

  it('comments on a poll are listed by target; bad input and other municipalities are refused', async () => {
    const poll = await sql<{
      id: number;
    }>`INSERT INTO poll (kind, starts_at, ends_at, municipality_id, state, title) VALUES ('poll', now() - interval '2 days', now() - interval '1 day', ${h.municipality.Kemerovo}, 'published', 'Какой сквер благоустроить?') RETURNING id`.execute(
      h.t.db,
    );
    const pollId = poll.rows[0]!.id;
    const author = await kemerovoResident();
    const onPoll = await comment(author, 'За сквер у школы', { kind: 'poll', id: pollId });
    expect(onPoll.target).toEqual({ kind: 'poll', id: pollId });
    const byTarget = await h.request('GET', `/api/v1/comments?target=poll:${pollId}`, { token: h.keys.Kemerovo.moderator });
    expect(byTarget.body.items.map((x: { id: number }) => x.id)).toEqual([onPoll.id]);
    const polls = await h.request('GET', '/api/v1/comments?target=poll', { token: h.keys.Kemerovo.moderator });
    expect(polls.body.items.every((x: { target: { kind: string } }) => x.target.kind === 'poll')).toBe(true);

    await expect(comment(author, 'x'.repeat(1001))).rejects.toMatchObject({ code: 'TEXT_TOO_LONG' });
    await expect(comment(author, 'на черновик', { kind: 'news', id: 999_999 })).rejects.toMatchObject({ code: 'NEWS_NOT_FOUND' });
    await expect(comment(author, 'на несуществующий опрос', { kind: 'poll', id: 999_999 })).rejects.toMatchObject({ code: 'POLL_NOT_FOUND', details: { id: 999_999 } });
    expect((await h.request('GET', '/api/v1/comments?target=message:1', { token: h.keys.Kemerovo.moderator })).status).toBe(400);
    expect((await h.request('GET', '/api/v1/comments?state=gone', { token: h.keys.Kemerovo.moderator })).status).toBe(400);
    expect((await h.request('POST', `/api/v1/comments/${onPoll.id}/hide`, { token: h.keys.Kemerovo.moderator, body: {} })).status).toBe(400);
    expect((await h.request('POST', `/api/v1/comments/${onPoll.id}/hide`, { token: h.keys.Novokuznetsk.moderator, body: { reason: 'x' } })).status).toBe(404);
    expect((await h.request('POST', `/api/v1/comments/${onPoll.id}/reply`, { token: h.keys.Novokuznetsk.moderator, body: { text: 'x' } })).status).toBe(404);
    expect((await h.request('POST', `/api/v1/comments/${onPoll.id}/hide`, { token: h.keys.Kemerovo.executor, body: { reason: 'x' } })).status).toBe(403);
    const foreign = await h.request('GET', '/api/v1/comments', { token: h.keys.Novokuznetsk.moderator });
    expect(foreign.body.items).toEqual([]);
    expect((await h.request('PUT', '/api/v1/comments/policy', { token: h.keys.Novokuznetsk.curator, body: { municipalityId: h.municipality.Kemerovo, premoderation: true } })).status).toBe(404);
  });
});

describe('GET /comments?target=: the item id is in range', () => {
  it('an id past 2^31-1 is a 400 naming target, not a 500 from the database; 2^31-1 itself is an empty page', async () => {
    for (const target of ['news:9999999999', 'poll:2147483648']) {
      const res = await h.request('GET', `/api/v1/comments?target=${target}`, { token: h.keys.Kemerovo.moderator });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION', errors: [{ in: 'query', path: 'target' }] });
    }
    const edge = await h.request('GET', '/api/v1/comments?target=news:2147483647', { token: h.keys.Kemerovo.moderator });
    expect(edge.status).toBe(200);
    expect(edge.body.items).toEqual([]);
  });
});
