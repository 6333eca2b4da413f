import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropCancelledUnsent, expandBatch } from '../../../core/broadcasts/broadcasts.ts';
import { NOT_CANCELLED } from '../../../core/outbox/outbox.queue.ts';
import { isDomainError } from '../../../core/errors.ts';
import { runJob } from '../../../core/jobs/run-job.ts';
import { runPollJobs } from '../../../core/polls/jobs.ts';
import { castBallot, getPoll } from '../../../core/polls/polls.ts';
import { unsubscribeRow } from '../../../core/subscriptions/subscriptions.ts';
import { readerDate } from '../../../core/text/reader-date.ts';
import { JOBS } from '../../../cron/jobs.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { jpegBytes } from '../../../test/media/files.ts';
import { registeredResident } from '../../../test/residents.ts';

let h: ApiHarness;

/** A date as core queues it for residents (rendered in each reader's language): local Kuzbass time, UTC+7. */
const kuzbass = (local: string) => readerDate(new Date(`${local}+07:00`), 'Asia/Novokuznetsk');

/** Rows of these broadcasts a sender could still claim (claimDue's rule). */
const claimable = (broadcastIds: number[]) =>
  h.t.db.selectFrom('outbox as o').select('o.id').where('o.broadcast_id', 'in', broadcastIds).where('o.state', '=', 'pending').where(NOT_CANCELLED).execute();
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/** A valid body: a single-choice, a multiple-choice (at most 2) and a free-text question. */
function body(municipalityId: number | null, overrides: Record<string, unknown> = {}) {
  const now = h.now().getTime();
  return {
    municipalityId,
    kind: 'poll',
    title: 'Благоустройство сквера',
    description: 'Выберите, что сделать в сквере на Весенней',
    startsAt: iso(now - HOUR),
    endsAt: iso(now + 7 * DAY),
    questions: [
      { kind: 'single', text: 'Что важнее?', options: ['Освещение', 'Скамейки', 'Дорожки'] },
      { kind: 'multiple', text: 'Что добавить?', maxChoices: 2, options: ['Фонтан', 'Детская площадка', 'Велопарковка'] },
      { kind: 'text', text: 'Ваши предложения' },
    ],
    ...overrides,
  };
}

async function create(token: string, b: Record<string, unknown>) {
  const res = await h.request('POST', '/api/v1/polls', { token, body: b });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; questions: { id: number; options: { id: number }[] }[] };
}

async function expandAll(): Promise<void> {
  const rows = await h.t.db.selectFrom('broadcast').select('id').where('state', '=', 'expanding').execute();
  for (const { id } of rows) while (!(await expandBatch(h.t.db, id, 100)).done);
}

