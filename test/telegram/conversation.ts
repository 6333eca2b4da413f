import { Api } from 'grammy';
import { createTranslator } from '../../bots/i18n.ts';
import { renderOutboxRow } from '../../bots/telegram/render.ts';
import { performCall } from '../../bots/telegram/send.ts';
import type { RecordedCall } from '../fakes/telegram-api.ts';
import { TEST_BOT_TOKEN, type BotHarness } from '../bots/harness.ts';
import { ChatPlayer, loadJson, type FixtureFile, type Json, type ReplyKind, type Say, type ShownKeyboard } from '../bots/player.ts';

/**
 * Plays a scripted conversation (fixtures/telegram/*.json, format in fixtures/README.md) against
 * a running app: every update is completed (ids, dates, sender, chat, command entities, callback
 * data of the button to press) and POSTed to the webhook; what the bot sent back is read from the
 * fake Bot API and written to the transcript. Directives (test/bots/player.ts) act for officials,
 * deliver the outbox and restart the app between updates.
 */
export type TelegramUser = { id: number; is_bot: false; first_name: string; last_name?: string; username?: string; language_code?: string };
export type FixtureEntry = Json;
export type Fixture = FixtureFile<TelegramUser>;

export const FIXTURES_URL = new URL('../../fixtures/telegram/', import.meta.url);
/** A fixture by file name (fixtures/telegram/<name>) or by path. */
export const fixturePath = (name: string) => (name.includes('/') ? name : new URL(name, FIXTURES_URL).pathname);
export const loadFixture = (path: string): Fixture => loadJson<Fixture>(path);

const PRESS = '$press:';
let nextUpdateId = 500_000_000 + Math.floor(Math.random() * 1_000_000) * 100;
let nextUser = 6_100_000_000;
/** A fresh Telegram user (ids above 2^31, as real ones are). */
export function newUser(firstName = 'Иван', languageCode = 'ru'): TelegramUser {
  return { id: nextUser++ * 1 + Math.floor(Math.random() * 1000) * 1000, is_bot: false, first_name: firstName, language_code: languageCode };
}

const STICKER = { file_id: 'CAACsticker', file_unique_id: 'AgADsticker', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false };
const photoSizes = (id: string) => [
  { file_id: `${id}-s`, file_unique_id: `${id}-us`, width: 90, height: 60 },
  { file_id: `${id}-l`, file_unique_id: `${id}-ul`, width: 1280, height: 853 },
];

export class Conversation extends ChatPlayer {
  readonly channel = 'tg' as const;
  private readonly user: TelegramUser;
  private nextMessageId = 1;
  private lastReplies: RecordedCall[] = [];

  constructor(harness: BotHarness, user: TelegramUser, echo?: (line: string) => void) {
    super(harness, echo);
    this.user = user;
  }

  get userId(): number {
    return this.user.id;
  }

  get chatId(): number {
    return this.user.id;
  }

  /** The bot's calls made while handling the last update (answerCallbackQuery left out). */
  get replies(): RecordedCall[] {
    return this.lastReplies;
  }

  /** The texts the bot sent (or edited in) while handling the last update. */
  get replyTexts(): string[] {
    return this.lastReplies.filter((c) => typeof c.params.text === 'string').map((c) => c.params.text as string);
  }

  keyboards(): ShownKeyboard[] {
    return this.lastReplies.flatMap((c): ShownKeyboard[] => {
      const markup = c.params.reply_markup as Json | undefined;
      if (!markup) return [];
      if (markup.remove_keyboard) return [{ inline: false, removed: true, rows: [] }];
      if (markup.inline_keyboard) {
        const rows = (markup.inline_keyboard as { text: string; callback_data: string }[][]).map((row) => row.map((b) => ({ label: b.text, id: b.callback_data })));
        return [{ inline: true, removed: false, rows }];
      }
      const rows = ((markup.keyboard ?? []) as { text: string; request_location?: boolean; request_contact?: boolean }[][]).map((row) =>
        row.map((b) => ({ label: b.text, ...(b.request_location && { request: 'location' as const }), ...(b.request_contact && { request: 'contact' as const }) })),
      );
      return [{ inline: false, removed: false, rows }];
    });
  }

