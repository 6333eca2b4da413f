import { sql } from 'kysely';
import type { Channel, Db, Language } from '../../core/db/types.ts';
import { storedData, type DialogState } from '../dialogs/state.ts';
import { enqueue, PRIORITY } from '../../core/outbox/outbox.repository.ts';
import { asLastStatement } from '../../core/db/prepared.ts';
import type { OutboxPayload } from '../../core/outbox/outbox.table.ts';
import type { View } from '../dialogs/view.ts';

/** Outbox `kind` of a direct reply: its payload carries the views, not a notification key. */
export const REPLY_KIND = 'reply';

export interface Reply {
  channel: Channel;
  chatId: string;
  /** The resident behind the chat (a 403 on the reply marks their identity unreachable); none for a group. */
  residentId?: number;
  views: View[];
  language: Language;
  editMessageId?: number;
  answer?: OutboxPayload['answer'];
}

/**
 * Queues one update's replies as ONE outbox row of the top-priority reply lane, inside the
 * transaction that handles the update: a committed update's replies are durable (a crash after the
 * commit cannot lose them), they go out through the token's one pacer, and the row's parts (the
 * button answer, then every view) leave back to back in order. One INSERT, nothing when there is
 * nothing to send.
 */
export async function queueReply(trx: Db, reply: Reply): Promise<void> {
  if (reply.views.length === 0 && !reply.answer) return;
  const payload = payloadOf(reply);
  await enqueue(trx, [
    {
      channel: reply.channel,
      chatId: reply.chatId,
      recipientKind: reply.residentId ? 'resident' : 'chat',
      residentId: reply.residentId ?? null,
      kind: REPLY_KIND,
      payload,
      priority: PRIORITY.reply,
    },
  ]);
}

function payloadOf(reply: Reply): OutboxPayload {
  return {
    key: REPLY_KIND,
    language: reply.language,
    views: reply.views,
    ...(reply.editMessageId !== undefined && { editMessageId: reply.editMessageId }),
    ...(reply.answer && { answer: reply.answer }),
  };
}

/** Where a turn's state is saved, and whether the statement ends its transaction. */
export interface TurnSave {
  channel: Channel;
  externalId: string;
  state: DialogState;
  now: Date;
  /** No statement follows in the transaction: its COMMIT may ride along (core/db/prepared.ts asLastStatement). */
  endsTransaction?: boolean;
}

/**
 * A dialog turn's end in one statement (one round trip): saves its state (as saveState) and queues
 * its reply (as queueReply, to `reply.residentId` only while the state row is still there: a turn
 * that erased the account answers the chat, linked to nobody). Returns whether the state row was there.
 */
export async function queueReplySavingState(trx: Db, save: TurnSave, reply: Reply): Promise<boolean> {
  const { state } = save;
  const send = reply.views.length > 0 || reply.answer !== undefined;
  const statement = sql<{ kept: boolean }>`
    WITH saved AS (
      UPDATE dialog_state SET flow = ${state.flow}, step = ${state.step}, data = ${storedData(state)}::jsonb, version = ${state.version}, updated_at = ${save.now}
      WHERE channel = ${save.channel} AND external_id = ${save.externalId}
      RETURNING 1
    ), queued AS (
      INSERT INTO outbox (channel, chat_id, recipient_kind, resident_id, kind, payload, priority)
      SELECT ${reply.channel}::text, ${reply.chatId}::text,
        CASE WHEN ${reply.residentId ?? null}::int IS NOT NULL AND EXISTS (SELECT 1 FROM saved) THEN 'resident' ELSE 'chat' END,
        CASE WHEN EXISTS (SELECT 1 FROM saved) THEN ${reply.residentId ?? null}::int END,
        ${REPLY_KIND}::text, ${JSON.stringify(payloadOf(reply))}::jsonb, ${PRIORITY.reply}::int
      WHERE ${send}::boolean
      RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM saved) AS kept, (SELECT count(*) FROM queued) AS queued`;
  const { rows } = save.endsTransaction ? await trx.executeQuery(asLastStatement(statement.compile(trx))) : await statement.execute(trx);
  return rows[0]?.kept === true;
}
