import { Bot } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Database } from '../../core/db/database.ts';
import { UnrecordedUpdateError } from '../../core/inbound/unrecorded-update.ts';
import type { Logger } from '../../logger.ts';
import { storableInput } from '../dialogs/input.ts';
import type { Features } from '../dialogs/registry.ts';
import type { Translate } from '../i18n.ts';
import { publishCommands } from './commands.ts';
import { parseUpdate, type ParsedUpdate } from './parse.ts';
import { startTelegramPolling, type TelegramPolling } from './polling.ts';
import { safeError } from './send.ts';
import { createUpdateHandler, type HandleOptions, type UpdateHandlerDeps, type WebhookAnswer } from './updates.ts';

export type TelegramBotInfo = UserFromGetMe;

/** The updates the bot asks for (webhook registration and polling use the same list). */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

export interface TelegramChannelOptions {
  token: string;
  apiRoot: string;
  /** The bot's account: getMe's answer at start (bot-info.ts), or known (tests, replay). */
  botInfo: TelegramBotInfo;
  db: Kysely<Database>;
  logger: Logger;
  clock: Clock;
  t: Translate;
  features: Features;
  /** Called after an update's replies were committed: the outbox sends them now (UpdateHandlerDeps). */
  replied?: UpdateHandlerDeps['replied'];
  /** Who may claim a reply as it is inserted (UpdateHandlerDeps). */
  claimReply?: UpdateHandlerDeps['claimReply'];
}

export interface TelegramChannel {
  /** The bot's @username (from getMe, or the known bot info): staff link codes become t.me links with it. */
  readonly username: string;
  /**
   * A webhook body with an update_id. Resolves once the update is recorded (handled, ignored or
   * recorded as poison; a bad update is logged, not thrown); throws UnrecordedUpdateError when it
   * could not be recorded at all, and the webhook must then not answer 2xx.
   */
  handleUpdate(update: { update_id: number }, options?: HandleOptions): Promise<WebhookAnswer | undefined>;
  startPolling(): void;
  /** Sets the command menu (setMyCommands) from the registered features; a failure is logged, not fatal. */
  publishCommands(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * grammY talks to the Bot API; updates go straight to the update handler, not through grammY's
 * middleware: bot.handleUpdate wraps every error in a BotError and bot.catch would swallow the one
 * that says the update was not recorded. Webhook and polling share this pipeline and its dedupe.
 */
export async function createTelegramChannel(options: TelegramChannelOptions): Promise<TelegramChannel> {
  const logger = options.logger.child({ channel: 'tg' });
  const bot = new Bot(options.token, { botInfo: options.botInfo, client: { apiRoot: options.apiRoot } });
  const username = bot.botInfo.username;
  const handle = createUpdateHandler({
    db: options.db,
    logger: options.logger,
    clock: options.clock,
    t: options.t,
    features: options.features,
    replied: options.replied,
    claimReply: options.claimReply,
  });

  async function handleUpdate(update: { update_id: number }, options?: HandleOptions): Promise<WebhookAnswer | undefined> {
    let parsed: ParsedUpdate;
    try {
      parsed = parseUpdate(update as Update, username);
      if (parsed.kind === 'dialog') parsed = { ...parsed, input: storableInput(parsed.input) };
    } catch (error) {
      // A body no real update looks like: recorded and ignored, so it is not re-sent for ever.
      logger.warn({ updateId: update.update_id, err: safeError(error) }, 'malformed telegram update ignored');
      parsed = { kind: 'ignore', reason: 'malformed update' };
    }
    try {
      return await handle(update.update_id, parsed, options);
    } catch (error) {
      if (error instanceof UnrecordedUpdateError) throw error;
      // Anything else happened after the update was recorded (e.g. while sending the replies).
      logger.error({ updateId: update.update_id, err: safeError(error) }, 'telegram update failed after it was recorded');
      return undefined;
    }
  }

  let polling: TelegramPolling | undefined;
  return {
    username,
    handleUpdate,
    startPolling() {
      polling ??= startTelegramPolling({ api: bot.api, logger, allowedUpdates: ALLOWED_UPDATES, handle: async (update) => void (await handleUpdate(update)) });
    },
    async publishCommands() {
      await publishCommands(bot.api, options.features, options.t).catch((error: unknown) => logger.warn({ err: safeError(error) }, 'setMyCommands failed: the command menu is not updated'));
    },
    async stop() {
      await polling?.stop();
    },
  };
}
