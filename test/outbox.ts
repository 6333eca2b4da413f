import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/database.ts';
import type { Channel } from '../core/db/types.ts';
import { enqueue, PRIORITY } from '../core/outbox/outbox.repository.ts';
import type { OutboxState } from '../core/outbox/outbox.table.ts';
import { createTranslator } from '../bots/i18n.ts';
import { createPlainTextRender } from '../bots/outbox/plain-render.ts';
import type { TelegramRender } from '../bots/outbox/telegram-transport.ts';
import { renderOutboxRow } from '../bots/telegram/render.ts';
import { createOutboxSender, type ChannelLimits, type OutboxSender, type SenderSettings } from '../bots/outbox/sender.ts';
import { createTelegramTransport } from '../bots/outbox/telegram-transport.ts';
import { createVkTransport, type VkRender } from '../bots/outbox/vk-transport.ts';
import type { StoredMediaDeps } from '../bots/media/stored-media.ts';
import { createLogger } from '../logger.ts';

/** Helpers for outbox tests and the benchmark: rows whose text carries a marker, fast settings. */
export const silentLogger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const translate = createTranslator();
/** VK rows as plain text; Telegram rows through the bot's own renderer, as in production. */
export const render = createPlainTextRender(translate);
export const renderTelegram: TelegramRender = (row) => renderOutboxRow(row, translate);

/** Settings that keep real time short in tests. */
export const fastSettings: SenderSettings = {
  pollMs: 50,
  leaseMs: 15_000, // far above any send under load: an expired lease means a deliberate test
  maxAttempts: 4,
  backoffBaseMs: 50,
  backoffMaxMs: 400,
  headroom: 0.05,
  flushMs: 10,
  channelDownPauseMs: 500,
};

export const relaxedLimits: ChannelLimits = { perSecond: 200, perChatPerSecond: 50, perGroupPerMinute: 600 };

/** The text of a row is "Your message #<marker> was rejected. Reason: test" in English. */
export function markedPayload(marker: number) {
  return { key: 'notify.rejected', params: { messageId: marker, reason: 'test' }, language: 'en' };
}

export function markerOf(text: string): number {
  const match = /#(\d+)/.exec(text);
  if (!match) throw new Error(`no marker in ${JSON.stringify(text)}`);
  return Number(match[1]);
}

export interface RowSpec {
  chatId: string | number;
  marker: number;
  priority?: number;
  channel?: Channel;
  kind?: string;
  residentId?: number;
  staffId?: number;
}

/** Enqueues rows (in the given order, so ids follow it); returns their ids. */
export async function enqueueMarked(db: Kysely<Database>, specs: RowSpec[]): Promise<number[]> {
  return enqueue(
    db,
    specs.map((s) => ({
      channel: s.channel ?? 'tg',
      chatId: String(s.chatId),
      recipientKind: s.residentId ? ('resident' as const) : s.staffId ? ('staff' as const) : ('chat' as const),
      residentId: s.residentId ?? null,
      staffId: s.staffId ?? null,
      kind: s.kind ?? 'test',
      payload: markedPayload(s.marker),
      priority: s.priority ?? PRIORITY.notification,
    })),
  );
}

export function telegramSender(
  db: Kysely<Database>,
  apiRoot: string,
  options: { limits?: ChannelLimits; settings?: Partial<SenderSettings>; instanceId?: string; timeoutMs?: number; media?: StoredMediaDeps } = {},
): OutboxSender {
  return createOutboxSender({
    db,
    logger: silentLogger,
    transport: createTelegramTransport({ token: '123:TEST', apiRoot, render: renderTelegram, timeoutMs: options.timeoutMs ?? 10_000, media: options.media }),
    limits: options.limits ?? relaxedLimits,
    settings: { ...fastSettings, ...options.settings },
    instanceId: options.instanceId,
  });
}

export function vkSender(
  db: Kysely<Database>,
  apiBaseUrl: string,
  options: { limits?: ChannelLimits; settings?: Partial<SenderSettings>; timeoutMs?: number; media?: StoredMediaDeps; render?: VkRender } = {},
): OutboxSender {
  return createOutboxSender({
    db,
    logger: silentLogger,
    transport: createVkTransport({ token: 'vk-test-token', apiBaseUrl, render: options.render ?? render, timeoutMs: options.timeoutMs ?? 10_000, media: options.media }),
    limits: options.limits ?? relaxedLimits,
    settings: { ...fastSettings, ...options.settings },
  });
}

export async function states(db: Kysely<Database>, ids: number[]): Promise<OutboxState[]> {
  const rows = await db.selectFrom('outbox').select(['id', 'state']).where('id', 'in', ids).orderBy('id').execute();
  return rows.map((r) => r.state);
}

/** Polls the database until `check` holds (rows are settled a few ms after the API call). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function allSettled(db: Kysely<Database>, ids: number[], timeoutMs = 10_000): Promise<void> {
  await eventually(async () => (await states(db, ids)).every((s) => s !== 'pending' && s !== 'sending'), timeoutMs, `rows ${ids.length} settled`);
}

export async function clearOutbox(db: Kysely<Database>): Promise<void> {
  await sql`DELETE FROM outbox`.execute(db);
}
