import { sql } from 'kysely';
import { announce, stopAnnouncementsOf } from '../broadcasts/broadcasts.ts';
import { isCalendarDate } from '../calendar/calendar-date.ts';
import { localDateKey } from '../calendar/working-time.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Channel, Db } from '../db/types.ts';
import { actionId } from '../dialogs/action-id.ts';
import { DomainError } from '../errors.ts';
import { withdrawReason } from '../text/withdraw-reason.ts';
import { notifyResident } from '../notifications/notify.ts';
import { readerDate } from '../text/reader-date.ts';
import { POLL_TAGS, timeZoneOf } from './polls.ts';

export const DIRECT_LINE_LIMITS = { questionsPerResident: 5, maxText: 1000, maxAnswer: 4000, maxTitle: 200 } as const;

export interface DirectLine {
  id: number;
  municipalityId: number;
  title: string;
  headName: string;
  collectFrom: Date;
  collectTo: Date;
  /** 'YYYY-MM-DD', local. */
  broadcastOn: string;
  openedAt: Date | null;
  /** Withdrawn by officials: no questions taken, not announced (further). */
  withdrawnAt: Date | null;
  /** Why, as officials gave it (null: none given). */
  withdrawnReason: string | null;
  createdByStaffId: number | null;
  createdAt: Date;
  questions: number;
}

export interface DirectLineInput {
  municipalityId: number;
  title: string;
  headName: string;
  collectFrom: Date;
  collectTo: Date;
  broadcastOn: string;
}

export interface DirectLineQuestion {
  id: number;
  directLineId: number;
  text: string;
  categoryId: number | null;
  channel: Channel;
  selected: boolean;
  answerText: string | null;
  answeredAt: Date | null;
  answeredByStaffId: number | null;
  createdAt: Date;
}

const invalid = (field: string, problem: string) => new DomainError('VALIDATION', { field, problem });

function lineQuery(db: Db) {
  return db
    .selectFrom('direct_line as d')
    .select([
      'd.id',
      'd.municipality_id',
      'd.title',
      'd.head_name',
      'd.collect_from',
      'd.collect_to',
      sql<string>`d.broadcast_on::text`.as('broadcast_on'),
      'd.opened_at',
      'd.withdrawn_at',
      'd.withdrawn_reason',
      'd.created_by_staff_id',
      'd.created_at',
    ])
    .select((eb) =>
      eb
        .selectFrom('direct_line_question as q')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('q.direct_line_id', '=', 'd.id')
        .as('questions'),
    );
}

type LineRow = Awaited<ReturnType<ReturnType<typeof lineQuery>['executeTakeFirstOrThrow']>>;

function toLine(r: LineRow): DirectLine {
  return {
    id: r.id,
    municipalityId: r.municipality_id,
    title: r.title,
    headName: r.head_name,
    collectFrom: r.collect_from,
    collectTo: r.collect_to,
    broadcastOn: r.broadcast_on,
    openedAt: r.opened_at,
    withdrawnAt: r.withdrawn_at,
    withdrawnReason: r.withdrawn_reason,
    createdByStaffId: r.created_by_staff_id,
    createdAt: r.created_at,
    questions: Number(r.questions ?? 0),
  };
}

