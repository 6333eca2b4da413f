import { pollDirective } from './poll-directives.ts';
import { readFileSync } from 'node:fs';
import { expandFully } from '../expand.ts';
import { createEvent, publishEvent } from '../../core/news/events.service.ts';
import { eventDraft } from '../event-draft.ts';
import { createNews, publishNews } from '../../core/news/news.service.ts';
import { acceptIncident, dismissIncident } from '../../core/incidents/incidents.service.ts';
import { approveAnswer, draftAnswer, returnAnswer } from '../../core/messages/answers.service.ts';
import { fileMessage } from '../../core/messages/filing.service.ts';
import { acceptMessage } from '../../core/messages/moderation.service.ts';
import { NOT_CANCELLED, PAYLOAD_AS_SENT } from '../../core/outbox/outbox.queue.ts';
import { createLinkCode, staffStartPayload } from '../../core/staff/link-codes.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../residents.ts';
import { staffAct } from '../staff-actions.ts';
import { operatorId } from '../staff.ts';
import type { BotHarness } from './harness.ts';
import { contestDirective } from './contest-directives.ts';

export type Json = Record<string, unknown>;
export type ChannelName = 'tg' | 'vk';
/** Every dialog suite runs once per messenger: `describe.each(CHANNELS)('%s: …', (channel) => …)`. */
export const CHANNELS: readonly ChannelName[] = ['tg', 'vk'];

/**
 * What a resident does, the same for both messengers; each player turns it into its messenger's
 * update (Telegram Update, VK Callback API event). A string is a text (a /command when it starts with /).
 */
export type Say =
  | string
  /** The newest button with this label (exact, else the only partial match), as the messenger delivers a tap. */
  | { press: string }
  /** A button id tapped as it is (a stale or forged one). */
  | { tap: string }
  | { location: { lat: number; lon: number } }
  /**
   * Photos sent together: a Telegram album (one update each, at the same time), or one VK message
   * with them all; with `text`, the Telegram caption (on the first photo, the album's updates then
   * posted in turn) or the VK message's text.
   */
  | { photos: string[]; text?: string }
  /**
   * What the bot does not take as input: `forwarded` someone else's message, `shared` a post
   * (a forwarded channel post / a VK wall post), `edited` an earlier message changed (Telegram
   * `edited_message`, VK `message_edit`), `live_location` a live location moving.
   */
  | { other: 'sticker' | 'voice' | 'document' | 'forwarded' | 'shared' | 'edited' | 'live_location' };

export const press = (label: string): Say => ({ press: label });
export const tap = (id: string): Say => ({ tap: id });
export const location = (lat: number, lon: number): Say => ({ location: { lat, lon } });
/** The Telegram album (media_group_id) a fixture entry's message belongs to. */
const albumOf = (entry: Json): unknown => (entry.message as Json | undefined)?.media_group_id;

export const photos = (...ids: string[]): Say => ({ photos: ids });
/** Photos with a text in one message: a Telegram photo (or album) with a caption, a VK text with the photos attached. */
export const photosWithText = (text: string, ...ids: string[]): Say => ({ photos: ids, text });
export const other = (what: Extract<Say, { other: string }>['other']): Say => ({ other: what });

/** A Kemerovo point inside the demo boundary (centre 55.3547, 86.0873), and one far outside every municipality. */
export const KEMEROVO = { lat: 55.3601, lon: 86.0902 };
export const MOSCOW = { lat: 55.7558, lon: 37.6173 };

/** A keyboard the bot showed, whatever the messenger: inline (under a message) or regular (over the input field). */
export interface ShownKeyboard {
  inline: boolean;
  /** A regular keyboard taken away (Telegram remove_keyboard, VK's empty one-time keyboard). */
  removed: boolean;
  rows: { label: string; id?: string; request?: 'location' | 'contact' }[][];
}

/** What the bot did with one reply: a new text, an edit of an earlier message, photos, a place. */
export type ReplyKind = 'text' | 'edit' | 'photo' | 'location';

/**
 * A scripted conversation with one bot user (fixtures/README.md): the messenger-specific part
 * (completing and posting updates, reading the fake API's calls, rendering outbox rows) is in
 * test/telegram/conversation.ts and test/vk/conversation.ts; the directives and the neutral
 * driver (`say`, `replyTexts`, `keyboards` …) are shared here, so a dialog test is written once.
 */
export abstract class ChatPlayer {
  abstract readonly channel: ChannelName;
  readonly transcript: string[] = [];
  protected readonly harness: BotHarness;
  private readonly echo: ((line: string) => void) | undefined;

