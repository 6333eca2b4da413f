import type { Language } from '../../core/db/types.ts';
import type { OutboxPayload } from '../../core/outbox/outbox.table.ts';
import type { Button, Keyboard, ReplyButton, View } from '../dialogs/view.ts';
import type { Translate } from '../i18n.ts';
import { completeParams, languageOf, notificationView, replyViews } from '../notification-views.ts';
import { REPLY_KIND } from '../outbox/reply.ts';
import { TransientRenderError, type VkPart, type VkRender } from '../outbox/vk-transport.ts';
import type { Db } from '../../core/db/types.ts';
import { renderLabel, renderText } from '../render-text.ts';
import { loadVkClient, storedVkClient, storeVkOptions, vkModeOf, type VkClient } from './client.ts';

/**
 * VK's limits (dev.vk.com, "Клавиатуры для ботов"; vk-io Keyboard docs): a message text of at most
 * 4096 characters; an inline keyboard of at most 6 rows, 5 buttons a row and 10 buttons; a regular
 * keyboard of at most 10 rows, 5 a row and 40 buttons; a wide button (location) fills its row; a
 * label of at most 40 characters (UTF-16 units, as vk-io counts); a button payload of at most 255 characters of JSON.
 */
export const VK_LIMITS = {
  text: 4096,
  inline: { rows: 6, perRow: 5, total: 10 },
  regular: { rows: 10, perRow: 5, total: 40 },
  label: 40,
  payload: 255,
  attachments: 10,
} as const;

/** What a callback or text button carries: the abstract button id. */
export interface VkButtonPayload {
  b: string;
}

type VkAction =
  | { type: 'callback'; label: string; payload: string }
  | { type: 'text'; label: string; payload?: string }
  | { type: 'location'; payload?: string };
interface VkButton {
  action: VkAction;
}
export interface VkKeyboard {
  one_time?: boolean;
  inline?: boolean;
  buttons: VkButton[][];
}

/** messages.send parameters except peer_id and random_id (the sender adds those). */
export interface VkMessage {
  message: string;
  media?: number[];
  keyboard?: string;
  attachment?: string;
  lat?: number;
  long?: number;
}

/** VK API calls a view becomes. */
export type VkCall =
  | { method: 'messages.send'; params: VkMessage }
  | { method: 'messages.edit'; params: { conversation_message_id: number; message: string; keyboard?: string } };

export interface VkRenderOptions {
  language: Language;
  t: Translate;
  /** The conversation message whose callback button was pressed; a view marked `edit` replaces it. */
  editMessageId?: number;
  /** What the chat's app can show (bots/vk/client.ts); unknown: inline keyboards of callback buttons, as always. */
  client?: VkClient;
}

export function buttonPayload(id: string): string {
  const payload = JSON.stringify({ b: id } satisfies VkButtonPayload);
  // VK rejects the whole message for a longer payload: fail loudly in tests instead.
  if (payload.length > VK_LIMITS.payload) throw new Error(`button payload longer than ${VK_LIMITS.payload} characters: ${id}`);
  return payload;
}

/** The button id in a VK payload (an object in message_event, a JSON string in message_new), if it is one of ours. */
export function buttonIdOf(payload: unknown): string | undefined {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { b?: unknown }).b;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * A label within VK's 40 characters, counted as vk-io's Keyboard counts them (JavaScript length:
 * an emoji such as 📊 is two), cut between characters with "…" in place of the rest.
 */
function label(text: string): string {
  if (text.length <= VK_LIMITS.label) return text;
  let kept = '';
  for (const char of text) {
    if (kept.length + char.length > VK_LIMITS.label - 1) break;
    kept += char;
  }
  return `${kept}…`;
}

/**
 * An inline keyboard within VK's limits: rows wider than 5 are wrapped, then the rows are cut
 * into keyboards of at most 6 rows and 10 buttons (each goes on its own message, in order).
 */