describe('polls through the admin API: lifecycle', () => {
  it('draft → edited → published (announced with an Answer button) → voted → closed → results published (voters told) → decision (voters told)', async () => {
    const kemerovo = h.municipality.Kemerovo;
    const voters = [];
    for (let i = 0; i < 4; i++) voters.push(await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() }));
    const bystander = await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    await registeredResident(h.t.db, { municipalityId: h.municipality.Novokuznetsk, now: h.now() });
    const curator = h.keys.Kemerovo.curator;

    const draft = await create(curator, body(kemerovo));
    expect(draft).toMatchObject({ state: 'draft', municipalityId: kemerovo, kind: 'poll', resultsVisibility: 'after_vote' });
    expect(draft.questions.map((q) => q.options.length)).toEqual([3, 3, 0]);

    const patched = await h.request('PATCH', `/api/v1/polls/${draft.id}`, { token: h.keys.Kemerovo.moderator, body: { title: 'Сквер на Весенней' } });
    expect(patched.status).toBe(200);
    expect(patched.body.title).toBe('Сквер на Весенней');

    const published = await h.request('POST', `/api/v1/polls/${draft.id}/publish`, { token: curator, body: {} });
    expect(published.status).toBe(200);
    expect(published.body.state).toBe('published');
    expect(published.body.announcedAt).toBe(h.now().toISOString());
    const broadcast = await h.t.db.selectFrom('broadcast').selectAll().where('source', '=', `poll:${draft.id}`).executeTakeFirstOrThrow();
    expect(broadcast).toMatchObject({ municipality_id: kemerovo, topic: 'polls', kind: 'broadcast.poll' });
    expect(broadcast.payload).toMatchObject({
      key: 'polls.announcement',
      params: { title: 'Сквер на Весенней' },
      keyboard: { kind: 'inline', rows: [[{ id: `!pa:${draft.id}`, label: 'polls.answer' }], unsubscribeRow('polls')] },
    });
    await expandAll();
    const announced = await h.t.db.selectFrom('outbox').select('resident_id').where('broadcast_id', '=', broadcast.id).execute();
    expect(announced.map((r) => r.resident_id).sort()).toEqual([...voters, bystander].sort());

    // Only a draft can be edited.
    const late = await h.request('PATCH', `/api/v1/polls/${draft.id}`, { token: curator, body: { title: 'Другое' } });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('POLL_NOT_DRAFT');

    const [single, multiple, free] = draft.questions as { id: number; options: { id: number }[] }[];
    const ballots: [number, number[], string | undefined][] = [
      [0, [0, 1], 'Больше урн'],
      [0, [1], undefined],
      [1, [0, 1, 2].slice(0, 2), 'Зелени'],
      [2, [2], undefined],
    ];
    for (const [i, [choice, picks, text]] of ballots.entries()) {
      await castBallot(
        h.t.db,
        {
          pollId: draft.id,
          residentId: voters[i]!,
          channel: 'tg',
          answers: [
            { questionId: single!.id, optionIds: [single!.options[choice]!.id] },
            { questionId: multiple!.id, optionIds: picks.map((p) => multiple!.options[p]!.id) },
            { questionId: free!.id, text },
          ],
        },
        h.now(),
      );
    }

    const results = await h.request('GET', `/api/v1/polls/${draft.id}/results`, { token: h.keys.Kemerovo.responsible });
    expect(results.status).toBe(200);
    // 5 registered residents in Kemerovo were created here, plus whoever other tests made: turnout against all of them.
    const registered = Number(
      (
        await h.t.db
          .selectFrom('resident')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('municipality_id', '=', kemerovo)
          .where('registered_at', 'is not', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(results.body).toMatchObject({ voters: 4, registeredResidents: registered, turnout: Math.round(4000 / registered) / 10 });
    expect(results.body.questions[0].options.map((o: { count: number; percent: number }) => [o.count, o.percent])).toEqual([
      [2, 50],
      [1, 25],
      [1, 25],
    ]);
    expect(results.body.questions[1].options.map((o: { count: number; percent: number }) => [o.count, o.percent])).toEqual([
      [2, 50],
      [3, 75],
      [1, 25],
    ]);
    expect(results.body.questions[2]).toMatchObject({ answered: 2, texts: ['Больше урн', 'Зелени'] });

    const csv = await h.request('GET', `/api/v1/polls/${draft.id}/results?format=csv`, { token: curator });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse(csv.text, { bom: true }) as string[][];
    expect(rows[0]).toEqual(['question', 'kind', 'option', 'count', 'percent', 'text']);
    expect(rows).toContainEqual(['Что важнее?', 'single', 'Освещение', '2', '50', '']);
    expect(rows).toContainEqual(['Ваши предложения', 'text', '', '', '', 'Зелени']);
    expect(rows).toContainEqual(['voters', '', '', '4', '', '']);

    // A decision needs a closed poll.
    const early = await h.request('POST', `/api/v1/polls/${draft.id}/decision`, { token: curator, body: { decidedOn: '2026-12-10', text: 'Ставим освещение', decidedBy: 'Глава города' } });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('POLL_NOT_CLOSED');

    const closed = await h.request('POST', `/api/v1/polls/${draft.id}/close`, { token: curator });
    expect(closed.status).toBe(200);
    expect(closed.body.state).toBe('closed');
    expect((await h.request('POST', `/api/v1/polls/${draft.id}/close`, { token: curator })).status).toBe(409);

    const resultsPublished = await h.request('POST', `/api/v1/polls/${draft.id}/publish`, { token: curator });
    expect(resultsPublished.status).toBe(200);
    expect(resultsPublished.body.state).toBe('results_published');
    const told = await h.t.db.selectFrom('outbox').select(['resident_id', 'payload']).where('kind', '=', 'poll.results').execute();
    expect(told.map((r) => r.resident_id).sort()).toEqual([...voters].sort());
    expect(told[0]!.payload).toMatchObject({ key: 'polls.results_ready', keyboard: { rows: [[{ id: `!pr:${draft.id}` }]] } });

    // The news item that published it must exist and be the poll's municipality's (KPI 13 counts by it).
    const news = await h.request('POST', '/api/v1/news', { token: curator, body: { municipalityId: kemerovo, title: 'Решение по опросу', body: 'Ставим освещение весной' } });
    const foreignNews = await h.request('POST', '/api/v1/news', { token: h.keys.Novokuznetsk.curator, body: { municipalityId: h.municipality.Novokuznetsk, title: 'Чужая', body: 'Новость' } });
    for (const newsItemId of [999_999, foreignNews.body.id]) {
      const refused = await h.request('POST', `/api/v1/polls/${draft.id}/decision`, { token: curator, body: { decidedOn: '2026-12-01', text: 'Ставим', decidedBy: 'Глава', newsItemId } });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'VALIDATION', details: { field: 'newsItemId' } });
    }
    // A decision on the poll's result is not taken before the poll began (local date), nor on a day
    // still to come (today is 2026-12-01 in Kemerovo): its voters would be told of it at once.
    const beforePoll = await h.request('POST', `/api/v1/polls/${draft.id}/decision`, { token: curator, body: { decidedOn: '2020-01-01', text: 'Ставим', decidedBy: 'Глава' } });
    expect(beforePoll.status).toBe(400);
    expect(beforePoll.body.details).toEqual({ field: 'decidedOn', problem: 'before the poll started' });
    for (const decidedOn of ['2026-12-02', '2027-06-01']) {
      const future = await h.request('POST', `/api/v1/polls/${draft.id}/decision`, { token: curator, body: { decidedOn, text: 'Ставим', decidedBy: 'Глава', newsItemId: news.body.id } });
      expect(future.status).toBe(400);
      expect(future.body).toMatchObject({ code: 'VALIDATION', details: { field: 'decidedOn', problem: 'in the future' } });
    }
    expect(await h.t.db.selectFrom('poll_decision').select('id').where('poll_id', '=', draft.id).execute()).toEqual([]);
    expect(await h.t.db.selectFrom('outbox').select('id').where('kind', '=', 'poll.decision').execute()).toEqual([]);
    const decision = await h.request('POST', `/api/v1/polls/${draft.id}/decision`, {
      token: curator,
      body: { decidedOn: '2026-12-01', text: 'Ставим освещение весной', decidedBy: 'Глава города', newsItemId: news.body.id },
    });
    expect(decision.status).toBe(201);
    expect(decision.body).toMatchObject({ pollId: draft.id, decidedOn: '2026-12-01', newsItemId: news.body.id, votersNotified: 4 });
    const decided = await h.t.db.selectFrom('outbox').select(['resident_id', 'payload']).where('kind', '=', 'poll.decision').execute();
    expect(decided.map((r) => r.resident_id).sort()).toEqual([...voters].sort());
    expect(decided[0]!.payload).toMatchObject({ key: 'polls.decision_notice', params: { text: 'Ставим освещение весной' } });
    const again = await h.request('POST', `/api/v1/polls/${draft.id}/decision`, { token: curator, body: { decidedOn: '2026-12-01', text: 'Ещё', decidedBy: 'Глава' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('POLL_DECISION_EXISTS');

    const audit = await h.t.db.selectFrom('audit_log').select(['action']).where('entity', '=', 'poll').where('entity_id', '=', String(draft.id)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['poll.create', 'poll.update', 'poll.publish', 'poll.close', 'poll.publish_results', 'poll.decision']);

    const list = await h.request('GET', '/api/v1/polls?state=results_published', { token: curator });
    expect(list.body.items.map((p: { id: number }) => p.id)).toContain(draft.id);
    expect((await h.request('GET', '/api/v1/polls', { token: h.keys.Novokuznetsk.curator })).body.items.map((p: { id: number }) => p.id)).not.toContain(draft.id);
  });

  it("a decision's 'today' is the poll municipality's local date: at 18:00 UTC on 1 December it is already the 2nd in Novokuznetsk (UTC+7), the 3rd is refused", async () => {
    const curator = h.keys.Novokuznetsk.curator;
    const poll = await create(curator, body(h.municipality.Novokuznetsk, { title: 'Решение по местной дате' }));
    expect((await h.request('POST', `/api/v1/polls/${poll.id}/publish`, { token: curator, body: { force: true } })).status).toBe(200);
    expect((await h.request('POST', `/api/v1/polls/${poll.id}/close`, { token: curator })).status).toBe(200);
    h.advance(15 * HOUR);
    try {
      expect(h.now().toISOString().slice(0, 10)).toBe('2026-12-01');
      const tomorrow = await h.request('POST', `/api/v1/polls/${poll.id}/decision`, { token: curator, body: { decidedOn: '2026-12-03', text: 'Ставим', decidedBy: 'Глава' } });
      expect(tomorrow.status).toBe(400);
      expect(tomorrow.body.details).toEqual({ field: 'decidedOn', problem: 'in the future' });
      const today = await h.request('POST', `/api/v1/polls/${poll.id}/decision`, { token: curator, body: { decidedOn: '2026-12-02', text: 'Ставим', decidedBy: 'Глава' } });
      expect(today.status, JSON.stringify(today.body)).toBe(201);
      expect(today.body.decidedOn).toBe('2026-12-02');
    } finally {
      h.advance(-15 * HOUR);
    }
  });

  it('no route reveals who chose what: answers are stored without their ballot, and the read routes carry aggregates only', async () => {
    const columns = await h.t.db
      .selectFrom('information_schema.columns' as never)
      .select('column_name' as never)
      .where('table_name' as never, '=', 'poll_answer' as never)
      .execute();
    expect((columns as { column_name: string }[]).map((c) => c.column_name).sort()).toEqual(['id', 'option_id', 'poll_id', 'question_id', 'text']);

    const externalId = '7700112233';
    const voter = await registeredResident(h.t.db, { municipalityId: h.municipality.Belovo, now: h.now(), externalId });
    const poll = await create(h.operator, body(h.municipality.Belovo, { kind: 'vote', questions: [{ kind: 'single', text: 'Да или нет?', options: ['Да', 'Нет'] }] }));
    expect((await h.request('POST', `/api/v1/polls/${poll.id}/publish`, { body: {} })).status).toBe(200);
    await castBallot(h.t.db, { pollId: poll.id, residentId: voter, channel: 'tg', answers: [{ questionId: poll.questions[0]!.id, optionIds: [poll.questions[0]!.options[1]!.id] }] }, h.now());
    for (const url of [`/api/v1/polls/${poll.id}`, `/api/v1/polls/${poll.id}/results`, `/api/v1/polls/${poll.id}/results?format=csv`, '/api/v1/polls', '/api/v1/audit']) {
      const res = await h.request('GET', url);
      expect(res.status, url).toBe(200);
      expect(res.text, url).not.toContain(externalId);
      expect(res.text, url).not.toMatch(new RegExp(`"residentId":\\s*${voter}\\b`));
    }
    const doc = await h.request('GET', '/api/v1/openapi.json', { token: null });
    // No poll or direct-line schema has a property that could name a person.
    const names: string[] = [];
    const walk = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      const properties = (node as { properties?: Record<string, unknown> }).properties;
      if (properties) names.push(...Object.keys(properties));
      for (const value of Object.values(node)) walk(value);
    };
    walk(Object.entries(doc.body.components.schemas).filter(([name]) => /^Poll|^DirectLine/.test(name)));
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((n) => /^(resident|author|voter|ballot|chat|external|user)(Ids?)?$/i.test(n))).toEqual([]);
  });
});

