import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranslator } from '../../../bots/i18n.ts';
import { renderOutboxRow } from '../../../bots/telegram/render.ts';
import { renderVkNotificationRow } from '../../../bots/vk/render.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { jpegBytes, mp4Bytes } from '../../../test/media/files.ts';
import { answerPhotoCopyFailed, recordAnswerCopies } from '../../../core/messages/answer-photos.ts';
import { draftAnswer } from '../../../core/messages/answers.service.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

async function inWork(town: 'Kemerovo' | 'Belovo' = 'Kemerovo') {
  const m = await h.fileMessage(town, { categoryCode: 'roads.pothole' });
  const res = await h.request('POST', `/api/v1/messages/${m.id}/accept`, { token: h.keys[town].moderator, body: {} });
  expect(res.status).toBe(200);
  return m;
}

/** The answer's version now, as a client that has just read it would send it in If-Match (a photo list needs one). */
async function ifMatchNow(answerId: number) {
  const { version } = await h.t.db.selectFrom('answer').select('version').where('id', '=', answerId).executeTakeFirstOrThrow();
  return { 'if-match': `"${version}"` };
}

describe('POST /messages/{id}/answers', () => {
  it('keeps an answer as a draft for the curator and alerts nothing to the resident yet', async () => {
    const m = await inWork();
    const res = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'clarification', text: 'Уточните номер дома' } });
    expect(res.status).toBe(201);
    expect(res.body.answer).toMatchObject({ kind: 'clarification', resolution: null, state: 'draft', authorStaffId: h.staff.Kemerovo.executor });
    const toResident = await h.t.db.selectFrom('outbox').select('kind').where('resident_id', '=', m.authorId).where('kind', 'like', 'answer.%').execute();
    expect(toResident).toEqual([]);
  });

  it('sends the answer at once where the municipality switched approval off', async () => {
    const off = await h.request('PATCH', `/api/v1/municipalities/${h.municipality.Belovo}`, { body: { answersNeedApproval: false } });
    expect(off.body.answersNeedApproval).toBe(false);
    const m = await inWork('Belovo');
    const res = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: h.keys.Belovo.moderator, body: { kind: 'intermediate', text: 'Работы запланированы на май' } });
    expect(res.status).toBe(201);
    expect(res.body.answer).toMatchObject({ state: 'approved', delivery: { state: 'queued' } });
    expect(res.body.message.firstIntermediateAt).toBe(h.now().toISOString());
    const row = await h.t.db.selectFrom('outbox').select('kind').where('resident_id', '=', m.authorId).where('kind', '=', 'answer.intermediate').executeTakeFirst();
    expect(row).toBeDefined();
  });

  it('validates kind and resolution together', async () => {
    const m = await inWork();
    const k = h.keys.Kemerovo.executor;
    const noResolution = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: k, body: { kind: 'final', text: 'Готово' } });
    expect(noResolution.status).toBe(400);
    const stray = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: k, body: { kind: 'intermediate', resolution: 'solved', text: 'Готово' } });
    expect(stray.status).toBe(400);
    const empty = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: k, body: { kind: 'intermediate', text: '   ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('TEXT_EMPTY');
  });

  it('refuses an answer on a message that is not in work, and hides others\' messages from an executor', async () => {
    const fresh = await h.fileMessage('Kemerovo', { categoryCode: 'roads.pothole' });
    const res = await h.request('POST', `/api/v1/messages/${fresh.id}/answers`, { token: h.keys.Kemerovo.moderator, body: { kind: 'intermediate', text: 'Скоро' } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ILLEGAL_TRANSITION');
    const m = await inWork();
    const other = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: h.keys.Kemerovo.utility_executor, body: { kind: 'intermediate', text: 'Скоро' } });
    expect(other.status).toBe(404);
  });
});

