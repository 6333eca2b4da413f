import { Api, GrammyError, HttpError } from 'grammy';
import type { OutboxPayload } from '../../core/outbox/outbox.table.ts';
import type { ClaimedRow } from '../../core/outbox/outbox.queue.ts';
import { describeError, type BeforeCall, type SendOutcome, type Transport } from './transport.ts';

type SendMessageOptions = NonNullable<Parameters<Api['sendMessage']>[2]>;

/** What a Telegram renderer makes of a payload: the text and sendMessage options (keyboard, parse mode). */
export type TelegramMessage = { text: string } & SendMessageOptions;
export type TelegramRender = (payload: OutboxPayload) => TelegramMessage;

export interface TelegramTransportOptions {
  token: string;
  apiRoot?: string;
  render: TelegramRender;
  /** One API call's timeout; a timed-out send is retried (and may show twice: see reclaimExpired). */
  timeoutMs: number;
}

const CAPTION_LIMIT = 1024;

type Part = (api: Api, chatId: string) => Promise<unknown>;

/**
 * Sends outbox rows through grammY's Api (no bot, no middleware, no auto-retry: the outbox does
 * the pacing and the retries). A row may need several calls: photos, then the text, then the place.
 */
export function createTelegramTransport(options: TelegramTransportOptions): Transport {
  const api = new Api(options.token, {
    ...(options.apiRoot && { apiRoot: options.apiRoot }),
    timeoutSeconds: options.timeoutMs / 1000,
  });
  return {
    channel: 'tg',
    isGroupChat: (chatId) => chatId.startsWith('-'),
    async send(row: ClaimedRow, beforeCall: BeforeCall): Promise<SendOutcome> {
      let parts: Part[];
      try {
        parts = planParts(options.render(row.payload), row.payload);
      } catch (error) {
        return { kind: 'permanent', error: `render failed: ${describeError(error)}`, partsDone: row.sent_parts };
      }
      let done = row.sent_parts;
      try {
        for (; done < parts.length; done++) {
          await beforeCall();
          await parts[done]!(api, row.chat_id);
        }
        return { kind: 'sent', partsDone: done };
      } catch (error) {
        return classify(error, done);
      }
    },
  };
}

/** The calls a row needs, in order; `sent_parts` counts how many of them already went out. */
function planParts(message: TelegramMessage, payload: OutboxPayload): Part[] {
  if (payload.photos && payload.photos.length > 0) return withPhotos(message, payload);
  return [...partsOf(message), ...locationPart(payload)];
}

function partsOf(message: TelegramMessage): Part[] {
  const { text, ...other } = message;
  return [(api, chatId) => api.sendMessage(chatId, text, other)];
}

function locationPart(payload: OutboxPayload): Part[] {
  const location = payload.location;
  return location ? [(api, chatId) => api.sendLocation(chatId, location.lat, location.lon)] : [];
}

/**
 * One photo with a short text: a captioned photo carrying the keyboard. Otherwise the photos
 * (an album for several) and then the text, which keeps the keyboard (albums cannot carry one).
 */
function withPhotos(message: TelegramMessage, payload: OutboxPayload): Part[] {
  const photos = (payload.photos ?? []).slice(0, 10);
  const { text, ...other } = message;
  if (photos.length === 1 && text.length <= CAPTION_LIMIT) {
    const photo = photos[0]!;
    return [
      (api, chatId) => api.sendPhoto(chatId, photo, { caption: text, parse_mode: other.parse_mode, reply_markup: other.reply_markup }),
      ...locationPart(payload),
    ];
  }
  const album: Part =
    photos.length === 1
      ? (api, chatId) => api.sendPhoto(chatId, photos[0]!)
      : (api, chatId) => api.sendMediaGroup(chatId, photos.map((media) => ({ type: 'photo' as const, media })));
  return [album, ...partsOf(message), ...locationPart(payload)];
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