  replyKinds(): ReplyKind[] {
    const kinds: Record<string, ReplyKind> = { sendMessage: 'text', editMessageText: 'edit', sendPhoto: 'photo', sendMediaGroup: 'photo', sendLocation: 'location' };
    return this.lastReplies.map((c) => kinds[c.method] ?? 'text');
  }

  buttonId(label: string): string {
    return this.findButton(label).data;
  }

  fixtureUpdates(name: string): Json[] {
    return loadFixture(fixturePath(name)).updates;
  }

  protected templates(input: Say): Json[] {
    if (typeof input === 'string') return [{ message: { text: input } }];
    if ('press' in input) return [{ callback_query: { data: `${PRESS}${input.press}` } }];
    if ('tap' in input) return [{ callback_query: { data: input.tap } }];
    if ('location' in input) return [{ message: { location: { latitude: input.location.lat, longitude: input.location.lon } } }];
    if ('photos' in input) {
      const album = input.photos.length > 1 && { media_group_id: `album-${input.photos[0]}` };
      return input.photos.map((id, i) => ({ message: { photo: photoSizes(id), ...(i === 0 && input.text !== undefined && { caption: input.text }), ...album } }));
    }
    const date = 1764000000;
    switch (input.other) {
      case 'sticker':
        return [{ message: { sticker: STICKER } }];
      case 'voice':
        return [{ message: { voice: { file_id: 'AwACvoice', file_unique_id: 'AgADvoice', duration: 3 } } }];
      case 'document':
        return [{ message: { document: { file_id: 'BQACdoc', file_unique_id: 'AgADdoc', file_name: 'жалоба.pdf' } } }];
      case 'forwarded':
        return [{ message: { text: 'чужой текст', forward_origin: { type: 'hidden_user', sender_user_name: 'Кто-то', date } } }];
      case 'shared':
        return [{ message: { text: 'пост', forward_origin: { type: 'channel', chat: { id: -1001, type: 'channel', title: 'Новости' }, message_id: 5, date } } }];
      case 'edited':
        return [{ edited_message: { message_id: 77, date, text: 'исправленный текст' } }];
      case 'live_location':
        return [{ edited_message: { message_id: 78, date, location: { latitude: 55.36, longitude: 86.09, live_period: 900 } } }];
    }
  }

  async post(entry: Json, deliveryId?: string): Promise<number> {
    return this.send(deliveryId === undefined ? entry : { ...entry, update_id: Number(deliveryId) });
  }

  protected async postTogether(entries: Json[]): Promise<number[]> {
    const before = this.harness.fake.calls.length;
    const statuses = await Promise.all(entries.map((entry) => this.send(entry)));
    this.lastReplies = this.harness.fake.calls.slice(before).filter(isReply);
    return statuses;
  }

  async postInTurn(entries: Json[]): Promise<number[]> {
    const before = this.harness.fake.calls.length;
    const statuses: number[] = [];
    for (const entry of entries) {
      const update = this.complete(structuredClone(entry));
      this.log(describeInput(update));
      const response = await this.harness.post(update, undefined, { awaitReplies: false });
      await response.body?.cancel();
      statuses.push(response.status);
    }
    await this.harness.repliesSent();
    this.lastReplies = this.harness.fake.calls.slice(before).filter(isReply);
    for (const call of this.lastReplies) this.log(describeCall(call));
    return statuses;
  }

