import { sql } from 'kysely';
import { DEFAULT_TIME_ZONE, localDayBounds } from '../activity/activity.ts';
import { announce, stopAnnouncement } from '../broadcasts/broadcasts.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Channel, Db } from '../db/types.ts';
import { actionId } from '../dialogs/action-id.ts';
import { DomainError } from '../errors.ts';
import { PRIORITY } from '../outbox/outbox.repository.ts';
import { reachOrder } from '../notifications/notify.ts';
import { readerDate } from '../text/reader-date.ts';
import type { PollKind, PollState, QuestionKind, ResultsVisibility } from './poll.table.ts';

export const POLL_LIMITS = {
  minQuestions: 1,
  maxQuestions: 20,
  minOptions: 2,
  maxOptions: 10,
  maxFreeText: 1000,
  maxDays: 90,
  maxTitle: 200,
  maxDescription: 4000,
  maxQuestionText: 500,
  maxOptionText: 100,
} as const;

/** Action tags core writes into its own keyboards (the bot feature `polls` answers them). */
export const POLL_TAGS = { answer: 'pa', results: 'pr', ask: 'dla' } as const;

export interface PollOption {
  id: number;
  position: number;
  text: string;
}

export interface PollQuestion {
  id: number;
  position: number;
  kind: QuestionKind;
  text: string;
  maxChoices: number | null;
  options: PollOption[];
}

export interface Poll {
  id: number;
  municipalityId: number | null;
  kind: PollKind;
  state: PollState;
  title: string;
  description: string;
  categoryId: number | null;
  mediaId: number | null;
  resultsVisibility: ResultsVisibility;
  startsAt: Date;
  endsAt: Date;
  publishedAt: Date | null;
  /** When residents were told of it (null: not yet; a poll published ahead of its start is announced at the start). */
  announcedAt: Date | null;
  closedAt: Date | null;
  resultsPublishedAt: Date | null;
  createdByStaffId: number | null;
  createdAt: Date;
  updatedAt: Date;
  questions: PollQuestion[];
}

export interface QuestionInput {
  kind: QuestionKind;
  text: string;
  /** Multiple choice: how many options at most (default: all). */
  maxChoices?: number | null;
  /** Choice questions: 2–10 options; free text: none. */
  options?: string[];
}

export interface PollInput {
  municipalityId: number | null;
  kind: PollKind;
  title: string;
  description?: string;
  categoryId?: number | null;
  mediaId?: number | null;
  resultsVisibility?: ResultsVisibility;
  startsAt: Date;
  endsAt: Date;
  questions: QuestionInput[];
}

export type PollPatch = Partial<Omit<PollInput, 'municipalityId'>>;

const invalid = (field: string, problem: string) => new DomainError('VALIDATION', { field, problem });

