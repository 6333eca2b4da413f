import type { Channel, Db, Language } from '../../core/db/types.ts';
import { enqueue, PRIORITY } from '../../core/outbox/outbox.repository.ts';
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
  const payload: OutboxPayload = {
    key: REPLY_KIND,
    language: reply.language,
    views: reply.views,
    ...(reply.editMessageId !== undefined && { editMessageId: reply.editMessageId }),
    ...(reply.answer && { answer: reply.answer }),
  };
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
