import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropCancelledUnsent, expandBatch } from '../../../core/broadcasts/broadcasts.ts';
import { NOT_CANCELLED } from '../../../core/outbox/outbox.queue.ts';
import { castVote, REQUIRED_ATTRIBUTES, submitEntry } from '../../../core/contests/contests.ts';
import { runJob } from '../../../core/jobs/run-job.ts';
import { JOBS } from '../../../cron/jobs.ts';
import { fullContest } from '../../../test/contest-body.ts';
import { createApiHarness, type ApiHarness } from '../../../test/api-harness.ts';
import { registeredResident } from '../../../test/residents.ts';

let h: ApiHarness;

/** Rows of these broadcasts a sender could still claim (claimDue's rule). */
const claimable = (broadcastIds: number[]) =>
  h.t.db.selectFrom('outbox as o').select('o.id').where('o.broadcast_id', 'in', broadcastIds).where('o.state', '=', 'pending').where(NOT_CANCELLED).execute();
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(async () => {
  await h.close();
});

const full = fullContest;

async function create(body: Record<string, unknown>, token?: string) {
  return h.request('POST', '/api/v1/contests', { token, body: { municipalityId: h.municipality.Kemerovo, ...body } });
}

async function cron(at: string) {
  const result = await runJob(h.t.db, JOBS.contests, () => new Date(at));
  expect(result.outcome).toBe('ok');
  return result.counts;
}

