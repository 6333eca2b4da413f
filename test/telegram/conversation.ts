import { readFileSync } from 'node:fs';
import { Api } from 'grammy';
import { approveAnswer, returnAnswer } from '../../core/messages/answers.service.ts';
import { acceptMessage } from '../../core/messages/moderation.service.ts';
import { fileMessage } from '../../core/messages/filing.service.ts';
import { createLinkCode, staffStartPayload } from '../../core/staff/link-codes.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../residents.ts';
import { operatorId } from '../staff.ts';
import { createTranslator } from '../../bots/i18n.ts';
import { renderOutboxRow } from '../../bots/telegram/render.ts';
import { performCall } from '../../bots/telegram/send.ts';
import type { RecordedCall } from '../fakes/telegram-api.ts';
import { TEST_BOT_TOKEN, type BotHarness } from './harness.ts';
import { staffAct } from '../staff-actions.ts';

/**
 * Plays a scripted conversation (fixtures/telegram/*.json, format in fixtures/README.md) against
 * a running app: every update is completed (ids, dates, sender, chat, command entities, callback
 * data of the button to press) and POSTed to the webhook; what the bot sent back is read from the
 * fake Bot API and written to the transcript. Directives act for officials, deliver the outbox and
 * restart the app between updates.
 */
export type TelegramUser = { id: number; is_bot: false; first_name: string; last_name?: string; username?: string; language_code?: string };
type Json = Record<string, unknown>;
export type FixtureEntry = Json;
export interface Fixture {
  description?: string;
  user: TelegramUser;
  updates: FixtureEntry[];
}

export const FIXTURES_URL = new URL('../../fixtures/telegram/', import.meta.url);
/** A fixture by file name (fixtures/telegram/<name>) or by path. */
export const fixturePath = (name: string) => (name.includes('/') ? name : new URL(name, FIXTURES_URL).pathname);
export const loadFixture = (path: string): Fixture => JSON.parse(readFileSync(path, 'utf8')) as Fixture;

const PRESS = '$press:';
let nextUpdateId = 500_000_000 + Math.floor(Math.random() * 1_000_000) * 100;

export class Conversation {
  readonly transcript: string[] = [];
  private readonly harness: BotHarness;
  private readonly user: TelegramUser;
  private nextMessageId = 1;
  private lastReplies: RecordedCall[] = [];
  private readonly echo: ((line: string) => void) | undefined;

