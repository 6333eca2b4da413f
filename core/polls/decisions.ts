import { sql } from 'kysely';
import { isCalendarDate } from '../calendar/calendar-date.ts';
import { localDateKey } from '../calendar/working-time.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { notifyVoters, timeZoneOf } from './polls.ts';

export interface PollDecision {
  id: number;
  pollId: number;
  /** 'YYYY-MM-DD' */
  decidedOn: string;
  text: string;
  decidedBy: string;
  newsItemId: number | null;
  createdByStaffId: number | null;
  createdAt: Date;
}

export interface DecisionInput {
  decidedOn: string;
  text: string;
  decidedBy: string;
  newsItemId?: number | null;
}

export async function findDecision(db: Db, pollId: number): Promise<PollDecision | undefined> {
  const row = await db
    .selectFrom('poll_decision')
    .select(['id', 'poll_id', sql<string>`decided_on::text`.as('decided_on'), 'text', 'decided_by', 'news_item_id', 'created_by_staff_id', 'created_at'])
    .where('poll_id', '=', pollId)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      pollId: row.poll_id,
      decidedOn: row.decided_on,
      text: row.text,
      decidedBy: row.decided_by,
      newsItemId: row.news_item_id,
      createdByStaffId: row.created_by_staff_id,
      createdAt: row.created_at,
    }
  );
}

/**
 * The news item that published a decision must exist and be the poll's municipality's own or a
 * regional one (KPI 13 counts the decision by that item), once the news module is installed (its
 * `news_item` table, read by name: this module does not depend on it). Throws VALIDATION naming `newsItemId`.
 */
async function checkNewsItem(db: Db, newsItemId: number | null, municipalityId: number | null): Promise<void> {
  if (newsItemId === null) return;
  const installed = await sql<{ t: string | null }>`SELECT to_regclass('news_item')::text AS t`.execute(db);
  if (!installed.rows[0]?.t) return;
  const item = await sql<{ municipality_id: number | null }>`SELECT municipality_id FROM news_item WHERE id = ${newsItemId}`.execute(db);
  const row = item.rows[0];
  if (!row || (row.municipality_id !== null && row.municipality_id !== municipalityId)) throw new DomainError('VALIDATION', { field: 'newsItemId', problem: 'no such news item' });
}

/**
 * Records the management decision taken on a closed poll's result (KPI 13), once per poll, and tells
 * every voter of the poll (a notification each, deduplicated).
 */
export function recordDecision(db: Db, pollId: number, input: DecisionInput, staffId: number | null, now: Date): Promise<{ decision: PollDecision; notified: number }> {
  return inTransaction(db, async (trx) => {
    const poll = await trx.selectFrom('poll').select(['id', 'state', 'title', 'municipality_id', 'starts_at']).where('id', '=', pollId).forUpdate().executeTakeFirst();
    if (!poll) throw new DomainError('POLL_NOT_FOUND', { id: pollId });
    if (poll.state !== 'closed' && poll.state !== 'results_published') throw new DomainError('POLL_NOT_CLOSED', { id: pollId, state: poll.state });
    if (!isCalendarDate(input.decidedOn)) throw new DomainError('VALIDATION', { field: 'decidedOn', problem: 'a date YYYY-MM-DD' });
    // Taken on the poll's result: not before the poll began, and already taken (not after today): a
    // future date would tell every voter at once of a decision nobody has made yet. Both are local
    // dates of the poll's municipality.
    const timeZone = await timeZoneOf(trx, poll.municipality_id);
    if (input.decidedOn < localDateKey(timeZone, poll.starts_at)) throw new DomainError('VALIDATION', { field: 'decidedOn', problem: 'before the poll started' });
    if (input.decidedOn > localDateKey(timeZone, now)) throw new DomainError('VALIDATION', { field: 'decidedOn', problem: 'in the future' });
    if (input.text.trim().length === 0) throw new DomainError('VALIDATION', { field: 'text', problem: 'must not be empty' });
    if (input.decidedBy.trim().length === 0) throw new DomainError('VALIDATION', { field: 'decidedBy', problem: 'must not be empty' });
    await checkNewsItem(trx, input.newsItemId ?? null, poll.municipality_id);
    const inserted = await trx
      .insertInto('poll_decision')
      .values({
        poll_id: pollId,
        decided_on: input.decidedOn,
        text: input.text.trim(),
        decided_by: input.decidedBy.trim(),
        news_item_id: input.newsItemId ?? null,
        created_by_staff_id: staffId,
        created_at: now,
      })
      .onConflict((oc) => oc.column('poll_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) throw new DomainError('POLL_DECISION_EXISTS', { id: pollId });
    const notified = await notifyVoters(
      trx,
      pollId,
      'polls.decision_notice',
      // The date as residents write it (dd.mm.yyyy, the same in both languages), not the API's YYYY-MM-DD.
      { title: poll.title, text: input.text.trim(), decidedBy: input.decidedBy.trim(), decidedOn: input.decidedOn.split('-').reverse().join('.') },
      'poll.decision',
    );
    return { decision: (await findDecision(trx, pollId))!, notified };
  });
}