export function inlineKeyboards(rows: Button[][], language: Language, t: Translate, type: 'callback' | 'text' = 'callback'): VkKeyboard[] {
  const wrapped: VkButton[][] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i += VK_LIMITS.inline.perRow) {
      wrapped.push(row.slice(i, i + VK_LIMITS.inline.perRow).map((b) => ({ action: { type, label: label(renderLabel(language, b, t)), payload: buttonPayload(b.id) } })));
    }
  }
  const keyboards: VkKeyboard[] = [];
  let current: VkButton[][] = [];
  let count = 0;
  for (const row of wrapped) {
    if (current.length > 0 && (current.length + 1 > VK_LIMITS.inline.rows || count + row.length > VK_LIMITS.inline.total)) {
      keyboards.push({ inline: true, buttons: current });
      current = [];
      count = 0;
    }
    current.push(row);
    count += row.length;
  }
  if (current.length > 0) keyboards.push({ inline: true, buttons: current });
  return keyboards;
}

/**
 * A regular keyboard: text and location buttons. VK has no "share my phone" button, so contact
 * buttons are left out (the step's other way on, e.g. Skip, stays); a location button fills its row.
 */
export function regularKeyboard(rows: ReplyButton[][], oneTime: boolean, language: Language, t: Translate): VkKeyboard | undefined {
  const out: VkButton[][] = [];
  let count = 0;
  for (const row of rows) {
    const texts: VkButton[] = [];
    for (const b of row) {
      if (b.kind === 'contact') continue;
      if (b.kind === 'location') out.push([{ action: { type: 'location', payload: buttonPayload('location') } }]);
      else texts.push({ action: { type: 'text', label: label(t(language, b.label)) } });
    }
    for (let i = 0; i < texts.length; i += VK_LIMITS.regular.perRow) out.push(texts.slice(i, i + VK_LIMITS.regular.perRow));
  }
  const kept: VkButton[][] = [];
  for (const row of out.slice(0, VK_LIMITS.regular.rows)) {
    if (count + row.length > VK_LIMITS.regular.total) break;
    kept.push(row);
    count += row.length;
  }
  return kept.length > 0 ? { one_time: oneTime, buttons: kept } : undefined;
}

/** Hides a regular keyboard (VK: an empty one-time keyboard). */
export const REMOVE_KEYBOARD: VkKeyboard = { one_time: true, buttons: [] };

function keyboardsOf(keyboard: Keyboard | undefined, language: Language, t: Translate, type: 'callback' | 'text' = 'callback'): VkKeyboard[] {
  if (!keyboard) return [];
  if (keyboard.kind === 'remove') return [REMOVE_KEYBOARD];
  if (keyboard.kind === 'reply') {
    const regular = regularKeyboard(keyboard.rows, keyboard.oneTime ?? false, language, t);
    return regular ? [regular] : [];
  }
  return inlineKeyboards(keyboard.rows, language, t, type);
}

/** Whether keyboardsOf makes any keyboard of it (a reply keyboard of contact buttons alone makes none), told without rendering a label. */
function makesKeyboard(keyboard: Keyboard | undefined): boolean {
  if (!keyboard) return false;
  if (keyboard.kind === 'remove') return true;
  if (keyboard.kind === 'reply') return keyboard.rows.some((row) => row.some((b) => b.kind !== 'contact'));
  return keyboard.rows.some((row) => row.length > 0);
}

/**
 * Text cut into parts of at most 4096 characters, at a paragraph or line break, else a space, when
 * there is one. Counted in UTF-16 units, as Telegram counts (an emoji such as 🔹 is two; for VK
 * the stricter of the two counts), never between the two halves of one.
 */
export function splitText(text: string, max: number = VK_LIMITS.text): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = -1;
    for (const separator of ['\n\n', '\n', ' ']) {
      const at = window.lastIndexOf(separator, max);
      if (at > max / 2) {
        cut = at;
        break;
      }
    }
    let taken = cut > 0 ? cut : max;
    if (cut <= 0 && isHighSurrogate(rest.charCodeAt(taken - 1))) taken -= 1;
    parts.push(rest.slice(0, taken).trimEnd());
    rest = rest.slice(taken).replace(/^[\n ]+/, '');
  }
  parts.push(rest);
  return parts;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * One abstract view → the VK calls that show it. Photos and the place ride on the first message
 * (attachment, lat/long); the text is split at VK's limit; the keyboard goes on the last part, and
 * an inline keyboard too large for one message continues on further messages (text "⋯").
 * A paging tap edits the message it came from when everything fits in one message.
 * For an app without callback buttons the inline keyboard's buttons are text buttons with the same
 * payload; for an app without inline keyboards see renderVkViews.
 */
