import { Api, GrammyError, HttpError } from 'grammy';
import type { ClaimedRow } from '../../core/outbox/outbox.queue.ts';
import { runningLineAlbum, type RunningLine, type TelegramCall } from '../telegram/render.ts';
import { performCall } from '../telegram/send.ts';
import { botApiFetch } from '../telegram/bot-api-fetch.ts';
import type { StoredMediaDeps } from '../media/stored-media.ts';
import { describeError, type BeforeCall, type SendOutcome, type Transport } from './transport.ts';

/**
 * Turns a row into the Bot API calls that show it (photos, place, text parts with the keyboard
 * on the last): bots/telegram/render.ts `renderOutboxRow`, the same renderer as direct replies.
 */
export type TelegramRender = (row: Pick<ClaimedRow, 'kind' | 'chat_id' | 'payload'>, lines?: Record<string, number>) => TelegramCall[];

/**
 * Where the messages showing an album's running lines are kept (core/outbox/running-line.ts).
 * Neither call throws: a line not found or not recorded is sent anew, as before.
 */
export interface RunningLineStore {
  /** The album's lines sent to the chat: message id by slot. */
  find(chatId: string, album: string): Promise<Record<string, number>>;
  record(chatId: string, line: RunningLine, messageId: number): Promise<void>;
}

export interface TelegramTransportOptions {
  token: string;
  apiRoot?: string;
  render: TelegramRender;
  /** One API call's timeout; a timed-out send is retried (and may show twice: see reclaimExpired). */
  timeoutMs: number;
  /** Stored media (announcements' photos and videos); without it rows that carry media fail. */
  media?: StoredMediaDeps;
  /** An album's running lines: the later line edits the one sent (View `album`); without it each is sent anew. */
  lines?: RunningLineStore;
}

/**
 * Sends outbox rows through grammY's Api (no bot, no middleware, no auto-retry: the outbox does
 * the pacing and the retries). A row may need several calls; `sent_parts` counts those already
 * made, so a retry resumes after them instead of showing the photos twice.
 */
export function createTelegramTransport(options: TelegramTransportOptions): Transport {
  // Calls over node:http (bots/telegram/bot-api-fetch.ts) instead of grammY's node-fetch: a third less CPU per call.
  const http = botApiFetch();
  const api = new Api(options.token, {
    ...(options.apiRoot && { apiRoot: options.apiRoot }),
    timeoutSeconds: options.timeoutMs / 1000,
    fetch: http.fetch as unknown as typeof fetch,
  });
  /**
   * One part of a row. A reply's button answer that Telegram refuses (the press is older than its
   * answer window) is skipped; a paging edit of a message that can no longer be edited is sent as
   * a new message instead, and "not modified" (the same page tapped twice) is done already. So is
   * an album's running line whose message is gone ("message to edit not found"): sent anew.
   * Returns the id of the message a text part shows.
   */
  async function performPart(call: TelegramCall, beforeCall: BeforeCall): Promise<number | undefined> {
    try {
      return await performCall(api, call, options.media);
    } catch (error) {
      if (!(error instanceof GrammyError) || error.error_code !== 400) throw error;
      if (call.method === 'answerCallbackQuery') return undefined;
      if (call.method !== 'editMessageText' || !call.fallback) throw error;
      if (/not modified/i.test(error.description)) return call.params.message_id;
      await beforeCall();
      return await performCall(api, call.fallback, options.media);
    }
  }

  return {
    channel: 'tg',
    isGroupChat: (chatId) => chatId.startsWith('-'),
    async send(row: ClaimedRow, beforeCall: BeforeCall): Promise<SendOutcome> {
      // A row of an album's running lines: the lines of the album sent before it (a chat's rows
      // leave in order, so those are recorded by now) are edited instead of followed by new ones.
      const album = options.lines ? runningLineAlbum(row) : undefined;
      const lines = album !== undefined ? await options.lines!.find(row.chat_id, album) : undefined;
      let calls: TelegramCall[];
      try {
        calls = options.render(row, lines);
      } catch (error) {
        return { kind: 'permanent', error: `render failed: ${describeError(error)}`, partsDone: row.sent_parts };
      }
      const slots = partSlots(calls);
      let done = row.sent_parts;
      try {
        while (done < slots.length) {
          const slot = slots[done]!;
          await beforeCall();
          const shown = await performPart(slot.call, beforeCall);
          const line = 'line' in slot.call ? slot.call.line : undefined;
          if (line && shown !== undefined) await options.lines?.record(row.chat_id, line, shown);
          done = slot.end;
        }
        return { kind: 'sent', partsDone: done };
      } catch (error) {
        return classify(error, done);
      }
    },
    async close() {
      http.close();
    },
  };
}

/** One part of a row (`sent_parts` counts them): the call that makes it, and the part after it. */
interface PartSlot {
  call: TelegramCall;
  end: number;
}

/**
 * A row's parts as `sent_parts` counts them: one per call, except an album of stored files, which
 * counts one per file — as when each file was a call of its own. A row retried across the change
 * with some of those files already sent resumes with an album (or a single file) of the rest,
 * instead of skipping them or showing the sent ones twice.
 */
export function partSlots(calls: TelegramCall[]): PartSlot[] {
  const slots: PartSlot[] = [];
  for (const call of calls) {
    if (call.method !== 'sendStoredMediaGroup') {
      slots.push({ call, end: slots.length + 1 });
      continue;
    }
    const { chat_id, media } = call.params;
    const end = slots.length + media.length;
    media.forEach((_, i) => {
      const rest = media.slice(i);
      const resumed: TelegramCall =
        i === 0 ? call : rest.length === 1 ? { method: 'sendStoredMedia', params: { chat_id, media: rest[0]! } } : { method: 'sendStoredMediaGroup', params: { chat_id, media: rest } };
      slots.push({ call: resumed, end });
    });
  }
  return slots;
}

/** Telegram's answers, sorted into what the sender does next. */
export function classify(error: unknown, partsDone: number): SendOutcome {
  const text = describeError(error);
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const description = `${code} ${error.description}`;
    if (code === 429) return { kind: 'rate_limited', retryAfterMs: (error.parameters.retry_after ?? 1) * 1000, error: description, partsDone };
    if (code === 403) return { kind: 'unreachable', error: description, partsDone };
    if (code === 400 && /chat not found|user is deactivated|PEER_ID_INVALID/i.test(error.description)) return { kind: 'unreachable', error: description, partsDone };
    if (code === 401 || code === 404) return { kind: 'channel_down', error: description, partsDone };
    if (code >= 500) return { kind: 'transient', error: description, partsDone };
    return { kind: 'permanent', error: description, partsDone };
  }
  // HttpError: network failure or timeout; anything else unexpected is also worth another try.
  if (error instanceof HttpError) return { kind: 'transient', error: text, partsDone };
  return { kind: 'transient', error: text, partsDone };
}