describe('polls through the admin API: a poll published ahead of its start', () => {
  /** The poll-announcements cron job as an instance runs it at `at`. */
  const announceAt = (at: string, instance = 'test') => runJob(h.t.db, JOBS.pollAnnouncements, () => new Date(at), instance);
  const broadcastsOf = (pollId: number) => h.t.db.selectFrom('broadcast').selectAll().where('source', '=', `poll:${pollId}`).execute();

  it('is announced when it opens (its start in the local zone), once, even with two instances and a run after a restart; the Answer button then works', async () => {
    const kemerovo = h.municipality.Kemerovo;
    const curator = h.keys.Kemerovo.curator;
    const resident = await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    // 10 December 09:00 in Kemerovo (UTC+7) is 02:00Z, days after the harness's now.
    const poll = await create(curator, body(kemerovo, { title: 'Сквер: опрос с 10 декабря', startsAt: '2026-12-10T09:00:00+07:00', endsAt: '2026-12-17T09:00:00+07:00' }));

    const published = await h.request('POST', `/api/v1/polls/${poll.id}/publish`, { token: curator, body: {} });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ state: 'published', announcedAt: null });
    expect(await broadcastsOf(poll.id)).toEqual([]);
    const audit = await h.t.db
      .selectFrom('audit_log')
      .select('data')
      .where('entity', '=', 'poll')
      .where('entity_id', '=', String(poll.id))
      .where('action', '=', 'poll.publish')
      .executeTakeFirstOrThrow();
    expect(audit.data).not.toHaveProperty('broadcastId');

    // A minute before the start: nothing yet.
    expect((await announceAt('2026-12-10T01:59:00Z')).counts).toEqual({ pollsAnnounced: 0 });
    expect(await broadcastsOf(poll.id)).toEqual([]);

    // At the start two instances run the job at once: one announcement.
    const runs = await Promise.all([announceAt('2026-12-10T02:00:00Z', 'a'), announceAt('2026-12-10T02:00:00Z', 'b')]);
    expect(runs.map((r) => r.outcome).every((o) => o === 'ok' || o === 'skipped')).toBe(true);
    const [broadcast, ...more] = await broadcastsOf(poll.id);
    expect(more).toEqual([]);
    expect(broadcast).toMatchObject({ municipality_id: kemerovo, topic: 'polls', kind: 'broadcast.poll' });
    expect(broadcast!.payload).toMatchObject({
      key: 'polls.announcement',
      params: { title: 'Сквер: опрос с 10 декабря', endsAt: kuzbass('2026-12-17T09:00') },
      keyboard: { kind: 'inline', rows: [[{ id: `!pa:${poll.id}`, label: 'polls.answer' }], unsubscribeRow('polls')] },
    });
    const shown = await h.request('GET', `/api/v1/polls/${poll.id}`, { token: curator });
    expect(shown.body).toMatchObject({ announcedAt: '2026-12-10T02:00:00.000Z' });

    // Later runs (the next minute, a restart's catch-up) find nothing left.
    expect((await announceAt('2026-12-10T02:01:00Z')).counts).toEqual({ pollsAnnounced: 0 });
    expect((await announceAt('2026-12-10T05:00:00Z', 'restarted')).counts).toEqual({ pollsAnnounced: 0 });
    expect(await broadcastsOf(poll.id)).toHaveLength(1);

    await expandAll();
    expect(await h.t.db.selectFrom('outbox').select('resident_id').where('broadcast_id', '=', broadcast!.id).where('resident_id', '=', resident).execute()).toHaveLength(1);
    // The button the announcement carries takes the answer now.
    const q = poll.questions[0]!;
    await castBallot(
      h.t.db,
      {
        pollId: poll.id,
        residentId: resident,
        channel: 'tg',
        answers: [
          { questionId: q.id, optionIds: [q.options[0]!.id] },
          { questionId: poll.questions[1]!.id, optionIds: [poll.questions[1]!.options[0]!.id] },
        ],
      },
      new Date('2026-12-10T02:00:30Z'),
    );
  });

  it('closed early while its announcement is still going out, the rest of the announcement is not sent (its Answer button would only say the poll is closed)', async () => {
    const kemerovo = h.municipality.Kemerovo;
    for (let i = 0; i < 2; i++) await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    const poll = await create(h.keys.Kemerovo.curator, body(kemerovo, { title: 'Опрос закрыт досрочно' }));
    const published = await h.request('POST', `/api/v1/polls/${poll.id}/publish`, { token: h.keys.Kemerovo.curator, body: { force: true } });
    expect(published.status).toBe(200);
    await expandAll();
    const broadcast = await h.t.db.selectFrom('broadcast').select('id').where('source', '=', `poll:${poll.id}`).executeTakeFirstOrThrow();
    const first = await h.t.db.selectFrom('outbox').select('id').where('broadcast_id', '=', broadcast.id).orderBy('id').executeTakeFirstOrThrow();
    await h.t.db.updateTable('outbox').set({ state: 'sent' }).where('id', '=', first.id).execute();
    expect((await h.request('POST', `/api/v1/polls/${poll.id}/close`, { token: h.keys.Kemerovo.curator, body: {} })).status).toBe(200);
    const progress = (await h.request('GET', `/api/v1/broadcasts/${broadcast.id}`, { token: h.keys.Kemerovo.curator })).body;
    expect(progress).toMatchObject({ status: 'cancelled', pending: 0, sent: 1 });
    expect(progress.cancelled).toBe(progress.recipients - 1);
  });

  it('closed before its start, it is never announced; one past its end before any run (the app was down) is not announced either', async () => {
    const kemerovo = h.municipality.Kemerovo;
    const curator = h.keys.Kemerovo.curator;
    const withdrawn = await create(curator, body(kemerovo, { title: 'Отозванный опрос', startsAt: '2026-12-11T09:00:00+07:00', endsAt: '2026-12-18T09:00:00+07:00' }));
    expect((await h.request('POST', `/api/v1/polls/${withdrawn.id}/publish`, { token: curator, body: {} })).status).toBe(200);
    expect((await h.request('POST', `/api/v1/polls/${withdrawn.id}/close`, { token: curator })).status).toBe(200);
    await announceAt('2026-12-11T02:00:00Z');
    expect(await broadcastsOf(withdrawn.id)).toEqual([]);
    expect((await getPoll(h.t.db, withdrawn.id)).announcedAt).toBeNull();

    const missed = await create(curator, body(kemerovo, { title: 'Пропущенный опрос', startsAt: '2026-12-12T09:00:00+07:00', endsAt: '2026-12-12T21:00:00+07:00' }));
    expect((await h.request('POST', `/api/v1/polls/${missed.id}/publish`, { token: curator, body: {} })).status).toBe(200);
    await announceAt('2026-12-12T15:00:00Z');
    expect(await broadcastsOf(missed.id)).toEqual([]);
  });
});