export function renderVk(view: View, options: VkRenderOptions): VkCall[] {
  const mode = vkModeOf(options.client);
  if (mode === 'regular' || mode === 'numbered') return renderVkViews([view], options).calls;
  return renderOne(view, options, keyboardsOf(shownKeyboard(view.keyboard, options.client), options.language, options.t, mode === 'inline-text' ? 'text' : 'callback'));
}

/** A regular keyboard as the app can show it: none without bot keyboards, no location button without `location`. */
function shownKeyboard(keyboard: Keyboard | undefined, client: VkClient | undefined): Keyboard | undefined {
  if (!client || keyboard?.kind !== 'reply') return keyboard;
  if (!client.keyboard) return undefined;
  return client.location ? keyboard : { ...keyboard, rows: keyboard.rows.map((row) => row.filter((b) => b.kind !== 'location')) };
}

/** Texts that tell to press the location button, for an app that does not show it (VK on a computer, no keyboards): the other ways only. */
const NO_LOCATION_BUTTON_INSTEAD: Record<string, string> = {
  'filing.location_vk': 'filing.location_vk_no_button',
  'filing.send_location_hint_vk': 'filing.send_location_hint_vk_no_button',
  'nearby.where_vk': 'nearby.where_vk_no_button',
  'nearby.where_hint_vk': 'nearby.where_hint_vk_no_button',
};

/** Whether the app is known not to show a location button (capabilities unknown: it is shown, as always). */
const noLocationButton = (client: VkClient | undefined) => client !== undefined && (!client.keyboard || !client.location);

function renderOne(view: View, options: VkRenderOptions, keyboards: VkKeyboard[], suffix = ''): VkCall[] {
  const { language, t } = options;
  const key = noLocationButton(options.client) ? (NO_LOCATION_BUTTON_INSTEAD[view.key] ?? view.key) : view.key;
  const text = renderText(t, language, { ...view, key, params: completeParams(view.params) }) + suffix;
  const photos = (view.photos ?? []).slice(0, VK_LIMITS.attachments);
  const parts = splitText(text);
  if (view.edit && options.editMessageId !== undefined && parts.length === 1 && keyboards.length <= 1 && keyboards[0]?.inline !== false && photos.length === 0 && !view.media?.length && !view.location) {
    const keyboard = keyboards[0];
    return [{ method: 'messages.edit', params: { conversation_message_id: options.editMessageId, message: text, ...(keyboard && { keyboard: JSON.stringify(keyboard) }) } }];
  }
  const calls: VkCall[] = parts.map((part, i) => ({
    method: 'messages.send',
    params: {
      message: part,
      ...(i === 0 && photos.length > 0 && { attachment: photos.join(',') }),
      ...(i === 0 && view.media?.length && { media: view.media }),
      ...(i === 0 && view.location && { lat: view.location.lat, long: view.location.lon }),
    },
  }));
  keyboards.forEach((keyboard, i) => {
    if (i === 0) {
      const last = calls.at(-1)!;
      if (last.method === 'messages.send') last.params.keyboard = JSON.stringify(keyboard);
    } else {
      calls.push({ method: 'messages.send', params: { message: '⋯', keyboard: JSON.stringify(keyboard) } });
    }
  });
  return calls;
}

/** The label of a list's "page n of m" button (bots/dialogs/paging.ts pagerRow). */
const PAGE_OF_LABEL = 'dialog.page_of';

/** "Choose with the buttons under the message" is no help to an app that shows none: it is told to type the number. */
const NUMBERED_INSTEAD: Record<string, string> = { 'dialog.use_buttons': 'dialog.use_numbers', 'polls.use_buttons': 'dialog.use_numbers' };