  /** Completes and posts one update; returns the webhook's HTTP status. */
  async send(template: FixtureEntry, secret?: string | null): Promise<number> {
    const query = template.callback_query as Json | undefined;
    const pressed = typeof query?.data === 'string' && query.data.startsWith(PRESS) ? query.data.slice(PRESS.length) : undefined;
    const update = this.complete(structuredClone(template));
    this.log(pressed ? `👤 [tap] ${pressed}` : describeInput(update));
    const before = this.harness.fake.calls.length;
    const response = await this.harness.post(update, secret);
    await response.body?.cancel();
    this.lastReplies = this.harness.fake.calls.slice(before).filter(isReply);
    for (const call of this.lastReplies) this.log(describeCall(call));
    return response.status;
  }

  private complete(update: Json): Json {
    replaceUserId(update, this.user.id);
    update.update_id ??= nextUpdateId++;
    const chat = { id: this.user.id, type: 'private', first_name: this.user.first_name, ...(this.user.username && { username: this.user.username }) };
    for (const field of ['message', 'edited_message'] as const) {
      const message = update[field] as Json | undefined;
      if (!message) continue;
      message.message_id ??= this.nextMessageId++;
      message.date ??= field === 'message' ? this.nextDate() : Math.floor(Date.now() / 1000);
      if (message.from === undefined || message.from === '$user') message.from = this.user;
      if (message.chat === undefined || message.chat === '$chat') message.chat = chat;
      if (field === 'edited_message') message.edit_date ??= Math.floor(Date.now() / 1000);
      const text = message.text;
      if (typeof text === 'string' && text.startsWith('/') && message.entities === undefined) {
        message.entities = [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }];
      }
    }
    const query = update.callback_query as Json | undefined;
    if (query) {
      query.id ??= `cb-${String(update.update_id)}`;
      if (query.from === undefined || query.from === '$user') query.from = this.user;
      query.chat_instance ??= `ci-${this.user.id}`;
      if (typeof query.data === 'string' && query.data.startsWith(PRESS)) {
        const found = this.findButton(query.data.slice(PRESS.length));
        query.data = found.data;
        query.message ??= { message_id: found.messageId, date: Math.floor(Date.now() / 1000), chat, text: found.text };
      }
    }
    return update;
  }

  /** The newest message to this chat with an inline button labelled `label` (exact, else the only partial match). */
  findButton(label: string): { data: string; messageId: number; text: string } {
    const sent = this.harness.fake.calls.filter((c) => String(c.params.chat_id) === String(this.user.id) && inlineButtons(c).length > 0).reverse();
    for (const exact of [true, false]) {
      for (const call of sent) {
        const button = inlineButtons(call).find((b) => (exact ? b.text === label : b.text.includes(label)));
        if (!button) continue;
        const messageId = typeof call.params.message_id === 'number' ? call.params.message_id : Number((call.result as Json | undefined)?.message_id);
        return { data: button.callback_data, messageId, text: String(call.params.text ?? '') };
      }
    }
    throw new Error(`no button "${label}" in the bot's messages to chat ${this.user.id}`);
  }

  /** What the outbox sender will do, done here for this chat: render pending rows and send them. */
  async deliverOutbox(): Promise<void> {
    const { db } = this.harness.database;
    const rows = await this.pendingOutbox();
    const api = new Api(TEST_BOT_TOKEN, { apiRoot: this.harness.fake.url });
    const t = createTranslator();
    const before = this.harness.fake.calls.length;
    for (const row of rows) {
      for (const call of renderOutboxRow({ ...row, payload: row.sent_payload }, t)) await performCall(api, call);
      await db.updateTable('outbox').set({ state: 'sent', sent_at: new Date() }).where('id', '=', row.id).execute();
    }
    this.log(`📬 outbox delivered: ${rows.map((r) => r.kind).join(', ') || 'nothing pending'}`);
    this.lastReplies = this.harness.fake.calls.slice(before);
    for (const call of this.lastReplies) this.log(describeCall(call));
  }
}

/**
 * A call answering the update: not the spinner's answer, nor what the app calls on its own meanwhile
 * (the filed-photo copier's getFile, a restart's getMe and setMyCommands), which a busy machine may
 * interleave with the update's replies.
 */