let mediaSeq = 0;
async function media(kind: 'image' | 'video' = 'image') {
  const row = await h.t.db
    .insertInto('media')
    .values({
      sha256: createHash('sha256').update(`m${++mediaSeq}`).digest('hex'),
      mime: kind === 'image' ? 'image/jpeg' : 'video/mp4',
      kind,
      size_bytes: 100,
      municipality_id: h.municipality.Kemerovo,
      created_by_staff_id: null,
      origin: 'tg',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function enter(contestId: number, residentId: number, at: string, kind: 'photo' | 'video' = 'photo') {
  return h.t.db.transaction().execute((trx) => submitEntry(trx, { contestId, residentId, channel: 'tg', mediaId: 0, mediaKind: kind, caption: 'моя работа', ...{} }, new Date(at)).catch((e) => e));
}

async function entry(contestId: number, residentId: number, at: string, kind: 'photo' | 'video' = 'photo') {
  const mediaId = await media(kind === 'photo' ? 'image' : 'video');
  return h.t.db.transaction().execute((trx) => submitEntry(trx, { contestId, residentId, channel: 'tg', mediaId, mediaKind: kind, caption: 'моя работа' }, new Date(at)));
}

const outboxFor = (residentId: number, kind: string) => h.t.db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', residentId).where('kind', '=', kind).execute();

describe('contests: attributes and the publishing rules', () => {
  it('refuses to publish a draft missing any attribute, listing every one missing (422 CONTEST_INCOMPLETE)', async () => {
    const empty = await create({});
    expect(empty.status).toBe(201);
    const refused = await h.request('POST', `/api/v1/contests/${empty.body.id}/publish`, { body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('CONTEST_INCOMPLETE');
    expect([...refused.body.details.missing].sort()).toEqual([...REQUIRED_ATTRIBUTES].sort());

    for (const attribute of REQUIRED_ATTRIBUTES) {
      const draft = await create(full({ [attribute]: null }));
      expect(draft.status).toBe(201);
      const reply = await h.request('POST', `/api/v1/contests/${draft.body.id}/publish`, { body: {} });
      expect(reply.status, attribute).toBe(422);
      expect(reply.body.code).toBe('CONTEST_INCOMPLETE');
      expect(reply.body.details.missing).toEqual([attribute]);
      expect((await h.request('GET', `/api/v1/contests/${draft.body.id}`)).body.state).toBe('draft');
    }
  });

  it('refuses a contest running 32 days from entries to results (KPI 10, one month), accepts exactly one month', async () => {
    const long = await create(full({ entriesFrom: '2026-12-10', entriesTo: '2026-12-24', votingFrom: '2026-12-25', votingTo: '2027-01-10', resultsOn: '2027-01-11' }));
    const refused = await h.request('POST', `/api/v1/contests/${long.body.id}/publish`, { body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('CONTEST_TOO_LONG');
    expect(refused.body.details.rule).toMatch(/1 month/);

    const month = await create(full({ entriesFrom: '2026-12-10', entriesTo: '2026-12-24', votingFrom: '2026-12-25', votingTo: '2027-01-09', resultsOn: '2027-01-10' }));
    const ok = await h.request('POST', `/api/v1/contests/${month.body.id}/publish`, { body: {} });
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe('published');
    expect(ok.body.resultsOn).toBe('2027-01-09T17:00:00.000Z');
    const broadcast = await h.t.db.selectFrom('broadcast').select(['topic', 'municipality_id', 'payload']).where('source', '=', `contest:${month.body.id}`).executeTakeFirstOrThrow();
    expect(broadcast).toMatchObject({ topic: 'contests', municipality_id: h.municipality.Kemerovo });
    expect(broadcast.payload.key).toBe('contests.announced');

    const patched = await h.request('PATCH', `/api/v1/contests/${month.body.id}`, { body: { title: 'Другое' } });
    expect(patched.status).toBe(409);
    expect(patched.body.code).toBe('CONTEST_WRONG_STATE');
    const again = await h.request('POST', `/api/v1/contests/${month.body.id}/publish`, { body: {} });
    expect(again.status).toBe(409);
  });

  it('refuses to publish a draft whose entries closed already (it would be announced and run through every step at once), naming the field', async () => {
    const day = 86_400_000;
    const at = (days: number) => new Date(h.now().getTime() + days * day).toISOString();
    const stale = await create(full({ entriesFrom: at(-20), entriesTo: at(-10), votingFrom: at(-10), votingTo: at(-5), resultsOn: at(-4) }));
    expect(stale.status).toBe(201);
    const refused = await h.request('POST', `/api/v1/contests/${stale.body.id}/publish`, { body: {} });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'VALIDATION', details: { field: 'entriesTo', problem: 'is already past' } });
    expect((await h.request('GET', `/api/v1/contests/${stale.body.id}`, {})).body.state).toBe('draft');
    expect(await h.t.db.selectFrom('broadcast').select('id').where('source', '=', `contest:${stale.body.id}`).execute()).toEqual([]);
    // Entries open already but not closed yet: published, the cron opens them at once.
    const running = await create(full({ entriesFrom: at(-1), entriesTo: at(5), votingFrom: at(5), votingTo: at(10), resultsOn: at(11) }));
    expect((await h.request('POST', `/api/v1/contests/${running.body.id}/publish`, { body: {} })).status).toBe(200);
  });

  it('refuses dates out of order and bad dates', async () => {
    const backwards = await create(full({ entriesTo: '2026-12-09' }));
    const refused = await h.request('POST', `/api/v1/contests/${backwards.body.id}/publish`, { body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('CONTEST_DATES_INVALID');
    const bad = await create(full({ entriesFrom: '10.12.2026' }));
    expect(bad.status).toBe(400);
    // Dates that do not exist are refused, not rolled over into March.
    for (const entriesFrom of ['2026-02-30', '2026-02-30T10:00:00+07:00', '2026-04-31T00:00:00Z']) {
      const impossible = await create(full({ entriesFrom }));
      expect(impossible.status, entriesFrom).toBe(400);
      expect(impossible.body.details).toEqual({ field: 'entriesFrom', problem: 'not a valid date-time' });
    }
    const unknown = await create(full({ colour: 'red' }));
    expect(unknown.status).toBe(400);
  });

  it('a plain "to" date (entriesTo, votingTo) means through the end of that local day; "from" and results dates its start; a date-time stays exact', async () => {
    const draft = await create(full());
    expect(draft.status).toBe(201);
    // Kemerovo is UTC+7: the 19th ends at 16:59:59.999 UTC, the 20th starts at 17:00 UTC the day before.
    expect(draft.body).toMatchObject({
      entriesFrom: '2026-12-09T17:00:00.000Z',
      entriesTo: '2026-12-19T16:59:59.999Z',
      votingFrom: '2026-12-19T17:00:00.000Z',
      votingTo: '2026-12-26T16:59:59.999Z',
      resultsOn: '2026-12-27T17:00:00.000Z',
    });
    const patched = await h.request('PATCH', `/api/v1/contests/${draft.body.id}`, { body: { entriesTo: '2026-12-18' } });
    expect(patched.body.entriesTo).toBe('2026-12-18T16:59:59.999Z');
    const exact = await create(full({ entriesTo: '2026-12-19T12:00:00+07:00', votingTo: '2026-12-26T18:00:00Z' }));
    expect(exact.body).toMatchObject({ entriesTo: '2026-12-19T05:00:00.000Z', votingTo: '2026-12-26T18:00:00.000Z' });

    // Entries are taken all through their last day: at 23:30 local on the 19th, not at 00:00 on the 20th.
    const contest = (await create(full())).body;
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/publish`, { body: {} })).status).toBe(200);
    // The announcement names the last day entries are taken (the 19th), not the day after.
    const announced = await h.t.db.selectFrom('broadcast').select('payload').where('source', '=', `contest:${contest.id}`).executeTakeFirstOrThrow();
    expect(announced.payload.params).toMatchObject({ entriesFrom: '10.12.2026', entriesTo: '19.12.2026', votingTo: '26.12.2026', resultsOn: '28.12.2026' });
    await cron('2026-12-09T17:00:00.000Z');
    const [late, later] = await Promise.all([1, 2].map(() => registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo })));
    expect((await entry(contest.id, late!, '2026-12-19T16:30:00.000Z')).state).toBe('pending');
    expect((await enter(contest.id, later!, '2026-12-19T17:00:00.000Z')).code).toBe('CONTEST_NOT_OPEN');

    // Voting from the last day of entries would close them at its start (the bot takes entries only
    // before voting): refused at publication, naming votingFrom; voting from the next day is fine.
    const overlap = await create(full({ entriesTo: '2026-12-20', votingFrom: '2026-12-20' }));
    const refused = await h.request('POST', `/api/v1/contests/${overlap.body.id}/publish`, { body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'CONTEST_DATES_INVALID', details: { field: 'votingFrom', rule: 'entriesTo must be before votingFrom' } });
    // Voting until the day the results come: the results would come before voting ends.
    const sameDay = await create(full({ votingTo: '2026-12-28' }));
    const sameDayRefused = await h.request('POST', `/api/v1/contests/${sameDay.body.id}/publish`, { body: {} });
    expect(sameDayRefused.body).toMatchObject({ code: 'CONTEST_DATES_INVALID', details: { field: 'resultsOn' } });
  });

  it('is scoped: another municipality sees 404, a moderator may not create, a region-wide contest is for operators', async () => {
    const draft = await create(full());
    expect((await h.request('GET', `/api/v1/contests/${draft.body.id}`, { token: h.keys.Novokuznetsk.curator })).status).toBe(404);
    expect((await h.request('POST', `/api/v1/contests/${draft.body.id}/publish`, { token: h.keys.Novokuznetsk.curator, body: {} })).status).toBe(404);
    expect((await create(full(), h.keys.Kemerovo.moderator)).status).toBe(403);
    expect((await h.request('POST', '/api/v1/contests', { token: h.keys.Kemerovo.curator, body: { municipalityId: null, ...full() } })).status).toBe(404);
    const list = await h.request('GET', '/api/v1/contests', { token: h.keys.Novokuznetsk.curator });
    expect(list.body.items.map((c: { municipalityId: number }) => c.municipalityId).every((m: number) => m === h.municipality.Novokuznetsk)).toBe(true);
    const audit = await h.t.db.selectFrom('audit_log').select('action').where('entity', '=', 'contest').where('entity_id', '=', String(draft.body.id)).execute();
    expect(audit.map((a) => a.action)).toEqual(['contest.create']);
  });
});

describe('contests: the cron moves a contest along its local dates, audience vote', () => {
  it('opens entries at local midnight (17:00 UTC the day before), voting, ranks by votes, publishes results', async () => {
    const contest = (await create(full())).body;
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/publish`, { body: {} })).status).toBe(200);
    expect(contest.entriesFrom).toBe('2026-12-09T17:00:00.000Z');

    // 23:59:59 on the 9th in Kemerovo is still before the start, though the UTC date is the 9th either way.
    await cron('2026-12-09T16:59:59.000Z');
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body.state).toBe('published');
    await cron('2026-12-09T17:00:00.000Z');
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body.state).toBe('entries_open');

    const k = h.municipality.Kemerovo;
    const [a, b, c, d, e] = await Promise.all([1, 2, 3, 4, 5].map(() => registeredResident(h.t.db, { municipalityId: k })));
    const outsider = await registeredResident(h.t.db, { municipalityId: h.municipality.Novokuznetsk });
    const at = '2026-12-10T05:00:00.000Z';
    const ea = await entry(contest.id, a!, at);
    const eb = await entry(contest.id, b!, '2026-12-10T06:00:00.000Z');
    const ec = await entry(contest.id, c!, '2026-12-10T07:00:00.000Z');
    const ed = await entry(contest.id, d!, '2026-12-10T08:00:00.000Z');
    // One entry per resident; a video in a photo contest; an outsider.
    expect((await enter(contest.id, a!, at)).code).toBe('ENTRY_LIMIT_REACHED');
    expect((await enter(contest.id, e!, at, 'video')).code).toBe('ENTRY_KIND_NOT_ALLOWED');
    expect((await enter(contest.id, outsider, at)).code).toBe('NOT_IN_CONTEST_AREA');

    // Moderation: the author is told either way.
    const entries = await h.request('GET', `/api/v1/contests/${contest.id}/entries?state=pending`, { token: h.keys.Kemerovo.moderator });
    expect(entries.body.items.map((x: { id: number }) => x.id)).toEqual([ea.id, eb.id, ec.id, ed.id]);
    for (const x of [ea, eb, ec]) {
      const accepted = await h.request('POST', `/api/v1/contests/${contest.id}/entries/${x.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} });
      expect(accepted.status).toBe(200);
      expect(accepted.body.state).toBe('accepted');
    }
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/entries/${ed.id}/reject`, { token: h.keys.Kemerovo.moderator, body: {} })).status).toBe(400);
    const rejected = await h.request('POST', `/api/v1/contests/${contest.id}/entries/${ed.id}/reject`, { token: h.keys.Kemerovo.moderator, body: { reason: 'не по теме' } });
    expect(rejected.body).toMatchObject({ state: 'rejected', rejectReason: 'не по теме' });
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/entries/${ed.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} })).status).toBe(409);
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/entries/${ea.id}/accept`, { token: h.keys.Novokuznetsk.moderator, body: {} })).status).toBe(404);
    expect((await outboxFor(a!, 'contest.accepted'))[0]!.payload).toMatchObject({ key: 'contests.entry_accepted', params: { entryId: ea.id } });
    expect((await outboxFor(d!, 'contest.rejected'))[0]!.payload).toMatchObject({ key: 'contests.entry_rejected', params: { entryId: ed.id, reason: 'не по теме' } });

    // Voting opens on the 20th local (19th 17:00 UTC); not before.
    const early = await h.t.db
      .transaction()
      .execute((trx) => castVote(trx, { contestId: contest.id, entryId: eb.id, residentId: e!, channel: 'tg' }, new Date('2026-12-15T00:00:00Z')).catch((x) => x));
    expect(early.code).toBe('VOTING_CLOSED');
    await cron('2026-12-19T17:00:00.000Z');
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body.state).toBe('voting_open');
    const vote = (residentId: number, entryId: number, channel: 'tg' | 'vk' = 'tg') =>
      h.t.db.transaction().execute((trx) => castVote(trx, { contestId: contest.id, entryId, residentId, channel }, new Date('2026-12-21T00:00:00Z')));

    // The same resident twice at once (e.g. from both messengers): exactly one vote counts.
    const race = await Promise.allSettled([vote(e!, eb.id, 'tg'), vote(e!, eb.id, 'vk')]);
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((race.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.code).toBe('ALREADY_VOTED');
    const votes = await h.t.db.selectFrom('contest_vote').select(['entry_id', 'channel']).where('contest_id', '=', contest.id).where('resident_id', '=', e!).execute();
    expect(votes).toHaveLength(1);
    await expect(vote(a!, ea.id)).rejects.toMatchObject({ code: 'SELF_VOTE' });
    await expect(vote(outsider, ea.id)).rejects.toMatchObject({ code: 'NOT_IN_CONTEST_AREA' });
    await expect(vote(a!, ed.id)).rejects.toMatchObject({ code: 'ENTRY_NOT_FOUND' });
    // c gets two votes; a and b one each: a tie broken by the earlier entry (a).
    await vote(a!, ec.id);
    await vote(b!, ec.id);
    await vote(c!, ea.id);

    await cron('2026-12-26T16:59:59.000Z');
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body.state).toBe('voting_open');
    await cron('2026-12-26T17:00:00.000Z');
    const results = await h.request('GET', `/api/v1/contests/${contest.id}/results`);
    expect(results.body.contest.state).toBe('winners_chosen');
    const byId = new Map<number, { votes: number; rank: number; winnerPlace: number | null }>(results.body.entries.map((x: { id: number }) => [x.id, x]));
    expect([ec, ea, eb].map((x) => byId.get(x.id)!.votes)).toEqual([2, 1, 1]);
    expect(results.body.entries.map((x: { id: number }) => x.id)).toEqual([ec.id, ea.id, eb.id]);
    expect([1, 2, 3].map((rank) => results.body.entries[rank - 1].rank)).toEqual([1, 2, 3]);
    expect(results.body.winners).toEqual([ec.id, ea.id]);
    const csv = await h.request('GET', `/api/v1/contests/${contest.id}/results?format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const rows = parse(csv.text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => Number(r.entryId))).toEqual([ec.id, ea.id, eb.id]);
    expect(rows[0]!.winnerPlace).toBe('1');

    // Results on the 28th local: broadcast, winners told personally.
    await cron('2026-12-27T16:59:00.000Z');
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body.state).toBe('winners_chosen');
    await cron('2026-12-27T17:00:00.000Z');
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body.state).toBe('results_published');
    expect((await outboxFor(c!, 'contest.winner'))[0]!.payload).toMatchObject({ key: 'contests.you_won', params: { place: 1, entryId: ec.id } });
    expect((await outboxFor(a!, 'contest.winner'))[0]!.payload).toMatchObject({ params: { place: 2 } });
    expect(await outboxFor(b!, 'contest.winner')).toHaveLength(0);
    const keys = (await h.t.db.selectFrom('broadcast').select('payload').where('source', '=', `contest:${contest.id}`).orderBy('id').execute()).map((x) => x.payload.key);
    expect(keys).toEqual(['contests.announced', 'contests.entries_open', 'contests.voting_open', 'contests.results']);
  });
});

