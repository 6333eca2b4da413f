import type { InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from 'grammy/types';
import type { Language } from '../../core/db/types.ts';
import type { OutboxPayload } from '../../core/outbox/outbox.table.ts';
import { MAX_BUTTON_ID_BYTES } from '../dialogs/buttons.ts';
import type { Keyboard, View } from '../dialogs/view.ts';
import type { Translate } from '../i18n.ts';
import { completeParams, languageOf, notificationView, replyViews } from '../notification-views.ts';
import { REPLY_KIND } from '../outbox/reply.ts';
import { renderLabel, renderText } from '../render-text.ts';
import { splitText } from '../vk/render.ts';

/** Telegram's limit for one message text; longer texts are split, the keyboard goes on the last part. */
export const MAX_TEXT = 4096;
const MAX_ALBUM = 10;

export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;

/** Bot API calls, exactly the parameters to send (text is plain: no parse_mode, nothing to escape). */
export type TelegramCall =
  | { method: 'sendMessage'; params: { chat_id: string; text: string; reply_markup?: ReplyMarkup; link_preview_options: { is_disabled: true } }; line?: RunningLine }
  /** `fallback`: what to send instead when the message can no longer be edited (too old, deleted). */
  | { method: 'editMessageText'; params: { chat_id: string; message_id: number; text: string; reply_markup?: InlineKeyboardMarkup; link_preview_options: { is_disabled: true } }; fallback?: TelegramCall; line?: RunningLine }
  | { method: 'answerCallbackQuery'; params: { callback_query_id: string } }
  /** A stored file (core/media): sendPhoto or sendVideo, uploading it on its first send to Telegram (bots/media/stored-media.ts). */
  | { method: 'sendStoredMedia'; params: { chat_id: string; media: number } }
  /** 2–10 stored files as one album (sendMediaGroup), uploading those not yet sent to Telegram. */
  | { method: 'sendStoredMediaGroup'; params: { chat_id: string; media: number[] } }
  | { method: 'sendPhoto'; params: { chat_id: string; photo: string } }
  | { method: 'sendMediaGroup'; params: { chat_id: string; media: { type: 'photo'; media: string }[] } }
  | { method: 'sendLocation'; params: { chat_id: string; latitude: number; longitude: number } };

/** A call that shows a running line of an album (View `slot`, `album`): the message it shows is recorded for the album's next line. */
export interface RunningLine {
  album: string;
  slot: string;
}

export interface RenderOptions {
  chatId: string;
  language: Language;
  t: Translate;
  /** The message whose inline button was pressed; a view marked `edit` replaces it. */
  editMessageId?: number;
  /** The messages showing the album's running lines sent already, by slot (core/outbox/running-line.ts): a view of one edits it. */
  lines?: Record<string, number>;
}

export function renderKeyboard(keyboard: Keyboard, language: Language, t: Translate): ReplyMarkup {
  if (keyboard.kind === 'remove') return { remove_keyboard: true };
  if (keyboard.kind === 'reply') {
    return {
      keyboard: keyboard.rows.map((row) =>
        row.map((b) => {
          const text = t(language, b.label);
          return b.kind === 'location' ? { text, request_location: true } : b.kind === 'contact' ? { text, request_contact: true } : { text };
        }),
      ),
      resize_keyboard: true,
      one_time_keyboard: keyboard.oneTime ?? false,
    };
  }
  return {
    inline_keyboard: keyboard.rows.map((row) =>
      row.map((b) => {
        // A longer id would be rejected by Telegram for the whole message: fail loudly in tests instead.
        if (Buffer.byteLength(b.id, 'utf8') > MAX_BUTTON_ID_BYTES) throw new Error(`button id longer than ${MAX_BUTTON_ID_BYTES} bytes: ${b.id}`);
        return { text: renderLabel(language === 'en' ? 'en' : 'ru', b, t), callback_data: b.id };
      }),
    ),
  };
}

/** Parts of at most 4096 characters, cut at a paragraph or line break, else a space, when there is one (a long news item reads cleanly). */
function chunks(text: string): string[] {
  return splitText(text, MAX_TEXT);
}

/** One abstract view → the Bot API calls that show it: photos, then a place, then the text with its keyboard. */
export function renderTelegram(view: View, options: RenderOptions): TelegramCall[] {
  const { chatId, language, t } = options;
  const calls: TelegramCall[] = [];
  const photos = (view.photos ?? []).slice(0, MAX_ALBUM);
  if (photos.length === 1) calls.push({ method: 'sendPhoto', params: { chat_id: chatId, photo: photos[0]! } });
  if (photos.length > 1) calls.push({ method: 'sendMediaGroup', params: { chat_id: chatId, media: photos.map((media) => ({ type: 'photo' as const, media })) } });
  // Stored files go as albums of up to 10 (one call each); a file left alone goes by itself.
  const stored = view.media ?? [];
  for (let i = 0; i < stored.length; i += MAX_ALBUM) {
    const album = stored.slice(i, i + MAX_ALBUM);
    if (album.length === 1) calls.push({ method: 'sendStoredMedia', params: { chat_id: chatId, media: album[0]! } });
    else calls.push({ method: 'sendStoredMediaGroup', params: { chat_id: chatId, media: album } });
  }
  if (view.location) calls.push({ method: 'sendLocation', params: { chat_id: chatId, latitude: view.location.lat, longitude: view.location.lon } });

  const text = renderText(t, language, { ...view, params: completeParams(view.params) });
  const markup = view.keyboard ? renderKeyboard(view.keyboard, language, t) : undefined;
  const parts = chunks(text);
  const line: RunningLine | undefined = view.slot !== undefined && view.album !== undefined ? { album: view.album, slot: view.slot } : undefined;
  const target = view.edit ? options.editMessageId : line ? options.lines?.[line.slot] : undefined;
  // A running line's reply keyboard (the place step's button) was shown by the line it edits, of
  // the same step: the text alone is edited. A keyboard's removal needs a message of its own.
  const kept = line !== undefined && markup !== undefined && 'keyboard' in markup;
  if (target !== undefined && parts.length === 1 && photos.length === 0 && !view.media?.length && (!markup || 'inline_keyboard' in markup || kept)) {
    const inline = markup && 'inline_keyboard' in markup ? markup : undefined;
    const fallback: TelegramCall = { method: 'sendMessage', params: { chat_id: chatId, text, ...(markup && { reply_markup: markup }), link_preview_options: { is_disabled: true } }, ...(line && { line }) };
    calls.push({ method: 'editMessageText', params: { chat_id: chatId, message_id: target, text, ...(inline && { reply_markup: inline }), link_preview_options: { is_disabled: true } }, fallback, ...(line && { line }) });
    return calls;
  }
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    calls.push({ method: 'sendMessage', params: { chat_id: chatId, text: part, ...(last && markup && { reply_markup: markup }), link_preview_options: { is_disabled: true } }, ...(last && line && { line }) });
  });
  return calls;
}

