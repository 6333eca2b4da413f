import type { Selectable } from 'kysely';
import { actorColumns, type Actor } from '../actor.ts';
import type { Channel, Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import type { AnswerTarget, MessageEventTable, MessageSource, MessageStatus, MessageTable } from './message.table.ts';

export interface Message {
  id: number;
  authorId: number | null;
  municipalityId: number;
  categoryId: number;
  text: string;
  lat: number | null;
  lon: number | null;
  address: string | null;
  status: MessageStatus;
  published: boolean;
  executorId: number | null;
  rejectionReason: string | null;
  duplicateOf: number | null;
  openSource: boolean;
  source: MessageSource;
  sourceUrl: string | null;
  answerTarget: AnswerTarget;
  publishedReplyUrl: string | null;
  publishedReplyAt: Date | null;
  urgent: boolean;
  channel: Channel | null;
  createdAt: Date;
  acceptedAt: Date | null;
  firstIntermediateAt: Date | null;
  closedAt: Date | null;
  updatedAt: Date;
  version: number;
}

export interface MessageEvent {
  id: number;
  kind: string;
  actorKind: Actor['kind'];
  actorId: number | null;
  fromStatus: MessageStatus | null;
  toStatus: MessageStatus | null;
  reason: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

export function toMessage(row: Selectable<MessageTable>): Message {
  return {
    id: row.id,
    authorId: row.author_id,
    municipalityId: row.municipality_id,
    categoryId: row.category_id,
    text: row.text,
    lat: row.lat,
    lon: row.lon,
    address: row.address,
    status: row.status,
    published: row.published,
    executorId: row.executor_id,
    rejectionReason: row.rejection_reason,
    duplicateOf: row.duplicate_of,
    openSource: row.open_source,
    source: row.source,
    sourceUrl: row.source_url,
    answerTarget: row.answer_target,
    publishedReplyUrl: row.published_reply_url,
    publishedReplyAt: row.published_reply_at,
    urgent: row.urgent,
    channel: row.channel,
    createdAt: row.created_at,
    acceptedAt: row.accepted_at,
    firstIntermediateAt: row.first_intermediate_at,
    closedAt: row.closed_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

export function toEvent(row: Selectable<MessageEventTable>): MessageEvent {
  return {
    id: row.id,
    kind: row.kind,
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    reason: row.reason,
    data: row.data,
    createdAt: row.created_at,
  };
}

export async function getMessage(db: Db, id: number): Promise<Message> {
  const row = await db.selectFrom('message').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('MESSAGE_NOT_FOUND', { id });
  return toMessage(row);
}

/**
 * Loads a message under a row lock for a state change. Two moderators acting at once serialise
 * here; the later one then sees the new status (and version) and gets a conflict.
 */
export async function lockMessage(db: Db, id: number, expectedVersion?: number): Promise<Message> {
  const row = await db.selectFrom('message').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new DomainError('MESSAGE_NOT_FOUND', { id });
  if (expectedVersion !== undefined && row.version !== expectedVersion)
    throw new DomainError('CONCURRENT_CHANGE', { id, expectedVersion, actualVersion: row.version });
  return toMessage(row);
}

/** Applies a change to a locked message and bumps its version. */
export async function updateMessage(
  db: Db,
  message: Message,
  patch: Partial<Omit<Selectable<MessageTable>, 'id' | 'version'>>,
  now: Date,
): Promise<Message> {
  const row = await db
    .updateTable('message')
    .set({ ...patch, updated_at: now, version: message.version + 1 })
    .where('id', '=', message.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMessage(row);
}

export async function recordEvent(
  db: Db,
  messageId: number,
  actor: Actor,
  event: { kind: string; from?: MessageStatus; to?: MessageStatus; reason?: string | null; data?: Record<string, unknown> },
  now: Date,
): Promise<void> {
  await db
    .insertInto('message_event')
    .values({
      message_id: messageId,
      kind: event.kind,
      ...actorColumns(actor),
      from_status: event.from ?? null,
      to_status: event.to ?? null,
      reason: event.reason ?? null,
      data: JSON.stringify(event.data ?? {}),
      created_at: now,
    })
    .execute();
}

export async function listEvents(db: Db, messageId: number): Promise<MessageEvent[]> {
  const rows = await db.selectFrom('message_event').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
  return rows.map(toEvent);
}
