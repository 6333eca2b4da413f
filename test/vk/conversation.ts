import { createTranslator } from '../../bots/i18n.ts';
import { renderVkNotificationRow } from '../../bots/vk/render.ts';
import { createVkTransport } from '../../bots/outbox/vk-transport.ts';
import { WALL_COMMENT_KIND } from '../../core/incidents/publish.ts';
import { claimDue, markSent, releaseClaims } from '../../core/outbox/outbox.queue.ts';
import type { RecordedVkCall } from '../fakes/vk-api.ts';
import { TEST_VK_GROUP_ID, TEST_VK_SECRET, TEST_VK_TOKEN, type BotHarness } from '../bots/harness.ts';
import { ChatPlayer, loadJson, type FixtureFile, type Json, type ReplyKind, type Say, type ShownKeyboard } from '../bots/player.ts';

/**
 * Plays a scripted VK conversation (fixtures/vk/*.json, format in fixtures/README.md) against a
 * running app: every Callback API event is completed (group_id, secret, event_id, sender, peer,
 * the payload of the button to press) and POSTed to /webhooks/vk; what the bot did is read from
 * the fake VK API. Directives are the shared ones of test/bots/player.ts.
 */
export interface VkUser {
  id: number;
  first_name?: string;
  /** client_info.lang_id: 0 Russian, 3 English. */
  lang_id?: number;
}
export type VkFixture = FixtureFile<VkUser>;

export const VK_FIXTURES_URL = new URL('../../fixtures/vk/', import.meta.url);
export const vkFixturePath = (name: string) => (name.includes('/') ? name : new URL(name, VK_FIXTURES_URL).pathname);
export const loadVkFixture = (path: string): VkFixture => loadJson<VkFixture>(path);
/** A fixture is VK's when it lives in fixtures/vk or its events carry a Callback API `type`. */
export const isVkFixture = (path: string, fixture: { updates?: unknown[] }): boolean =>
  path.includes('/vk/') || (fixture.updates ?? []).some((u) => typeof u === 'object' && u !== null && typeof (u as Json).type === 'string');

const PRESS = '$press:';
let nextEvent = Math.floor(Math.random() * 1e9);
/** Wall post and comment ids of a run. */
let nextWallId = 1;
let nextUser = 700_000_000;
/** A fresh VK user (ids are below 2^31 today; strings in the database all the same). */
export const newVkUser = (firstName = 'Иван', langId = 0): VkUser => ({ id: nextUser++ * 1 + Math.floor(Math.random() * 1000) * 1000, first_name: firstName, lang_id: langId });

interface VkButtonFound {
  type: 'callback' | 'text';
  label: string;
  payload: string;
  cmid: number;
}

const message = (fields: Json): Json => ({ type: 'message_new', object: { message: fields } });

/** A call answering the event: not the press's answer, nor the name look-up the app makes after a consent (users.get). */
const isReply = (call: RecordedVkCall) => call.method !== 'messages.sendMessageEventAnswer' && call.method !== 'users.get';

export class VkConversation extends ChatPlayer {
  readonly channel = 'vk' as const;
  private lastReplies: RecordedVkCall[] = [];
  readonly user: VkUser;

  constructor(harness: BotHarness, user: VkUser, echo?: (line: string) => void) {
    super(harness, echo);
    this.user = user;
  }

  get userId(): number {
    return this.user.id;
  }

  /** The bot's calls while handling the last event (sendMessageEventAnswer left out). */
  get replies(): RecordedVkCall[] {
    return this.lastReplies;
  }

  get replyTexts(): string[] {
    return this.lastReplies.filter((c) => c.method === 'messages.send' || c.method === 'messages.edit' || c.method === 'wall.createComment').map((c) => c.params.message ?? '');
  }

  keyboards(): ShownKeyboard[] {
    return this.lastReplies.flatMap((c): ShownKeyboard[] => {
      if (!c.params.keyboard) return [];
      const keyboard = JSON.parse(c.params.keyboard) as { inline?: boolean; buttons: { action: Json }[][] };
      if (!keyboard.inline && keyboard.buttons.length === 0) return [{ inline: false, removed: true, rows: [] }];
      const rows = keyboard.buttons.map((row) =>
        row.map((b) => {
          if (b.action.type === 'location') return { label: '', request: 'location' as const };
          const id = (JSON.parse(String(b.action.payload ?? '{}')) as { b?: string }).b;
          return { label: String(b.action.label ?? ''), ...(id !== undefined && { id }) };
        }),
      );
      return [{ inline: keyboard.inline === true, removed: false, rows }];
    });
  }

  replyKinds(): ReplyKind[] {
    return this.lastReplies.map((c) => (c.method === 'messages.edit' ? 'edit' : c.params.attachment ? 'photo' : c.params.lat ? 'location' : 'text'));
  }