/** The album whose running lines a reply row shows (View `album`), if any: its sent lines are looked up before it is rendered. */
export function runningLineAlbum(row: { kind: string; payload: OutboxPayload }): string | undefined {
  if (row.kind !== REPLY_KIND) return undefined;
  return replyViews(row.payload).find((v) => v.slot !== undefined && typeof v.album === 'string')?.album;
}

/**
 * An outbox row for Telegram → its calls, in the recipient's language: a notification with the
 * buttons of its kind, or a direct reply (bots/outbox/reply.ts): the button answer, then each view.
 */
export function renderOutboxRow(row: { kind: string; chat_id: string; payload: OutboxPayload }, t: Translate, lines?: Record<string, number>): TelegramCall[] {
  const language = languageOf(row.payload);
  if (row.kind !== REPLY_KIND) return renderTelegram(notificationView(row.kind, row.payload), { chatId: row.chat_id, language, t });
  const { answer, editMessageId } = row.payload;
  const calls: TelegramCall[] = answer && 'queryId' in answer ? [{ method: 'answerCallbackQuery', params: { callback_query_id: answer.queryId } }] : [];
  for (const view of replyViews(row.payload)) calls.push(...renderTelegram(view, { chatId: row.chat_id, language, t, editMessageId, ...(lines && { lines }) }));
  return calls;
}
