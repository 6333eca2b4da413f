import type { Scope } from '../access/scope.ts';
import type { Db } from '../db/types.ts';
import { idCursor, pageSize, toPage, type Page, type PageRequest } from '../db/pagination.ts';
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from '../db/database.ts';
import { toAnswer, withDelivery, type Answer } from './answers.service.ts';
import type { AnswerState } from './message.table.ts';

/** Answers within a scope, oldest first: a curator's queue of drafts awaiting approval. */
export async function searchAnswers(db: Db, scope: Scope, filter: { state?: AnswerState; municipalityId?: number; messageId?: number }, page: PageRequest): Promise<Page<Answer>> {
  const limit = pageSize(page.limit);
  const after = idCursor(page.cursor);
  let query = db
    .selectFrom('answer')
    .innerJoin('message', 'message.id', 'answer.message_id')
    .selectAll('answer')
    .orderBy('answer.id')
    .limit(limit + 1);
  if (scope.municipalityId !== null) query = query.where('message.municipality_id', '=', scope.municipalityId);
  if (scope.executorId !== null) query = query.where('message.executor_id', '=', scope.executorId);
  if (filter.municipalityId !== undefined) query = query.where('message.municipality_id', '=', filter.municipalityId);
  if (filter.messageId !== undefined) query = query.where('answer.message_id', '=', filter.messageId);
  if (filter.state === 'draft' || filter.state === 'returned') query = query.where('answer.state', '=', filter.state);
  else if (filter.state) {
    // approved: not (yet) delivered; delivered: its outbox row was sent (see withDelivery).
    const sent = (eb: ExpressionBuilder<Database, 'answer' | 'message'>) =>
      eb.exists(eb.selectFrom('outbox').select('outbox.id').where('outbox.state', '=', 'sent').whereRef('outbox.dedupe_key', '=', sql<string>`'answer:' || answer.id`));
    query = query.where('answer.state', 'in', ['approved', 'delivered']).where((eb) => (filter.state === 'delivered' ? sent(eb) : eb.not(sent(eb))));
  }
  if (after !== undefined) query = query.where('answer.id', '>', after);
  const found = toPage(await query.execute(), limit, toAnswer, (r) => ({ v: null, id: r.id }));
  return { ...found, items: await withDelivery(db, found.items) };
}
