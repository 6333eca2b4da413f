import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Database } from '../../core/db/database.ts';
import type { Logger } from '../../logger.ts';
import type { Translate } from '../i18n.ts';
import { createOutboxSender, type OutboxSender, type SenderSettings } from './sender.ts';
import { renderOutboxRow } from '../telegram/render.ts';
import { renderVkOutboxRow } from '../vk/render.ts';
import { createTelegramTransport, type TelegramRender } from './telegram-transport.ts';
import { createVkTransport, type VkRender } from './vk-transport.ts';

export interface OutboxSendersDeps {
  config: Config;
  db: Kysely<Database>;
  logger: Logger;
  translate: Translate;
  /** Renderers: each channel's defaults to its bot's own (bots/telegram/render.ts, bots/vk/render.ts). */
  renderTelegram?: TelegramRender;
  renderVk?: VkRender;
}

export interface OutboxSenders {
  readonly senders: OutboxSender[];
  start(): void;
  stop(): Promise<void>;
  /** Call after committing outbox rows, so they leave now rather than at the next poll. */
  kick(): void;
}

export function senderSettings(config: Config): SenderSettings {
  return {
    pollMs: config.OUTBOX_POLL_MS,
    leaseMs: config.OUTBOX_LEASE_MS,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    backoffBaseMs: config.OUTBOX_BACKOFF_BASE_MS,
    backoffMaxMs: config.OUTBOX_BACKOFF_MAX_MS,
    headroom: config.OUTBOX_RATE_HEADROOM,
  };
}

/** One sender per channel whose token is configured (none when OUTBOX_ENABLED=false). */
export function createOutboxSenders(deps: OutboxSendersDeps): OutboxSenders {
  const { config, db, logger } = deps;
  const settings = senderSettings(config);
  const senders: OutboxSender[] = [];
  if (config.OUTBOX_ENABLED && config.TELEGRAM_BOT_TOKEN) {
    senders.push(
      createOutboxSender({
        db,
        logger,
        settings,
        transport: createTelegramTransport({
          token: config.TELEGRAM_BOT_TOKEN,
          apiRoot: config.TELEGRAM_API_ROOT,
          render: deps.renderTelegram ?? ((row) => renderOutboxRow(row, deps.translate)),
          timeoutMs: config.OUTBOX_SEND_TIMEOUT_MS,
        }),
        limits: {
          perSecond: config.OUTBOX_TG_PER_SECOND,
          perChatPerSecond: config.OUTBOX_TG_PER_CHAT_PER_SECOND,
          perGroupPerMinute: config.OUTBOX_TG_PER_GROUP_PER_MINUTE,
        },
      }),
    );
  }
  if (config.OUTBOX_ENABLED && config.VK_GROUP_TOKEN) {
    senders.push(
      createOutboxSender({
        db,
        logger,
        settings,
        transport: createVkTransport({
          token: config.VK_GROUP_TOKEN,
          apiBaseUrl: config.VK_API_BASE_URL,
          render: deps.renderVk ?? ((row) => renderVkOutboxRow(row, deps.translate)),
          timeoutMs: config.OUTBOX_SEND_TIMEOUT_MS,
        }),
        limits: {
          perSecond: config.OUTBOX_VK_PER_SECOND,
          perChatPerSecond: config.OUTBOX_VK_PER_CHAT_PER_SECOND,
          perGroupPerMinute: config.OUTBOX_VK_PER_GROUP_PER_MINUTE,
        },
      }),
    );
  }
  return {
    senders,
    start: () => {
      for (const s of senders) s.start();
    },
    stop: async () => {
      await Promise.all(senders.map((s) => s.stop()));
    },
    kick: () => {
      for (const s of senders) s.kick();
    },
  };
}
