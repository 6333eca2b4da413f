import { alertAssigned } from '../alerts/cards.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { transition } from './lifecycle.ts';
import { lockMessage, recordEvent, updateMessage, type Message } from './message.repository.ts';
import type { ModerationInput } from './moderation.service.ts';

/**
 * Marks an open message urgent: from then on the one-working-hour draft rule (seed 004 §13, the
 * first-response scan) applies to it as to open-source messages, counted from its acceptance — or,
 * for a message already in work, from the marking: its executor's staff get the card again, saying
 * it was marked urgent and when the hour ends (they could not have kept an hour that had run out
 * before anyone asked). Marking it again changes nothing (no new version, no history row).
 */
export function markUrgent(db: Db, input: ModerationInput, now: Date): Promise<Message> {
  return inTransaction(db, async (trx) => {
    const message = await lockMessage(trx, input.messageId, input.expectedVersion);
    transition(message.status, 'mark_urgent');
    if (message.urgent) return message;
    const updated = await updateMessage(trx, message, { urgent: true }, now);
    await recordEvent(trx, message.id, input.actor, { kind: 'marked_urgent' }, now);
    if (updated.status === 'in_work') await alertAssigned(trx, updated, now, { markedUrgent: true });
    return updated;
  });
}