/** Checks a poll as a whole (after a patch is merged); throws VALIDATION naming the field. */
export async function validatePoll(db: Db, input: PollInput): Promise<void> {
  if (input.title.trim().length === 0) throw invalid('title', 'must not be empty');
  if (input.title.length > POLL_LIMITS.maxTitle) throw invalid('title', `at most ${POLL_LIMITS.maxTitle} characters`);
  if ((input.description ?? '').length > POLL_LIMITS.maxDescription) throw invalid('description', `at most ${POLL_LIMITS.maxDescription} characters`);
  if (Number.isNaN(input.startsAt.getTime())) throw invalid('startsAt', 'not a time');
  if (Number.isNaN(input.endsAt.getTime())) throw invalid('endsAt', 'not a time');
  if (input.endsAt <= input.startsAt) throw invalid('endsAt', 'must be after startsAt');
  if (input.endsAt.getTime() - input.startsAt.getTime() > POLL_LIMITS.maxDays * 86_400_000) throw invalid('endsAt', `at most ${POLL_LIMITS.maxDays} days after startsAt`);
  const qs = input.questions;
  if (qs.length < POLL_LIMITS.minQuestions || qs.length > POLL_LIMITS.maxQuestions) throw invalid('questions', `${POLL_LIMITS.minQuestions} to ${POLL_LIMITS.maxQuestions} questions`);
  if (input.kind === 'vote' && (qs.length !== 1 || qs[0]!.kind !== 'single')) throw invalid('questions', 'a vote has exactly one single-choice question');
  qs.forEach((q, i) => {
    const at = `questions[${i}]`;
    if (q.text.trim().length === 0) throw invalid(`${at}.text`, 'must not be empty');
    if (q.text.length > POLL_LIMITS.maxQuestionText) throw invalid(`${at}.text`, `at most ${POLL_LIMITS.maxQuestionText} characters`);
    const options = q.options ?? [];
    if (q.kind === 'text') {
      if (options.length > 0) throw invalid(`${at}.options`, 'a free-text question has no options');
      if (q.maxChoices != null) throw invalid(`${at}.maxChoices`, 'only for multiple choice');
      return;
    }
    if (options.length < POLL_LIMITS.minOptions || options.length > POLL_LIMITS.maxOptions) throw invalid(`${at}.options`, `${POLL_LIMITS.minOptions} to ${POLL_LIMITS.maxOptions} options`);
    options.forEach((o, j) => {
      if (o.trim().length === 0) throw invalid(`${at}.options[${j}]`, 'must not be empty');
      if (o.length > POLL_LIMITS.maxOptionText) throw invalid(`${at}.options[${j}]`, `at most ${POLL_LIMITS.maxOptionText} characters`);
    });
    if (new Set(options.map((o) => o.trim().toLowerCase())).size !== options.length) throw invalid(`${at}.options`, 'options must differ');
    if (q.kind === 'single' && q.maxChoices != null) throw invalid(`${at}.maxChoices`, 'only for multiple choice');
    if (q.kind === 'multiple' && q.maxChoices != null && (q.maxChoices < 1 || q.maxChoices > options.length)) throw invalid(`${at}.maxChoices`, `1 to ${options.length}`);
  });
  if (input.categoryId != null) {
    const category = await db.selectFrom('category').select(['id', 'active']).where('id', '=', input.categoryId).executeTakeFirst();
    if (!category?.active) throw invalid('categoryId', 'unknown category');
  }
  if (input.mediaId != null) {
    const media = await db.selectFrom('media').select(['id', 'kind', 'municipality_id']).where('id', '=', input.mediaId).executeTakeFirst();
    if (!media || (media.municipality_id !== null && media.municipality_id !== input.municipalityId)) throw invalid('mediaId', 'unknown media');
    if (media.kind !== 'image') throw invalid('mediaId', 'must be an image');
  }
}

