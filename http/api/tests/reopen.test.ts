import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateMessage, supportMessage } from '../../../core/messages/feedback.service.ts';
import { registeredResident } from '../../../test/residents.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';

/**
 * A closed message back in work (the monthly report counts "messages reopened"): the curator, after
 * a bad rating, returns it to its executor with a reason; the author is told and rates the next answer.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

const reopen = (id: number, body: unknown, token = h.keys.Kemerovo.curator) => h.request('POST', `/api/v1/messages/${id}/reopen`, { token, body });
async function close(id: number, text: string) {
  const draft = await h.request('POST', `/api/v1/messages/${id}/answers`, { token: h.keys.Kemerovo.moderator, body: { kind: 'final', resolution: 'solved', text } });
  expect(draft.status).toBe(201);
  if (draft.body.answer.state === 'draft') expect((await h.request('POST', `/api/v1/answers/${draft.body.answer.id}/approve`, { token: h.keys.Kemerovo.curator })).status).toBe(200);
}
async function closedAndRated(stars: number) {
  const m = await h.fileMessage('Kemerovo');
  expect((await h.request('POST', `/api/v1/messages/${m.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} })).status).toBe(200);
  await close(m.id, 'Яму засыпали щебнем');
  await rateMessage(h.t.db, { residentId: m.authorId!, messageId: m.id, stars }, h.now());
  return m;
}

describe('POST /messages/{id}/reopen', () => {
  it('puts a solved message rated 1 star back in work: the author is told, the executor gets the card, the next answer can be rated', async () => {
    const m = await closedAndRated(1);
    const res = await reopen(m.id, { reason: 'Яму засыпали щебнем, асфальт не положили' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'in_work', closedAt: null });
    const notice = await h.t.db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', m.authorId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(notice).toMatchObject({ kind: 'status.reopened', payload: { key: 'notify.reopened', params: { messageId: m.id, reason: 'Яму засыпали щебнем, асфальт не положили' } } });
    const alert = await h.t.db.selectFrom('staff_alert').select(['staff_id', 'params']).where('kind', '=', 'alert.reopened').where('message_id', '=', m.id).execute();
    expect(alert.map((a) => a.staff_id)).toContain(h.staff.Kemerovo.executor);
    const card = await h.request('GET', `/api/v1/messages/${m.id}`, { token: h.keys.Kemerovo.curator });
    expect(card.body.history.at(-1)).toMatchObject({ kind: 'reopened', fromStatus: 'solved', toStatus: 'in_work', reason: 'Яму засыпали щебнем, асфальт не положили' });
    // The executor answers again; the author rates the new answer.
    await close(m.id, 'Участок заасфальтировали 10 декабря');
    const rated = await rateMessage(h.t.db, { residentId: m.authorId!, messageId: m.id, stars: 5 }, h.now());
    expect(rated.stars).toBe(5);
    const report = await h.request('GET', `/api/v1/reports/monthly?municipalityId=${h.municipality.Kemerovo}&period=2026-12`, { token: h.keys.Kemerovo.curator });
    expect(report.body.quality.messagesReopened).toBeGreaterThanOrEqual(1);
  });

  it("tells the message's supporters it is back in work, and that it closed again", async () => {
    const m = await h.fileMessage('Kemerovo');
    expect((await h.request('POST', `/api/v1/messages/${m.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} })).status).toBe(200);
    expect((await h.request('POST', `/api/v1/messages/${m.id}/publish`, { token: h.keys.Kemerovo.moderator })).status).toBe(200);
    const neighbour = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
    await supportMessage(h.t.db, { residentId: neighbour, messageId: m.id }, h.now());
    await close(m.id, 'Яму засыпали');
    await rateMessage(h.t.db, { residentId: m.authorId!, messageId: m.id, stars: 1 }, h.now());
    h.advance(60_000);
    expect((await reopen(m.id, { reason: 'Асфальт не положили' })).status).toBe(200);
    h.advance(60_000);
    await close(m.id, 'Участок заасфальтировали');
    const notices = await h.t.db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', neighbour).orderBy('id').execute();
    expect(notices.map((n) => [n.kind, n.payload.params?.text ?? n.payload.params?.reason])).toEqual([
      ['follow.closed', 'Яму засыпали'],
      ['follow.reopened', 'Асфальт не положили'],
      ['follow.closed', 'Участок заасфальтировали'],
    ]);
  });

  it('takes along the duplicates that closed with it: their authors are told, and get the next answer too', async () => {
    const original = await h.fileMessage('Kemerovo');
    const dup = await h.fileMessage('Kemerovo');
    for (const x of [original, dup]) expect((await h.request('POST', `/api/v1/messages/${x.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} })).status).toBe(200);
    expect((await h.request('POST', `/api/v1/messages/${dup.id}/duplicate`, { token: h.keys.Kemerovo.moderator, body: { originalId: original.id } })).status).toBe(200);
    await close(original.id, 'Фонарь заменили');
    h.advance(60_000);
    const reopenedCount = async () =>
      (await h.request('GET', `/api/v1/reports/monthly?municipalityId=${h.municipality.Kemerovo}&period=2026-12`, { token: h.keys.Kemerovo.curator })).body.quality.messagesReopened as number;
    const before = await reopenedCount();
    expect((await reopen(original.id, { reason: 'Фонарь снова не горит' })).status).toBe(200);
    // Counted once in the report, as duplicates are everywhere.
    expect(await reopenedCount()).toBe(before + 1);
    const row = await h.t.db.selectFrom('message').select(['status', 'closed_at']).where('id', '=', dup.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'in_work', closed_at: null });
    const told = await h.t.db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', dup.authorId).orderBy('id').execute();
    expect(told.at(-1)).toMatchObject({ kind: 'status.reopened', payload: { params: { messageId: dup.id, reason: 'Фонарь снова не горит' } } });
    h.advance(60_000);
    await close(original.id, 'Заменили кабель и фонарь');
    const after = await h.t.db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', dup.authorId).orderBy('id').execute();
    expect(after.at(-1)).toMatchObject({ kind: 'answer.final', payload: { params: { messageId: dup.id, text: 'Заменили кабель и фонарь' } } });
    expect((await h.t.db.selectFrom('message').select('status').where('id', '=', dup.id).executeTakeFirstOrThrow()).status).toBe('solved');
  });

  it('raises the low-rating alert again when the new answer is rated low too', async () => {
    const m = await closedAndRated(2);
    expect((await reopen(m.id, { reason: 'Не сделано' })).status).toBe(200);
    await close(m.id, 'Сделано');
    h.advance(60_000);
    await rateMessage(h.t.db, { residentId: m.authorId!, messageId: m.id, stars: 1 }, h.now());
    const alerts = await h.t.db.selectFrom('staff_alert').select('id').where('kind', '=', 'alert.low_rating').where('message_id', '=', m.id).where('staff_id', '=', h.staff.Kemerovo.curator).execute();
    expect(alerts).toHaveLength(2);
  });

  it('KPI 7 and 11 after a reopen: the answer taken back counts neither as answered nor as on time; the next one counts once, with its own rating', async () => {
    const DAY = 86_400_000;
    const kpi = async (n: number, period: string) => {
      const res = await h.request('GET', `/api/v1/kpi?municipalityId=${h.municipality.Kemerovo}&period=${period}`, { token: h.keys.Kemerovo.curator });
      const item = res.body.items.find((i: { kpi: number }) => i.kpi === n);
      return { numerator: Number(item.numerator), denominator: Number(item.denominator) };
    };
    const month = () => h.now().toISOString().slice(0, 7);
    const delta = async (start: { k7: { numerator: number; denominator: number }; k11: { numerator: number; denominator: number } }) => {
      const [k7, k11] = [await kpi(7, '2026'), await kpi(11, month())];
      return { k7: [k7.numerator - start.k7.numerator, k7.denominator - start.k7.denominator], k11: [k11.numerator - start.k11.numerator, k11.denominator - start.k11.denominator] };
    };
    const start = { k7: await kpi(7, '2026'), k11: await kpi(11, month()) };

    // Answered at once and rated 1 star: answered, on time, not rated well.
    const m = await closedAndRated(1);
    h.advance(60_000);
    expect(await delta(start)).toEqual({ k7: [0, 1], k11: [0, 1] });
    // Back in work 20 days after its acceptance (no intermediate answer): that answer is taken back,
    // so it is no longer answered (KPI 11) and the message has been in work since its acceptance:
    // overdue (KPI 7: more than 14 days in work, the bad answer stops no clock).
    h.advance(20 * DAY);
    expect((await reopen(m.id, { reason: 'Асфальт не положили' })).status).toBe(200);
    expect(await delta(start)).toEqual({ k7: [1, 1], k11: [0, 0] });
    // Answered again and rated 5: counted once, with the new rating; still overdue (closed on day 20).
    await close(m.id, 'Участок заасфальтировали');
    await rateMessage(h.t.db, { residentId: m.authorId!, messageId: m.id, stars: 5 }, h.now());
    h.advance(60_000);
    expect(await delta(start)).toEqual({ k7: [1, 1], k11: [1, 1] });

    // An intermediate answer within the first 14 days excuses the message (seed 000, KPI 7: «в эти
    // 14 дней был дан промежуточный ответ»), reopened or not.
    const excused = await h.fileMessage('Kemerovo');
    expect((await h.request('POST', `/api/v1/messages/${excused.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} })).status).toBe(200);
    const intermediate = await h.request('POST', `/api/v1/messages/${excused.id}/answers`, {
      token: h.keys.Kemerovo.moderator,
      body: { kind: 'intermediate', text: 'Работы запланированы на неделю' },
    });
    if (intermediate.body.answer.state === 'draft') expect((await h.request('POST', `/api/v1/answers/${intermediate.body.answer.id}/approve`, { token: h.keys.Kemerovo.curator })).status).toBe(200);
    await close(excused.id, 'Сделано');
    h.advance(20 * DAY);
    expect((await reopen(excused.id, { reason: 'Не сделано' })).status).toBe(200);
    const row = await h.t.db.selectFrom('message').select(['status', 'first_intermediate_at', 'accepted_at']).where('id', '=', excused.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('in_work');
    expect(row.first_intermediate_at!.getTime() - row.accepted_at!.getTime()).toBeLessThan(14 * DAY);
    const card = await h.request('GET', `/api/v1/messages/${excused.id}`, { token: h.keys.Kemerovo.curator });
    expect(card.body.message.overdue).toBe(false);
  });

  it("refuses an open, a rejected or a duplicate message (409), wants a reason (400), and is the curator's (403)", async () => {
    const open = await h.fileMessage('Kemerovo');
    const notClosed = await reopen(open.id, { reason: 'x' });
    expect(notClosed.status).toBe(409);
    expect(notClosed.body.code).toBe('ILLEGAL_TRANSITION');
    await h.request('POST', `/api/v1/messages/${open.id}/reject`, { token: h.keys.Kemerovo.moderator, body: { reason: 'Спам' } });
    expect((await reopen(open.id, { reason: 'x' })).body.code).toBe('ILLEGAL_TRANSITION');

    const m = await closedAndRated(1);
    const blank = await reopen(m.id, { reason: '  ' });
    expect(blank.status).toBe(400);
    expect(blank.body.code).toBe('REASON_REQUIRED');
    expect((await reopen(m.id, { reason: 'x' }, h.keys.Kemerovo.executor)).status).toBe(403);
    expect((await reopen(m.id, { reason: 'x' }, h.keys.Novokuznetsk.curator)).status).toBe(404);

    const original = await h.fileMessage('Kemerovo');
    const dup = await h.fileMessage('Kemerovo');
    for (const x of [original, dup]) await h.request('POST', `/api/v1/messages/${x.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} });
    await h.request('POST', `/api/v1/messages/${dup.id}/duplicate`, { token: h.keys.Kemerovo.moderator, body: { originalId: original.id } });
    await close(original.id, 'Готово');
    const duplicate = await reopen(dup.id, { reason: 'x' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.detail).toContain(`#${original.id}`);
    const row = await h.t.db.selectFrom('message').select('status').where('id', '=', m.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('solved');
  });
});