  private lastDate = 0;
  /** How far the app's clock ran ahead of the wall clock at this chat's previous message (seconds). */
  private lastLead = 0;

  constructor(harness: BotHarness, echo?: (line: string) => void) {
    this.harness = harness;
    this.echo = echo;
  }

  /**
   * A new message's `date` (Unix seconds): now, and at least a minute after this chat's previous
   * message, as a person's messages are. Messages sent in one second are pieces of one split text
   * to the bot (bots/dialogs/engine.ts): a test sends those with their `date` given. When the app's
   * clock jumps ahead (a test's resident who waits minutes), the message is sent that much later too.
   */
  protected nextDate(): number {
    const clock = Math.floor(this.harness.now().getTime() / 1000);
    const lead = clock - Math.floor(Date.now() / 1000);
    this.lastDate = Math.max(clock, this.lastDate + 60 + Math.max(0, lead - this.lastLead));
    this.lastLead = lead;
    return this.lastDate;
  }

  /** The messenger's id of this user (also their private chat's id). */
  abstract get userId(): number;
  get externalId(): string {
    return String(this.userId);
  }

  /** The texts the bot sent (or edited in) while handling the last input. */
  abstract get replyTexts(): string[];
  /** The keyboards of the last input's replies, in order. */
  abstract keyboards(): ShownKeyboard[];
  /** The labels of the buttons under the last input's replies, in order. */
  buttonLabels(): string[] {
    return this.keyboards()
      .flatMap((k) => k.rows.flat())
      .map((b) => b.label);
  }
  /** The labels of the first keyboard under the last input's replies (it must have one), in order. */
  keyboardLabels(): string[] {
    return this.keyboards()[0]!
      .rows.flat()
      .map((b) => b.label);
  }
  /** What each of the last input's replies was. */
  abstract replyKinds(): ReplyKind[];
  /** The id of the newest button labelled `label` in this chat (exact label first, then the only partial match). */
  abstract buttonId(label: string): string;
  /** What the outbox sender does, for this chat: pending rows rendered for this messenger and sent. */
  abstract deliverOutbox(): Promise<void>;

  /**
   * This chat's pending outbox rows the sender may claim, oldest first, each with the payload it would send
   * (`sent_payload`: a broadcast's revision after an edit, core/outbox/outbox.queue.ts).
   */
  protected pendingOutbox() {
    return (
      this.harness.database.db
        .selectFrom('outbox as o')
        .selectAll('o')
        .select(PAYLOAD_AS_SENT.as('sent_payload'))
        .where('channel', '=', this.channel)
        .where('chat_id', '=', this.externalId)
        .where('state', '=', 'pending')
        // As claimDue: a cancelled broadcast's rows are never sent.
        .where(NOT_CANCELLED)
        .orderBy('id')
        .execute()
    );
  }
  /** One fixture entry (a messenger update template): completed and posted; the HTTP status. */
  abstract post(entry: Json, deliveryId?: string): Promise<number>;
  /** The messenger update templates for a neutral input (several for an album). */
  protected abstract templates(input: Say): Json[];
  /** Posts several updates at once (an album); the replies are those of all of them. */
  protected abstract postTogether(entries: Json[]): Promise<number[]>;
  /**
   * Posts several updates one after the other as fast as the messenger delivers them (the next once
   * the webhook answered the one before, without waiting for its replies): the pieces of a split
   * text. The replies are those of all of them, once every reply is out. Returns the HTTP statuses.
   */
  abstract postInTurn(entries: Json[]): Promise<number[]>;
  /** The entries of this messenger's fixture `name` (fixtures/telegram/… or fixtures/vk/…). */
  abstract fixtureUpdates(name: string): Json[];

  /** Says each input in turn. */
  async say(...inputs: Say[]): Promise<void> {
    for (const input of inputs) await this.sayOnce(input);
  }

  /**
   * One input; `deliveryId` fixes the messenger's update id (Telegram update_id, VK event_id) to
   * send the same update twice. Returns the HTTP status of each update posted.
   */
  async sayOnce(input: Say, deliveryId?: string): Promise<number[]> {
    const entries = this.templates(input);
    if (entries.length === 1) return [await this.post(entries[0]!, deliveryId)];
    // An album with a caption: in turn, so the captioned photo (the first) is the first handled.
    if (typeof input === 'object' && 'photos' in input && input.text !== undefined) return this.postInTurn(entries);
    return this.postTogether(entries);
  }

  /**
   * One input whose updates are posted back to back (postInTurn), as the messenger delivers a
   * Telegram album: one update per photo, the next not waiting for the bot's replies to the one before.
   */
  async sayInTurn(input: Say): Promise<number[]> {
    return this.postInTurn(this.updates(input));
  }