describe('polls through the admin API: cadence (KPI 3) at the local day boundaries', () => {
  // Asia/Novokuznetsk is UTC+7: local midnight of 2026-12-06 is 2026-12-05T17:00Z.
  const at = (isoTime: string, overrides: Record<string, unknown> = {}) => body(h.municipality.Novokuznetsk, { startsAt: isoTime, endsAt: iso(Date.parse(isoTime) + 5 * DAY), ...overrides });

  it('refuses a second poll starting the same local day (409 naming it) unless a curator or operator forces it (audited); the day before or after is fine', async () => {
    const curator = h.keys.Novokuznetsk.curator;
    const first = await create(curator, at('2026-12-05T17:00:00Z')); // 06.12 00:00 local
    expect((await h.request('POST', `/api/v1/polls/${first.id}/publish`, { token: curator, body: {} })).status).toBe(200);

    const eveBefore = await create(curator, at('2026-12-05T16:59:00Z')); // 05.12 23:59 local
    expect((await h.request('POST', `/api/v1/polls/${eveBefore.id}/publish`, { token: curator, body: {} })).status).toBe(200);

    const lateSameDay = await create(curator, at('2026-12-06T16:59:00Z')); // 06.12 23:59 local
    const refused = await h.request('POST', `/api/v1/polls/${lateSameDay.id}/publish`, { token: curator, body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'POLL_CADENCE', details: { pollId: first.id } });
    expect((await getPoll(h.t.db, lateSameDay.id)).state).toBe('draft');
    expect(await h.t.db.selectFrom('broadcast').select('id').where('source', '=', `poll:${lateSameDay.id}`).execute()).toEqual([]);

    const moderatorForce = await h.request('POST', `/api/v1/polls/${lateSameDay.id}/publish`, { token: h.keys.Novokuznetsk.moderator, body: { force: true } });
    expect(moderatorForce.status).toBe(403);

    const nextDay = await create(curator, at('2026-12-06T17:00:00Z')); // 07.12 00:00 local
    expect((await h.request('POST', `/api/v1/polls/${nextDay.id}/publish`, { token: curator, body: {} })).status).toBe(200);

    const forced = await h.request('POST', `/api/v1/polls/${lateSameDay.id}/publish`, { token: curator, body: { force: true } });
    expect(forced.status).toBe(200);
    const audit = await h.t.db
      .selectFrom('audit_log')
      .select(['action', 'data'])
      .where('entity', '=', 'poll')
      .where('entity_id', '=', String(lateSameDay.id))
      .where('action', '=', 'poll.publish')
      .executeTakeFirstOrThrow();
    expect(audit.data).toMatchObject({ force: true, forcedOver: first.id });

    // Another municipality's poll on that day is no conflict; a region-wide one is.
    const elsewhere = await create(h.keys.Belovo.curator, body(h.municipality.Belovo, { startsAt: '2026-12-06T05:00:00Z', endsAt: '2026-12-09T05:00:00Z' }));
    expect((await h.request('POST', `/api/v1/polls/${elsewhere.id}/publish`, { token: h.keys.Belovo.curator, body: {} })).status).toBe(200);
    const region = await create(h.operator, body(null, { startsAt: '2026-12-06T05:00:00Z', endsAt: '2026-12-09T05:00:00Z' }));
    const regionRefused = await h.request('POST', `/api/v1/polls/${region.id}/publish`, { body: {} });
    expect(regionRefused.status).toBe(409);
    expect(regionRefused.body.code).toBe('POLL_CADENCE');
  });
});

