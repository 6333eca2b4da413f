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

export const QUEUE_LIMIT = 500;

export async function staffQueue(db: Db, role: StaffRole, scope: Scope): Promise<QueueItem[]> {
  const kinds = KINDS_BY_ROLE[role];
  if (kinds.length === 0) return [];
  const messages = () => {
    let q = db
      .selectFrom('message')
      .select(['message.id', 'message.status', 'message.municipality_id', 'message.category_id', 'message.executor_id', 'message.text', 'message.created_at', 'message.accepted_at']);
    if (scope.municipalityId !== null) q = q.where('message.municipality_id', '=', scope.municipalityId);
    if (scope.executorId !== null) q = q.where('message.executor_id', '=', scope.executorId);
    return q;
  };
  const items: QueueItem[] = [];
  const base = (r: { id: number; status: MessageStatus; municipality_id: number; category_id: number; executor_id: number | null; text: string }) => ({
    messageId: r.id,
    status: r.status,
    municipalityId: r.municipality_id,
    categoryId: r.category_id,
    executorId: r.executor_id,
    text: r.text,
  });
  if (kinds.includes('moderate')) {
    const rows = await messages().where('message.status', '=', 'new').orderBy('message.created_at').limit(QUEUE_LIMIT).execute();
    items.push(...rows.map((r) => ({ kind: 'moderate' as const, answerId: null, since: r.created_at, ...base(r) })));
  }
  if (kinds.includes('answer')) {
    const rows = await messages()
      .where('message.status', '=', 'in_work')
      // A duplicate linked in work closes with its original's final answer: nothing to answer there.
      .where('message.duplicate_of', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('answer').select('answer.id').whereRef('answer.message_id', '=', 'message.id').where('answer.state', 'in', ['draft', 'returned']))))
      .orderBy('message.accepted_at')
      .limit(QUEUE_LIMIT)
      .execute();
    items.push(...rows.map((r) => ({ kind: 'answer' as const, answerId: null, since: r.accepted_at ?? r.created_at, ...base(r) })));
  }
  for (const [kind, state] of [
    ['revise', 'returned'],
    ['approve', 'draft'],
  ] as const) {
    if (!kinds.includes(kind)) continue;
    const rows = await messages()
      .innerJoin('answer', 'answer.message_id', 'message.id')
      .select(['answer.id as answer_id', 'answer.updated_at'])
      .where('answer.state', '=', state)
      .where('message.status', '=', 'in_work')
      .orderBy('answer.updated_at')
      .limit(QUEUE_LIMIT)
      .execute();
    items.push(...rows.map((r) => ({ kind, answerId: r.answer_id, since: r.updated_at, ...base(r) })));
  }
  return items.sort((a, b) => a.since.getTime() - b.since.getTime() || a.messageId - b.messageId).slice(0, QUEUE_LIMIT);
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