  /** The messenger update templates for `input` (several for a Telegram album), to post with others (postInTurn). */
  updates(input: Say): Json[] {
    return this.templates(input);
  }

  async playFixture(name: string): Promise<void> {
    await this.play(this.fixtureUpdates(name));
  }

  /** Plays the entries in turn; a Telegram album's updates next to each other (one media_group_id) are posted back to back (postInTurn), as Telegram brings them. */
  async play(entries: Json[]): Promise<void> {
    for (let i = 0; i < entries.length; ) {
      const album = albumOf(entries[i]!);
      let end = i + 1;
      while (album !== undefined && end < entries.length && albumOf(entries[end]!) === album) end++;
      if (end - i > 1) await this.postInTurn(entries.slice(i, end));
      else await this.step(entries[i]!);
      i = end;
    }
  }

  async step(entry: Json): Promise<void> {
    if ('$expect' in entry) return this.expect(String(entry.$expect));
    if ('$restart' in entry) {
      this.log('⟲ the app restarts (same database)');
      return this.harness.restart();
    }
    if ('$deliver_outbox' in entry) return this.deliverOutbox();
    if ('$play' in entry) return this.playFixture(String(entry.$play));
    if ('$staff' in entry) return this.staff(String(entry.$staff), entry);
    if ('$link_staff' in entry) return this.linkStaff(String(entry.$link_staff));
    if ('$incoming_message' in entry) return this.incomingMessage(String(entry.$incoming_message));
    if ('$publish_news' in entry) return this.publishNewsItem(String(entry.$publish_news), entry);
    if ('$publish_event' in entry) return this.publishAfishaEvent(String(entry.$publish_event), entry);
    if ('$poll' in entry) return this.log(await pollDirective(this.harness.database.db, String(entry.$poll), this.harness.now()));
    if ('$incident' in entry) return this.incident(String(entry.$incident), entry);
    if ('$new_message' in entry) return this.newMessage(String(entry.$new_message));
    if (Object.keys(entry).some((k) => k.startsWith('$contest'))) return contestDirective({ harness: this.harness, channel: this.channel, log: (line) => this.log(line) }, entry);
    await this.post(entry);
  }

  private expect(fragment: string): void {
    const texts = this.replyTexts.join('\n');
    if (!texts.includes(fragment)) throw new Error(`expected the bot to answer with "${fragment}", got:\n${texts || '(nothing)'}`);
  }

