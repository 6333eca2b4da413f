import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Database } from '../../core/db/database.ts';
import type { Db, Language } from '../../core/db/types.ts';
import { markIdentityReachable, markIdentityUnreachable } from '../../core/residents/reachability.ts';
import type { Logger } from '../../logger.ts';
import { runDialog, type DialogDeps, type DialogTurn } from '../dialogs/engine.ts';
import { UNEXPECTED_ERROR_VIEW } from '../dialogs/errors.ts';
import type { Translate } from '../i18n.ts';
import { queueReply, savingWithReply } from '../outbox/reply.ts';
import type { ParsedUpdate } from './parse.ts';
import type { ClaimedRow } from '../../core/outbox/outbox.queue.ts';
import { languageOfIdentity, processOnce, type LockedTurn } from '../inbound.ts';

export const CHANNEL = 'tg' as const;

export interface UpdateHandlerDeps {
  db: Kysely<Database>;
  logger: Logger;
  clock: Clock;
  t: Translate;
  features: DialogDeps['features'];
  /**
   * Called after an update's replies were committed: the outbox sends them now (bots/outbox/senders.ts).
   * `claimed`: the turn's reply row, inserted already claimed by `claimReply`'s sender; `heldMs`:
   * the reply was queued held back that long (bots/outbox/reply.ts `holdMs`), due only then.
   */
  replied?: (claimed?: ClaimedRow, heldMs?: number) => void;
  /** This instance's sender for the channel, when a reply may be inserted already claimed by it (OutboxSenders.replyClaimer). */
  claimReply?: () => string | undefined;
}

/**
 * One update, once (bots/inbound.ts: dedupe and handling in one transaction, a failed update
 * recorded as poison, the resident then gets a short apology). Replies are one outbox row of the
 * reply lane written in the handling transaction (bots/outbox/reply.ts): committed with the
 * update, sent by the token's one paced sender, never lost to a crash or a long 429. A button
 * press's answer (it only stops the spinner) is the row's first part, or, for an update that came
 * to the webhook, the webhook's response (HandleOptions).
 */
export function createUpdateHandler(deps: UpdateHandlerDeps): (updateId: number, parsed: ParsedUpdate, options?: HandleOptions) => Promise<WebhookAnswer | undefined> {
  const { db, logger, clock, t } = deps;
  const log = logger.child({ channel: CHANNEL });

  async function handle(trx: Db, parsed: ParsedUpdate, turn: TurnContext, locked?: LockedTurn): Promise<DialogTurn | undefined> {
    const { now, answer } = turn;
    switch (parsed.kind) {
      case 'dialog': {
        const { identity } = parsed.input;
        // The turn's state and its reply are saved in one statement (bots/outbox/reply.ts), the
        // transaction's last: nothing runs after the dialog's turn, so its COMMIT rides along.
        const save = savingWithReply(
          trx,
          { channel: CHANNEL, externalId: identity.externalId, now, endsTransaction: true },
          {
            channel: CHANNEL,
            chatId: identity.chatId,
            views: [],
            ...(parsed.originMessageId !== undefined && { editMessageId: parsed.originMessageId }),
            ...(answer && { answer }),
          },
          deps.claimReply,
          (claimed, heldMs) => {
            turn.claimed = claimed;
            turn.heldMs = heldMs;
          },
        );
        return runDialog(trx, parsed.input, { t, features: deps.features }, now, { ...locked, save });
      }
      case 'blocked':
        await markIdentityUnreachable(trx, CHANNEL, parsed.externalId, clock());
        return undefined;
      case 'allowed':
        await markIdentityReachable(trx, CHANNEL, parsed.externalId);
        return undefined;
      case 'group_start': {
        const language: Language = parsed.languageCode?.startsWith('en') ? 'en' : 'ru';
        await queueReply(trx, { channel: CHANNEL, chatId: parsed.chatId, views: [{ key: 'dialog.group_only_private' }], language });
        return undefined;
      }
      case 'ignore':
        // Stops the button's spinner (an old query may fail at Telegram, and that is fine).
        if (answer && parsed.chatId) await queueReply(trx, { channel: CHANNEL, chatId: parsed.chatId, views: [], language: 'ru', answer });
        return undefined;
    }
  }

  async function apologise(trx: Db, parsed: ParsedUpdate, answer: TurnContext['answer']): Promise<void> {
    if (parsed.kind !== 'dialog') return;
    const { identity } = parsed.input;
    const language = await languageOfIdentity(trx as Kysely<Database>, CHANNEL, identity.externalId);
    await queueReply(trx, {
      channel: CHANNEL,
      chatId: identity.chatId,
      views: [UNEXPECTED_ERROR_VIEW],
      language,
      ...(answer && { answer }),
    });
  }

  return async function handleUpdate(updateId: number, parsed: ParsedUpdate, options: HandleOptions = {}): Promise<WebhookAnswer | undefined> {
    const now = clock();
    const queryId = parsed.kind === 'dialog' || parsed.kind === 'ignore' ? parsed.callbackQueryId : undefined;
    const answer = queryId !== undefined && !options.answerInResponse ? { queryId } : undefined;
    const turn: TurnContext = { now, answer };
    const outcome = await processOnce(
      db,
      CHANNEL,
      String(updateId),
      log,
      (trx, locked) => handle(trx, parsed, turn, locked),
      (trx) => apologise(trx, parsed, answer),
      // A dialog turn: its state lock rides with the dedupe row, and the resident's touch with them (one round trip).
      parsed.kind === 'dialog' ? { input: parsed.input, now } : undefined,
    );
    if (outcome.kind === 'duplicate') {
      log.info({ updateId }, 'duplicate update acknowledged without effect');
      return undefined;
    }
    if (parsed.kind === 'ignore') log.debug({ updateId, reason: parsed.reason }, 'update ignored');
    // A reply claimed at insert goes to its sender only once its transaction committed (handled).
    deps.replied?.(outcome.kind === 'handled' ? turn.claimed : undefined, outcome.kind === 'handled' ? turn.heldMs : undefined);
    // Handled or failed (and apologised for): the press is answered in the response.
    return queryId !== undefined && options.answerInResponse ? { method: 'answerCallbackQuery', callback_query_id: queryId } : undefined;
  };
}

export interface HandleOptions {
  /**
   * The update came to the webhook: a button press is answered in the webhook's response (Telegram
   * makes the call; the answer needs no result: it only stops the spinner, and a lost one costs
   * nothing), not by the outbox, whose row keeps the replies that matter. Polling has no response.
   */
  answerInResponse?: boolean;
}

/** A Bot API call made by answering the webhook with it (Bot API: "making requests when getting updates"). */
export interface WebhookAnswer {
  method: 'answerCallbackQuery';
  callback_query_id: string;
}

/** What one update's handling knows before its transaction: its time, the press's answer if the outbox sends it. */
interface TurnContext {
  now: Date;
  answer?: { queryId: string };
  /** Set by the turn's save: its reply row, if inserted already claimed. */
  claimed?: ClaimedRow;
  /** Set by the turn's save: how long its reply was held back, if it was. */
  heldMs?: number;
}