/**
 * Views for an app without inline keyboards (VkClient, modes `regular` and `numbered`), rendered
 * together (a row's views: only one regular keyboard is shown at a time, the last one sent):
 * - `regular`: every view's inline buttons, and a location button asked for (if the app has it), on
 *   ONE one-time regular keyboard of text buttons on the last message; a press is a message_new
 *   whose payload is the button's id, handled as the callback's press;
 * - `numbered` (no keyboards, or more buttons than a regular keyboard holds): each view's options
 *   numbered under its text ("1 — Label"), numbering on across the views, with one hint to type the
 *   number; `numbered` lists the ids in order (the sender stores them for the chat, client.ts).
 */
export function renderVkViews(all: View[], options: VkRenderOptions): { calls: VkCall[]; numbered?: string[] } {
  const { language, t, client } = options;
  const mode = vkModeOf(client);
  // A line said only to take the regular keyboard away (View `keyboardOnly`) is left out where the
  // reply's last message takes it away itself (below) or the app shows no bot keyboards at all.
  const views = all.length > 1 && (mode === 'regular' || mode === 'numbered' || client?.keyboard === false) ? all.filter((v) => !v.keyboardOnly) : all;
  if (mode === 'callback' || mode === 'inline-text') return { calls: views.flatMap((v) => renderVk(v, options)) };
  const keyboards = client?.keyboard === true;
  const location = keyboards && client?.location === true && views.some((v) => v.keyboard?.kind === 'reply' && v.keyboard.rows.some((r) => r.some((b) => b.kind === 'location')));
  const removes = keyboards && all.some((v) => v.keyboard?.kind === 'remove' || v.keyboard?.kind === 'reply');
  const rows: Button[][] = [];
  for (const view of views) {
    if (view.keyboard?.kind !== 'inline') continue;
    for (const row of view.keyboard.rows) for (let i = 0; i < row.length; i += VK_LIMITS.regular.perRow) rows.push(row.slice(i, i + VK_LIMITS.regular.perRow));
  }
  const count = rows.reduce((n, r) => n + r.length, 0) + (location ? 1 : 0);
  const numbered = mode === 'numbered' || rows.length + (location ? 1 : 0) > VK_LIMITS.regular.rows || count > VK_LIMITS.regular.total;
  const ids: string[] = [];
  // A step whose answer is a written text takes a bare number as that text: its options are chosen with «№».
  const sign = numbered && views.some((v) => v.typedText) ? '№' : '';
  const lastListed = numbered ? views.findLastIndex((v) => v.keyboard?.kind === 'inline' && v.keyboard.rows.some((r) => r.length > 0)) : -1;
  const calls = views.flatMap((view, index) => {
    const key = numbered ? (NUMBERED_INSTEAD[view.key] ?? view.key) : view.key;
    const { keyboard: _keyboard, ...plain } = { ...view, key };
    if (!numbered || view.keyboard?.kind !== 'inline') return renderOne(plain, { ...options, editMessageId: undefined }, []);
    const lines = view.keyboard.rows.flat().map((b) => {
      // The pager's "page n of m" does nothing when pressed: a line of the list, not an option to type.
      if (b.label === PAGE_OF_LABEL) return `(${renderLabel(language, b, t)})`;
      ids.push(b.id);
      return `${sign}${ids.length} — ${renderLabel(language, b, t)}`;
    });
    const hint = index === lastListed ? `\n${t(language, sign ? 'dialog.numbered_hint_typed' : 'dialog.numbered_hint')}` : '';
    return renderOne(plain, { ...options, editMessageId: undefined }, [], lines.length > 0 ? `\n\n${lines.join('\n')}${hint}` : '');
  });
  const buttons: VkButton[][] = [
    ...(location ? [[{ action: { type: 'location' as const, payload: buttonPayload('location') } }]] : []),
    ...(numbered ? [] : rows.map((row) => row.map((b) => ({ action: { type: 'text' as const, label: label(renderLabel(language, b, t)), payload: buttonPayload(b.id) } })))),
  ];
  const keyboard: VkKeyboard | undefined = buttons.length > 0 ? { one_time: true, buttons } : removes ? REMOVE_KEYBOARD : undefined;
  if (keyboard) {
    const last = calls.at(-1);
    if (last?.method === 'messages.send') last.params.keyboard = JSON.stringify(keyboard);
    else calls.push({ method: 'messages.send', params: { message: '⋯', keyboard: JSON.stringify(keyboard) } });
  }
  return { calls, ...(numbered && { numbered: ids }) };
}