const NOT_REPLIES = new Set(['answerCallbackQuery', 'getFile', 'getMe', 'setMyCommands', 'deleteMyCommands', 'setWebhook', 'deleteWebhook']);
const isReply = (call: RecordedCall) => !NOT_REPLIES.has(call.method);

/** `"$user_id"` anywhere in an update stands for the resident's Telegram id (a contact's user_id). */
function replaceUserId(value: Json | unknown[], id: number): void {
  for (const [key, child] of Object.entries(value)) {
    if (child === '$user_id') (value as Record<string, unknown>)[key] = id;
    else if (typeof child === 'object' && child !== null) replaceUserId(child as Json, id);
  }
}

function inlineButtons(call: RecordedCall): { text: string; callback_data: string }[] {
  const markup = call.params.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

function indent(text: string): string {
  return text.split('\n').join('\n     ');
}

export function describeInput(update: Json): string {
  const query = update.callback_query as Json | undefined;
  if (query) return `👤 [tap] callback_data=${String(query.data)}`;
  const edited = update.edited_message as Json | undefined;
  const message = (update.message ?? edited) as Json | undefined;
  if (!message)
    return `👤 (update without a message: ${Object.keys(update)
      .filter((k) => k !== 'update_id')
      .join(', ')})`;
  const chat = message.chat as Json;
  const where = chat.type === 'private' ? '' : ` (in ${String(chat.type)} ${String(chat.id)})`;
  const prefix = `👤${where}${edited ? ' ✏ edited:' : ''}${message.forward_origin ? ' ↪ forwarded:' : ''}`;
  if (typeof message.text === 'string') return `${prefix} ${message.text.length > 200 ? `${message.text.slice(0, 60)}… (${message.text.length} chars)` : message.text}`;
  if (message.venue) return `${prefix} 📍 venue: ${String((message.venue as Json).title)}, ${String((message.venue as Json).address)}`;
  if (message.location) return `${prefix} 📍 ${String((message.location as Json).latitude)}, ${String((message.location as Json).longitude)}`;
  if (message.photo) return `${prefix} 🖼 photo`;
  if (message.contact) return `${prefix} 📇 contact ${String((message.contact as Json).phone_number)}`;
  if (message.sticker) return `${prefix} [sticker]`;
  if (message.voice) return `${prefix} [voice]`;
  if (message.document) return `${prefix} [document]`;
  return `${prefix} [${Object.keys(message)
    .filter((k) => !['message_id', 'date', 'from', 'chat'].includes(k))
    .join(', ')}]`;
}

export function describeCall(call: RecordedCall): string {
  const p = call.params;
  const head =
    call.method === 'sendMessage'
      ? `🤖 ${indent(String(p.text))}`
      : call.method === 'editMessageText'
        ? `🤖 (edits its message) ${indent(String(p.text))}`
        : call.method === 'sendPhoto'
          ? '🤖 🖼 photo'
          : call.method === 'sendMediaGroup'
            ? `🤖 🖼 ${(p.media as unknown[]).length} photos`
            : call.method === 'sendLocation'
              ? `🤖 📍 ${String(p.latitude)}, ${String(p.longitude)}`
              : `🤖 ${call.method}`;
  const markup = p.reply_markup as Json | undefined;
  if (!markup) return head;
  if (markup.inline_keyboard) {
    const rows = (markup.inline_keyboard as { text: string }[][]).map((row) => `     ${row.map((b) => `[${b.text}]`).join(' ')}`);
    return `${head}\n${rows.join('\n')}`;
  }
  if (markup.keyboard) {
    const rows = (markup.keyboard as { text: string }[][]).map((row) => `     ⌨ ${row.map((b) => `[${b.text}]`).join(' ')}`);
    return `${head}\n${rows.join('\n')}`;
  }
  return markup.remove_keyboard ? `${head}\n     ⌨ (keyboard removed)` : head;
}
