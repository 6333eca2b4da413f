import { readFileSync } from 'node:fs';
import { createTranslator } from '../../bots/i18n.ts';
import { renderVkOutboxRow } from '../../bots/vk/render.ts';
import type { RecordedVkCall } from '../fakes/vk-api.ts';
import { staffAct } from '../staff-actions.ts';
import { TEST_VK_GROUP_ID, TEST_VK_SECRET, TEST_VK_TOKEN, type BotHarness } from '../telegram/harness.ts';

/**
 * Plays a scripted VK conversation (fixtures/vk/*.json, format in fixtures/README.md) against a
 * running app: every Callback API event is completed (group_id, secret, event_id, sender, peer,
 * the payload of the button to press) and POSTed to /webhooks/vk; what the bot did is read from
 * the fake VK API. Directives are the Telegram player's: $expect, $staff, $deliver_outbox, $restart, $play.
 */
type Json = Record<string, unknown>;
export interface VkUser {
  id: number;
  first_name?: string;
  /** client_info.lang_id: 0 Russian, 3 English. */
  lang_id?: number;
}
export interface VkFixture {
  description?: string;
  user: VkUser;
  updates: Json[];
}

export const VK_FIXTURES_URL = new URL('../../fixtures/vk/', import.meta.url);
export const vkFixturePath = (name: string) => (name.includes('/') ? name : new URL(name, VK_FIXTURES_URL).pathname);
export const loadVkFixture = (path: string): VkFixture => JSON.parse(readFileSync(path, 'utf8')) as VkFixture;
/** A fixture is VK's when it lives in fixtures/vk or its events carry a Callback API `type`. */
export const isVkFixture = (path: string, fixture: { updates?: unknown[] }): boolean =>
  path.includes('/vk/') || (fixture.updates ?? []).some((u) => typeof u === 'object' && u !== null && typeof (u as Json).type === 'string');

const PRESS = '$press:';
let nextEvent = Math.floor(Math.random() * 1e9);
let nextUser = 700_000_000;
/** A fresh VK user (ids are below 2^31 today; strings in the database all the same). */
export const newVkUser = (firstName = 'Иван', langId = 0): VkUser => ({ id: nextUser++ * 1 + Math.floor(Math.random() * 1000) * 1000, first_name: firstName, lang_id: langId });

interface VkButtonFound {
  type: 'callback' | 'text';
  label: string;
  payload: string;
  cmid: number;
}

export class VkConversation {
  readonly transcript: string[] = [];
  private lastReplies: RecordedVkCall[] = [];
  private readonly harness: BotHarness;
  readonly user: VkUser;
  private readonly echo: ((line: string) => void) | undefined;

  constructor(harness: BotHarness, user: VkUser, echo?: (line: string) => void) {
    this.harness = harness;
    this.user = user;
    this.echo = echo;
  }

  /** The bot's calls while handling the last event (sendMessageEventAnswer left out). */
  get replies(): RecordedVkCall[] {
    return this.lastReplies;
  }

  get replyTexts(): string[] {
    return this.lastReplies.filter((c) => c.method === 'messages.send' || c.method === 'messages.edit').map((c) => c.params.message ?? '');
  }

  async play(entries: Json[]): Promise<void> {
    for (const entry of entries) await this.step(entry);
  }

  async step(entry: Json): Promise<void> {
    if ('$expect' in entry) return this.expect(String(entry.$expect));
    if ('$restart' in entry) {
      this.log('⟲ the app restarts (same database)');
      return this.harness.restart();
    }
    if ('$deliver_outbox' in entry) return this.deliverOutbox();
    if ('$play' in entry) return this.play(loadVkFixture(vkFixturePath(String(entry.$play))).updates);
    if ('$staff' in entry) {
      const id = await staffAct(this.harness.database.db, 'vk', String(this.user.id), String(entry.$staff), entry);
      return this.log(`🏛 official: ${String(entry.$staff)} on message #${id}`);
    }
    await this.send(entry);
  }

  /** Completes an event and posts it; returns the HTTP status and the answer's text. */
  async send(template: Json): Promise<{ status: number; body: string }> {
    const event = this.complete(structuredClone(template));
    this.log(describeEvent(event));
    const before = this.harness.vkFake.calls.length;
    const response = await this.harness.postVk(event);
    const body = await response.text();
    this.lastReplies = this.harness.vkFake.calls.slice(before).filter((c) => c.method !== 'messages.sendMessageEventAnswer');
    for (const call of this.lastReplies) this.log(describeVkCall(call));
    return { status: response.status, body };
  }

  /** Fills what changes from run to run; `$press:<label>` becomes the pressed button's event. */
  complete(event: Json): Json {
    event.group_id ??= TEST_VK_GROUP_ID;
    event.secret ??= TEST_VK_SECRET;
    event.v ??= '5.199';
    event.event_id ??= `e${(nextEvent++).toString(16)}`;
    const object = (event.object ??= {}) as Json;
    if (event.type === 'message_new') {
      const message = (object.message ??= {}) as Json;
      const press = typeof message.payload === 'string' && message.payload.startsWith(PRESS) ? this.findButton(message.payload.slice(PRESS.length)) : undefined;
      if (press) {
        message.text = press.label;
        message.payload = press.payload;
      }
      message.date ??= Math.floor(Date.now() / 1000);
      message.from_id ??= this.user.id;
      message.peer_id ??= this.user.id;
      message.id ??= 0;
      message.out ??= 0;
      message.text ??= '';
      message.attachments ??= [];
      message.fwd_messages ??= [];
      message.conversation_message_id ??= 0;
      object.client_info ??= { button_actions: ['text', 'vkpay', 'open_app', 'location', 'open_link', 'callback', 'intent_subscribe', 'intent_unsubscribe'], keyboard: true, inline_keyboard: true, carousel: true, lang_id: this.user.lang_id ?? 0 };
    }
    if (event.type === 'message_event') {
      object.user_id ??= this.user.id;
      object.peer_id ??= this.user.id;
      object.event_id ??= `cb${(nextEvent++).toString(16)}`;
      if (typeof object.payload === 'string' && object.payload.startsWith(PRESS)) {
        const found = this.findButton(object.payload.slice(PRESS.length));
        object.payload = JSON.parse(found.payload) as unknown;
        object.conversation_message_id ??= found.cmid;
      }
    }
    return event;
  }