  constructor(harness: BotHarness, user: TelegramUser, echo?: (line: string) => void) {
    this.harness = harness;
    this.user = user;
    this.echo = echo;
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

  async play(entries: FixtureEntry[]): Promise<void> {
    for (const entry of entries) await this.step(entry);
  }

  async step(entry: FixtureEntry): Promise<void> {
    if ('$expect' in entry) return this.expect(String(entry.$expect));
    if ('$restart' in entry) {
      this.log('⟲ the app restarts (same database)');
      return this.harness.restart();
    }
    if ('$deliver_outbox' in entry) return this.deliverOutbox();
    if ('$play' in entry) return this.play(loadFixture(fixturePath(String(entry.$play))).updates);
    if ('$staff' in entry) return this.staff(String(entry.$staff), entry);
    if ('$link_staff' in entry) return this.linkStaff(String(entry.$link_staff));
    if ('$incoming_message' in entry) return this.incomingMessage(String(entry.$incoming_message));
    await this.send(entry);
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
    this.lastReplies = this.harness.fake.calls.slice(before).filter((c) => c.method !== 'answerCallbackQuery');
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
      message.date ??= Math.floor(Date.now() / 1000);
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

  private expect(fragment: string): void {
    const texts = this.replyTexts.join('\n');
    if (!texts.includes(fragment)) throw new Error(`expected the bot to answer with "${fragment}", got:\n${texts || '(nothing)'}`);
  }

  /** What the outbox sender will do, done here for this chat: render pending rows and send them. */
  async deliverOutbox(): Promise<void> {
    const { db } = this.harness.database;
    const rows = await db.selectFrom('outbox').selectAll().where('channel', '=', 'tg').where('chat_id', '=', String(this.user.id)).where('state', '=', 'pending').orderBy('id').execute();
    const api = new Api(TEST_BOT_TOKEN, { apiRoot: this.harness.fake.url });
    const t = createTranslator();
    const before = this.harness.fake.calls.length;
    for (const row of rows) {
      for (const call of renderOutboxRow(row, t)) await performCall(api, call);
      await db.updateTable('outbox').set({ state: 'sent', sent_at: new Date() }).where('id', '=', row.id).execute();
    }
    this.log(`📬 outbox delivered: ${rows.map((r) => r.kind).join(', ') || 'nothing pending'}`);
    this.lastReplies = this.harness.fake.calls.slice(before);
    for (const call of this.lastReplies) this.log(describeCall(call));
  }

  /** The operator issues a link code for a Kemerovo official of `role`; this user sends `/start staff_<code>`. */
  async linkStaff(role: string): Promise<void> {
    const { db } = this.harness.database;
    const kemerovo = await db.selectFrom('municipality').select('id').where('name_en', '=', 'Kemerovo').executeTakeFirstOrThrow();
    const staff = await db
      .selectFrom('staff')
      .select('id')
      .where('municipality_id', '=', kemerovo.id)
      .where('role', '=', role === 'executor' ? 'executor' : 'curator')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const { code } = await createLinkCode(db, { actorStaffId: await operatorId(db), staffId: staff.id }, this.harness.now());
    this.log(`🏛 operator: link code issued for the ${role} of Kemerovo`);
    await this.send({ message: { text: `/start ${staffStartPayload(code)}` } });
  }

  /** Another resident files a pothole report in Kemerovo and the moderator accepts it (its executor is alerted). */
  async incomingMessage(text: string): Promise<void> {
    const { db } = this.harness.database;
    const kemerovo = await db.selectFrom('municipality').select('id').where('name_en', '=', 'Kemerovo').executeTakeFirstOrThrow();
    const now = this.harness.now();
    const residentId = await registeredResident(db, { municipalityId: kemerovo.id, now });
    const { message } = await fileMessage(db, { residentId, categoryId: await categoryId(db, 'roads.pothole'), text, point: KEMEROVO_CENTER, channel: 'tg' }, now);
    const moderator = await db.selectFrom('staff').select('id').where('municipality_id', '=', kemerovo.id).where('role', '=', 'moderator').orderBy('id').executeTakeFirstOrThrow();
    await acceptMessage(db, { messageId: message.id, actor: { kind: 'staff', staffId: moderator.id } }, now);
    this.log(`🏛 a resident filed message #${message.id}; the moderator accepted it`);
  }

  /** The curator approves or returns the newest answer waiting for approval, through core. */
  private async review(action: 'approve' | 'return', text: string): Promise<void> {
    const { db } = this.harness.database;
    const draft = await db
      .selectFrom('answer')
      .innerJoin('message', 'message.id', 'answer.message_id')
      .select(['answer.id', 'answer.message_id', 'message.municipality_id'])
      .where('answer.state', '=', 'draft')
      .orderBy('answer.updated_at', 'desc')
      .orderBy('answer.id', 'desc')
      .executeTakeFirstOrThrow();
    const curator = await db.selectFrom('staff').select('id').where('municipality_id', '=', draft.municipality_id).where('role', '=', 'curator').orderBy('id').executeTakeFirstOrThrow();
    const actor = { kind: 'staff' as const, staffId: curator.id };
    if (action === 'approve') await approveAnswer(db, { answerId: draft.id, actor }, this.harness.now());
    else await returnAnswer(db, { answerId: draft.id, remark: text, actor }, this.harness.now());
    this.log(`🏛 curator: ${action === 'approve' ? 'approved' : `returned ("${text}")`} the answer on message #${draft.message_id}`);
  }

  /** An official acts on the resident's newest message, through core like the admin API would. */
  async staff(action: string, entry: FixtureEntry): Promise<void> {
    if (action === 'approve' || action === 'return') return this.review(action, typeof entry.text === 'string' ? entry.text : 'Уточните текст.');
    const messageId = await staffAct(this.harness.database.db, 'tg', String(this.user.id), action, entry);
    this.log(`🏛 official: ${action} on message #${messageId}`);
  }

  private log(line: string): void {
    this.transcript.push(line);
    this.echo?.(line);
  }
}

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
  if (!message) return `👤 (update without a message: ${Object.keys(update).filter((k) => k !== 'update_id').join(', ')})`;
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
  return `${prefix} [${Object.keys(message).filter((k) => !['message_id', 'date', 'from', 'chat'].includes(k)).join(', ')}]`;
}

export function describeCall(call: RecordedCall): string {
  const p = call.params;
  const head =
    call.method === 'sendMessage' ? `🤖 ${indent(String(p.text))}`
    : call.method === 'editMessageText' ? `🤖 (edits its message) ${indent(String(p.text))}`
    : call.method === 'sendPhoto' ? '🤖 🖼 photo'
    : call.method === 'sendMediaGroup' ? `🤖 🖼 ${(p.media as unknown[]).length} photos`
    : call.method === 'sendLocation' ? `🤖 📍 ${String(p.latitude)}, ${String(p.longitude)}`
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