describe('contests: jury', () => {
  it('officials name the winners after entries close; the cron publishes the results', async () => {
    const contest = (await create(full({ drawingFormat: 'jury', winnersCount: 1 }))).body;
    await h.request('POST', `/api/v1/contests/${contest.id}/publish`, { body: {} });
    await cron('2026-12-09T17:00:00.000Z');
    const [a, b] = await Promise.all([1, 2].map(() => registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo })));
    const ea = await entry(contest.id, a!, '2026-12-11T00:00:00Z');
    const eb = await entry(contest.id, b!, '2026-12-11T00:00:00Z');
    for (const x of [ea, eb]) await h.request('POST', `/api/v1/contests/${contest.id}/entries/${x.id}/accept`, { body: {} });
    const early = await h.request('POST', `/api/v1/contests/${contest.id}/winners`, { body: { entryIds: [eb.id] } });
    expect(early.status).toBe(409);
    h.advance(Date.parse('2026-12-19T18:00:00Z') - h.now().getTime());
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/winners`, { body: { entryIds: [ea.id, eb.id] } })).status).toBe(400);
    const chosen = await h.request('POST', `/api/v1/contests/${contest.id}/winners`, { token: h.keys.Kemerovo.curator, body: { entryIds: [eb.id] } });
    expect(chosen.status).toBe(200);
    expect(chosen.body.contest.state).toBe('winners_chosen');
    expect(chosen.body.winners.map((w: { id: number; winnerPlace: number }) => [w.id, w.winnerPlace])).toEqual([[eb.id, 1]]);
    await cron('2026-12-27T17:00:00.000Z');
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body.state).toBe('results_published');
    expect(await outboxFor(b!, 'contest.winner')).toHaveLength(1);
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/draw`, { body: {} })).status).toBe(409);
  });
});