/** A rendered call as the outbox sends it: a paging edit keeps the same text as its fallback message. */
function part(call: VkCall): VkPart {
  if (call.method === 'messages.send') return call.params;
  const { keyboard, message } = call.params;
  return { method: 'messages.edit', params: call.params, fallback: { message, ...(keyboard && { keyboard }) } };
}

/** A notification row for VK → its messages (paging edits never come from notifications). */
export function renderVkNotificationRow(row: { kind: string; payload: OutboxPayload }, t: Translate, client?: VkClient): VkMessage[] {
  return renderVkViews([notificationView(row.kind, row.payload)], { language: languageOf(row.payload), t, ...(client && { client }) }).calls.flatMap((c) => (c.method === 'messages.send' ? [c.params] : []));
}

/** A VK outbox row rendered: its parts, and the ids of the options it numbers (an app without keyboards). */
export interface VkRenderedRow {
  parts: VkPart[];
  numbered?: string[];
}

/**
 * An outbox row for VK → its parts, in the recipient's language, for the chat's app: the client a
 * reply row carries (OutboxPayload.client, what the resident's message said), else `client` (the
 * chat's stored one, for a notification), else unknown (rendered as always). A notification has the
 * buttons of its kind (messages only: paging edits never come from notifications); a direct reply
 * (bots/outbox/reply.ts) the callback button's answer, then each view, edits included.
 */
export function renderVkRow(row: { kind: string; payload: OutboxPayload }, t: Translate, client?: VkClient): VkRenderedRow {
  const language = languageOf(row.payload);
  const rowClient = storedVkClient(row.payload.client) ?? client;
  const views = row.kind === REPLY_KIND ? replyViews(row.payload) : [notificationView(row.kind, row.payload)];
  const { editMessageId, answer } = row.kind === REPLY_KIND ? row.payload : {};
  const parts: VkPart[] = [];
  if (answer && 'eventId' in answer) {
    parts.push({ method: 'messages.sendMessageEventAnswer', params: { event_id: answer.eventId, user_id: Number(answer.userId), peer_id: Number(answer.peerId) } });
  }
  const rendered = renderVkViews(views, { language, t, ...(editMessageId !== undefined && { editMessageId }), ...(rowClient && { client: rowClient }) });
  // Paging edits never come from notifications: only their messages.
  const calls = row.kind === REPLY_KIND ? rendered.calls : rendered.calls.filter((c) => c.method === 'messages.send');
  parts.push(...calls.map(part));
  return { parts, ...(rendered.numbered && { numbered: rendered.numbered }) };
}

/**
 * The app's VK render for the outbox sender: a reply row is rendered for the client it carries; a
 * notification with buttons for the chat's stored client (read only then: a row without buttons
 * looks nothing up). Numbered options are stored for the chat before the row is sent, so the number
 * typed after reading them finds them; a reply to an app without inline keyboards that numbers
 * nothing clears them (the dialog moved on). A database failure here retries the row.
 */
export function vkChatRender(db: Db, t: Translate): VkRender {
  return async (row) => {
    const client = storedVkClient(row.payload.client);
    const asksStored = row.kind !== REPLY_KIND && !client && makesKeyboard(notificationView(row.kind, row.payload).keyboard);
    const stored = asksStored ? await transient(() => loadVkClient(db, row.chat_id)) : undefined;
    const rendered = renderVkRow(row, t, stored);
    const mode = vkModeOf(client);
    if (rendered.numbered) await transient(() => storeVkOptions(db, row.chat_id, rendered.numbered!));
    else if (row.kind === REPLY_KIND && (mode === 'regular' || mode === 'numbered')) await transient(() => storeVkOptions(db, row.chat_id, []));
    return rendered.parts;
  };
}

/** The chat's client read or its options stored; a database failure retries the row. */
async function transient<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new TransientRenderError(`the chat's VK client could not be read or stored: ${error instanceof Error ? error.message : String(error)}`);
  }
}
