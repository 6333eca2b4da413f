import { type RawBuilder, sql } from 'kysely';
import { decodeCursor, pageSize, toPage, type Page, type PageRequest } from '../db/pagination.ts';
import { DomainError } from '../errors.ts';
import type { StaffRole } from '../staff/staff.table.ts';
import type { Scope } from '../access/scope.ts';
import type { Db } from '../db/types.ts';
import type { MessageStatus } from './message.table.ts';

/**
 * What waits for a staff member, by role (issue 18 item 15), oldest first:
 * - `moderate`: a new message to accept or reject (moderators, curators, operators);
 * - `answer`: a message in work assigned to the executor's organisation with no answer pending
 *   approval, duplicates linked to an original left out (executors);
 * - `revise`: an answer the curator returned (executors and moderators who draft);
 * - `approve`: a draft answer waiting for the curator's approval (curators, operators).
 */
export type QueueItemKind = 'moderate' | 'answer' | 'revise' | 'approve';
export interface QueueItem {
  kind: QueueItemKind;
  messageId: number;
  answerId: number | null;
  status: MessageStatus;
  municipalityId: number;
  categoryId: number;
  executorId: number | null;
  text: string;
  /** Since when it waits: the filing, the acceptance or the answer's last change. */
  since: Date;
}

const KINDS_BY_ROLE: Record<StaffRole, readonly QueueItemKind[]> = {
  operator: ['moderate', 'approve'],
  curator: ['moderate', 'approve'],
  moderator: ['moderate', 'revise'],
  executor: ['answer', 'revise'],
  responsible: [],
  integration: [],
};

/** Where a page of the queue ends: the last item's wait start (to the microsecond), message and answer. */
interface QueuePosition {
  at: string;
  messageId: number;
  answerId: number;
}

const POSITION_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function decodeQueueCursor(cursor: string): QueuePosition {
  const { v, id } = decodeCursor(cursor);
  const [at, answerId] = typeof v === 'string' ? v.split('|') : [];
  if (at === undefined || !POSITION_AT.test(at) || answerId === undefined || !/^\d{1,10}$/.test(answerId)) throw new DomainError('INVALID_CURSOR');
  return { at, messageId: id, answerId: Number(answerId) };
}

/** A timestamp as fixed-width UTC text to the microsecond: sorts as the timestamp does, and goes back exactly. */
const positionText = (column: RawBuilder<Date>) => sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A page of what waits for the caller, oldest first (by wait start, then message and answer), at
 * most `limit` (default 25, at most 100) items; `nextCursor` carries on from the last one, null on
 * the last page. Keyset paging: an item that leaves the queue meanwhile moves nothing else.
 */