  buttonId(label: string): string {
    return (JSON.parse(this.findButton(label).payload) as { b: string }).b;
  }

  fixtureUpdates(name: string): Json[] {
    return loadVkFixture(vkFixturePath(name)).updates;
  }

  protected templates(input: Say): Json[] {
    if (typeof input === 'string') return [message({ text: input })];
    if ('press' in input) return [{ type: 'message_event', object: { payload: `${PRESS}${input.press}` } }];
    if ('tap' in input) return [{ type: 'message_event', object: { payload: { b: input.tap } } }];
    if ('location' in input) return [message({ geo: { type: 'point', coordinates: { latitude: input.location.lat, longitude: input.location.lon } } })];
    const attachment = (type: string, body: Json) => message({ attachments: [{ type, [type]: body }] });
    if ('photos' in input) {
      // VK brings photos sent together in one message; the file id is the attachment string photo<owner>_<id>.
      const photo = (id: string) => ({
        type: 'photo',
        photo: { id: Number(id.replace(/\D/g, '')), owner_id: this.user.id, sizes: [{ type: 'x', width: 604, height: 453, url: 'https://sun9-1.userapi.com/x.jpg' }] },
      });
      return [message({ ...(input.text !== undefined && { text: input.text }), attachments: input.photos.map(photo) })];
    }
    switch (input.other) {
      case 'sticker':
        return [attachment('sticker', { product_id: 1, sticker_id: 9 })];
      case 'voice':
        return [attachment('audio_message', { id: 1, owner_id: this.user.id, duration: 3 })];
      case 'document':
        return [attachment('doc', { id: 1, owner_id: this.user.id, title: 'жалоба.pdf' })];
      case 'forwarded':
        return [message({ text: '', fwd_messages: [{ from_id: 1, text: 'чужой текст', date: 1764000000 }] })];
      case 'shared':
        return [attachment('wall', { id: 5, owner_id: -1, text: 'пост' })];
      case 'edited':
        return [{ type: 'message_edit', object: { date: 1764000000, from_id: this.user.id, peer_id: this.user.id, id: 77, out: 0, text: 'исправленный текст', conversation_message_id: 1 } }];
      case 'live_location':
        return [
          {
            type: 'message_edit',
            object: { date: 1764000000, from_id: this.user.id, peer_id: this.user.id, id: 78, out: 0, text: '', geo: { type: 'point', coordinates: { latitude: 55.36, longitude: 86.09 } } },
          },
        ];
    }
  }

  async post(entry: Json, deliveryId?: string): Promise<number> {
    return (await this.send(deliveryId === undefined ? entry : { ...entry, event_id: deliveryId })).status;
  }

  protected async postTogether(entries: Json[]): Promise<number[]> {
    const before = this.harness.vkFake.calls.length;
    const statuses = await Promise.all(entries.map(async (entry) => (await this.send(entry)).status));
    this.lastReplies = this.harness.vkFake.calls.slice(before).filter(isReply);
    return statuses;
  }

  async postInTurn(entries: Json[]): Promise<number[]> {
    const before = this.harness.vkFake.calls.length;
    const statuses: number[] = [];
    for (const entry of entries) {
      const event = this.complete(structuredClone(entry));
      this.log(describeEvent(event));
      const response = await this.harness.postVk(event, { awaitReplies: false });
      await response.text();
      statuses.push(response.status);
    }
    await this.harness.repliesSent();
    this.lastReplies = this.harness.vkFake.calls.slice(before).filter(isReply);
    for (const call of this.lastReplies) this.log(describeVkCall(call));
    return statuses;
  }

  /** Completes an event and posts it; returns the HTTP status and the answer's text. */
  async send(template: Json): Promise<{ status: number; body: string }> {
    const event = this.complete(structuredClone(template));
    this.log(describeEvent(event));
    const before = this.harness.vkFake.calls.length;
    const response = await this.harness.postVk(event);
    const body = await response.text();
    this.lastReplies = this.harness.vkFake.calls.slice(before).filter(isReply);
    for (const call of this.lastReplies) this.log(describeVkCall(call));
    return { status: response.status, body };
  }

