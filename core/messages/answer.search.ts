import type { Scope } from '../access/scope.ts';
import type { Db } from '../db/types.ts';
import { idCursor, pageSize, toPage, type Page, type PageRequest } from '../db/pagination.ts';
import { toAnswer, type Answer } from './answers.service.ts';
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
  if (filter.state) query = query.where('answer.state', '=', filter.state);
  if (after !== undefined) query = query.where('answer.id', '>', after);
  return toPage(await query.execute(), limit, toAnswer, (r) => ({ v: null, id: r.id }));
}