  /** The operator issues a link code for a Kemerovo official of `role`; this user sends `/start staff_<code>`. */
  async linkStaff(role: string): Promise<void> {
    const { db } = this.harness.database;
    const kemerovo = await db.selectFrom('municipality').select('id').where('name_en', '=', 'Kemerovo').executeTakeFirstOrThrow();
    const staff = await db
      .selectFrom('staff')
      .select('id')
      .where('municipality_id', '=', kemerovo.id)
      .where('role', '=', role === 'executor' || role === 'moderator' ? role : 'curator')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const { code } = await createLinkCode(db, { actorStaffId: await operatorId(db), staffId: staff.id }, this.harness.now());
    this.log(`🏛 operator: link code issued for the ${role} of Kemerovo`);
    await this.say(`/start ${staffStartPayload(code)}`);
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

  /** Another resident files a pothole report in Kemerovo and nobody moderates it yet (its moderators get the card). */
  async newMessage(text: string): Promise<void> {
    const { db } = this.harness.database;
    const kemerovo = await db.selectFrom('municipality').select('id').where('name_en', '=', 'Kemerovo').executeTakeFirstOrThrow();
    const now = this.harness.now();
    const residentId = await registeredResident(db, { municipalityId: kemerovo.id, now });
    const { message } = await fileMessage(db, { residentId, categoryId: await categoryId(db, 'roads.pothole'), text, point: KEMEROVO_CENTER, channel: 'tg' }, now);
    this.log(`🏛 a resident filed message #${message.id}`);
  }

  /** Kemerovo's curator publishes a news item (through core, as the admin API does); its broadcast is expanded into outbox rows. */
  async publishNewsItem(title: string, entry: Json): Promise<void> {
    const { db } = this.harness.database;
    const kemerovo = await db.selectFrom('municipality').select('id').where('name_en', '=', 'Kemerovo').executeTakeFirstOrThrow();
    const now = this.harness.now();
    const body = typeof entry.text === 'string' ? entry.text : title;
    const draft = await createNews(db, { municipalityId: kemerovo.id, title, body, categoryId: null, mediaIds: [], link: null, pollId: null, publishAt: null, staffId: null }, now);
    const item = await publishNews(db, draft.id, now, null);
    await expandFully(db, item.broadcastId!);
    this.log(`🏛 curator: published news #${item.id} "${title}"`);
  }

  /** Kemerovo's curator publishes an event of «Афиша» starting `in_hours` from now (through core); its broadcast is expanded. */
  async publishAfishaEvent(title: string, entry: Json): Promise<void> {
    const { db } = this.harness.database;
    const kemerovo = await db.selectFrom('municipality').select('id').where('name_en', '=', 'Kemerovo').executeTakeFirstOrThrow();
    const now = this.harness.now();
    const startsAt = new Date(now.getTime() + (typeof entry.in_hours === 'number' ? entry.in_hours : 30) * 3_600_000);
    const draft = await createEvent(
      db,
      eventDraft({
        municipalityId: kemerovo.id,
        kind: entry.kind === 'sport' ? 'sport' : 'culture',
        title,
        description: typeof entry.text === 'string' ? entry.text : '',
        startsAt,
        ageLimit: 6,
      }),
      now,
    );
    const event = await publishEvent(db, draft.id, now, null);
    await expandFully(db, event.broadcastId!);
    this.log(`🏛 curator: published event #${event.id} "${title}"`);
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
  async staff(action: string, entry: Json): Promise<void> {
    if (action === 'approve' || action === 'return') return this.review(action, typeof entry.text === 'string' ? entry.text : 'Уточните текст.');
    const messageId = await staffAct(this.harness.database.db, this.channel, this.externalId, action, entry);
    this.log(`🏛 official: ${action} on message #${messageId}`);
  }

  /**
   * Incident management through core, as the admin API would: `accept` (the Kemerovo moderator
   * accepts the newest new item with `category`, routed), `dismiss` (with `text` as the reason),
   * `draft` (the executor drafts `kind` with `text` on the newest accepted item's message),
   * `send` (the outbox sender sends the pending wall comments; VK only).
   */
  async incident(action: string, entry: Json): Promise<void> {
    const { db } = this.harness.database;
    const now = this.harness.now();
    const kemerovo = await db.selectFrom('municipality').select('id').where('name_en', '=', 'Kemerovo').executeTakeFirstOrThrow();
    const staffOf = async (role: 'moderator' | 'executor') =>
      (await db.selectFrom('staff').select('id').where('municipality_id', '=', kemerovo.id).where('role', '=', role).orderBy('id').executeTakeFirstOrThrow()).id;
    if (action === 'send') return this.sendWallComments();
    if (action === 'draft') {
      const item = await db.selectFrom('incident').select(['id', 'message_id']).where('state', '=', 'accepted').orderBy('triaged_at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
      const kind = (typeof entry.kind === 'string' ? entry.kind : 'intermediate') as 'intermediate' | 'final' | 'clarification';
      const { answer } = await draftAnswer(
        db,
        { messageId: item.message_id!, kind, resolution: kind === 'final' ? 'solved' : null, text: String(entry.text ?? 'Работаем.'), actor: { kind: 'staff', staffId: await staffOf('executor') } },
        now,
      );
      this.log(`🏛 executor: ${kind} answer drafted on message #${item.message_id} (${answer.state})`);
      return;
    }
    const item = await db.selectFrom('incident').selectAll().where('state', '=', 'new').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const actor = { kind: 'staff' as const, staffId: await staffOf('moderator') };
    const scope = { municipalityId: kemerovo.id, executorId: null };
    if (action === 'dismiss') {
      await dismissIncident(db, scope, { incidentId: item.id, reason: String(entry.text ?? 'не по теме'), actor }, now);
      this.log(`🏛 moderator: dismissed item #${item.id} (${item.source_url})`);
      return;
    }
    if (action !== 'accept') throw new Error(`unknown $incident action ${action}`);
    const { message } = await acceptIncident(db, scope, { incidentId: item.id, municipalityId: kemerovo.id, categoryId: await categoryId(db, String(entry.category ?? 'roads.pothole')), actor }, now);
    this.log(`🏛 moderator: accepted item #${item.id} (${item.source_url}) as message #${message.id}, answers go to: ${message.answerTarget}`);
  }

  /** The outbox sender's part for wall comments (VK only). */
  protected sendWallComments(): Promise<void> {
    throw new Error(`wall comments are VK's; this is a ${this.channel} fixture`);
  }

  protected log(line: string): void {
    this.transcript.push(line);
    this.echo?.(line);
  }
}

/** A fixture file: its description, the user who writes, and the updates and directives. */
export interface FixtureFile<U> {
  description?: string;
  user: U;
  updates: Json[];
}

export const loadJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