  /** Fills what changes from run to run; `$press:<label>` becomes the pressed button's event. */
  complete(event: Json): Json {
    event.group_id ??= TEST_VK_GROUP_ID;
    event.secret ??= TEST_VK_SECRET;
    event.v ??= '5.199';
    event.event_id ??= `e${(nextEvent++).toString(16)}`;
    event.object ??= {};
    const object = event.object as Json;
    if (event.type === 'message_new') {
      object.message ??= {};
      const message = object.message as Json;
      const press = typeof message.payload === 'string' && message.payload.startsWith(PRESS) ? this.findButton(message.payload.slice(PRESS.length)) : undefined;
      if (press) {
        message.text = press.label;
        message.payload = press.payload;
      }
      message.date ??= this.nextDate();
      message.from_id ??= this.user.id;
      message.peer_id ??= this.user.id;
      message.id ??= 0;
      message.out ??= 0;
      message.text ??= '';
      message.attachments ??= [];
      message.fwd_messages ??= [];
      message.conversation_message_id ??= 0;
      object.client_info ??= {
        button_actions: ['text', 'vkpay', 'open_app', 'location', 'open_link', 'callback', 'intent_subscribe', 'intent_unsubscribe'],
        keyboard: true,
        inline_keyboard: true,
        carousel: true,
        lang_id: this.user.lang_id ?? 0,
      };
    }
    if (event.type === 'message_edit') {
      // The edited message itself is the object (VK's private message object, no client_info).
      object.date ??= Math.floor(Date.now() / 1000);
      object.update_time ??= Math.floor(Date.now() / 1000);
      object.from_id ??= this.user.id;
      // The community's own edit (its list paged in place) comes from the community: -group id, out 1.
      if (object.from_id === '$community') object.from_id = -TEST_VK_GROUP_ID;
      object.peer_id ??= this.user.id;
      object.id ??= 0;
      object.out ??= 0;
      object.text ??= '';
      object.attachments ??= [];
      object.fwd_messages ??= [];
      object.conversation_message_id ??= 1;
    }
    if (event.type === 'wall_post_new' || event.type === 'wall_reply_new') {
      // A resident's post on the community's wall, or a comment under one of its posts.
      object.id ??= nextWallId++;
      object.from_id ??= this.user.id;
      object.owner_id ??= -TEST_VK_GROUP_ID;
      object.date ??= Math.floor(Date.now() / 1000);
      object.text ??= '';
      if (event.type === 'wall_post_new') object.post_type ??= 'post';
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

  /** The VK sender's transport sends the pending wall comments (wall.createComment with the row's guid), as in production. */
  protected override async sendWallComments(): Promise<void> {
    const { db } = this.harness.database;
    const transport = createVkTransport({ token: TEST_VK_TOKEN, apiBaseUrl: this.harness.vkFake.apiBaseUrl, render: () => [], timeoutMs: 5000, groupId: TEST_VK_GROUP_ID });
    const before = this.harness.vkFake.calls.length;
    try {
      const rows = await claimDue(db, { channel: 'vk', claimedBy: 'fixture', limit: 100 });
      for (const row of rows) {
        if (row.kind !== WALL_COMMENT_KIND) {
          await releaseClaims(db, [row.id], 'fixture');
          continue;
        }
        const outcome = await transport.send(row, async () => {});
        if (outcome.kind !== 'sent') throw new Error(`wall comment row ${row.id}: ${outcome.kind}`);
        await markSent(db, [{ id: row.id, chatGapMs: 0, parts: outcome.partsDone }]);
      }
    } finally {
      await transport.close?.();
    }
    this.lastReplies = this.harness.vkFake.calls.slice(before);
    this.log(`📬 outbox sent ${this.lastReplies.length} wall comment(s)`);
    for (const call of this.lastReplies) this.log(describeVkCall(call));
  }

  /** What the outbox sender does, for this peer: pending VK rows rendered by bots/vk/render.ts and sent. */
  async deliverOutbox(): Promise<void> {
    const { db } = this.harness.database;
    const rows = await this.pendingOutbox();
    const t = createTranslator();
    const before = this.harness.vkFake.calls.length;
    for (const row of rows) {
      for (const [i, message] of renderVkNotificationRow({ ...row, payload: row.sent_payload }, t).entries()) {
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
}

function indent(text: string): string {
  return text.split('\n').join('\n     ');
}

export function describeEvent(event: Json): string {
  const object = (event.object ?? {}) as Json;
  if (event.type === 'message_event') return `👤 [tap] payload=${JSON.stringify(object.payload)}`;
  if (event.type === 'wall_post_new') return `👤 (wall post) ${String(object.text ?? '')}`;
  if (event.type === 'wall_reply_new') return `👤 (wall comment under post ${String(object.post_id)}) ${String(object.text ?? '')}`;
  if (event.type === 'message_edit') return `👤 ✏ edited${object.out === 1 ? ' (by the community)' : ''}: ${String(object.text ?? '')}`;
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
  if (call.method === 'wall.createComment')
    return `🤖 wall.createComment under wall${p.owner_id}_${p.post_id}${p.reply_to_comment ? ` (reply to ${p.reply_to_comment})` : ''} from group ${p.from_group}: ${indent(p.message ?? '')}`;
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