describe('curator review', () => {
  it('returns a draft with a remark, then approves the revision; a second approval is a conflict', async () => {
    const m = await inWork();
    const draft = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'final', resolution: 'explained', text: 'Дорога региональная' } });
    const id = draft.body.answer.id;
    const noRemark = await h.request('POST', `/api/v1/answers/${id}/return`, { token: h.keys.Kemerovo.curator, body: { remark: ' ' } });
    expect(noRemark.status).toBe(400);
    expect(noRemark.body.code).toBe('REASON_REQUIRED');
    await h.request('POST', `/api/v1/answers/${id}/return`, { token: h.keys.Kemerovo.curator, body: { remark: 'Укажите, куда обращаться' } });
    const notDraft = await h.request('POST', `/api/v1/answers/${id}/approve`, { token: h.keys.Kemerovo.curator });
    expect(notDraft.status).toBe(409);
    expect(notDraft.body.code).toBe('ANSWER_NOT_PENDING');
    await h.request('POST', `/api/v1/answers/${id}/revise`, { token: h.keys.Kemerovo.executor, body: { text: 'Дорога региональная: обращайтесь в Кузбассавтодор', resolution: 'explained' } });
    const approved = await h.request('POST', `/api/v1/answers/${id}/approve`, { token: h.keys.Kemerovo.curator });
    expect(approved.status).toBe(200);
    expect(approved.body.message.status).toBe('explained');
    const again = await h.request('POST', `/api/v1/answers/${id}/approve`, { token: h.keys.Kemerovo.curator });
    expect(again.status).toBe(409);
    const revise = await h.request('POST', `/api/v1/answers/${id}/revise`, { token: h.keys.Kemerovo.executor, body: { text: 'late' } });
    expect(revise.status).toBe(409);
  });

  it('withdraws the drafts still waiting when the message closes: they leave the curator\'s list and cannot be approved', async () => {
    const m = await inWork();
    const ex = h.keys.Kemerovo.executor;
    const cur = h.keys.Kemerovo.curator;
    const waiting = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'intermediate', text: 'Работы в мае' } });
    const returned = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'clarification', text: 'Уточните адрес' } });
    await h.request('POST', `/api/v1/answers/${returned.body.answer.id}/return`, { token: cur, body: { remark: 'Адрес есть на карте' } });
    const final = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'final', resolution: 'solved', text: 'Яма заделана' } });
    expect((await h.request('POST', `/api/v1/answers/${final.body.answer.id}/approve`, { token: cur })).body.message.status).toBe('solved');

    const card = await h.request('GET', `/api/v1/messages/${m.id}`, { token: cur });
    const states = Object.fromEntries(card.body.answers.map((a: { id: number; state: string }) => [a.id, a.state]));
    expect(states).toEqual({ [waiting.body.answer.id]: 'withdrawn', [returned.body.answer.id]: 'withdrawn', [final.body.answer.id]: 'approved' });
    const drafts = await h.request('GET', '/api/v1/answers?state=draft', { token: cur });
    expect(drafts.body.items.map((a: { messageId: number }) => a.messageId)).not.toContain(m.id);
    const late = await h.request('POST', `/api/v1/answers/${waiting.body.answer.id}/approve`, { token: cur });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('ANSWER_NOT_PENDING');
    expect((await h.request('POST', `/api/v1/answers/${returned.body.answer.id}/revise`, { token: ex, body: { text: 'Дом 5' } })).status).toBe(409);
  });

  it("withdraws the previous executor's drafts when the message is handed to another: 409 ANSWER_ROUTED_AWAY on approve and return; the new executor's and a moderator's answers go through", async () => {
    const m = await inWork();
    const ex = h.keys.Kemerovo.executor;
    const cur = h.keys.Kemerovo.curator;
    const waiting = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'final', resolution: 'solved', text: 'Яма заделана' } });
    const returned = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'intermediate', text: 'Работы в мае' } });
    await h.request('POST', `/api/v1/answers/${returned.body.answer.id}/return`, { token: cur, body: { remark: 'Точнее' } });
    const byModerator = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: h.keys.Kemerovo.moderator, body: { kind: 'clarification', text: 'Уточните подъезд' } });
    expect((await h.request('POST', `/api/v1/messages/${m.id}/executor`, { token: cur, body: { executorId: h.executors.Kemerovo.utility } })).status).toBe(200);

    const card = await h.request('GET', `/api/v1/messages/${m.id}`, { token: cur });
    const states = Object.fromEntries(card.body.answers.map((a: { id: number; state: string }) => [a.id, a.state]));
    expect(states).toEqual({ [waiting.body.answer.id]: 'withdrawn', [returned.body.answer.id]: 'withdrawn', [byModerator.body.answer.id]: 'draft' });
    const drafts = await h.request('GET', '/api/v1/answers?state=draft', { token: cur });
    expect(drafts.body.items.map((a: { id: number }) => a.id)).not.toContain(waiting.body.answer.id);
    for (const [id, action] of [[waiting.body.answer.id, 'approve'], [returned.body.answer.id, 'approve'], [waiting.body.answer.id, 'return']] as const) {
      const refused = await h.request('POST', `/api/v1/answers/${id}/${action}`, { token: cur, body: action === 'return' ? { remark: 'Нет' } : undefined });
      expect(refused.status, `${action} ${id}`).toBe(409);
      expect(refused.body).toMatchObject({ code: 'ANSWER_ROUTED_AWAY', detail: expect.stringContaining('another executor') });
    }
    const message = await h.t.db.selectFrom('message').select(['status', 'executor_id']).where('id', '=', m.id).executeTakeFirstOrThrow();
    expect(message).toEqual({ status: 'in_work', executor_id: h.executors.Kemerovo.utility });
    const routed = await h.t.db.selectFrom('message_event').select('data').where('message_id', '=', m.id).where('kind', '=', 'routed').executeTakeFirstOrThrow();
    expect(routed.data).toMatchObject({ withdrawnAnswerIds: [waiting.body.answer.id, returned.body.answer.id].sort((a, b) => a - b) });

    expect((await h.request('POST', `/api/v1/answers/${byModerator.body.answer.id}/approve`, { token: cur })).status).toBe(200);
    const fresh = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: h.keys.Kemerovo.utility_executor, body: { kind: 'final', resolution: 'solved', text: 'Трубу заменили' } });
    expect(fresh.status).toBe(201);
    const done = await h.request('POST', `/api/v1/answers/${fresh.body.answer.id}/approve`, { token: cur });
    expect(done.status).toBe(200);
    expect(done.body.message.status).toBe('solved');
  });

  it('the curator approving the final answer while the executor revises another draft of the same message: no 500, the revision is withdrawn or lands first', async () => {
    const ex = h.keys.Kemerovo.executor;
    const cur = h.keys.Kemerovo.curator;
    for (let round = 0; round < 5; round++) {
      const m = await inWork();
      const other = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'intermediate', text: 'Работы в мае' } });
      const final = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'final', resolution: 'solved', text: 'Яма заделана' } });
      const [approved, revised] = await Promise.all([
        h.request('POST', `/api/v1/answers/${final.body.answer.id}/approve`, { token: cur }),
        h.request('POST', `/api/v1/answers/${other.body.answer.id}/revise`, { token: ex, body: { text: 'Работы в июне' } }),
      ]);
      expect(approved.status, `round ${round}`).toBe(200);
      expect([200, 409], `round ${round}: ${revised.status} ${revised.body.code}`).toContain(revised.status);
      const state = (await h.t.db.selectFrom('answer').select('state').where('id', '=', other.body.answer.id).executeTakeFirstOrThrow()).state;
      expect(state).toBe('withdrawn');
    }
  });

  it('lists the drafts waiting in the curator\'s municipality only', async () => {
    const m = await inWork();
    const draft = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: h.keys.Kemerovo.executor, body: { kind: 'intermediate', text: 'В работе' } });
    const mine = await h.request('GET', '/api/v1/answers?state=draft', { token: h.keys.Kemerovo.curator });
    expect(mine.body.items.map((a: { id: number }) => a.id)).toContain(draft.body.answer.id);
    expect(mine.body.items.every((a: { state: string }) => a.state === 'draft')).toBe(true);
    const theirs = await h.request('GET', '/api/v1/answers?state=draft', { token: h.keys.Novokuznetsk.curator });
    expect(theirs.body.items).toEqual([]);
  });
});

