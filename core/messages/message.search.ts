import { sql } from 'kysely';
import type { Scope } from '../access/scope.ts';
import type { Db } from '../db/types.ts';
import { decodeCursor, pageSize, toPage, type Page, type PageRequest } from '../db/pagination.ts';
import { DomainError } from '../errors.ts';
import { toMessage, type Message } from './message.repository.ts';
import type { SelectQueryBuilder, Selectable } from 'kysely';
import type { Database } from '../db/database.ts';
import type { MessageStatus, MessageTable } from './message.table.ts';
import { openOverduePredicate } from './overdue.ts';

/**
 * The shortest `q`: a trigram index (pg_trgm, GIN on lower(text) and lower(address)) serves
 * `lower(x) LIKE '%term%'` only when the term holds a whole trigram, i.e. at least 3 characters.
 */
export const MIN_SEARCH_LENGTH = 3;

export const MESSAGE_SORTS = ['created_at', '-created_at', 'updated_at', '-updated_at'] as const;
export type MessageSort = (typeof MESSAGE_SORTS)[number];

export interface MessageFilter {
  municipalityId?: number;
  status?: MessageStatus[];
  categoryId?: number;
  executorId?: number;
  /** true: in work and overdue now (KPI 7); false: everything else. */
  overdue?: boolean;
  openSource?: boolean;
  published?: boolean;
  /** Filed at or after `from` and before `to`. */
  from?: Date;
  to?: Date;
  /** Case-insensitive substring of the text or the address, at least MIN_SEARCH_LENGTH characters. */
  q?: string;
  /** true: the author rated it 1–2 stars (flagged to the curator); false: not so rated. */
  lowRating?: boolean;
}

/** `%`, `_` and `\` in a search term are literal, not patterns. */
function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Messages within `scope` matching `filter`, a page at a time by keyset (sort column, id), so
 * pages stay stable while new messages arrive. A municipality filter outside the scope simply
 * matches nothing the caller could not see anyway: the scope is always applied on top.
 */
export async function searchMessages(db: Db, scope: Scope, filter: MessageFilter, sort: MessageSort, page: PageRequest, now: Date): Promise<Page<Message>> {
  const limit = pageSize(page.limit);
  const column = sort.replace('-', '') as 'created_at' | 'updated_at';
  const descending = sort.startsWith('-');
  const direction = descending ? 'desc' : 'asc';
  let query = db.selectFrom('message');

  if (scope.municipalityId !== null) query = query.where('municipality_id', '=', scope.municipalityId);
  if (scope.executorId !== null) query = query.where('executor_id', '=', scope.executorId);
  if (filter.municipalityId !== undefined) query = query.where('municipality_id', '=', filter.municipalityId);
  if (filter.status && filter.status.length > 0) query = query.where('status', 'in', filter.status);
  if (filter.categoryId !== undefined) query = query.where('category_id', '=', filter.categoryId);
  if (filter.executorId !== undefined) query = query.where('executor_id', '=', filter.executorId);
  if (filter.openSource !== undefined) query = query.where('open_source', '=', filter.openSource);
  if (filter.published !== undefined) query = query.where('published', '=', filter.published);
  if (filter.lowRating !== undefined) {
    query = filter.lowRating
      ? query.where((eb) => eb.exists(eb.selectFrom('rating').select('rating.message_id').whereRef('rating.message_id', '=', 'message.id').where('rating.flagged', '=', true)))
      : query.where((eb) => eb.not(eb.exists(eb.selectFrom('rating').select('rating.message_id').whereRef('rating.message_id', '=', 'message.id').where('rating.flagged', '=', true))));
  }
  if (filter.from) query = query.where('created_at', '>=', filter.from);
  if (filter.to) query = query.where('created_at', '<', filter.to);
  if (filter.overdue !== undefined) {
    query = filter.overdue ? query.where((eb) => openOverduePredicate(eb, now)) : query.where((eb) => eb.not(openOverduePredicate(eb, now)));
  }
  const q = filter.q?.trim();
  if (q && q.length < MIN_SEARCH_LENGTH) throw new DomainError('VALIDATION', { field: 'q', problem: `at least ${MIN_SEARCH_LENGTH} characters` });
  if (page.cursor !== undefined) {
    const { v, id } = decodeCursor(page.cursor);
    // Written by toPage below as an ISO instant of years 0000-9999; a forged far one (year -271821)
    // is a valid JS date that PostgreSQL's timestamptz cannot hold.
    const at = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v) : null;
    if (!at || Number.isNaN(at.getTime())) throw new DomainError('INVALID_CURSOR');
    query = query.where((eb) => eb(eb.refTuple(column, 'id'), descending ? '<' : '>', eb.tuple(sql<Date>`${at}::timestamptz`, id)));
  }
  const ordered = <O>(qb: SelectQueryBuilder<Database, 'message', O>) => qb.orderBy(column, direction).orderBy('id', direction).limit(limit + 1);
  let rows: Selectable<MessageTable>[];
  if (q) {
    // `lower(x) LIKE lower(p)` is the test PostgreSQL's ILIKE makes on a UTF-8 database, with the
    // pattern lowered once instead of on every row; the trigram indexes are on lower(text) and
    // lower(address). The two columns are searched apart, each for a page, and the pages merged:
    // the address side is an index-only scan of the list index, which carries the address, so a
    // term in ~1 % of addresses does not read thousands of rows; the text side takes whichever of
    // its trigram index and the list order is cheaper for the term.
    const pattern = sql<string>`lower(${likePattern(q)})`;
    const inText = ordered(query.where((eb) => eb(eb.fn('lower', ['text']), 'like', pattern))).select('id');
    const inAddress = ordered(query.where((eb) => eb(eb.fn('lower', ['address']), 'like', pattern))).select('id');
    rows = await ordered(
      db
        .selectFrom('message')
        .selectAll()
        .where('id', 'in', (eb) => eb.selectFrom(inText.as('t')).select('t.id').union(eb.selectFrom(inAddress.as('a')).select('a.id'))),
    ).execute();
  } else if (filter.overdue) {
    // Overdue (KPI 7): the page's ids come from an index-only scan of the covering in-work index
    // (the rule's columns are in it), so the in-work messages that are not overdue yet are skipped
    // without reading their rows; only the page's rows are then read.
    rows = await ordered(db.selectFrom('message').selectAll().where('id', 'in', ordered(query).select('id'))).execute();
  } else {
    rows = await ordered(query).selectAll().execute();
  }
  return toPage(rows, limit, toMessage, (r) => ({ v: r[column].toISOString(), id: r.id }));
}
