import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Database } from '../db/database.ts';

/**
 * KPI 7 (seed 000): a message is overdue when it has been in work for more than 14 days, unless
 * an intermediate answer was given within those 14 days. The same rule exists once as a function
 * (for a loaded message) and once as a SQL predicate (for scans and KPI counts); a test keeps them equal.
 */
export const OVERDUE_DAYS = 14;
const OVERDUE_MS = OVERDUE_DAYS * 24 * 60 * 60 * 1000;

export interface OverdueFacts {
  acceptedAt: Date | null;
  firstIntermediateAt: Date | null;
  closedAt: Date | null;
}

export function isOverdue(m: OverdueFacts, now: Date): boolean {
  if (!m.acceptedAt) return false;
  const deadline = m.acceptedAt.getTime() + OVERDUE_MS;
  const end = m.closedAt ?? now;
  if (end.getTime() <= deadline) return false;
  return !(m.firstIntermediateAt && m.firstIntermediateAt.getTime() <= deadline);
}

/** The predicate over table alias `message`, for messages overdue at `now` (open or already closed). */
export function overduePredicate(eb: ExpressionBuilder<Database, 'message'>, now: Date): Expression<SqlBool> {
  const deadline = sql<Date>`message.accepted_at + make_interval(days => ${OVERDUE_DAYS})`;
  return eb.and([
    eb('message.accepted_at', 'is not', null),
    eb(eb.fn.coalesce('message.closed_at', sql<Date>`${now}::timestamptz`), '>', deadline),
    eb.or([eb('message.first_intermediate_at', 'is', null), eb('message.first_intermediate_at', '>', deadline)]),
  ]);
}

/**
 * Messages in work and overdue at `now`: uses the partial index on in-work messages
 * (accepted_at < now − 14 days), so closed messages cost nothing however many there are.
 */
export function openOverduePredicate(eb: ExpressionBuilder<Database, 'message'>, now: Date): Expression<SqlBool> {
  return eb.and([
    eb('message.status', '=', 'in_work'),
    eb('message.accepted_at', '<', new Date(now.getTime() - OVERDUE_MS)),
    overduePredicate(eb, now),
  ]);
}
