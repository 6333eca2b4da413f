import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Database } from '../../core/db/database.ts';
import type { Db, Language } from '../../core/db/types.ts';
import { markIdentityUnreachable } from '../../core/residents/reachability.ts';
import type { Logger } from '../../logger.ts';
import { runDialog, type DialogDeps, type DialogTurn } from '../dialogs/engine.ts';
import { UNEXPECTED_ERROR_VIEW } from '../dialogs/errors.ts';
import type { Translate } from '../i18n.ts';
import { queueReply, queueReplySavingState } from '../outbox/reply.ts';
import type { ParsedUpdate } from './parse.ts';
import type { DialogState } from '../dialogs/state.ts';
import { languageOfIdentity, processOnce } from '../inbound.ts';

export const CHANNEL = 'tg' as const;

export interface UpdateHandlerDeps {
  db: Kysely<Database>;
  logger: Logger;
  clock: Clock;
  t: Translate;
  features: DialogDeps['features'];
  /** Called after an update's replies were committed: the outbox sends them now (bots/outbox/senders.ts). */
  replied?: () => void;
}

/**
 * One update, once (bots/inbound.ts: dedupe and handling in one transaction, a failed update
 * recorded as poison, the resident then gets a short apology). Replies, the button answer
 * included, are one outbox row of the reply lane written in the handling transaction
 * (bots/outbox/reply.ts): committed with the update, sent by the token's one paced sender, never
 * lost to a crash or a long 429.
 */
export function createUpdateHandler(deps: UpdateHandlerDeps): (updateId: number, parsed: ParsedUpdate) => Promise<void> {
  const { db, logger, clock, t } = deps;
  const log = logger.child({ channel: CHANNEL });

  async function handle(trx: Db, parsed: ParsedUpdate, state?: DialogState): Promise<DialogTurn | undefined> {
    switch (parsed.kind) {
      case 'dialog': {
        const { identity } = parsed.input;
        const now = clock();
        // The turn's state and its reply are saved in one statement (bots/outbox/reply.ts), the
        // transaction's last: nothing runs after the dialog's turn, so its COMMIT rides along.
        return runDialog(trx, parsed.input, { t, features: deps.features }, now, state, (next, turn) =>
          queueReplySavingState(
            trx,
            { channel: CHANNEL, externalId: identity.externalId, state: next, now, endsTransaction: true },
            {
              channel: CHANNEL,
              chatId: identity.chatId,
              residentId: turn.residentId,
              views: turn.views,
              language: turn.language,
              ...(parsed.originMessageId !== undefined && { editMessageId: parsed.originMessageId }),
              ...(parsed.callbackQueryId && { answer: { queryId: parsed.callbackQueryId } }),
            },
          ),
        );
      }
      case 'blocked':
        await markIdentityUnreachable(trx, CHANNEL, parsed.externalId, clock());
        return undefined;
      case 'group_start': {
        const language: Language = parsed.languageCode?.startsWith('en') ? 'en' : 'ru';
        await queueReply(trx, { channel: CHANNEL, chatId: parsed.chatId, views: [{ key: 'dialog.group_only_private' }], language });
        return undefined;
      }
      case 'ignore':
        // Stops the button's spinner (an old query may fail at Telegram, and that is fine).
        if (parsed.callbackQueryId && parsed.chatId) {
          await queueReply(trx, { channel: CHANNEL, chatId: parsed.chatId, views: [], language: 'ru', answer: { queryId: parsed.callbackQueryId } });
        }
        return undefined;
    }
  }

  async function apologise(trx: Db, parsed: ParsedUpdate): Promise<void> {
    if (parsed.kind !== 'dialog') return;
    const { identity } = parsed.input;
    const language = await languageOfIdentity(trx as Kysely<Database>, CHANNEL, identity.externalId);
    await queueReply(trx, {
      channel: CHANNEL,
      chatId: identity.chatId,
      views: [UNEXPECTED_ERROR_VIEW],
      language,
      ...(parsed.callbackQueryId && { answer: { queryId: parsed.callbackQueryId } }),
    });
  }

  return async function handleUpdate(updateId: number, parsed: ParsedUpdate): Promise<void> {
    const outcome = await processOnce(
      db,
      CHANNEL,
      String(updateId),
      log,
      (trx, state) => handle(trx, parsed, state),
      (trx) => apologise(trx, parsed),
      // A dialog turn: its state lock rides with the dedupe row (one round trip).
      parsed.kind === 'dialog' ? parsed.input.identity.externalId : undefined,
    );
    if (outcome.kind === 'duplicate') {
      log.info({ updateId }, 'duplicate update acknowledged without effect');
      return;
    }
    if (parsed.kind === 'ignore') log.debug({ updateId, reason: parsed.reason }, 'update ignored');
    deps.replied?.();
  };
}
