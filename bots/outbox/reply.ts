import { sql } from 'kysely';
import { fixedSql } from '../../core/db/fixed-sql.ts';
import type { Channel, Db, Language } from '../../core/db/types.ts';
import { storedData, type DialogState } from '../dialogs/state.ts';
import { enqueue, PRIORITY } from '../../core/outbox/outbox.repository.ts';
import { asLastStatement } from '../../core/db/prepared.ts';
import type { OutboxPayload, RecipientKind } from '../../core/outbox/outbox.table.ts';
import type { ClaimedRow } from '../../core/outbox/outbox.queue.ts';
import type { View } from '../dialogs/view.ts';
import type { SaveTurn } from '../dialogs/engine.ts';

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
  /** What the chat's app can show (VK: bots/vk/client.ts VkClient): the reply is rendered for it. */
  client?: OutboxPayload['client'];
  /**
   * Held back this long (queued `pending`, due then, never claimed at once), marked `held`: the
   * answer to what may be the first pieces of a split text, which the next piece may withdraw
   * (withdrawHeldReply). Only for a row of the turn's own views (no earlier input's, no button answer).
   */
  holdMs?: number;
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
    ...(reply.client && { client: reply.client }),
    ...(reply.holdMs !== undefined && { held: true }),
  };
}

/** What withdrawHeldReply took back: whether the withdrawn answer was to remove a reply keyboard (so the next answer must). */
export interface WithdrawnReply {
  removedKeyboard: boolean;
}

/**
 * Takes back the chat's reply held for the next piece of a split text (Reply `holdMs`) if it is
 * still waiting (`pending`): deleted in the caller's transaction, so it is never sent; undefined when
 * there is none (it went out, or is being sent: a sender's claim locks the row first, and the DELETE
 * then finds it `sending`). `runningLines`: only a reply of running lines (every view of a `slot`,
 * a Telegram album photo's count), held for the album's next photo.
 */
