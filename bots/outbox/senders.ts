import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Database } from '../../core/db/database.ts';
import { takeOverClaims, type ClaimedRow } from '../../core/outbox/outbox.queue.ts';
import type { Channel } from '../../core/db/types.ts';
import type { MediaStore } from '../../core/media/store.ts';
import type { Logger } from '../../logger.ts';
import type { Translate } from '../i18n.ts';
import { createLeaderElection, type LeaderElection } from './leader.ts';
import { createOutboxSender, type ChannelLimits, type OutboxSender, type SenderSettings } from './sender.ts';
import { renderOutboxRow } from '../telegram/render.ts';
import { vkChatRender } from '../vk/render.ts';
import { createTelegramTransport, type RunningLineStore, type TelegramRender } from './telegram-transport.ts';
import { recordRunningLine, runningLines } from '../../core/outbox/running-line.ts';
import { describeError } from './transport.ts';
import type { Transport } from './transport.ts';
import { createVkTransport, type VkRender } from './vk-transport.ts';

export interface OutboxSendersDeps {
  config: Config;
  db: Kysely<Database>;
  /** The PostgreSQL URL (leader election on a dedicated connection); absent with PGlite. */
  databaseUrl?: string;
  logger: Logger;
  translate: Translate;
  /** Renderers: each channel's defaults to its bot's own (bots/telegram/render.ts, bots/vk/render.ts). */
  renderTelegram?: TelegramRender;
  renderVk?: VkRender;
  /** Overrides of the settings from the config (tests: the reply lane alone, short flushes). */
  settings?: Partial<SenderSettings>;
  /** The media store: rows that show stored media upload it once per messenger. */
  media?: MediaStore;
}

export interface OutboxSenders {
  readonly senders: OutboxSender[];
  /** Whether this instance sends for each configured token now. */
  leading(): boolean[];
  start(): void;
  stop(): Promise<void>;
  /** Call after committing outbox rows, so they leave now rather than at the next poll. */
  kick(): void;
  /** Who may claim a reply of `channel` as it is inserted: this instance's sender, if it leads and has room. */
  replyClaimer(channel: Channel): string | undefined;
  /** A committed reply row claimed at insert: to its sender (OutboxSender.adopt). */
  adopt(row: ClaimedRow): void;
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

interface Channelled {
  channel: Channel;
  sender: OutboxSender;
  election: LeaderElection;
}

/**
 * One sender per channel whose token is configured (none when OUTBOX_ENABLED=false), each run only
 * while this instance leads for its token (bots/outbox/leader.ts), so every call to a messenger
 * — replies, notifications, alerts, broadcasts, button answers — goes through that token's one pacer.
 */
export function createOutboxSenders(deps: OutboxSendersDeps): OutboxSenders {
  const { config, db, logger } = deps;
  const settings = { ...senderSettings(config), ...deps.settings };
  const channels: Channelled[] = [];

  function add(token: string, transport: Transport, limits: ChannelLimits): void {
    const sender = createOutboxSender({ db, logger, settings, transport, limits });
    const election = createLeaderElection({
      db,
      url: deps.databaseUrl,
      channel: transport.channel,
      token,
      retryMs: config.OUTBOX_LEADER_RETRY_MS,
      logger,
      async onGain() {
        // This instance may have led before and lost the lead in a database outage: what it sent
        // then is recorded first (else it would be taken back below and sent again); every other
        // row still `sending` is a stale claim, its own included, since its sender is idle now.
        await sender.settleSent();
        const taken = await takeOverClaims(db, { channel: transport.channel });
        if (taken.length > 0) logger.warn({ channel: transport.channel, rows: taken.length }, 'rows left sending by the previous sender are queued again');
        sender.start();
      },
      onLose: () => sender.stop({ pause: true }),
      onWake: () => sender.kick(),
    });
    channels.push({ channel: transport.channel, sender, election });
  }

  if (config.OUTBOX_ENABLED && config.TELEGRAM_BOT_TOKEN) {
    add(
      config.TELEGRAM_BOT_TOKEN,
      createTelegramTransport({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        render: deps.renderTelegram ?? ((row, lines) => renderOutboxRow(row, deps.translate, lines)),
        timeoutMs: config.OUTBOX_SEND_TIMEOUT_MS,
        ...(deps.media && { media: { db, store: deps.media } }),
        lines: runningLineStore(db, 'tg', logger),
      }),
      { perSecond: config.OUTBOX_TG_PER_SECOND, perChatPerSecond: config.OUTBOX_TG_PER_CHAT_PER_SECOND, perGroupPerMinute: config.OUTBOX_TG_PER_GROUP_PER_MINUTE },
    );
  }
  if (config.OUTBOX_ENABLED && config.VK_GROUP_TOKEN) {
    add(
      config.VK_GROUP_TOKEN,
      createVkTransport({
        token: config.VK_GROUP_TOKEN,
        apiBaseUrl: config.VK_API_BASE_URL,
        render: deps.renderVk ?? vkChatRender(db, deps.translate),
        timeoutMs: config.OUTBOX_SEND_TIMEOUT_MS,
        ...(config.VK_GROUP_ID !== undefined && { groupId: config.VK_GROUP_ID }),
        ...(deps.media && { media: { db, store: deps.media } }),
      }),
      { perSecond: config.OUTBOX_VK_PER_SECOND, perChatPerSecond: config.OUTBOX_VK_PER_CHAT_PER_SECOND, perGroupPerMinute: config.OUTBOX_VK_PER_GROUP_PER_MINUTE },
    );
  }
  return {
    senders: channels.map((c) => c.sender),
    leading: () => channels.map((c) => c.election.leading),
    start: () => {
      for (const c of channels) c.election.start();
    },
    stop: async () => {
      await Promise.all(
        channels.map(async (c) => {
          await c.election.stop();
          await c.sender.stop(); // closes the transport (a paused sender is stopped already: closes nothing twice)
        }),
      );
    },
    kick: () => {
      for (const c of channels) c.election.wakeLeader();
    },
    replyClaimer: (channel) => channels.find((c) => c.channel === channel)?.sender.claimer(),
    adopt: (row) => channels.find((c) => c.channel === row.channel)?.sender.adopt(row),
  };
}

/**
 * An album's running lines in the table (core/outbox/running-line.ts). A failure is logged and
 * costs only the edit: the line is sent anew.
 */
function runningLineStore(db: Kysely<Database>, channel: Channel, logger: Logger): RunningLineStore {
  const log = logger.child({ module: 'outbox', channel });
  return {
    find: (chatId, album) =>
      runningLines(db, channel, chatId, album).catch((err: unknown) => {
        log.warn({ err: describeError(err) }, 'running lines could not be read; the line is sent anew');
        return {};
      }),
    record: (chatId, line, messageId) =>
      recordRunningLine(db, { channel, chatId, ...line, messageId }).catch((err: unknown) => {
        log.warn({ err: describeError(err) }, 'a running line could not be recorded; the next one is sent anew');
      }),
  };
}