async function writeQuestions(db: Db, pollId: number, questions: QuestionInput[]): Promise<void> {
  for (const [i, q] of questions.entries()) {
    const row = await db
      .insertInto('poll_question')
      .values({ poll_id: pollId, position: i + 1, kind: q.kind, text: q.text.trim(), max_choices: q.kind === 'multiple' ? (q.maxChoices ?? null) : null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const options = q.kind === 'text' ? [] : (q.options ?? []);
    if (options.length > 0)
      await db
        .insertInto('poll_option')
        .values(options.map((text, j) => ({ question_id: row.id, position: j + 1, text: text.trim() })))
        .execute();
  }
}

export function createPoll(db: Db, input: PollInput, staffId: number | null, now: Date): Promise<Poll> {
  return inTransaction(db, async (trx) => {
    await validatePoll(trx, input);
    const row = await trx
      .insertInto('poll')
      .values({
        municipality_id: input.municipalityId,
        kind: input.kind,
        title: input.title.trim(),
        description: (input.description ?? '').trim(),
        category_id: input.categoryId ?? null,
        media_id: input.mediaId ?? null,
        results_visibility: input.resultsVisibility ?? 'after_vote',
        starts_at: input.startsAt,
        ends_at: input.endsAt,
        published_at: null,
        closed_at: null,
        results_published_at: null,
        announced_at: null,
        broadcast_id: null,
        created_by_staff_id: staffId,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeQuestions(trx, row.id, input.questions);
    return getPoll(trx, row.id);
  });
}

/** Locks a poll for a change; POLL_NOT_FOUND when there is none. */
async function lockPoll(db: Db, id: number) {
  const row = await db.selectFrom('poll').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new DomainError('POLL_NOT_FOUND', { id });
  return row;
}

/** A poll as it was written (its questions without their ids, which a replacement renews). */
export function pollInput(poll: Poll): PollInput {
  return {
    municipalityId: poll.municipalityId,
    kind: poll.kind,
    title: poll.title,
    description: poll.description,
    categoryId: poll.categoryId,
    mediaId: poll.mediaId,
    resultsVisibility: poll.resultsVisibility,
    startsAt: poll.startsAt,
    endsAt: poll.endsAt,
    questions: poll.questions.map((q) => ({ kind: q.kind, text: q.text, maxChoices: q.maxChoices, options: q.options.map((o) => o.text) })),
  };
}

/** Changes a draft (only a draft: POLL_NOT_DRAFT otherwise); questions, when given, replace the old ones. */
export function updatePoll(db: Db, id: number, patch: PollPatch, now: Date): Promise<Poll> {
  return inTransaction(db, async (trx) => {
    const row = await lockPoll(trx, id);
    if (row.state !== 'draft') throw new DomainError('POLL_NOT_DRAFT', { id, state: row.state });
    const merged: PollInput = { ...pollInput(await getPoll(trx, id)), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    await validatePoll(trx, merged);
    await trx
      .updateTable('poll')
      .set({
        kind: merged.kind,
        title: merged.title.trim(),
        description: (merged.description ?? '').trim(),
        category_id: merged.categoryId ?? null,
        media_id: merged.mediaId ?? null,
        results_visibility: merged.resultsVisibility ?? 'after_vote',
        starts_at: merged.startsAt,
        ends_at: merged.endsAt,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    if (patch.questions) {
      await trx.deleteFrom('poll_question').where('poll_id', '=', id).execute();
      await writeQuestions(trx, id, patch.questions);
    }
    return getPoll(trx, id);
  });
}

type PollRow = Awaited<ReturnType<typeof lockPoll>>;

function toPoll(r: PollRow, questions: PollQuestion[]): Poll {
  return {
    id: r.id,
    municipalityId: r.municipality_id,
    kind: r.kind,
    state: r.state,
    title: r.title,
    description: r.description,
    categoryId: r.category_id,
    mediaId: r.media_id,
    resultsVisibility: r.results_visibility,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    publishedAt: r.published_at,
    announcedAt: r.announced_at,
    closedAt: r.closed_at,
    resultsPublishedAt: r.results_published_at,
    createdByStaffId: r.created_by_staff_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    questions,
  };
}

async function questionsOf(db: Db, pollIds: number[]): Promise<Map<number, PollQuestion[]>> {
  const result = new Map<number, PollQuestion[]>(pollIds.map((id) => [id, []]));
  if (pollIds.length === 0) return result;
  const qs = await db.selectFrom('poll_question').selectAll().where('poll_id', 'in', pollIds).orderBy('poll_id').orderBy('position').execute();
  const os =
    qs.length === 0
      ? []
      : await db
          .selectFrom('poll_option')
          .selectAll()
          .where(
            'question_id',
            'in',
            qs.map((q) => q.id),
          )
          .orderBy('question_id')
          .orderBy('position')
          .execute();
  for (const q of qs) {
    result.get(q.poll_id)!.push({
      id: q.id,
      position: q.position,
      kind: q.kind,
      text: q.text,
      maxChoices: q.max_choices,
      options: os.filter((o) => o.question_id === q.id).map((o) => ({ id: o.id, position: o.position, text: o.text })),
    });
  }
  return result;
}

export async function findPoll(db: Db, id: number): Promise<Poll | undefined> {
  const row = await db.selectFrom('poll').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return toPoll(row, (await questionsOf(db, [id])).get(id)!);
}

export async function getPoll(db: Db, id: number): Promise<Poll> {
  const poll = await findPoll(db, id);
  if (!poll) throw new DomainError('POLL_NOT_FOUND', { id });
  return poll;
}

export interface PollFilter {
  /** Only these municipalities' polls (a scoped key); region-wide polls are included when `withRegion`. */
  municipalityId?: number | null;
  withRegion?: boolean;
  state?: PollState;
  beforeId?: number;
  limit: number;
}

/** Polls newest first. */
export async function listPolls(db: Db, filter: PollFilter): Promise<Poll[]> {
  let query = db.selectFrom('poll').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.municipalityId != null) {
    const m = filter.municipalityId;
    query = filter.withRegion ? query.where((eb) => eb.or([eb('municipality_id', '=', m), eb('municipality_id', 'is', null)])) : query.where('municipality_id', '=', m);
  }
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  const rows = await query.execute();
  const questions = await questionsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toPoll(r, questions.get(r.id)!));
}

export async function timeZoneOf(db: Db, municipalityId: number | null): Promise<string> {
  if (municipalityId === null) return DEFAULT_TIME_ZONE;
  const row = await db.selectFrom('municipality').select('time_zone').where('id', '=', municipalityId).executeTakeFirst();
  return row?.time_zone ?? DEFAULT_TIME_ZONE;
}

/**
 * KPI 3 ("not more often than once a day"): another published poll starting on the same local day,
 * of the same municipality (a region-wide poll counts for every municipality, and conflicts with any).
 */
export async function cadenceConflict(db: Db, poll: Pick<Poll, 'id' | 'municipalityId' | 'startsAt'>): Promise<{ id: number; title: string; startsAt: Date } | undefined> {
  const { from, to } = localDayBounds(poll.startsAt, await timeZoneOf(db, poll.municipalityId));
  let query = db
    .selectFrom('poll')
    .select(['id', 'title', 'starts_at'])
    .where('state', '<>', 'draft')
    .where('id', '<>', poll.id)
    .where('starts_at', '>=', from)
    .where('starts_at', '<', to)
    .orderBy('starts_at')
    .limit(1);
  if (poll.municipalityId !== null) {
    const m = poll.municipalityId;
    query = query.where((eb) => eb.or([eb('municipality_id', '=', m), eb('municipality_id', 'is', null)]));
  }
  const row = await query.executeTakeFirst();
  return row && { id: row.id, title: row.title, startsAt: row.starts_at };
}

/**
 * Advisory lock key held while a poll is published (any constant unique among the app's advisory
 * locks): the cadence check reads other polls, so two publications at once could both pass it.
 */
const POLL_PUBLISH_LOCK_ID = 4_000_002;

export interface PublishOptions {
  /** Publish despite a cadence conflict (curators and operators; the caller checks the role and audits it). */
  force?: boolean;
  staffId?: number | null;
}

export interface PublishResult {
  poll: Poll;
  /** What was published: the poll itself, or its results. */
  published: 'poll' | 'results';
  /** The poll of the same day that `force` overrode. */
  forcedOver?: number;
  broadcastId?: number;
  notified?: number;
}

/**
 * `draft → published`: checks the cadence (409 POLL_CADENCE naming the other poll, unless forced).
 * A poll already open is announced at once to the residents of its municipality (or all) subscribed
 * to polls, with an "Answer" button; one published ahead of its start is announced by the
 * `poll-announcements` job when it opens (announceDuePolls), so the button works when it arrives.
 * `closed → results_published`: every voter is told, with a button to see them.
 */
export function publishPoll(db: Db, id: number, options: PublishOptions, now: Date): Promise<PublishResult> {
  return inTransaction(db, async (trx) => {
    const row = await lockPoll(trx, id);
    if (row.state === 'closed') {
      await trx.updateTable('poll').set({ state: 'results_published', results_published_at: now, updated_at: now }).where('id', '=', id).execute();
      const notified = await notifyVoters(trx, id, 'polls.results_ready', { title: row.title }, 'poll.results', [[{ id: actionId(POLL_TAGS.results, id), label: 'polls.show_results' }]]);
      return { poll: await getPoll(trx, id), published: 'results', notified };
    }
    if (row.state !== 'draft') throw new DomainError('ILLEGAL_TRANSITION', { id, state: row.state });
    if (row.ends_at <= now) throw invalid('endsAt', 'is already past');
    // One publication at a time (region-wide polls conflict with every municipality's): the check
    // below then sees a poll published concurrently, as it sees one published before.
    await sql`SELECT pg_advisory_xact_lock(${POLL_PUBLISH_LOCK_ID})`.execute(trx);
    const conflict = await cadenceConflict(trx, { id, municipalityId: row.municipality_id, startsAt: row.starts_at });
    if (conflict && !options.force) throw new DomainError('POLL_CADENCE', { pollId: conflict.id, title: conflict.title, startsAt: conflict.startsAt.toISOString() });
    await trx.updateTable('poll').set({ state: 'published', published_at: now, updated_at: now }).where('id', '=', id).execute();
    const broadcastId = row.starts_at <= now ? await announcePoll(trx, row, options.staffId ?? null, now) : undefined;
    return { poll: await getPoll(trx, id), published: 'poll', ...(broadcastId !== undefined && { broadcastId }), ...(conflict && { forcedOver: conflict.id }) };
  });
}

/** Queues a published poll's announcement and marks it announced (the caller holds the poll's row lock). */
async function announcePoll(trx: Db, row: PollRow, staffId: number | null, now: Date): Promise<number> {
  const broadcastId = await announce(trx, {
    audience: { municipalityId: row.municipality_id, topic: 'polls' },
    message: {
      key: row.kind === 'vote' ? 'polls.announcement_vote' : 'polls.announcement',
      params: { title: row.title, description: row.description, endsAt: readerDate(row.ends_at, await timeZoneOf(trx, row.municipality_id)) },
      keyboard: { kind: 'inline', rows: [[{ id: actionId(POLL_TAGS.answer, row.id), label: 'polls.answer' }]] },
      ...(row.media_id !== null && { media: [row.media_id] }),
    },
    kind: 'broadcast.poll',
    source: `poll:${row.id}`,
    createdByStaffId: staffId,
  });
  await trx.updateTable('poll').set({ announced_at: now, broadcast_id: broadcastId }).where('id', '=', row.id).execute();
  return broadcastId;
}

/**
 * Cron (`poll-announcements`, every minute, under the job's advisory lock): published polls whose
 * start has come and that were not announced yet are announced, each once — the row is locked
 * (SKIP LOCKED) and `announced_at` set in the same transaction as the broadcast, so a second
 * instance, a retry or a run after a restart finds nothing left. A poll closed before its start,
 * or already past its end (the app was down for all of it), is not announced.
 */
export function announceDuePolls(db: Db, now: Date): Promise<{ pollsAnnounced: number }> {
  return inTransaction(db, async (trx) => {
    const due = await trx
      .selectFrom('poll')
      .selectAll()
      .where('state', '=', 'published')
      .where('announced_at', 'is', null)
      .where('starts_at', '<=', now)
      .where('ends_at', '>', now)
      .orderBy('starts_at')
      .orderBy('id')
      .limit(100)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const row of due) await announcePoll(trx, row, null, now);
    return { pollsAnnounced: due.length };
  });
}

/** `published → closed` (by hand, early or not); what of its announcement is not sent yet is not sent. */
export function closePoll(db: Db, id: number, now: Date): Promise<Poll> {
  return inTransaction(db, async (trx) => {
    const row = await lockPoll(trx, id);
    if (row.state !== 'published') throw new DomainError('ILLEGAL_TRANSITION', { id, state: row.state });
    await trx.updateTable('poll').set({ state: 'closed', closed_at: now, updated_at: now }).where('id', '=', id).execute();
    await stopAnnouncement(trx, row.broadcast_id, now);
    return getPoll(trx, id);
  });
}

/** Cron: published polls whose end has come are closed (an announcement still going out stops). */
export async function closeDuePolls(db: Db, now: Date): Promise<{ pollsClosed: number }> {
  const closed = await db
    .updateTable('poll')
    .set({ state: 'closed', closed_at: sql<Date>`ends_at`, updated_at: now })
    .where('state', '=', 'published')
    .where('ends_at', '<=', now)
    .returning('broadcast_id')
    .execute();
  for (const { broadcast_id } of closed) await stopAnnouncement(db, broadcast_id, now);
  return { pollsClosed: closed.length };
}

/**
 * Notifies every voter of a poll once per `kind` — on the messenger they chose for notifications,
 * else the one used last, with a live consent (as notifyResident) — in one INSERT … SELECT, so a
 * poll with many voters costs one statement; the dedupe key makes a retry harmless. Returns how many
 * were queued.
 */
export async function notifyVoters(db: Db, pollId: number, key: string, params: Record<string, unknown>, kind: string, keyboardRows?: { id: string; label: string }[][]): Promise<number> {
  const payload = { key, params, ...(keyboardRows && { keyboard: { kind: 'inline', rows: keyboardRows } }) };
  const result = await sql`
    INSERT INTO outbox (channel, chat_id, recipient_kind, resident_id, kind, payload, priority, dedupe_key)
    SELECT t.channel, t.chat_id, 'resident', r.id, ${kind}, ${JSON.stringify(payload)}::jsonb || jsonb_build_object('language', r.language),
      ${PRIORITY.notification}, ${`${kind}:${pollId}:`} || r.id::text
    FROM poll_ballot b
    JOIN resident r ON r.id = b.resident_id
    CROSS JOIN LATERAL (
      SELECT ri.channel, ri.chat_id FROM resident_identity ri
      WHERE ri.resident_id = r.id AND ri.unreachable_at IS NULL
      ORDER BY ${reachOrder('ri', 'r.notify_channel')}
      LIMIT 1
    ) t
    WHERE b.poll_id = ${pollId}
      AND EXISTS (SELECT 1 FROM consent c WHERE c.resident_id = r.id AND c.withdrawn_at IS NULL)
    ORDER BY b.id
    ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * How many open polls /polls lists (paged in the bot): a bound for the query, not a screen's size. KPI 3
 * allows one poll a day per municipality, so even polls open for a month and region-wide ones stay below it.
 */
export const OPEN_POLLS_LISTED = 100;

/** Open polls a resident of `municipalityId` may answer: theirs and region-wide ones, ending soonest first. */
export async function openPollsFor(db: Db, municipalityId: number | null, now: Date): Promise<Poll[]> {
  let query = db.selectFrom('poll').selectAll().where('state', '=', 'published').where('starts_at', '<=', now).where('ends_at', '>', now).orderBy('ends_at').orderBy('id').limit(OPEN_POLLS_LISTED);
  query = municipalityId === null ? query.where('municipality_id', 'is', null) : query.where((eb) => eb.or([eb('municipality_id', '=', municipalityId), eb('municipality_id', 'is', null)]));
  const rows = await query.execute();
  const questions = await questionsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toPoll(r, questions.get(r.id)!));
}

/** How long a poll whose results are published stays in the bot's list (a resident looks for them there). */
export const RESULTS_LISTED_DAYS = 30;

/** Polls of `municipalityId` (and region-wide ones) whose results were published in the last RESULTS_LISTED_DAYS, newest results first. */
export async function recentResultsFor(db: Db, municipalityId: number | null, now: Date): Promise<{ id: number; title: string }[]> {
  let query = db
    .selectFrom('poll')
    .select(['id', 'title'])
    .where('state', '=', 'results_published')
    .where('results_published_at', '>', new Date(now.getTime() - RESULTS_LISTED_DAYS * 86_400_000))
    .orderBy('results_published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(10);
  query = municipalityId === null ? query.where('municipality_id', 'is', null) : query.where((eb) => eb.or([eb('municipality_id', '=', municipalityId), eb('municipality_id', 'is', null)]));
  return query.execute();
}

/** Which of `pollIds` the resident has cast a ballot in. */
export async function votedPolls(db: Db, pollIds: number[], residentId: number): Promise<Set<number>> {
  if (pollIds.length === 0) return new Set();
  const rows = await db.selectFrom('poll_ballot').select('poll_id').where('resident_id', '=', residentId).where('poll_id', 'in', pollIds).execute();
  return new Set(rows.map((r) => r.poll_id));
}

export async function hasVoted(db: Db, pollId: number, residentId: number): Promise<boolean> {
  const row = await db.selectFrom('poll_ballot').select('id').where('poll_id', '=', pollId).where('resident_id', '=', residentId).executeTakeFirst();
  return row !== undefined;
}

/** Whether `poll` takes answers from a resident of `municipalityId` now; throws the reason otherwise. */
export function assertCanVote(poll: Poll, municipalityId: number | null, now: Date): void {
  if (poll.state === 'draft') throw new DomainError('POLL_NOT_FOUND', { id: poll.id });
  if (poll.municipalityId !== null && poll.municipalityId !== municipalityId) throw new DomainError('POLL_OTHER_MUNICIPALITY', { id: poll.id });
  if (poll.state !== 'published' || now < poll.startsAt || now >= poll.endsAt) throw new DomainError('POLL_NOT_OPEN', { id: poll.id, state: poll.state });
}

export interface BallotAnswer {
  questionId: number;
  optionIds?: number[];
  text?: string;
}

export interface BallotInput {
  pollId: number;
  residentId: number;
  channel: Channel;
  answers: BallotAnswer[];
}

/** Checks a ballot's answers against the poll's questions: each choice question answered within its limits, free text optional and ≤ 1000. */
export function checkAnswers(poll: Poll, answers: BallotAnswer[]): { questionId: number; optionId: number | null; text: string | null }[] {
  const rows: { questionId: number; optionId: number | null; text: string | null }[] = [];
  for (const q of poll.questions) {
    const a = answers.find((x) => x.questionId === q.id);
    if (q.kind === 'text') {
      const text = a?.text?.trim();
      if (text && text.length > POLL_LIMITS.maxFreeText) throw new DomainError('TEXT_TOO_LONG', { max: POLL_LIMITS.maxFreeText, length: text.length });
      if (text) rows.push({ questionId: q.id, optionId: null, text });
      continue;
    }
    const ids = [...new Set(a?.optionIds ?? [])];
    const max = q.kind === 'single' ? 1 : (q.maxChoices ?? q.options.length);
    if (ids.length === 0 || ids.length > max || ids.some((id) => !q.options.some((o) => o.id === id))) throw invalid(`answers[${q.id}]`, `choose 1 to ${max} options`);
    for (const id of ids) rows.push({ questionId: q.id, optionId: id, text: null });
  }
  if (answers.some((a) => !poll.questions.some((q) => q.id === a.questionId))) throw invalid('answers', 'unknown question');
  return rows;
}

/**
 * Casts a resident's one ballot: the poll must be open, for the resident's municipality (or the
 * whole region), and every choice question answered. The ballot row's unique key (poll, resident)
 * makes a second ballot — a double tap, or the same resident through the other messenger — a
 * POLL_ALREADY_VOTED with nothing stored; the answers are written without a reference to it.
 */
export function castBallot(db: Db, input: BallotInput, now: Date): Promise<void> {
  return inTransaction(db, async (trx) => {
    const poll = await getPoll(trx, input.pollId);
    const resident = await trx.selectFrom('resident').select(['municipality_id', 'registered_at']).where('id', '=', input.residentId).executeTakeFirst();
    if (!resident?.registered_at) throw new DomainError('NOT_REGISTERED');
    assertCanVote(poll, resident.municipality_id, now);
    const rows = checkAnswers(poll, input.answers);
    const ballot = await trx
      .insertInto('poll_ballot')
      .values({ poll_id: poll.id, resident_id: input.residentId, channel: input.channel, municipality_id: resident.municipality_id, created_at: now })
      .onConflict((oc) => oc.columns(['poll_id', 'resident_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!ballot) throw new DomainError('POLL_ALREADY_VOTED', { id: poll.id });
    await trx
      .insertInto('poll_answer')
      .values(rows.map((r) => ({ poll_id: poll.id, question_id: r.questionId, option_id: r.optionId, text: r.text })))
      .execute();
  });
}