/** The draw as documented (README "Contests"), written again here without the app's code. */
function recompute(seed: string, candidates: number[], count: number): number[] {
  const left = [...candidates].sort((x, y) => x - y);
  const out: number[] = [];
  for (let r = 0; out.length < count && left.length > 0; r++) {
    const x = BigInt(`0x${createHash('sha256').update(`${seed}:${r}`).digest('hex').slice(0, 16)}`);
    out.push(left.splice(Number(x % BigInt(left.length)), 1)[0]!);
  }
  return out;
}

describe('contests: verifiable random draw', () => {
  it('commits to the seed when entries open, reveals it at the draw, and anyone recomputes the winners', async () => {
    h.advance(Date.parse('2026-12-05T00:00:00Z') - h.now().getTime());
    const contest = (await create(full({ drawingFormat: 'random_draw', winnersCount: 3, entryKind: 'video', maxEntriesPerResident: 2 }))).body;
    await h.request('POST', `/api/v1/contests/${contest.id}/publish`, { body: {} });
    expect((await h.request('GET', `/api/v1/contests/${contest.id}/draw`)).body.commitment).toBeNull();
    await cron('2026-12-09T17:00:00.000Z');
    const opened = await h.request('GET', `/api/v1/contests/${contest.id}`);
    expect(opened.body.drawCommitment).toMatch(/^[0-9a-f]{64}$/);
    const before = (await h.request('GET', `/api/v1/contests/${contest.id}/draw`)).body;
    expect(before).toMatchObject({ commitment: opened.body.drawCommitment, seed: null, winners: [] });
    const announcement = await h.t.db.selectFrom('broadcast').select('payload').where('source', '=', `contest:${contest.id}`).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(announcement.payload).toMatchObject({ key: 'contests.entries_open_draw', params: { commitment: opened.body.drawCommitment } });

    const residents = await Promise.all([1, 2, 3, 4, 5, 6].map(() => registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo })));
    const ids: number[] = [];
    for (const r of residents) ids.push((await entry(contest.id, r, '2026-12-12T00:00:00Z', 'video')).id);
    ids.push((await entry(contest.id, residents[0]!, '2026-12-12T01:00:00Z', 'video')).id);
    expect((await enter(contest.id, residents[1]!, '2026-12-12T00:00:00Z', 'photo')).code).toBe('ENTRY_KIND_NOT_ALLOWED');
    for (const id of ids.slice(0, 6)) await h.request('POST', `/api/v1/contests/${contest.id}/entries/${id}/accept`, { body: {} });
    await h.request('POST', `/api/v1/contests/${contest.id}/entries/${ids[6]}/reject`, { body: { reason: 'дубль' } });

    expect((await h.request('POST', `/api/v1/contests/${contest.id}/draw`, { body: {} })).body.code).toBe('DRAW_NOT_AVAILABLE');
    h.advance(Date.parse('2026-12-19T17:00:00Z') - h.now().getTime());
    const drawn = await h.request('POST', `/api/v1/contests/${contest.id}/draw`, { token: h.keys.Kemerovo.curator, body: {} });
    expect(drawn.status).toBe(200);

    const published = (await h.request('GET', `/api/v1/contests/${contest.id}/draw`, { token: h.keys.Kemerovo.responsible })).body;
    expect(published.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(createHash('sha256').update(published.seed).digest('hex')).toBe(opened.body.drawCommitment);
    expect(published.entries).toEqual(ids.slice(0, 6));
    expect(published.winners).toHaveLength(3);
    expect(recompute(published.seed, published.entries, 3)).toEqual(published.winners);
    expect(drawn.body.winners).toEqual(published.winners);
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/draw`, { body: {} })).status).toBe(409);
    // The cron does not draw again; the results come on their date.
    await cron('2026-12-27T17:00:00.000Z');
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body.state).toBe('results_published');
    expect((await h.request('GET', `/api/v1/contests/${contest.id}/draw`)).body.winners).toEqual(published.winners);
  });

  it('the cron draws by itself at the end of voting when nobody did', async () => {
    const contest = (await create(full({ drawingFormat: 'random_draw', winnersCount: 1 }))).body;
    // Published before its entries open (the tests before moved the clock past them).
    h.advance(Date.parse('2026-12-05T00:00:00Z') - h.now().getTime());
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/publish`, { body: {} })).status).toBe(200);
    await cron('2026-12-09T17:00:00.000Z');
    const r = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo });
    const x = await entry(contest.id, r, '2026-12-12T00:00:00Z');
    await h.request('POST', `/api/v1/contests/${contest.id}/entries/${x.id}/accept`, { body: {} });
    await cron('2026-12-26T17:00:00.000Z');
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body.state).toBe('winners_chosen');
    const draw = (await h.request('GET', `/api/v1/contests/${contest.id}/draw`)).body;
    expect(draw.winners).toEqual([x.id]);
    expect(recompute(draw.seed, draw.entries, 1)).toEqual([x.id]);
  });
});