describe('polls through the admin API: cadence under concurrent publication', () => {
  it('of four polls of one local day published at once, exactly one is published; the others get 409 POLL_CADENCE', async () => {
    const curator = h.keys.Kemerovo.curator;
    const day = (i: number) => body(h.municipality.Kemerovo, { title: `Одновременно ${i}`, startsAt: `2026-12-24T0${i}:00:00Z`, endsAt: '2026-12-28T00:00:00Z' });
    const polls = [];
    for (let i = 1; i <= 4; i++) polls.push(await create(curator, day(i)));
    const results = await Promise.all(polls.map((p) => h.request('POST', `/api/v1/polls/${p.id}/publish`, { token: curator, body: {} })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'POLL_CADENCE')).toBe(true);
    const published = await h.t.db
      .selectFrom('poll')
      .select('id')
      .where(
        'id',
        'in',
        polls.map((p) => p.id),
      )
      .where('state', '<>', 'draft')
      .execute();
    expect(published).toHaveLength(1);
  });
});

describe('polls through the admin API: bad bodies', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['no options', { questions: [{ kind: 'single', text: 'Q', options: [] }] }, 'questions[0].options'],
    ['11 options', { questions: [{ kind: 'single', text: 'Q', options: Array.from({ length: 11 }, (_, i) => `O${i}`) }] }, 'questions[0].options'],
    ['end before start', { startsAt: '2026-12-10T00:00:00Z', endsAt: '2026-12-09T00:00:00Z' }, 'endsAt'],
    ['more than 90 days', { startsAt: '2026-12-10T00:00:00Z', endsAt: '2027-03-20T00:00:00Z' }, 'endsAt'],
    ['unknown category', { categoryId: 999_999 }, 'categoryId'],
    ['no questions', { questions: [] }, 'questions'],
    ['21 questions', { questions: Array.from({ length: 21 }, () => ({ kind: 'text', text: 'Q' })) }, 'questions'],
    ['a vote with two questions', { kind: 'vote' }, 'questions'],
    ['maxChoices above the options', { questions: [{ kind: 'multiple', text: 'Q', maxChoices: 3, options: ['a', 'b'] }] }, 'questions[0].maxChoices'],
    ['options on free text', { questions: [{ kind: 'text', text: 'Q', options: ['a', 'b'] }] }, 'questions[0].options'],
    ['empty title', { title: '  ' }, 'title'],
  ];
  it.each(cases)('%s → 400 naming the field, nothing stored', async (_, overrides, field) => {
    const before = Number(
      (
        await h.t.db
          .selectFrom('poll')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const res = await h.request('POST', '/api/v1/polls', { token: h.keys.Kemerovo.curator, body: body(h.municipality.Kemerovo, overrides) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION');
    expect(res.body.details.field).toBe(field);
    expect(
      Number(
        (
          await h.t.db
            .selectFrom('poll')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(before);
  });

  it('a malformed time is refused by the schema with its path; a patch that breaks the poll names the field', async () => {
    const res = await h.request('POST', '/api/v1/polls', { token: h.keys.Kemerovo.curator, body: body(h.municipality.Kemerovo, { startsAt: 'tomorrow' }) });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('startsAt');
    const draft = await create(h.keys.Kemerovo.curator, body(h.municipality.Kemerovo));
    const patch = await h.request('PATCH', `/api/v1/polls/${draft.id}`, { token: h.keys.Kemerovo.curator, body: { endsAt: '2020-01-01T00:00:00Z' } });
    expect(patch.status).toBe(400);
    expect(patch.body.details.field).toBe('endsAt');
  });

  it('curators of a municipality cannot create region-wide polls, nor see them', async () => {
    const res = await h.request('POST', '/api/v1/polls', { token: h.keys.Kemerovo.curator, body: body(null) });
    expect(res.status).toBe(404);
    const region = await create(h.operator, body(null, { title: 'Областной опрос' }));
    expect((await h.request('GET', `/api/v1/polls/${region.id}`, { token: h.keys.Kemerovo.curator })).status).toBe(404);
    expect((await h.request('GET', `/api/v1/polls/${region.id}`)).status).toBe(200);
  });
});

describe('ballots (core rules behind the bots)', () => {
  it('a concurrent double vote counts once; a closed poll and another municipality are refused with nothing stored', async () => {
    const kemerovo = h.municipality.Kemerovo;
    const poll = await create(
      h.keys.Kemerovo.curator,
      body(kemerovo, { kind: 'vote', startsAt: iso(h.now().getTime() - 3 * DAY), questions: [{ kind: 'single', text: 'Да?', options: ['Да', 'Нет'] }] }),
    );
    await h.t.db.updateTable('poll').set({ state: 'published', published_at: h.now() }).where('id', '=', poll.id).execute();
    const q = poll.questions[0]!;
    const voter = await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    const ballot = (optionIndex: number) =>
      castBallot(h.t.db, { pollId: poll.id, residentId: voter, channel: 'tg', answers: [{ questionId: q.id, optionIds: [q.options[optionIndex]!.id] }] }, h.now());
    const outcomes = await Promise.allSettled([ballot(0), ballot(1)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const failed = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(isDomainError(failed.reason, 'POLL_ALREADY_VOTED')).toBe(true);
    expect(
      Number(
        (
          await h.t.db
            .selectFrom('poll_answer')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('poll_id', '=', poll.id)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(1);

    const outsider = await registeredResident(h.t.db, { municipalityId: h.municipality.Novokuznetsk, now: h.now() });
    await expect(castBallot(h.t.db, { pollId: poll.id, residentId: outsider, channel: 'vk', answers: [{ questionId: q.id, optionIds: [q.options[0]!.id] }] }, h.now())).rejects.toMatchObject({
      code: 'POLL_OTHER_MUNICIPALITY',
    });

    // The cron closes it at its end; a ballot after that is refused.
    const late = await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    const counts = await runPollJobs(h.t.db, new Date(Date.parse((await getPoll(h.t.db, poll.id)).endsAt.toISOString()) + 1000));
    expect(counts.pollsClosed).toBeGreaterThanOrEqual(1);
    expect((await getPoll(h.t.db, poll.id)).state).toBe('closed');
    await expect(castBallot(h.t.db, { pollId: poll.id, residentId: late, channel: 'tg', answers: [{ questionId: q.id, optionIds: [q.options[0]!.id] }] }, h.now())).rejects.toMatchObject({
      code: 'POLL_NOT_OPEN',
    });
    expect(await h.t.db.selectFrom('poll_ballot').select('resident_id').where('poll_id', '=', poll.id).execute()).toEqual([{ resident_id: voter }]);
  });
});

describe('the weekly-cadence alert', () => {
  it("alerts KPI 3's responsible officials once when the last poll started 6 days ago and none starts within a day", async () => {
    const belovo = h.municipality.Belovo;
    const assigned = await h.request('POST', '/api/v1/kpi-responsibles', { token: h.keys.Belovo.curator, body: { municipalityId: belovo, kpi: 3, staffId: h.staff.Belovo.moderator } });
    expect(assigned.status).toBe(201);
    // Belovo's polls so far (from the tests above) are pushed far back; one poll starts 2026-12-10.
    await h.t.db
      .updateTable('poll')
      .set({ starts_at: new Date('2026-11-01T00:00:00Z') })
      .where('municipality_id', '=', belovo)
      .execute();
    const last = await create(h.keys.Belovo.curator, body(belovo, { startsAt: '2026-12-10T02:00:00Z', endsAt: '2026-12-20T02:00:00Z' }));
    expect((await h.request('POST', `/api/v1/polls/${last.id}/publish`, { token: h.keys.Belovo.curator, body: {} })).status).toBe(200);
    const alerts = () => h.t.db.selectFrom('staff_alert').select(['staff_id', 'key', 'params']).where('kind', '=', 'alert.poll_cadence').where('staff_id', '=', h.staff.Belovo.moderator).execute();

    await runPollJobs(h.t.db, new Date('2026-12-16T01:00:00Z')); // 5 days 23 hours later
    expect(await alerts()).toEqual([]);

    // A poll scheduled within a day keeps the week: no alert.
    const next = await create(h.keys.Belovo.curator, body(belovo, { startsAt: '2026-12-16T20:00:00Z', endsAt: '2026-12-20T02:00:00Z' }));
    expect((await h.request('POST', `/api/v1/polls/${next.id}/publish`, { token: h.keys.Belovo.curator, body: {} })).status).toBe(200);
    await runPollJobs(h.t.db, new Date('2026-12-16T02:00:00Z'));
    expect(await alerts()).toEqual([]);

    // Without it, six days after the start the responsible official is alerted, once.
    await h.t.db.updateTable('poll').set({ state: 'draft' }).where('id', '=', next.id).execute();
    await runPollJobs(h.t.db, new Date('2026-12-16T02:00:00Z'));
    await runPollJobs(h.t.db, new Date('2026-12-16T03:00:00Z'));
    const raised = await alerts();
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ key: 'polls.cadence_alert', params: { days: 6 } });
  });
});

describe('the direct line through the admin API', () => {
  it('a campaign opens (announced with an Ask button); questions are limited to 5 a resident and 1000 characters; officials search, export, select and answer — the answer reaches the author', async () => {
    const kemerovo = h.municipality.Kemerovo;
    const curator = h.keys.Kemerovo.curator;
    const created = await h.request('POST', '/api/v1/direct-lines', {
      token: curator,
      body: {
        municipalityId: kemerovo,
        title: 'Прямая линия главы',
        headName: 'Иван Петров',
        collectFrom: iso(h.now().getTime() - HOUR),
        collectTo: iso(h.now().getTime() + 10 * DAY),
        broadcastOn: '2026-12-15',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.openedAt).not.toBeNull();
    const announcement = await h.t.db.selectFrom('broadcast').selectAll().where('source', '=', `direct_line:${created.body.id}`).executeTakeFirstOrThrow();
    expect(announcement).toMatchObject({ topic: 'direct_line', municipality_id: kemerovo });
    expect(announcement.payload).toMatchObject({ key: 'polls.direct_line_announcement', keyboard: { rows: [[{ id: `!dla:${created.body.id}` }], unsubscribeRow('direct_line')] } });

    const { askQuestion } = await import('../../../core/polls/direct-line.ts');
    const author = await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    const ask = (text: string, residentId = author) => askQuestion(h.t.db, { directLineId: created.body.id, residentId, channel: 'tg', text }, h.now());
    for (let i = 1; i <= 5; i++) await ask(i === 3 ? 'Когда отремонтируют дорогу на Весенней?' : `Вопрос ${i}`);
    await expect(ask('Шестой')).rejects.toMatchObject({ code: 'DIRECT_LINE_QUESTION_LIMIT' });
    const other = await registeredResident(h.t.db, { municipalityId: kemerovo, now: h.now() });
    await expect(ask('x'.repeat(1001), other)).rejects.toMatchObject({ code: 'TEXT_TOO_LONG' });
    await expect(ask('=HYPERLINK("http://evil")', other)).resolves.toBeDefined();
    const outsider = await registeredResident(h.t.db, { municipalityId: h.municipality.Novokuznetsk, now: h.now() });
    await expect(ask('Чужой', outsider)).rejects.toMatchObject({ code: 'DIRECT_LINE_NOT_OPEN' });

    const all = await h.request('GET', `/api/v1/direct-lines/${created.body.id}/questions`, { token: h.keys.Kemerovo.responsible });
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(6);
    expect(JSON.stringify(all.body)).not.toMatch(/resident/i);
    const found = await h.request('GET', `/api/v1/direct-lines/${created.body.id}/questions?q=${encodeURIComponent('дорогу')}`, { token: curator });
    expect(found.body.items.map((q: { text: string }) => q.text)).toEqual(['Когда отремонтируют дорогу на Весенней?']);
    const questionId = found.body.items[0].id;

    const answered = await h.request('POST', `/api/v1/direct-lines/${created.body.id}/questions/${questionId}/answer`, { token: curator, body: { text: 'Весной 2027 года.' } });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ selected: true, answerText: 'Весной 2027 года.' });
    const sent = await h.t.db.selectFrom('outbox').select(['resident_id', 'payload', 'kind']).where('kind', '=', 'direct_line.answer').execute();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ resident_id: author, payload: { key: 'polls.direct_line_answer', params: { answer: 'Весной 2027 года.', question: 'Когда отремонтируют дорогу на Весенней?' } } });

    const selectOnly = await h.request('POST', `/api/v1/direct-lines/${created.body.id}/questions/${all.body.items[0].id}/answer`, { token: curator, body: { selected: true } });
    expect(selectOnly.body).toMatchObject({ selected: true, answerText: null });
    const selected = await h.request('GET', `/api/v1/direct-lines/${created.body.id}/questions?selected=true`, { token: curator });
    expect(selected.body.items).toHaveLength(2);
    const empty = await h.request('POST', `/api/v1/direct-lines/${created.body.id}/questions/${questionId}/answer`, { token: curator, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.details.field).toBe('text');

    const csv = await h.request('GET', `/api/v1/direct-lines/${created.body.id}/questions?format=csv`, { token: curator });
    expect(csv.status).toBe(200);
    const rows = parse(csv.text, { bom: true }) as string[][];
    expect(rows[0]).toEqual(['id', 'created_at', 'channel', 'category_id', 'selected', 'question', 'answer', 'answered_at']);
    expect(rows).toHaveLength(7);
    expect(rows.find((r) => r[0] === String(questionId))!.slice(4, 7)).toEqual(['yes', 'Когда отремонтируют дорогу на Весенней?', 'Весной 2027 года.']);
    expect(rows.some((r) => r[5]!.startsWith("'=HYPERLINK"))).toBe(true);

    const list = await h.request('GET', '/api/v1/direct-lines', { token: curator });
    expect(list.body.items.find((d: { id: number }) => d.id === created.body.id)).toMatchObject({ questions: 6 });
    expect((await h.request('GET', `/api/v1/direct-lines/${created.body.id}/questions`, { token: h.keys.Novokuznetsk.curator })).status).toBe(404);

    const bad = await h.request('POST', '/api/v1/direct-lines', {
      token: curator,
      body: { municipalityId: kemerovo, title: 'X', headName: 'Y', collectFrom: iso(h.now().getTime() + DAY), collectTo: iso(h.now().getTime()), broadcastOn: '2026-12-15' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.field).toBe('collectTo');
    const audit = await h.t.db.selectFrom('audit_log').select('action').where('action', 'like', 'direct_line.%').execute();
    expect(audit.map((a) => a.action)).toEqual(['direct_line.create', 'direct_line.answer', 'direct_line.answer']);
  });
});

describe('the direct line opens on time', () => {
  it('a campaign starting later is opened (and announced) by the direct-line-announcements job once its collection begins, once', async () => {
    const collectFrom = h.now().getTime() + 2 * DAY;
    const created = await h.request('POST', '/api/v1/direct-lines', {
      token: h.keys.Belovo.curator,
      body: { municipalityId: h.municipality.Belovo, title: 'Прямая линия', headName: 'Глава округа', collectFrom: iso(collectFrom), collectTo: iso(collectFrom + 7 * DAY), broadcastOn: '2026-12-12' },
    });
    expect(created.status).toBe(201);
    expect(created.body.openedAt).toBeNull();
    const announcements = () => h.t.db.selectFrom('broadcast').select('id').where('source', '=', `direct_line:${created.body.id}`).execute();
    const announceAt = async (at: number) => (await runJob(h.t.db, JOBS.directLineAnnouncements, () => new Date(at))).counts;
    await announceAt(collectFrom - 60_000);
    expect(await announcements()).toEqual([]);
    expect(await announceAt(collectFrom)).toEqual({ directLinesOpened: 1 });
    expect(await announceAt(collectFrom + 60_000)).toEqual({ directLinesOpened: 0 });
    expect(await announcements()).toHaveLength(1);
    const opened = await h.t.db.selectFrom('direct_line').select('opened_at').where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(opened.opened_at).toEqual(new Date(collectFrom));
  });

  it("a poll's photo must be one of the municipality's files", async () => {
    const form = new FormData();
    form.append('file', new Blob([jpegBytes(320, 7).slice().buffer], { type: 'image/jpeg' }), 'poster.jpg');
    const foreign = await h.request('POST', '/api/v1/media', { form, token: h.keys.Novokuznetsk.curator });
    expect(foreign.status).toBe(201);
    const refused = await h.request('POST', '/api/v1/polls', { token: h.keys.Kemerovo.curator, body: body(h.municipality.Kemerovo, { mediaId: foreign.body.id }) });
    expect(refused.status).toBe(404);
    const own = await h.request('POST', '/api/v1/polls', {
      token: h.keys.Novokuznetsk.curator,
      body: body(h.municipality.Novokuznetsk, { mediaId: foreign.body.id, startsAt: '2027-01-10T03:00:00Z', endsAt: '2027-01-20T03:00:00Z' }),
    });
    expect(own.status).toBe(201);
    expect(own.body.mediaId).toBe(foreign.body.id);
  });
});

describe("the direct line: dates in the municipality's time zone", () => {
  const line = (collectFrom: string, collectTo: string, broadcastOn: string) =>
    h.request('POST', '/api/v1/direct-lines', {
      token: h.keys.Kemerovo.curator,
      body: { municipalityId: h.municipality.Kemerovo, title: 'Прямая линия', headName: 'Глава', collectFrom, collectTo, broadcastOn },
    });

  it('refuses a broadcast day before the local day collection begins, and a collection that runs past the broadcast day', async () => {
    // 2026-12-22T20:00Z is 23 December 03:00 local (UTC+7): after a broadcast on the 22nd.
    const lateStart = await line('2026-12-22T20:00:00Z', '2026-12-22T22:00:00Z', '2026-12-22');
    expect(lateStart.status).toBe(400);
    expect(lateStart.body.details).toEqual({ field: 'broadcastOn', problem: 'must not be before collectFrom' });
    const pastBroadcast = await line('2026-12-20T03:00:00Z', '2026-12-24T03:00:00Z', '2026-12-22');
    expect(pastBroadcast.status).toBe(400);
    expect(pastBroadcast.body.details.field).toBe('collectTo');
    // Until local midnight after the broadcast day (2026-12-22T17:00Z) is within that day.
    const untilMidnight = await line('2026-12-20T03:00:00Z', '2026-12-22T17:00:00Z', '2026-12-22');
    expect(untilMidnight.status).toBe(201);
  });
});

describe('withdrawing a direct-line campaign', () => {
  it('a curator withdraws an open campaign: its unsent announcement is dropped, no more questions, those asked kept; a campaign withdrawn before its start is never announced; again is 409', async () => {
    const town = h.municipality.Novokuznetsk;
    const curator = h.keys.Novokuznetsk.curator;
    const body = (from: number) => ({ municipalityId: town, title: 'Прямая линия по ошибке', headName: 'Глава', collectFrom: iso(from), collectTo: iso(from + 5 * DAY), broadcastOn: '2026-12-30' });
    const resident = await registeredResident(h.t.db, { municipalityId: town, now: h.now() });
    const open = (await h.request('POST', '/api/v1/direct-lines', { token: curator, body: body(h.now().getTime() - HOUR) })).body;
    const { askQuestion } = await import('../../../core/polls/direct-line.ts');
    const ask = (text: string) => askQuestion(h.t.db, { directLineId: open.id, residentId: resident, channel: 'tg', text }, h.now());
    await ask('Успею спросить?');
    const announcement = await h.t.db.selectFrom('broadcast').select('id').where('source', '=', `direct_line:${open.id}`).executeTakeFirstOrThrow();
    while (!(await expandBatch(h.t.db, announcement.id, 1000)).done);
    const pending = () => h.t.db.selectFrom('outbox').select('id').where('broadcast_id', '=', announcement.id).where('state', '=', 'pending').execute();
    expect((await pending()).length).toBeGreaterThan(0);

    expect((await h.request('POST', `/api/v1/direct-lines/${open.id}/withdraw`, { token: h.keys.Novokuznetsk.responsible, body: {} })).status).toBe(403);
    expect((await h.request('POST', `/api/v1/direct-lines/${open.id}/withdraw`, { token: h.keys.Kemerovo.curator, body: {} })).status).toBe(404);
    const withdrawn = await h.request('POST', `/api/v1/direct-lines/${open.id}/withdraw`, { token: curator, body: {} });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.withdrawnAt).not.toBeNull();
    // From the answer on none of them is claimed by a sender; the expander marks them cancelled.
    expect(await claimable([announcement.id])).toEqual([]);
    await dropCancelledUnsent(h.t.db);
    expect(await pending()).toEqual([]);
    await expect(ask('А теперь?')).rejects.toMatchObject({ code: 'DIRECT_LINE_WITHDRAWN' });
    const questions = await h.request('GET', `/api/v1/direct-lines/${open.id}/questions`, { token: curator });
    expect(questions.body.items.map((q: { text: string }) => q.text)).toEqual(['Успею спросить?']);
    const again = await h.request('POST', `/api/v1/direct-lines/${open.id}/withdraw`, { token: curator, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('DIRECT_LINE_WITHDRAWN');

    const later = (await h.request('POST', '/api/v1/direct-lines', { token: curator, body: body(h.now().getTime() + DAY) })).body;
    expect(later.openedAt).toBeNull();
    expect((await h.request('POST', `/api/v1/direct-lines/${later.id}/withdraw`, { token: curator, body: {} })).status).toBe(200);
    await runJob(h.t.db, JOBS.directLineAnnouncements, () => new Date(h.now().getTime() + 2 * DAY));
    expect(await h.t.db.selectFrom('broadcast').select('id').where('source', '=', `direct_line:${later.id}`).execute()).toEqual([]);
    expect((await h.request('POST', '/api/v1/direct-lines/999999/withdraw', { token: curator, body: {} })).status).toBe(404);
  });

  it('takes an optional reason: refused with a 400 naming it when too long, blank, not a text or holding a NUL (nothing withdrawn), else stored and listed', async () => {
    const town = h.municipality.Novokuznetsk;
    const curator = h.keys.Novokuznetsk.curator;
    const line = (
      await h.request('POST', '/api/v1/direct-lines', {
        token: curator,
        body: {
          municipalityId: town,
          title: 'Прямая линия с причиной',
          headName: 'Глава',
          collectFrom: iso(h.now().getTime() + DAY),
          collectTo: iso(h.now().getTime() + 3 * DAY),
          broadcastOn: '2026-12-30',
        },
      })
    ).body;
    const withdraw = (body: unknown) => h.request('POST', `/api/v1/direct-lines/${line.id}/withdraw`, { token: curator, body });
    const listed = async () => ((await h.request('GET', `/api/v1/direct-lines?municipalityId=${town}`, { token: curator })).body.items as { id: number }[]).find((d) => d.id === line.id);
    for (const reason of ['я'.repeat(501), '', 42, 'до\u0000после']) {
      const refused = await withdraw({ reason });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION');
      expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
    }
    expect(await listed()).toMatchObject({ withdrawnAt: null, withdrawnReason: null });
    const withdrawn = await withdraw({ reason: ' Глава в командировке ' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ withdrawnReason: 'Глава в командировке' });
    expect(await listed()).toMatchObject({ withdrawnAt: expect.any(String), withdrawnReason: 'Глава в командировке' });
  });

  it('tells every resident who asked a question, once each, through the outbox (with the reason when given); nobody else; a refused withdrawal tells nobody', async () => {
    const town = h.municipality.Novokuznetsk;
    const curator = h.keys.Novokuznetsk.curator;
    const create = async (title: string) =>
      (
        await h.request('POST', '/api/v1/direct-lines', {
          token: curator,
          body: { municipalityId: town, title, headName: 'Глава города', collectFrom: iso(h.now().getTime() - HOUR), collectTo: iso(h.now().getTime() + 3 * DAY), broadcastOn: '2026-12-30' },
        })
      ).body as { id: number };
    const { askQuestion } = await import('../../../core/polls/direct-line.ts');
    const twice = await registeredResident(h.t.db, { municipalityId: town, now: h.now() });
    const once = await registeredResident(h.t.db, { municipalityId: town, channel: 'vk', now: h.now() });
    const bystander = await registeredResident(h.t.db, { municipalityId: town, now: h.now() });
    const notices = (lineId: number) =>
      h.t.db
        .selectFrom('outbox')
        .select(['resident_id', 'channel', 'payload', 'dedupe_key'])
        .where('kind', '=', 'direct_line.withdrawn')
        .where('dedupe_key', 'like', `direct_line.withdrawn:${lineId}:%`)
        .orderBy('resident_id')
        .execute();

    const withReason = await create('Прямая линия, отменённая с причиной');
    const ask = (residentId: number, text: string, channel: 'tg' | 'vk' = 'tg') => askQuestion(h.t.db, { directLineId: withReason.id, residentId, channel, text }, h.now());
    await ask(twice, 'Когда починят мост?');
    await ask(twice, 'А освещение на Кирова?');
    await ask(once, 'Где новая школа?', 'vk');
    const withdraw = (id: number, body: unknown) => h.request('POST', `/api/v1/direct-lines/${id}/withdraw`, { token: curator, body });
    // Refused (a reason too long): nothing withdrawn, nobody told.
    expect((await withdraw(withReason.id, { reason: 'я'.repeat(501) })).status).toBe(400);
    expect(await notices(withReason.id)).toEqual([]);
    expect((await withdraw(withReason.id, { reason: 'Глава в командировке' })).status).toBe(200);
    const told = await notices(withReason.id);
    expect(told).toEqual([
      {
        resident_id: twice,
        channel: 'tg',
        dedupe_key: `direct_line.withdrawn:${withReason.id}:${twice}`,
        payload: expect.objectContaining({
          key: 'polls.direct_line_withdrawn_notice_reason',
          params: { title: 'Прямая линия, отменённая с причиной', head: 'Глава города', reason: 'Глава в командировке' },
        }),
      },
      {
        resident_id: once,
        channel: 'vk',
        dedupe_key: `direct_line.withdrawn:${withReason.id}:${once}`,
        payload: expect.objectContaining({ key: 'polls.direct_line_withdrawn_notice_reason' }),
      },
    ]);
    expect(told.some((r) => r.resident_id === bystander)).toBe(false);
    // Again: 409, nobody told twice.
    expect((await withdraw(withReason.id, {})).status).toBe(409);
    expect(await notices(withReason.id)).toHaveLength(2);

    const noReason = await create('Прямая линия без причины');
    await askQuestion(h.t.db, { directLineId: noReason.id, residentId: once, channel: 'vk', text: 'Будет ли автобус?' }, h.now());
    expect((await h.request('POST', `/api/v1/direct-lines/${noReason.id}/withdraw`, { token: curator })).status).toBe(200);
    expect(await notices(noReason.id)).toEqual([
      expect.objectContaining({
        resident_id: once,
        payload: expect.objectContaining({ key: 'polls.direct_line_withdrawn_notice', params: { title: 'Прямая линия без причины', head: 'Глава города' } }),
      }),
    ]);
  });
});