export async function withdrawHeldReply(trx: Db, channel: Channel, chatId: string, options: { runningLines?: boolean } = {}): Promise<WithdrawnReply | undefined> {
  const rows = await trx
    .deleteFrom('outbox')
    .where('channel', '=', channel)
    .where('chat_id', '=', chatId)
    .where('state', '=', 'pending')
    .where('kind', '=', REPLY_KIND)
    .where(sql<boolean>`payload @> '{"held": true}'::jsonb`)
    .$if(options.runningLines === true, (q) => q.where(sql<boolean>`NOT EXISTS (SELECT 1 FROM jsonb_array_elements(payload->'views') v WHERE v->'slot' IS NULL)`))
    .returning('payload')
    .execute();
  if (rows.length === 0) return undefined;
  const views = rows.flatMap((r) => (r.payload.views ?? []) as View[]);
  return { removedKeyboard: views.some((v) => v.keyboard?.kind === 'remove') };
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

/** What a turn's end did: whether the state row was there, and the reply row if it was queued already claimed. */
export interface SavedTurn {
  kept: boolean;
  /** The reply row, inserted `sending` under the claimer: hand it to that sender once committed. */
  claimed?: ClaimedRow;
}

/**
 * A dialog turn's end in one statement (one round trip): saves its state (as saveState) and queues
 * its reply (as queueReply, to `reply.residentId` only while the state row is still there: a turn
 * that erased the account answers the chat, linked to nobody).
 *
 * `claimedBy`: the instance id of this process's sender for the channel, when it leads and has room
 * (bots/outbox/sender.ts `replyClaimer`). The row is then inserted already claimed (`sending`, one
 * attempt), as claimDue would have claimed it, unless the chat has an earlier unsettled row of the
 * same or a more urgent lane (that one leaves first: the row waits `pending` for a claim). The
 * sender skips its claim statement for it; if the process dies before sending, the lease or the next
 * leader's take-over queues it again, as for any claimed row.
 */
export async function queueReplySavingState(trx: Db, save: TurnSave, reply: Reply, claimedBy?: string): Promise<SavedTurn> {
  const { state } = save;
  const send = reply.views.length > 0 || reply.answer !== undefined;
  const payloadJson = JSON.stringify(payloadOf(reply));
  // A held reply waits out its hold unclaimed: the next piece of its text may withdraw it.
  const claimer = reply.holdMs === undefined ? claimedBy : undefined;
  const holdMs = Math.max(0, Math.round(reply.holdMs ?? 0));
  const statement = fixedSql<{ kept: boolean; id: number | null; claimed: boolean | null; recipient_kind: RecipientKind | null; resident_id: number | null }>`
    WITH saved AS (
      UPDATE dialog_state SET flow = ${state.flow}, step = ${state.step}, data = ${storedData(state)}::jsonb, version = ${state.version}, updated_at = ${save.now}
      WHERE channel = ${save.channel} AND external_id = ${save.externalId}
      RETURNING 1
    ), claim AS (
      SELECT ${claimer ?? null}::text IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM outbox e
        WHERE e.channel = ${reply.channel}::text AND e.chat_id = ${reply.chatId}::text AND e.state IN ('pending', 'sending') AND e.priority <= ${PRIORITY.reply}::int
      ) AS yes
    ), queued AS (
      INSERT INTO outbox (channel, chat_id, recipient_kind, resident_id, kind, payload, priority, state, claimed_by, claimed_at, attempts, next_attempt_at)
      SELECT ${reply.channel}::text, ${reply.chatId}::text,
        CASE WHEN ${reply.residentId ?? null}::int IS NOT NULL AND EXISTS (SELECT 1 FROM saved) THEN 'resident' ELSE 'chat' END,
        CASE WHEN EXISTS (SELECT 1 FROM saved) THEN ${reply.residentId ?? null}::int END,
        ${REPLY_KIND}::text, ${payloadJson}::jsonb, ${PRIORITY.reply}::int,
        CASE WHEN claim.yes THEN 'sending' ELSE 'pending' END,
        CASE WHEN claim.yes THEN ${claimer ?? null}::text END,
        CASE WHEN claim.yes THEN now() END,
        CASE WHEN claim.yes THEN 1 ELSE 0 END,
        now() + ${holdMs}::int * interval '1 millisecond'
      FROM claim
      WHERE ${send}::boolean
      RETURNING id, state = 'sending' AS claimed, recipient_kind, resident_id
    )
    SELECT EXISTS (SELECT 1 FROM saved) AS kept, q.id, q.claimed, q.recipient_kind, q.resident_id
    FROM (SELECT 1) one LEFT JOIN queued q ON true`;
  const { rows } = save.endsTransaction ? await trx.executeQuery(asLastStatement(statement.compile(trx))) : await statement.execute(trx);
  const row = rows[0];
  const kept = row?.kept === true;
  if (!row?.claimed || row.id === null || row.recipient_kind === null) return { kept };
  return {
    kept,
    claimed: {
      id: row.id,
      channel: reply.channel,
      chat_id: reply.chatId,
      recipient_kind: row.recipient_kind,
      resident_id: row.resident_id,
      staff_id: null,
      kind: REPLY_KIND,
      // As the sender would read it back from the table (a Date in a view's params becomes its ISO text).
      payload: JSON.parse(payloadJson) as OutboxPayload,
      priority: PRIORITY.reply,
      attempts: 1,
      sent_parts: 0,
    },
  };
}

/**
 * A dialog turn's save (bots/dialogs/engine.ts SaveTurn) that ends the turn with its reply, in one
 * statement (queueReplySavingState). `reply` addresses the row; the turn's views follow
 * `reply.views` (a VK event's earlier inputs'), with its language and resident. `claimReply` is
 * asked at the save; the row, when inserted already claimed, goes to `onClaimed`, with how long the
 * reply was held back when it was (`heldMs`: nothing claims it before then, so its sender is kicked then).
 */
export function savingWithReply(
  trx: Db,
  at: Omit<TurnSave, 'state'>,
  reply: Omit<Reply, 'language' | 'residentId'>,
  claimReply: (() => string | undefined) | undefined,
  onClaimed: (row: ClaimedRow | undefined, heldMs?: number) => void,
): SaveTurn {
  return async (state, turn) => {
    // Only a row of the turn's own views is held (nothing else in it waits, or goes if it is withdrawn).
    const hold = turn.holdMs !== undefined && reply.views.length === 0 && !reply.answer ? { holdMs: turn.holdMs } : {};
    const saved = await queueReplySavingState(
      trx,
      { ...at, state },
      { ...reply, views: [...reply.views, ...turn.views], language: turn.language, residentId: turn.residentId, ...hold },
      hold.holdMs === undefined ? claimReply?.() : undefined,
    );
    onClaimed(saved.claimed, hold.holdMs);
    return saved.kept;
  };
}