describe('contests: withdrawal', () => {
  it('a curator withdraws a published contest: its unsent announcements are dropped, the cron and residents leave it, its entries stay; again, or a draft, is 409', async () => {
    const k = h.municipality.Kemerovo;
    const resident = await registeredResident(h.t.db, { municipalityId: k });
    const contest = (await create(full({ title: 'Отзываемый конкурс' }))).body;
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/publish`, { body: {} })).status).toBe(200);
    await cron('2026-12-09T17:00:00.000Z');
    const mine = await entry(contest.id, resident, '2026-12-10T05:00:00.000Z');
    // The announcements are written for their residents and not sent yet.
    const broadcasts = await h.t.db.selectFrom('broadcast').select('id').where('source', '=', `contest:${contest.id}`).execute();
    expect(broadcasts.length).toBe(2);
    for (const b of broadcasts) while (!(await expandBatch(h.t.db, b.id, 1000)).done);
    const pending = () =>
      h.t.db
        .selectFrom('outbox')
        .select('id')
        .where(
          'broadcast_id',
          'in',
          broadcasts.map((b) => b.id),
        )
        .where('state', '=', 'pending')
        .execute();
    expect((await pending()).length).toBeGreaterThan(0);

    // A moderator may not; another municipality's curator does not see it.
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/withdraw`, { token: h.keys.Kemerovo.moderator, body: {} })).status).toBe(403);
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/withdraw`, { token: h.keys.Novokuznetsk.curator, body: {} })).status).toBe(404);
    const withdrawn = await h.request('POST', `/api/v1/contests/${contest.id}/withdraw`, { token: h.keys.Kemerovo.curator, body: {} });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ state: 'withdrawn' });
    expect(withdrawn.body.withdrawnAt).not.toBeNull();
    // From the answer on none of them is claimed by a sender; the expander marks them cancelled.
    expect(await claimable(broadcasts.map((b) => b.id))).toEqual([]);
    await dropCancelledUnsent(h.t.db);
    expect(await pending()).toEqual([]);
    // Its participant is told, once.
    expect((await outboxFor(resident, 'contest.withdrawn')).map((r) => r.payload)).toEqual([expect.objectContaining({ key: 'contests.withdrawn_notice', params: { title: 'Отзываемый конкурс' } })]);
    const audit = await h.t.db.selectFrom('audit_log').select('action').where('entity', '=', 'contest').where('entity_id', '=', String(contest.id)).execute();
    expect(audit.map((a) => a.action)).toContain('contest.withdraw');

    // Entries kept (and listed), but none taken, moderated or voted on, and the cron leaves it be.
    const entries = await h.request('GET', `/api/v1/contests/${contest.id}/entries`);
    expect(entries.body.items.map((x: { id: number }) => x.id)).toEqual([mine.id]);
    const other = await registeredResident(h.t.db, { municipalityId: k });
    expect((await enter(contest.id, other, '2026-12-10T06:00:00.000Z')).code).toBe('CONTEST_WITHDRAWN');
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/entries/${mine.id}/accept`, { token: h.keys.Kemerovo.moderator, body: {} })).status).toBe(409);
    await cron('2026-12-28T17:00:00.000Z');
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body.state).toBe('withdrawn');
    expect((await h.t.db.selectFrom('broadcast').select('id').where('source', '=', `contest:${contest.id}`).execute()).length).toBe(2);

    const again = await h.request('POST', `/api/v1/contests/${contest.id}/withdraw`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CONTEST_WRONG_STATE');
    const draft = (await create({ title: 'Черновик' })).body;
    expect((await h.request('POST', `/api/v1/contests/${draft.id}/withdraw`, { body: {} })).status).toBe(409);
    expect((await h.request('POST', '/api/v1/contests/999999/withdraw', { body: {} })).status).toBe(404);
  });

  it('takes an optional reason: refused with a 400 naming it when too long, blank, not a text or holding a NUL (nothing withdrawn), else stored, read back and told to the participants', async () => {
    const k = h.municipality.Kemerovo;
    const resident = await registeredResident(h.t.db, { municipalityId: k });
    const contest = (await create(full({ title: 'Конкурс с причиной' }))).body;
    expect((await h.request('POST', `/api/v1/contests/${contest.id}/publish`, { body: {} })).status).toBe(200);
    await cron('2026-12-09T17:00:00.000Z');
    await entry(contest.id, resident, '2026-12-10T05:00:00.000Z');
    const withdraw = (body: unknown) => h.request('POST', `/api/v1/contests/${contest.id}/withdraw`, { token: h.keys.Kemerovo.curator, body });

    for (const reason of ['я'.repeat(501), '   ', 42, 'до\u0000после']) {
      const refused = await withdraw({ reason });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VALIDATION');
      expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
    }
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body).toMatchObject({ state: 'entries_open', withdrawnAt: null, withdrawnReason: null });
    expect(await outboxFor(resident, 'contest.withdrawn')).toEqual([]);

    const reason = 'Организатор отказался от проведения';
    const withdrawn = await withdraw({ reason: `  ${reason}\n` });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ state: 'withdrawn', withdrawnReason: reason });
    expect((await h.request('GET', `/api/v1/contests/${contest.id}`)).body.withdrawnReason).toBe(reason);
    const audit = await h.t.db
      .selectFrom('audit_log')
      .select(['action', 'data'])
      .where('entity', '=', 'contest')
      .where('entity_id', '=', String(contest.id))
      .where('action', '=', 'contest.withdraw')
      .execute();
    expect(audit).toEqual([{ action: 'contest.withdraw', data: { reason } }]);
    expect((await outboxFor(resident, 'contest.withdrawn')).map((r) => r.payload)).toEqual([
      expect.objectContaining({ key: 'contests.withdrawn_notice_reason', params: { title: 'Конкурс с причиной', reason } }),
    ]);
    // 500 characters is the limit, not past it.
    const other = (await create(full({ title: 'Другой' }))).body;
    expect((await h.request('POST', `/api/v1/contests/${other.id}/publish`, { body: {} })).status).toBe(200);
    const long = await h.request('POST', `/api/v1/contests/${other.id}/withdraw`, { body: { reason: 'я'.repeat(500) } });
    expect(long.status).toBe(200);
    expect(long.body.withdrawnReason).toHaveLength(500);
  });
});

describe('contests: security', () => {
  it("the results CSV escapes formulas in residents' captions, fullwidth ＝＋－＠ too (as every other CSV export does)", async () => {
    const contest = (await create(full({ entriesFrom: '2026-12-10', entriesTo: '2026-12-19', votingFrom: '2026-12-20', votingTo: '2026-12-26', resultsOn: '2026-12-28' }))).body;
    const captions = ['=HYPERLINK("http://evil.example","фото")', '＝HYPERLINK("http://evil.example")', '＋1+2', '－1-2', '＠SUM(A1)', '+7 999 000', '@home', 'зима'];
    for (const caption of captions) {
      const residentId = await registeredResident(h.t.db, { municipalityId: h.municipality.Kemerovo, now: h.now() });
      await h.t.db
        .insertInto('contest_entry')
        .values({ contest_id: contest.id, resident_id: residentId, channel: 'tg', media_id: await media(), media_kind: 'photo', caption, state: 'accepted' })
        .execute();
    }
    const csv = await h.request('GET', `/api/v1/contests/${contest.id}/results?format=csv`);
    expect(csv.status).toBe(200);
    const rows = parse(csv.text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.caption)).toEqual(captions.map((c) => (c === 'зима' ? c : `'${c}`)));
  });
});