export async function staffQueue(db: Db, role: StaffRole, scope: Scope, page: PageRequest = {}): Promise<Page<QueueItem>> {
  const kinds = KINDS_BY_ROLE[role];
  if (kinds.length === 0) return { items: [], nextCursor: null };
  const limit = pageSize(page.limit);
  const after = page.cursor === undefined ? null : decodeQueueCursor(page.cursor);
  const messages = () => {
    let q = db
      .selectFrom('message')
      .select(['message.id', 'message.status', 'message.municipality_id', 'message.category_id', 'message.executor_id', 'message.text', 'message.created_at', 'message.accepted_at']);
    if (scope.municipalityId !== null) q = q.where('message.municipality_id', '=', scope.municipalityId);
    if (scope.executorId !== null) q = q.where('message.executor_id', '=', scope.executorId);
    return q;
  };
  /** After the cursor, in queue order: `since` the wait start, `answerId` the answer's id or 0. */
  const pageAfter = (since: RawBuilder<Date>, answerId: RawBuilder<number>) =>
    after === null ? sql<boolean>`true` : sql<boolean>`(${since}, message.id, ${answerId}) > (${after.at}::timestamptz, ${after.messageId}::int, ${after.answerId}::int)`;
  type Found = QueueItem & { at: string };
  const items: Found[] = [];
  const base = (r: { id: number; status: MessageStatus; municipality_id: number; category_id: number; executor_id: number | null; text: string; at: string }) => ({
    messageId: r.id,
    status: r.status,
    municipalityId: r.municipality_id,
    categoryId: r.category_id,
    executorId: r.executor_id,
    text: r.text,
    at: r.at,
  });
  const none = sql<number>`0`;
  if (kinds.includes('moderate')) {
    const since = sql<Date>`message.created_at`;
    const rows = await messages()
      .select(positionText(since).as('at'))
      .where('message.status', '=', 'new')
      .where(pageAfter(since, none))
      .orderBy(since)
      .orderBy('message.id')
      .limit(limit + 1)
      .execute();
    items.push(...rows.map((r) => ({ kind: 'moderate' as const, answerId: null, since: r.created_at, ...base(r) })));
  }
  if (kinds.includes('answer')) {
    const since = sql<Date>`coalesce(message.accepted_at, message.created_at)`;
    const rows = await messages()
      .select(positionText(since).as('at'))
      .where('message.status', '=', 'in_work')
      // A duplicate linked in work closes with its original's final answer: nothing to answer there.
      .where('message.duplicate_of', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('answer').select('answer.id').whereRef('answer.message_id', '=', 'message.id').where('answer.state', 'in', ['draft', 'returned']))))
      .where(pageAfter(since, none))
      .orderBy(since)
      .orderBy('message.id')
      .limit(limit + 1)
      .execute();
    items.push(...rows.map((r) => ({ kind: 'answer' as const, answerId: null, since: r.accepted_at ?? r.created_at, ...base(r) })));
  }
  for (const [kind, state] of [
    ['revise', 'returned'],
    ['approve', 'draft'],
  ] as const) {
    if (!kinds.includes(kind)) continue;
    const since = sql<Date>`answer.updated_at`;
    const rows = await messages()
      .innerJoin('answer', 'answer.message_id', 'message.id')
      .select(['answer.id as answer_id', 'answer.updated_at', positionText(since).as('at')])
      .where('answer.state', '=', state)
      .where('message.status', '=', 'in_work')
      .where(pageAfter(since, sql<number>`answer.id`))
      .orderBy(since)
      .orderBy('message.id')
      .orderBy('answer.id')
      .limit(limit + 1)
      .execute();
    items.push(...rows.map((r) => ({ kind, answerId: r.answer_id, since: r.updated_at, ...base(r) })));
  }
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.messageId - b.messageId || (a.answerId ?? 0) - (b.answerId ?? 0)));
  return toPage(
    items,
    limit,
    ({ at: _, ...item }) => item,
    (last) => ({ v: `${last.at}|${last.answerId ?? 0}`, id: last.messageId }),
  );
}

export interface Assignee {
  executorId: number;
  name: string;
  kind: string;
  /** The executor's linked staff: who gets its alerts, and in which messengers. */
  staff: { id: number; fullName: string; active: boolean; channels: string[] }[];
}

/** The executor organisation a message is assigned to, with its staff. */
export async function assigneeOf(db: Db, executorId: number | null): Promise<Assignee | null> {
  if (executorId === null) return null;
  const executor = await db.selectFrom('executor').select(['id', 'name', 'kind']).where('id', '=', executorId).executeTakeFirst();
  if (!executor) return null;
  const staff = await db.selectFrom('staff').select(['id', 'full_name', 'active']).where('executor_id', '=', executorId).orderBy('id').execute();
  const identities =
    staff.length === 0
      ? []
      : await db
          .selectFrom('staff_identity')
          .select(['staff_id', 'channel'])
          .where(
            'staff_id',
            'in',
            staff.map((s) => s.id),
          )
          .orderBy('channel')
          .execute();
  return {
    executorId: executor.id,
    name: executor.name,
    kind: executor.kind,
    staff: staff.map((s) => ({ id: s.id, fullName: s.full_name, active: s.active, channels: identities.filter((i) => i.staff_id === s.id).map((i) => i.channel) })),
  };
}