export async function getDirectLine(db: Db, id: number): Promise<DirectLine> {
  const row = await lineQuery(db).where('d.id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('DIRECT_LINE_NOT_FOUND', { id });
  return toLine(row);
}

export async function listDirectLines(db: Db, filter: { municipalityId: number | null; beforeId?: number; limit: number }): Promise<DirectLine[]> {
  let query = lineQuery(db).orderBy('d.id', 'desc').limit(filter.limit);
  if (filter.municipalityId !== null) query = query.where('d.municipality_id', '=', filter.municipalityId);
  if (filter.beforeId !== undefined) query = query.where('d.id', '<', filter.beforeId);
  return (await query.execute()).map(toLine);
}

/** Creates a campaign; when its collection has begun already, it is opened (announced) at once. */
export function createDirectLine(db: Db, input: DirectLineInput, staffId: number | null, now: Date): Promise<DirectLine> {
  return inTransaction(db, async (trx) => {
    if (input.title.trim().length === 0) throw invalid('title', 'must not be empty');
    if (input.headName.trim().length === 0) throw invalid('headName', 'must not be empty');
    if (input.collectTo <= input.collectFrom) throw invalid('collectTo', 'must be after collectFrom');
    if (input.collectTo <= now) throw invalid('collectTo', 'is already past');
    if (!isCalendarDate(input.broadcastOn)) throw invalid('broadcastOn', 'a date YYYY-MM-DD');
    const municipality = await trx.selectFrom('municipality').select(['id', 'time_zone']).where('id', '=', input.municipalityId).executeTakeFirst();
    if (!municipality) throw new DomainError('MUNICIPALITY_NOT_FOUND', { id: input.municipalityId });
    // broadcastOn is a local date: the collection's instants are compared as local dates too.
    if (input.broadcastOn < localDateKey(municipality.time_zone, input.collectFrom)) throw invalid('broadcastOn', 'must not be before collectFrom');
    // Questions are collected for the broadcast: an end at local midnight belongs to the day before.
    if (localDateKey(municipality.time_zone, new Date(input.collectTo.getTime() - 1)) > input.broadcastOn) throw invalid('collectTo', 'must end by the broadcast day (broadcastOn)');
    const row = await trx
      .insertInto('direct_line')
      .values({
        municipality_id: input.municipalityId,
        title: input.title.trim(),
        head_name: input.headName.trim(),
        collect_from: input.collectFrom,
        collect_to: input.collectTo,
        broadcast_on: input.broadcastOn,
        opened_at: null,
        created_by_staff_id: staffId,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await openDueDirectLines(trx, now, row.id);
    return getDirectLine(trx, row.id);
  });
}

/**
 * Cron (`direct-line-announcements`, every minute, under the job's advisory lock) and creation:
 * campaigns whose collection has begun are opened once — `opened_at` set and the residents of the
 * municipality subscribed to the direct line told, with an "Ask" button. Each row is locked (SKIP
 * LOCKED) and marked in the same transaction as its broadcast, so a second instance, a retry or a
 * run after a restart finds nothing left; a campaign whose collection ended before any run (the app
 * was down for all of it) is not announced.
 */
export function openDueDirectLines(db: Db, now: Date, onlyId?: number): Promise<{ directLinesOpened: number }> {
  return inTransaction(db, async (trx) => {
    let query = trx
      .selectFrom('direct_line')
      .select(['id', 'municipality_id', 'title', 'head_name', 'collect_to', 'created_by_staff_id'])
      .where('opened_at', 'is', null)
      .where('withdrawn_at', 'is', null)
      .where('collect_from', '<=', now)
      .where('collect_to', '>', now)
      .orderBy('collect_from')
      .orderBy('id')
      .limit(100)
      .forUpdate()
      .skipLocked();
    if (onlyId !== undefined) query = query.where('id', '=', onlyId);
    const due = await query.execute();
    for (const line of due) {
      await trx.updateTable('direct_line').set({ opened_at: now }).where('id', '=', line.id).execute();
      await announce(trx, {
        audience: { municipalityId: line.municipality_id, topic: 'direct_line' },
        message: {
          key: 'polls.direct_line_announcement',
          params: { title: line.title, head: line.head_name, until: readerDate(line.collect_to, await timeZoneOf(trx, line.municipality_id)) },
          keyboard: { kind: 'inline', rows: [[{ id: actionId(POLL_TAGS.ask, line.id), label: 'polls.ask_button' }]] },
        },
        kind: 'broadcast.direct_line',
        source: `direct_line:${line.id}`,
        createdByStaffId: line.created_by_staff_id,
      });
    }
    return { directLinesOpened: due.length };
  });
}

/**
 * Withdraws a campaign (announced by mistake, called off): no more questions are taken, it is not
 * announced if it has not been, and what of its announcement is not sent yet is not sent; the
 * questions asked are kept (and may still be answered). Every resident who asked a question is told
 * once, through the outbox in the caller's transaction (with the reason, when officials gave one:
 * WITHDRAW_REASON_MAX characters at most), as a withdrawn contest tells its entrants; residents who
 * tap its button afterwards are told too. Withdrawn already: 409 DIRECT_LINE_WITHDRAWN.
 */
export async function withdrawDirectLine(db: Db, id: number, now: Date, reason: string | null = null): Promise<DirectLine> {
  const why = withdrawReason(reason);
  const row = await db.selectFrom('direct_line').select(['id', 'withdrawn_at', 'title', 'head_name']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new DomainError('DIRECT_LINE_NOT_FOUND', { id });
  if (row.withdrawn_at) throw new DomainError('DIRECT_LINE_WITHDRAWN', { id });
  await db.updateTable('direct_line').set({ withdrawn_at: now, withdrawn_reason: why }).where('id', '=', id).execute();
  await stopAnnouncementsOf(db, `direct_line:${id}`, now);
  // Who asked is told once (however many questions they asked; anonymised questions have no author).
  const askers = await db.selectFrom('direct_line_question').select('resident_id').distinct().where('direct_line_id', '=', id).where('resident_id', 'is not', null).orderBy('resident_id').execute();
  for (const { resident_id } of askers) {
    await notifyResident(
      db,
      resident_id!,
      why === null ? 'polls.direct_line_withdrawn_notice' : 'polls.direct_line_withdrawn_notice_reason',
      { title: row.title, head: row.head_name, ...(why !== null && { reason: why }) },
      { kind: 'direct_line.withdrawn', dedupeKey: `direct_line.withdrawn:${id}:${resident_id}` },
    );
  }
  return getDirectLine(db, id);
}

/** The campaign collecting questions from residents of `municipalityId` now, if any. */
export async function collectingDirectLine(db: Db, municipalityId: number | null, now: Date): Promise<DirectLine | undefined> {
  if (municipalityId === null) return undefined;
  const row = await lineQuery(db)
    .where('d.municipality_id', '=', municipalityId)
    .where('d.withdrawn_at', 'is', null)
    .where('d.collect_from', '<=', now)
    .where('d.collect_to', '>', now)
    .orderBy('d.collect_to')
    .executeTakeFirst();
  return row && toLine(row);
}

export async function questionsAsked(db: Db, directLineId: number, residentId: number): Promise<number> {
  const row = await db
    .selectFrom('direct_line_question')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('direct_line_id', '=', directLineId)
    .where('resident_id', '=', residentId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * A resident's question for the head: the campaign must be collecting, for the resident's
 * municipality, text 1–1000 characters, at most 5 per resident per campaign (counted under a lock
 * of the resident's row, so two messengers at once cannot pass the limit).
 */
export function askQuestion(db: Db, input: { directLineId: number; residentId: number; channel: Channel; text: string; categoryId?: number | null }, now: Date): Promise<DirectLineQuestion> {
  return inTransaction(db, async (trx) => {
    const resident = await trx.selectFrom('resident').select(['id', 'municipality_id', 'registered_at']).where('id', '=', input.residentId).forUpdate().executeTakeFirst();
    if (!resident?.registered_at) throw new DomainError('NOT_REGISTERED');
    const line = await getDirectLine(trx, input.directLineId);
    if (line.withdrawnAt) throw new DomainError('DIRECT_LINE_WITHDRAWN', { id: line.id, ...(line.withdrawnReason && { withdrawnReason: line.withdrawnReason }) });
    if (line.municipalityId !== resident.municipality_id || now < line.collectFrom || now >= line.collectTo) throw new DomainError('DIRECT_LINE_NOT_OPEN', { id: line.id });
    const text = input.text.trim();
    if (text.length === 0) throw new DomainError('TEXT_EMPTY');
    if (text.length > DIRECT_LINE_LIMITS.maxText) throw new DomainError('TEXT_TOO_LONG', { max: DIRECT_LINE_LIMITS.maxText, length: text.length });
    if ((await questionsAsked(trx, line.id, input.residentId)) >= DIRECT_LINE_LIMITS.questionsPerResident) {
      throw new DomainError('DIRECT_LINE_QUESTION_LIMIT', { max: DIRECT_LINE_LIMITS.questionsPerResident });
    }
    if (input.categoryId != null) {
      const category = await trx.selectFrom('category').select('id').where('id', '=', input.categoryId).where('active', '=', true).executeTakeFirst();
      if (!category) throw new DomainError('CATEGORY_NOT_FOUND', { id: input.categoryId });
    }
    const row = await trx
      .insertInto('direct_line_question')
      .values({
        direct_line_id: line.id,
        resident_id: input.residentId,
        channel: input.channel,
        text,
        category_id: input.categoryId ?? null,
        answer_text: null,
        answered_at: null,
        answered_by_staff_id: null,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toQuestion(row);
  });
}

function toQuestion(r: {
  id: number;
  direct_line_id: number;
  text: string;
  category_id: number | null;
  channel: Channel;
  selected: boolean;
  answer_text: string | null;
  answered_at: Date | null;
  answered_by_staff_id: number | null;
  created_at: Date;
}): DirectLineQuestion {
  return {
    id: r.id,
    directLineId: r.direct_line_id,
    text: r.text,
    categoryId: r.category_id,
    channel: r.channel,
    selected: r.selected,
    answerText: r.answer_text,
    answeredAt: r.answered_at,
    answeredByStaffId: r.answered_by_staff_id,
    createdAt: r.created_at,
  };
}

const QUESTION_COLUMNS = ['id', 'direct_line_id', 'text', 'category_id', 'channel', 'selected', 'answer_text', 'answered_at', 'answered_by_staff_id', 'created_at'] as const;

export interface QuestionFilter {
  /** Words the text contains (case-insensitive). */
  q?: string;
  selected?: boolean;
  answered?: boolean;
  categoryId?: number;
  /** Keyset paging: questions after this id (oldest first). */
  afterId?: number;
  limit: number;
}

/** A campaign's questions, oldest first; the author is never part of them. */
export async function listQuestions(db: Db, directLineId: number, filter: QuestionFilter): Promise<DirectLineQuestion[]> {
  let query = db.selectFrom('direct_line_question').select(QUESTION_COLUMNS).where('direct_line_id', '=', directLineId).orderBy('id').limit(filter.limit);
  if (filter.q) query = query.where('text', 'ilike', `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (filter.selected !== undefined) query = query.where('selected', '=', filter.selected);
  if (filter.answered !== undefined) query = query.where('answered_at', filter.answered ? 'is not' : 'is', null);
  if (filter.categoryId !== undefined) query = query.where('category_id', '=', filter.categoryId);
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
  return (await query.execute()).map(toQuestion);
}

/**
 * Marks a question selected (or not) and/or answers it; an answer goes to its author through the
 * outbox (once per answer text: a corrected answer is sent again).
 */
export function answerQuestion(
  db: Db,
  directLineId: number,
  questionId: number,
  input: { text?: string; selected?: boolean },
  staffId: number | null,
  now: Date,
): Promise<{ question: DirectLineQuestion; notified: boolean }> {
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('direct_line_question').selectAll().where('id', '=', questionId).where('direct_line_id', '=', directLineId).forUpdate().executeTakeFirst();
    if (!row) throw new DomainError('DIRECT_LINE_QUESTION_NOT_FOUND', { id: questionId });
    if (input.text === undefined && input.selected === undefined) throw invalid('text', 'give text or selected');
    const text = input.text?.trim();
    if (text !== undefined && text.length === 0) throw invalid('text', 'must not be empty');
    if (text !== undefined && text.length > DIRECT_LINE_LIMITS.maxAnswer) throw invalid('text', `at most ${DIRECT_LINE_LIMITS.maxAnswer} characters`);
    const updated = await trx
      .updateTable('direct_line_question')
      .set({
        ...(input.selected !== undefined && { selected: input.selected }),
        ...(text !== undefined && { answer_text: text, answered_at: now, answered_by_staff_id: staffId, selected: input.selected ?? true }),
      })
      .where('id', '=', questionId)
      .returning(QUESTION_COLUMNS)
      .executeTakeFirstOrThrow();
    let notified = false;
    if (text !== undefined && row.resident_id !== null && text !== row.answer_text) {
      const line = await getDirectLine(trx, directLineId);
      notified = await notifyResident(
        trx,
        row.resident_id,
        'polls.direct_line_answer',
        { title: line.title, head: line.headName, question: row.text, answer: text },
        { kind: 'direct_line.answer', dedupeKey: `direct_line.answer:${questionId}:${now.getTime()}` },
      );
    }
    return { question: toQuestion(updated), notified };
  });
}