describe('POST /messages/{id}/comments', () => {
  it('replies to a resident\'s comment and notifies them', async () => {
    const m = await inWork();
    const comment = await h.t.db
      .insertInto('comment')
      .values({ message_id: m.id, author_kind: 'resident', resident_id: m.authorId, text: 'Когда починят?', created_at: h.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const res = await h.request('POST', `/api/v1/messages/${m.id}/comments`, { token: h.keys.Kemerovo.executor, body: { text: 'На этой неделе', replyToId: comment.id } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ authorKind: 'staff', staffId: h.staff.Kemerovo.executor, replyToId: comment.id, text: 'На этой неделе' });
    const notice = await h.t.db.selectFrom('outbox').select('kind').where('resident_id', '=', m.authorId).where('kind', '=', 'comment.reply').executeTakeFirst();
    expect(notice).toBeDefined();
  });

  it('refuses a reply to a comment of another message', async () => {
    const a = await inWork();
    const b = await inWork();
    const foreign = await h.t.db
      .insertInto('comment')
      .values({ message_id: b.id, author_kind: 'resident', resident_id: b.authorId, text: '?', created_at: h.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const res = await h.request('POST', `/api/v1/messages/${a.id}/comments`, { token: h.keys.Kemerovo.moderator, body: { text: 'Ответ', replyToId: foreign.id } });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('COMMENT_NOT_FOUND');
  });
});

describe('photos with an answer', () => {
  async function upload(bytes: Uint8Array, type: string, token: string) {
    const form = new FormData();
    form.append('file', new Blob([bytes.slice().buffer], { type }), type.startsWith('video') ? 'clip.mp4' : 'photo.jpg');
    const res = await h.request('POST', '/api/v1/media', { form, token });
    expect(res.status).toBe(201);
    return res.body.id as number;
  }

  it('an executor uploads photos and drafts with them; once approved they reach the resident with the answer, in either messenger', async () => {
    const m = await inWork();
    const ex = h.keys.Kemerovo.executor;
    const photos = [await upload(jpegBytes(300, 11), 'image/jpeg', ex), await upload(jpegBytes(300, 12), 'image/jpeg', ex)];
    const draft = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'final', resolution: 'solved', text: 'Яма заделана, фото до и после', mediaIds: photos } });
    expect(draft.status).toBe(201);
    expect(draft.body.answer).toMatchObject({ state: 'draft', mediaIds: photos });
    expect((await h.request('POST', `/api/v1/answers/${draft.body.answer.id}/approve`, { token: h.keys.Kemerovo.curator })).status).toBe(200);
    const row = await h.t.db.selectFrom('outbox').select(['kind', 'chat_id', 'payload']).where('dedupe_key', '=', `answer:${draft.body.answer.id}`).executeTakeFirstOrThrow();
    expect(row.payload.media).toEqual(photos);
    const t = createTranslator();
    // Files of the media store, not one messenger's file ids: each messenger's sender uploads them.
    const tg = renderOutboxRow(row, t);
    expect(JSON.stringify(tg)).toContain('Яма заделана, фото до и после');
    expect(tg.find((c) => c.method === 'sendStoredMediaGroup')?.params).toMatchObject({ chat_id: row.chat_id, media: photos });
    const vk = renderVkNotificationRow(row, t);
    expect(vk.find((p) => p.media)?.media).toEqual(photos);
    const card = await h.request('GET', `/api/v1/messages/${m.id}`, { token: h.keys.Kemerovo.curator });
    expect(card.body.answers[0].mediaIds).toEqual(photos);
  });

  it('refuses more than 10 photos, a video, a file listed twice and another municipality\'s file', async () => {
    const m = await inWork();
    const ex = h.keys.Kemerovo.executor;
    const draft = (body: Record<string, unknown>) => h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'intermediate', text: 'В работе', ...body } });
    const one = await upload(jpegBytes(300, 21), 'image/jpeg', ex);
    expect((await draft({ mediaIds: Array.from({ length: 11 }, (_, i) => one + i) })).status).toBe(400);
    expect((await draft({ mediaIds: [one, one] })).body).toMatchObject({ code: 'VALIDATION' });
    const video = await upload(mp4Bytes(), 'video/mp4', h.keys.Kemerovo.curator);
    expect((await draft({ mediaIds: [video] })).body).toMatchObject({ code: 'VALIDATION' });
    const foreign = await upload(jpegBytes(300, 22), 'image/jpeg', h.keys.Belovo.curator);
    const refused = await draft({ mediaIds: [foreign] });
    expect(refused.status).toBe(404);
    expect(refused.body.code).toBe('MEDIA_NOT_FOUND');
    expect((await draft({ mediaIds: ['x'] })).status).toBe(400);
    const answers = await h.t.db.selectFrom('answer').select('id').where('message_id', '=', m.id).execute();
    expect(answers).toEqual([]);
  });

  it('a media id past 2^31-1 is a 400 naming it, on a draft and on a revision, not a 500; nothing is written', async () => {
    const m = await inWork();
    const ex = h.keys.Kemerovo.executor;
    const huge = 9_999_999_999;
    const drafted = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'intermediate', text: 'В работе', mediaIds: [huge] } });
    expect(drafted.status, JSON.stringify(drafted.body)).toBe(400);
    expect(drafted.body).toMatchObject({ code: 'VALIDATION', errors: [{ in: 'json', path: 'mediaIds.0' }] });
    expect(await h.t.db.selectFrom('answer').select('id').where('message_id', '=', m.id).execute()).toEqual([]);

    const draft = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'final', resolution: 'solved', text: 'Яма заделана' } });
    const id = draft.body.answer.id as number;
    expect((await h.request('POST', `/api/v1/answers/${id}/return`, { token: h.keys.Kemerovo.curator, body: { remark: 'Приложите фото' } })).status).toBe(200);
    const revised = await h.request('POST', `/api/v1/answers/${id}/revise`, { token: ex, body: { text: 'Яма заделана, фото', mediaIds: [2_147_483_648] } });
    expect(revised.status, JSON.stringify(revised.body)).toBe(400);
    expect(revised.body).toMatchObject({ code: 'VALIDATION', errors: [{ in: 'json', path: 'mediaIds.0' }] });
    expect(await h.t.db.selectFrom('answer').select(['state', 'text']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ state: 'returned', text: 'Яма заделана' });
  });

  it('a returned answer is revised with a photo of the result (mediaIds replace those attached), and a bad list changes nothing', async () => {
    const m = await inWork();
    const ex = h.keys.Kemerovo.executor;
    const before = await upload(jpegBytes(300, 31), 'image/jpeg', ex);
    const draft = await h.request('POST', `/api/v1/messages/${m.id}/answers`, { token: ex, body: { kind: 'final', resolution: 'solved', text: 'Яма заделана', mediaIds: [before] } });
    const id = draft.body.answer.id as number;
    expect((await h.request('POST', `/api/v1/answers/${id}/return`, { token: h.keys.Kemerovo.curator, body: { remark: 'Приложите фото после ремонта' } })).status).toBe(200);
    const after = await upload(jpegBytes(300, 32), 'image/jpeg', ex);
    // A client that has just read the answer: its version goes with a photo list.
    const revise = async (body: Record<string, unknown>) =>
      h.request('POST', `/api/v1/answers/${id}/revise`, { token: ex, body: { text: 'Яма заделана, фото после ремонта', ...body }, ...('mediaIds' in body && { headers: await ifMatchNow(id) }) });

    // Refused whole: nothing of the revision is kept (the text, the state, the photos).
    const video = await upload(mp4Bytes(), 'video/mp4', h.keys.Kemerovo.curator);
    expect((await revise({ mediaIds: [after, video] })).body).toMatchObject({ code: 'VALIDATION' });
    const foreign = await upload(jpegBytes(300, 33), 'image/jpeg', h.keys.Belovo.curator);
    expect((await revise({ mediaIds: [foreign] })).body).toMatchObject({ code: 'MEDIA_NOT_FOUND' });
    expect((await revise({ mediaIds: Array.from({ length: 11 }, () => after) })).status).toBe(400);
    expect(await h.t.db.selectFrom('answer').select(['state', 'text', 'media_ids']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ state: 'returned', text: 'Яма заделана', media_ids: [before] });

    const revised = await revise({ mediaIds: [before, after] });
    expect(revised.status).toBe(200);
    expect(revised.body).toMatchObject({ state: 'draft', mediaIds: [before, after] });
    // A revision naming no photos keeps them; naming others replaces them.
    expect((await revise({})).body.mediaIds).toEqual([before, after]);
    expect((await revise({ mediaIds: [after] })).body.mediaIds).toEqual([after]);
    expect((await h.request('POST', `/api/v1/answers/${id}/approve`, { token: h.keys.Kemerovo.curator })).status).toBe(200);
    const row = await h.t.db.selectFrom('outbox').select('payload').where('dedupe_key', '=', `answer:${id}`).executeTakeFirstOrThrow();
    expect(row.payload.media).toEqual([after]);
  });

  it('mediaIds is the whole list: photos sent in the bot it leaves out are dropped with their copies, those it names stay; a refused list changes nothing', async () => {
    const m = await inWork();
    const ex = h.keys.Kemerovo.executor;
    const actor = { kind: 'staff' as const, staffId: h.staff.Kemerovo.executor };
    // Three photos sent in the bot (Telegram): two copied into the media store, the third not yet.
    const refs = ['tg-a', 'tg-b', 'tg-c'].map((fileId) => ({ fileId, fileUniqueId: `${fileId}-u` }));
    const { answer } = await draftAnswer(h.t.db, { messageId: m.id, kind: 'final', resolution: 'solved', text: 'Яма заделана', photos: { channel: 'tg', refs }, actor }, h.now());
    const sent = await h.t.db.selectFrom('answer_photo').select('id').where('answer_id', '=', answer.id).orderBy('position').execute();
    const copyA = await upload(jpegBytes(300, 41), 'image/jpeg', ex);
    const copyB = await upload(jpegBytes(300, 42), 'image/jpeg', ex);
    await recordAnswerCopies(h.t.db, answer.id, [
      { photoId: sent[0]!.id, mediaId: copyA },
      { photoId: sent[1]!.id, mediaId: copyB },
    ]);
    expect((await h.request('POST', `/api/v1/answers/${answer.id}/return`, { token: h.keys.Kemerovo.curator, body: { remark: 'Оставьте одно фото после ремонта' } })).status).toBe(200);
    const revise = async (body: Record<string, unknown>) =>
      h.request('POST', `/api/v1/answers/${answer.id}/revise`, { token: ex, body: { text: 'Яма заделана, фото после', ...body }, headers: await ifMatchNow(answer.id) });
    const botPhotos = () => h.t.db.selectFrom('answer_photo').select(['file_id', 'media_id']).where('answer_id', '=', answer.id).orderBy('position').execute();
    const stored = () => h.t.db.selectFrom('answer').select(['state', 'text', 'media_ids']).where('id', '=', answer.id).executeTakeFirstOrThrow();

    // Refused whole: the bot's photos and their copies are all still there.
    const video = await upload(mp4Bytes(), 'video/mp4', h.keys.Kemerovo.curator);
    expect((await revise({ mediaIds: [copyA, video] })).body).toMatchObject({ code: 'VALIDATION' });
    expect(await botPhotos()).toEqual([
      { file_id: 'tg-a', media_id: copyA },
      { file_id: 'tg-b', media_id: copyB },
      { file_id: 'tg-c', media_id: null },
    ]);
    expect(await stored()).toEqual({ state: 'returned', text: 'Яма заделана', media_ids: [copyA, copyB] });

    // The list names the first copy and a new upload: the second photo (its copy) is dropped; the
    // third, still being copied, stays (no list could name it).
    const after = await upload(jpegBytes(300, 43), 'image/jpeg', ex);
    const revised = await revise({ mediaIds: [after, copyA] });
    expect(revised.status).toBe(200);
    expect(revised.body).toMatchObject({
      state: 'draft',
      mediaIds: [after, copyA],
      photos: [
        { channel: 'tg', mediaId: copyA, copy: 'copied', error: null },
        { channel: 'tg', mediaId: null, copy: 'copying', error: null },
      ],
    });
    expect(await botPhotos()).toEqual([
      { file_id: 'tg-a', media_id: copyA },
      { file_id: 'tg-c', media_id: null },
    ]);

    // The third is given up: leaving the last copied bot photo out too, only the upload goes to the resident, no file id of the bot's.
    await h.t.db.updateTable('answer_photo').set({ copy_due_at: null, copy_error: 'Bad Request: file not found' }).where('file_id', '=', 'tg-c').execute();
    expect((await h.request('POST', `/api/v1/answers/${answer.id}/return`, { token: h.keys.Kemerovo.curator, body: { remark: 'Только фото после' } })).status).toBe(200);
    expect((await revise({ mediaIds: [after] })).body).toMatchObject({ mediaIds: [after], photos: [] });
    expect(await botPhotos()).toEqual([]);
    expect((await h.request('POST', `/api/v1/answers/${answer.id}/approve`, { token: h.keys.Kemerovo.curator })).status).toBe(200);
    const row = await h.t.db.selectFrom('outbox').select('payload').where('dedupe_key', '=', `answer:${answer.id}`).executeTakeFirstOrThrow();
    expect(row.payload.media).toEqual([after]);
    expect(row.payload.photos ?? []).toEqual([]);
  });

  it("a revision while a bot photo is still being copied keeps it: the copy lands on the revised answer and reaches the resident with it", async () => {
    const m = await inWork();
    const ex = h.keys.Kemerovo.executor;
    const actor = { kind: 'staff' as const, staffId: h.staff.Kemerovo.executor };
    // Two photos sent in the VK bot: the first copied, the second's download still pending (VK slow, a retry due).
    const refs = ['vk-a', 'vk-b'].map((fileId) => ({ fileId, url: `https://sun9-1.userapi.com/${fileId}.jpg` }));
    const { answer } = await draftAnswer(h.t.db, { messageId: m.id, kind: 'final', resolution: 'solved', text: 'Яма заделана', photos: { channel: 'vk', refs }, actor }, h.now());
    const sent = await h.t.db.selectFrom('answer_photo').select('id').where('answer_id', '=', answer.id).orderBy('position').execute();
    const copyA = await upload(jpegBytes(300, 51), 'image/jpeg', ex);
    await recordAnswerCopies(h.t.db, answer.id, [{ photoId: sent[0]!.id, mediaId: copyA }]);
    expect((await h.request('POST', `/api/v1/answers/${answer.id}/return`, { token: h.keys.Kemerovo.curator, body: { remark: 'Уточните адрес' } })).status).toBe(200);

    // The console revises the text, sending the photos it read (the copy made so far).
    const read = await h.request('GET', `/api/v1/messages/${m.id}`, { token: ex });
    expect(read.body.answers.find((a: { id: number }) => a.id === answer.id).mediaIds).toEqual([copyA]);
    const version = read.body.answers.find((a: { id: number }) => a.id === answer.id).version;
    const revised = await h.request('POST', `/api/v1/answers/${answer.id}/revise`, { token: ex, body: { text: 'Яма заделана, ул. Весенняя, 5', mediaIds: [copyA] }, headers: { 'if-match': `"${version}"` } });
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body.photos).toMatchObject([
      { channel: 'vk', mediaId: copyA, copy: 'copied' },
      { channel: 'vk', mediaId: null, copy: 'copying' },
    ]);

    // The copier's download lands afterwards: on the revised answer.
    const copyB = await upload(jpegBytes(300, 52), 'image/jpeg', ex);
    await recordAnswerCopies(h.t.db, answer.id, [{ photoId: sent[1]!.id, mediaId: copyB }]);
    expect((await h.t.db.selectFrom('answer').select('media_ids').where('id', '=', answer.id).executeTakeFirstOrThrow()).media_ids).toEqual([copyA, copyB]);
    expect((await h.request('POST', `/api/v1/answers/${answer.id}/approve`, { token: h.keys.Kemerovo.curator })).status).toBe(200);
    // The resident (Telegram) gets both copies with the revised text.
    const row = await h.t.db.selectFrom('outbox').select(['payload', 'channel']).where('dedupe_key', '=', `answer:${answer.id}`).executeTakeFirstOrThrow();
    expect(row.channel).toBe('tg');
    expect(row.payload.media).toEqual([copyA, copyB]);
  });

  it('a copy that lands between the read and the revision: the version read (If-Match) is refused 409 CONCURRENT_CHANGE, nothing lost; read again, the copy is kept', async () => {
    const m = await inWork();
    const ex = h.keys.Kemerovo.executor;
    const actor = { kind: 'staff' as const, staffId: h.staff.Kemerovo.executor };
    const refs = ['tg-late', 'tg-lost'].map((fileId) => ({ fileId }));
    const { answer } = await draftAnswer(h.t.db, { messageId: m.id, kind: 'final', resolution: 'solved', text: 'Яма заделана', photos: { channel: 'tg', refs }, actor }, h.now());
    const sent = await h.t.db.selectFrom('answer_photo').select('id').where('answer_id', '=', answer.id).orderBy('position').execute();
    expect((await h.request('POST', `/api/v1/answers/${answer.id}/return`, { token: h.keys.Kemerovo.curator, body: { remark: 'Уточните адрес' } })).status).toBe(200);
    const readAnswer = async () => (await h.request('GET', `/api/v1/messages/${m.id}`, { token: ex })).body.answers.find((a: { id: number }) => a.id === answer.id);
    const botPhotos = () => h.t.db.selectFrom('answer_photo').select(['file_id', 'media_id']).where('answer_id', '=', answer.id).orderBy('position').execute();

    // The console reads the answer: both bot photos still being copied, nothing to list.
    const seen = await readAnswer();
    expect(seen).toMatchObject({ mediaIds: [], photos: [{ copy: 'copying' }, { copy: 'copying' }] });
    // The first copy lands while the executor edits the text.
    const copy = await upload(jpegBytes(300, 71), 'image/jpeg', ex);
    await recordAnswerCopies(h.t.db, answer.id, [{ photoId: sent[0]!.id, mediaId: copy }]);
    const revise = (body: Record<string, unknown>, version?: unknown) =>
      h.request('POST', `/api/v1/answers/${answer.id}/revise`, { token: ex, body: { text: 'Яма у дома 5 заделана', ...body }, ...(version !== undefined && { headers: { 'if-match': String(version) } }) });

    // The list the page made cannot name the copy: sent with the version it read, refused whole.
    const stale = await revise({ mediaIds: [] }, `"${seen.version}"`);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'CONCURRENT_CHANGE', details: { answerId: answer.id, expectedVersion: seen.version, actualVersion: seen.version + 1 } });
    expect(await botPhotos()).toEqual([
      { file_id: 'tg-late', media_id: copy },
      { file_id: 'tg-lost', media_id: null },
    ]);
    expect(await h.t.db.selectFrom('answer').select(['state', 'text', 'media_ids']).where('id', '=', answer.id).executeTakeFirstOrThrow()).toEqual({ state: 'returned', text: 'Яма заделана', media_ids: [copy] });
    // Not a version: 400 naming the header, nothing revised.
    expect((await revise({ mediaIds: [] }, 'latest')).body).toMatchObject({ code: 'VALIDATION', details: { field: 'If-Match' } });

    // Read again: the copy is listed; the second photo is given up meanwhile, which changes the version again.
    const fresh = await readAnswer();
    expect(fresh).toMatchObject({ version: seen.version + 1, mediaIds: [copy] });
    await answerPhotoCopyFailed(h.t.db, sent[1]!.id, 'Bad Request: file not found', null);
    expect((await revise({ mediaIds: [copy] }, `"${fresh.version}"`)).body).toMatchObject({ code: 'CONCURRENT_CHANGE', details: { actualVersion: fresh.version + 1 } });
    const last = await readAnswer();
    expect(last.photos).toMatchObject([{ copy: 'copied', mediaId: copy }, { copy: 'failed', error: 'Bad Request: file not found' }]);

    // Sent from what it read now: the copy stays (the given-up photo goes, as the page showed), a new version.
    const revised = await revise({ mediaIds: [copy] }, `"${last.version}"`);
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body).toMatchObject({ state: 'draft', text: 'Яма у дома 5 заделана', mediaIds: [copy], version: last.version + 1, photos: [{ channel: 'tg', mediaId: copy, copy: 'copied' }] });
    expect(await botPhotos()).toEqual([{ file_id: 'tg-late', media_id: copy }]);
    // The same version again (a second click) is stale now; "*" skips the check.
    expect((await revise({ mediaIds: [copy] }, `"${last.version}"`)).status).toBe(409);
    expect((await revise({ mediaIds: [copy] }, '*')).status).toBe(200);
  });

  it('a photo list without If-Match is 428 PRECONDITION_REQUIRED, nothing revised (a copy landed since the read is not dropped); a text-only revision needs none', async () => {
    const m = await inWork();
    const ex = h.keys.Kemerovo.executor;
    const actor = { kind: 'staff' as const, staffId: h.staff.Kemerovo.executor };
    const { answer } = await draftAnswer(h.t.db, { messageId: m.id, kind: 'final', resolution: 'solved', text: 'Яма заделана', photos: { channel: 'tg', refs: [{ fileId: 'tg-428' }] }, actor }, h.now());
    const [sent] = await h.t.db.selectFrom('answer_photo').select('id').where('answer_id', '=', answer.id).execute();
    expect((await h.request('POST', `/api/v1/answers/${answer.id}/return`, { token: h.keys.Kemerovo.curator, body: { remark: 'Уточните адрес' } })).status).toBe(200);
    const readAnswer = async () => (await h.request('GET', `/api/v1/messages/${m.id}`, { token: ex })).body.answers.find((a: { id: number }) => a.id === answer.id);
    const stored = () => h.t.db.selectFrom('answer').select(['state', 'text', 'media_ids', 'version']).where('id', '=', answer.id).executeTakeFirstOrThrow();
    const revise = (body: Record<string, unknown>, headers?: Record<string, string>) =>
      h.request('POST', `/api/v1/answers/${answer.id}/revise`, { token: ex, body: { text: 'Яма у дома 5 заделана', ...body }, ...(headers && { headers }) });

    // An old client reads the answer (the bot photo still being copied: nothing to list), the copy lands, and it sends its list bare.
    const seen = await readAnswer();
    expect(seen).toMatchObject({ mediaIds: [], photos: [{ copy: 'copying' }] });
    const copy = await upload(jpegBytes(300, 81), 'image/jpeg', ex);
    await recordAnswerCopies(h.t.db, answer.id, [{ photoId: sent!.id, mediaId: copy }]);
    const before = await stored();
    expect(before).toMatchObject({ state: 'returned', text: 'Яма заделана', media_ids: [copy] });
    for (const mediaIds of [[], [copy]]) {
      const bare = await revise({ mediaIds });
      expect(bare.status, JSON.stringify(bare.body)).toBe(428);
      expect(bare.body).toMatchObject({ code: 'PRECONDITION_REQUIRED', status: 428, details: { header: 'If-Match', field: 'mediaIds' } });
      expect(bare.body.detail).toContain('If-Match');
    }
    // Nothing revised: the copy, the text, the state and the version are as they were.
    expect(await stored()).toEqual(before);
    expect(await h.t.db.selectFrom('answer_photo').select('media_id').where('answer_id', '=', answer.id).execute()).toEqual([{ media_id: copy }]);

    // Garbage in the header is a 400 naming it, not a 428 and not a revision.
    for (const bad of ['', 'latest', '"abc"', '"1", "2"', '-1', '"99999999999"']) {
      const refused = await revise({ mediaIds: [] }, { 'if-match': bad });
      expect(refused.status, `If-Match ${JSON.stringify(bad)}: ${JSON.stringify(refused.body)}`).toBe(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION', details: { field: 'If-Match' } });
    }
    // The version read before the copy landed is stale: 409, still nothing revised.
    expect((await revise({ mediaIds: [] }, { 'if-match': `"${seen.version}"` })).body).toMatchObject({ code: 'CONCURRENT_CHANGE', details: { expectedVersion: seen.version, actualVersion: before.version } });
    expect(await stored()).toEqual(before);

    // Another organisation's answer and an id that does not exist answer alike: the precondition is the request's, it says nothing of the answer.
    const other = await inWork();
    const foreign = (await h.request('POST', `/api/v1/messages/${other.id}/answers`, { token: ex, body: { kind: 'intermediate', text: 'В работе' } })).body.answer.id as number;
    const byUtility = (id: number) => h.request('POST', `/api/v1/answers/${id}/revise`, { token: h.keys.Kemerovo.utility_executor, body: { text: 'x', mediaIds: [] } });
    const [a, b] = [await byUtility(foreign), await byUtility(2_000_000_000)];
    expect([a.status, a.body.code, b.status, b.body.code]).toEqual([428, 'PRECONDITION_REQUIRED', 428, 'PRECONDITION_REQUIRED']);

    // The text alone needs no header: the photos stay as they are, the copy included.
    const textOnly = await revise({});
    expect(textOnly.status, JSON.stringify(textOnly.body)).toBe(200);
    expect(textOnly.body).toMatchObject({ state: 'draft', text: 'Яма у дома 5 заделана', mediaIds: [copy], version: before.version + 1 });
    // … but a stale version sent with it is still checked.
    expect((await revise({}, { 'if-match': `"${before.version}"` })).body).toMatchObject({ code: 'CONCURRENT_CHANGE' });
    // Read again, the list names the copy and goes with its version; "*" knowingly replaces whatever is there.
    const fresh = await readAnswer();
    expect((await revise({ mediaIds: [copy] }, { 'if-match': `"${fresh.version}"` })).body).toMatchObject({ mediaIds: [copy], photos: [{ mediaId: copy, copy: 'copied' }] });
    const replaced = await revise({ mediaIds: [] }, { 'if-match': '*' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ mediaIds: [], photos: [] });
  });

  it('a revision counts the photos still being copied toward the limit of 10', async () => {
    const m = await inWork();
    const ex = h.keys.Kemerovo.executor;
    const actor = { kind: 'staff' as const, staffId: h.staff.Kemerovo.executor };
    const refs = ['tg-1', 'tg-2'].map((fileId) => ({ fileId }));
    const { answer } = await draftAnswer(h.t.db, { messageId: m.id, kind: 'intermediate', text: 'В работе', photos: { channel: 'tg', refs }, actor }, h.now());
    expect((await h.request('POST', `/api/v1/answers/${answer.id}/return`, { token: h.keys.Kemerovo.curator, body: { remark: 'Фото' } })).status).toBe(200);
    const nine = [];
    for (let i = 0; i < 9; i++) nine.push(await upload(jpegBytes(300, 60 + i), 'image/jpeg', ex));
    const refused = await h.request('POST', `/api/v1/answers/${answer.id}/revise`, { token: ex, body: { text: 'В работе, фото', mediaIds: nine }, headers: await ifMatchNow(answer.id) });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('TOO_MANY_PHOTOS');
    const fits = await h.request('POST', `/api/v1/answers/${answer.id}/revise`, { token: ex, body: { text: 'В работе, фото', mediaIds: nine.slice(0, 8) }, headers: await ifMatchNow(answer.id) });
    expect(fits.status, JSON.stringify(fits.body)).toBe(200);
  });
});
