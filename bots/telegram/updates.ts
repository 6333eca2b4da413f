import type { Api } from 'grammy';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Database } from '../../core/db/database.ts';
import type { Language } from '../../core/db/types.ts';
import { markIdentityUnreachable } from '../../core/residents/reachability.ts';
import type { Logger } from '../../logger.ts';
import { runDialog, type DialogDeps, type DialogTurn } from '../dialogs/engine.ts';
import { UNEXPECTED_ERROR_VIEW } from '../dialogs/errors.ts';
import type { View } from '../dialogs/view.ts';
import type { Translate } from '../i18n.ts';
import type { ParsedUpdate } from './parse.ts';
import { renderTelegram } from './render.ts';
import { isBlocked, performCall, retryAfter, safeError } from './send.ts';
import { languageOfIdentity, processOnce } from '../inbound.ts';

export const CHANNEL = 'tg' as const;
/** A 429 on a direct reply is waited out once when the wait is this short; else the reply is dropped and logged. */
const MAX_INLINE_RETRY_S = 5;

export interface UpdateHandlerDeps {
  db: Kysely<Database>;
  api: Api;
  logger: Logger;
  clock: Clock;
  t: Translate;
  features: DialogDeps['features'];
}

/**
 * One update, once (bots/inbound.ts: dedupe and handling in one transaction, a failed update
 * recorded as poison) and the resident gets a short apology for a failure. Replies go out after commit.
 */
export function createUpdateHandler(deps: UpdateHandlerDeps): (updateId: number, parsed: ParsedUpdate) => Promise<void> {
  const { db, api, logger, clock, t } = deps;
  const log = logger.child({ channel: CHANNEL });

  async function send(updateId: number, chatId: string, externalId: string | undefined, views: View[], language: Language, editMessageId?: number): Promise<void> {
    for (const view of views) {
      for (const call of renderTelegram(view, { chatId, language, t, editMessageId })) {
        try {
          await performWithRetry(call);
        } catch (error) {
          if (isBlocked(error)) {
            log.warn({ updateId, chatId }, 'resident blocked the bot: identity marked unreachable');
            if (externalId) await markIdentityUnreachable(db, CHANNEL, externalId, clock());
            return;
          }
          log.warn({ updateId, method: call.method, err: safeError(error) }, 'direct reply failed');
          // An old message can no longer be edited: show the page as a new message instead.
          if (call.method === 'editMessageText' && !String((error as Error).message).includes('not modified')) {
            await send(updateId, chatId, externalId, [{ ...view, edit: false }], language);
          }
        }
      }
    }
  }

  async function performWithRetry(call: Parameters<typeof performCall>[1]): Promise<void> {
    try {
      await performCall(api, call);
    } catch (error) {
      const wait = retryAfter(error);
      if (wait === undefined || wait > MAX_INLINE_RETRY_S) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      await performCall(api, call);
    }
  }

  return async function handleUpdate(updateId: number, parsed: ParsedUpdate): Promise<void> {
    const outcome = await processOnce(db, CHANNEL, String(updateId), log, async (trx): Promise<DialogTurn | undefined> => {
      if (parsed.kind === 'dialog') return runDialog(trx, parsed.input, { t, features: deps.features }, clock());
      if (parsed.kind === 'blocked') await markIdentityUnreachable(trx, CHANNEL, parsed.externalId, clock());
      return undefined;
    });
    if (outcome.kind === 'failed') {
      if (parsed.kind === 'dialog') {
        await answerCallback(parsed.callbackQueryId);
        const { identity } = parsed.input;
        await send(updateId, identity.chatId, identity.externalId, [UNEXPECTED_ERROR_VIEW], await languageOfIdentity(db, CHANNEL, identity.externalId));
      }
      return;
    }
    const handled = outcome.kind === 'duplicate' ? { duplicate: true as const } : { duplicate: false as const, turn: outcome.result };
    if (handled.duplicate) {
      log.info({ updateId }, 'duplicate update acknowledged without effect');
      return;
    }
    if (parsed.kind === 'ignore') {
      await answerCallback(parsed.callbackQueryId);
      log.debug({ updateId, reason: parsed.reason }, 'update ignored');
    }
    if (parsed.kind === 'group_start') {
      const language: Language = parsed.languageCode?.startsWith('en') ? 'en' : 'ru';
      await send(updateId, parsed.chatId, undefined, [{ key: 'dialog.group_only_private' }], language);
    }
    if (parsed.kind === 'dialog' && handled.turn) {
      await answerCallback(parsed.callbackQueryId);
      const { identity } = parsed.input;
      await send(updateId, identity.chatId, identity.externalId, handled.turn.views, handled.turn.language, parsed.originMessageId);
    }
  };

  async function answerCallback(callbackQueryId: string | undefined): Promise<void> {
    if (!callbackQueryId) return;
    // Stops the button's spinner; an old query (> 15 min) may fail and that is fine.
    await api.answerCallbackQuery(callbackQueryId).catch((error: unknown) => log.debug({ err: safeError(error) }, 'answerCallbackQuery failed'));
  }
}
