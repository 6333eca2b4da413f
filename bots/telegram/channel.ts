import { Bot } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Database } from '../../core/db/database.ts';
import type { Logger } from '../../logger.ts';
import type { Features } from '../dialogs/registry.ts';
import type { Translate } from '../i18n.ts';
import { publishCommands } from './commands.ts';
import { parseUpdate } from './parse.ts';
import { safeError } from './send.ts';
import { createUpdateHandler } from './updates.ts';

export type TelegramBotInfo = UserFromGetMe;

/** The updates the bot asks for (webhook registration and polling use the same list). */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

export interface TelegramChannelOptions {
  token: string;
  apiRoot: string;
  /** Known bot info (tests, replay) spares the getMe call at start. */
  botInfo?: TelegramBotInfo;
  db: Kysely<Database>;
  logger: Logger;
  clock: Clock;
  t: Translate;
  features: Features;
  /** Called after an update's replies were committed: the outbox sends them now. */
  replied?: () => void;
}

export interface TelegramChannel {
  /** The bot's @username (from getMe, or the known bot info): staff link codes become t.me links with it. */
  readonly username: string;
  /** A webhook body with an update_id; never throws for a bad update (it is logged and acknowledged). */
  handleUpdate(update: { update_id: number }): Promise<void>;
  startPolling(): void;
  /** Sets the command menu (setMyCommands) from the registered features; a failure is logged, not fatal. */
  publishCommands(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * grammY parses updates and talks to the Bot API; one middleware turns the context into dialog
 * input and hands it to the update handler. Webhook and polling share this pipeline and its dedupe.
 */
export async function createTelegramChannel(options: TelegramChannelOptions): Promise<TelegramChannel> {
  const logger = options.logger.child({ channel: 'tg' });
  const bot = new Bot(options.token, { ...(options.botInfo && { botInfo: options.botInfo }), client: { apiRoot: options.apiRoot } });
  if (!options.botInfo) await bot.init();
  const handle = createUpdateHandler({ db: options.db, logger: options.logger, clock: options.clock, t: options.t, features: options.features, replied: options.replied });
  bot.use((ctx) => handle(ctx.update.update_id, parseUpdate(ctx.update, ctx.me.username)));
  bot.catch((error) => logger.error({ updateId: error.ctx.update.update_id, err: safeError(error.error) }, 'telegram middleware failed'));

  return {
    username: bot.botInfo.username,
    async handleUpdate(update) {
      try {
        // grammY reads only the fields it knows; a malformed update ends up ignored, not crashing.
        await bot.handleUpdate(update as Update);
      } catch (error) {
        logger.error({ updateId: update.update_id, err: safeError(error) }, 'telegram update crashed outside the handler');
      }
    },
    startPolling() {
      bot
        .start({ allowed_updates: [...ALLOWED_UPDATES], onStart: (info) => logger.info({ bot: info.username }, 'telegram polling started') })
        .catch((error: unknown) => logger.error({ err: safeError(error) }, 'telegram polling stopped with an error'));
    },
    async publishCommands() {
      await publishCommands(bot.api, options.features, options.t).catch((error: unknown) => logger.warn({ err: safeError(error) }, 'setMyCommands failed: the command menu is not updated'));
    },
    async stop() {
      if (bot.isRunning()) await bot.stop();
    },
  };
}