  /** The newest message to this peer with a button labelled `label` (exact, else partial). Text buttons come as message_new. */
  findButton(label: string): VkButtonFound {
    const shown = this.harness.vkFake.messagesTo(this.user.id).reverse();
    for (const exact of [true, false]) {
      for (const call of shown) {
        const keyboard = call.params.keyboard ? (JSON.parse(call.params.keyboard) as { buttons: { action: Json }[][] }) : undefined;
        for (const b of keyboard?.buttons.flat() ?? []) {
          const text = String(b.action.label ?? '');
          if (exact ? text !== label : !text.includes(label)) continue;
          const cmid = call.method === 'messages.edit' ? Number(call.params.conversation_message_id) : (call.cmid ?? 0);
          return { type: b.action.type === 'callback' ? 'callback' : 'text', label: text, payload: String(b.action.payload ?? ''), cmid };
        }
      }
    }
    throw new Error(`no button "${label}" in the bot's messages to VK peer ${this.user.id}`);
  }

  private expect(fragment: string): void {
    const texts = this.replyTexts.join('\n');
    if (!texts.includes(fragment)) throw new Error(`expected the bot to answer with "${fragment}", got:\n${texts || '(nothing)'}`);
  }

  /** What the outbox sender does, for this peer: pending VK rows rendered by bots/vk/render.ts and sent. */
  async deliverOutbox(): Promise<void> {
    const { db } = this.harness.database;
    const rows = await db.selectFrom('outbox').selectAll().where('channel', '=', 'vk').where('chat_id', '=', String(this.user.id)).where('state', '=', 'pending').orderBy('id').execute();
    const t = createTranslator();
    const before = this.harness.vkFake.calls.length;
    for (const row of rows) {
      for (const [i, message] of renderVkOutboxRow(row, t).entries()) {
        const form = new URLSearchParams({ access_token: TEST_VK_TOKEN, v: '5.199', peer_id: row.chat_id, random_id: String(i === 0 ? row.id : 0) });
        for (const [key, value] of Object.entries(message)) if (value !== undefined) form.set(key, String(value));
        await fetch(`${this.harness.vkFake.apiBaseUrl}/messages.send`, { method: 'POST', body: form });
      }
      await db.updateTable('outbox').set({ state: 'sent', sent_at: new Date() }).where('id', '=', row.id).execute();
    }
    this.log(`📬 outbox delivered: ${rows.map((r) => r.kind).join(', ') || 'nothing pending'}`);
    this.lastReplies = this.harness.vkFake.calls.slice(before);
    for (const call of this.lastReplies) this.log(describeVkCall(call));
  }

  private log(line: string): void {
    this.transcript.push(line);
    this.echo?.(line);
  }
}

function indent(text: string): string {
  return text.split('\n').join('\n     ');
}

export function describeEvent(event: Json): string {
  const object = (event.object ?? {}) as Json;
  if (event.type === 'message_event') return `👤 [tap] payload=${JSON.stringify(object.payload)}`;
  if (event.type !== 'message_new') return `👤 (${String(event.type)})`;
  const message = (object.message ?? {}) as Json;
  const parts: string[] = [];
  if (typeof message.payload === 'string' && message.payload) parts.push(`[button ${message.payload}]`);
  if (typeof message.text === 'string' && message.text) parts.push(message.text.length > 200 ? `${message.text.slice(0, 60)}… (${message.text.length} chars)` : message.text);
  const geo = message.geo as Json | undefined;
  if (geo) parts.push(`📍 ${JSON.stringify(geo.coordinates)}`);
  for (const a of (message.attachments as Json[] | undefined) ?? []) parts.push(a.type === 'photo' ? '🖼 photo' : `[${String(a.type)}]`);
  if (Array.isArray(message.fwd_messages) && message.fwd_messages.length > 0) parts.push('↪ forwarded');
  return `👤 ${parts.join(' ') || '(empty message)'}`;
}

export function describeVkCall(call: RecordedVkCall): string {
  const p = call.params;
  if (call.method !== 'messages.send' && call.method !== 'messages.edit') return `🤖 ${call.method}`;
  let line = `🤖 ${call.method === 'messages.edit' ? '(edits its message) ' : ''}${indent(p.message ?? '')}`;
  if (p.attachment) line += `\n     🖼 ${p.attachment}`;
  if (p.lat) line += `\n     📍 ${p.lat}, ${p.long}`;
  if (p.keyboard) {
    const keyboard = JSON.parse(p.keyboard) as { inline?: boolean; buttons: { action: Json }[][] };
    if (keyboard.buttons.length === 0) line += '\n     ⌨ (keyboard removed)';
    for (const row of keyboard.buttons) {
      line += `\n     ${keyboard.inline ? '' : '⌨ '}${row.map((b) => `[${b.action.type === 'location' ? '📍 location' : String(b.action.label)}]`).join(' ')}`;
    }
  }
  return line;
}
