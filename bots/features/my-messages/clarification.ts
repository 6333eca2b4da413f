import { findAwaitingClarification, openClarificationReply } from '../../../core/messages/clarification.queries.ts';
import { addClarificationPhotos, addClarificationPlace, PHOTOS_IN_ALL, replyToClarification } from '../../../core/messages/clarification.service.ts';
import { addResidentComment } from '../../../core/messages/feedback.service.ts';
import { MAX_PHOTOS } from '../../../core/messages/filing.service.ts';
import type { StepContext, StepInput } from '../../dialogs/flow.ts';
import { IDLE_FLOW } from '../../dialogs/registry.ts';
import type { View } from '../../dialogs/view.ts';
import { isBlankText } from '../../../core/text/unsafe-text.ts';
import { isCourtesy } from '../basics/courtesy.ts';

/**
 * Free text that no step asked for answers a pending clarification request, if there is one:
 * it is attached to that message as the resident's comment. Returns the answer, or undefined.
 */
export async function answerClarification(c: StepContext, text: string): Promise<View[] | undefined> {
  const messageId = await findAwaitingClarification(c.db, c.resident.id);
  if (messageId === null) return moreWords(c, text);
  // A text that shows nothing is no reply, and no courtesy that sent again would become one.
  if (isBlankText(text)) return [{ key: 'errors.TEXT_EMPTY' }];
  if (isCourtesy(c.t, text) && !courtesyRepeated(c, messageId)) {
    // A bare «Спасибо» / «ок» first: most often thanks for the request, the answer still to come.
    // Not taken; sent again right after (the resident's «ок» is the answer), it is.
    c.data[COURTESY_HELD] = { messageId, sent: (c.sentAt ?? c.now).getTime() } satisfies CourtesyHeld;
    return [{ key: 'my.clarification_courtesy_first', params: { messageId } }];
  }
  delete c.data[COURTESY_HELD];
  const comment = await addResidentComment(c.db, { residentId: c.resident.id, messageId, text }, c.now);
  // Between flows, photos sent one by one after the words join this reply (LATER_PHOTOS_WITHIN_MS).
  if (c.position.flow === IDLE_FLOW) c.data[REPLY_UNDER_WAY] = { commentId: comment.id, messageId, ...stamp(c) } satisfies ReplyUnderWay;
  return [{ key: 'my.clarification_attached', params: { messageId } }];
}

/**
 * Words sent on their own right after a clarification reply of photos or a place (or after its
 * words), in its window and while its message is in work: the resident explains what they sent, so
 * the text is their comment on that message (alerted as an author's comment), not "not understood".
 * A text that is only a courtesy (isCourtesy) is acknowledged and not stored: the official is not
 * alerted again for a «Спасибо».
 */
async function moreWords(c: StepContext, text: string): Promise<View[] | undefined> {
  const later = c.position.flow === IDLE_FLOW ? await replyGoingOn(c) : undefined;
  if (!later) return undefined;
  // Only a courtesy («Спасибо!», «ок»): acknowledged, neither stored with the reply nor alerted;
  // the reply's window still runs from its last part.
  if (isCourtesy(c.t, text)) return [{ key: 'my.clarification_courtesy', params: { messageId: later.messageId } }];
  const comment = await addResidentComment(c.db, { residentId: c.resident.id, messageId: later.messageId, text }, c.now);
  c.data[REPLY_UNDER_WAY] = { commentId: comment.id, messageId: later.messageId, ...stamp(c) } satisfies ReplyUnderWay;
  return [{ key: 'my.clarification_text_added', params: { messageId: later.messageId } }];
}

/** Step data: a bare courtesy sent while a clarification request waited, not taken as its reply. */
const COURTESY_HELD = 'clarificationCourtesy';
/** A courtesy sent again within this of the one held is the reply itself (the resident's «ок» to a yes-or-no question). */
const COURTESY_REPEAT_WITHIN_MS = 10 * 60_000;

interface CourtesyHeld {
  messageId: number;
  /** When the resident sent it (ms; the messenger's `date`, else when it was handled). */
  sent: number;
}

/** Whether a courtesy was held for this request just before: this one, sent again, is the reply. */
function courtesyRepeated(c: StepContext, messageId: number): boolean {
  const held = c.data[COURTESY_HELD] as CourtesyHeld | undefined;
  return held?.messageId === messageId && (c.sentAt ?? c.now).getTime() - held.sent <= COURTESY_REPEAT_WITHIN_MS;
}

/**
 * A sticker or a voice message (content the bot does not take) sent between flows while a
 * clarification request waits: not a reply the executor can read; the resident is told the request
 * still waits and how to answer, rather than only "not supported" and the menu.
 */
export async function clarificationStillAwaited(c: StepContext): Promise<View[] | undefined> {
  const messageId = await findAwaitingClarification(c.db, c.resident.id);
  return messageId === null ? undefined : [{ key: 'my.clarification_other_not_reply', params: { messageId } }];
}

/** Idle's data: the clarification reply whose photos may still come (a Telegram album's next photos, a VK message's next ones, photos sent one by one). */
const REPLY_UNDER_WAY = 'clarificationReply';
/** Parts of one message come at once: a reply older than this is over. */
const REPLY_PARTS_WITHIN_MS = 60_000;
/**
 * Photos sent one by one after a reply (each its own message: picked in the gallery one at a time,
 * or several sent with "group" off) join it while they come within this of the reply's last part.
 * Measured by when the resident sent each (the messenger's date), not when it was handled.
 * Three minutes: a photo picked and uploaded over a slow mobile link takes well under a minute, so
 * the reply's five photos sent one by one fit with room, while a photo sent later (a new problem
 * seen on the way) starts a report of its own as before. Any other input between flows (a command,
 * a button, a text) ends the reply sooner (bots/dialogs/idle.ts, engine.ts).
 */
const LATER_PHOTOS_WITHIN_MS = 3 * 60_000;

interface ReplyUnderWay {
  /** Null: the photos alone did not fit, no reply was stored. */
  commentId: number | null;
  messageId: number;
  /** The Telegram album of the reply's photo; a VK message's next photos come `alongside`. */
  album?: string;
  /** When the reply's last part was handled (ms): an album's or a VK message's parts come at once. */
  at: number;
  /**
   * When the resident sent the reply's last part (ms; the messenger's `date`, else when it was
   * handled): the later parts' window runs from it, by their own send times, so updates delivered
   * late (after an outage) are judged by when the resident sent them. Missing in a state saved before.
   */
  sent?: number;
  /** Whether the resident was told that photos past the limit were not taken. */
  toldOver?: boolean;
}

/** The reply's last part is this input: when it was handled and when it was sent. */
const stamp = (c: StepContext) => ({ at: c.now.getTime(), sent: (c.sentAt ?? c.now).getTime() });

function underWay(c: StepContext, input: Extract<StepInput, { kind: 'photo' | 'location' }>): ReplyUnderWay | undefined {
  const reply = c.data[REPLY_UNDER_WAY] as ReplyUnderWay | undefined;
  if (!reply || input.kind !== 'photo' || c.now.getTime() - reply.at > REPLY_PARTS_WITHIN_MS) return undefined;
  // A VK message's later photos carry no caption: a captioned one starts a message of its own.
  return (input.album !== undefined ? reply.album === input.album : input.alongside === true && !input.caption?.trim() && reply.album === undefined) ? reply : undefined;
}

/**
 * The stored reply a photo sent as a message of its own (a Telegram photo or a new album's first, a
 * VK message's first photo), a place or words join: one came within LATER_PHOTOS_WITHIN_MS, nothing
 * else came between, no request was asked since, and its message is still in work.
 */
async function replyGoingOn(c: StepContext): Promise<(ReplyUnderWay & { commentId: number }) | undefined> {
  const reply = c.data[REPLY_UNDER_WAY] as ReplyUnderWay | undefined;
  if (!reply || reply.commentId === null || (c.sentAt ?? c.now).getTime() - (reply.sent ?? reply.at) > LATER_PHOTOS_WITHIN_MS) return undefined;
  // A request asked since (on this message or another) takes what comes next: it is that request's reply.
  if ((await findAwaitingClarification(c.db, c.resident.id)) !== null) return undefined;
  if ((await openClarificationReply(c.db, c.resident.id, reply.commentId)) === null) return undefined;
  return { ...reply, commentId: reply.commentId };
}

const photoRef = (input: Extract<StepInput, { kind: 'photo' }>) => ({ fileId: input.fileId, fileUniqueId: input.fileUniqueId ?? null, ...(input.file?.url && { url: input.file.url }) });
const overLimit = (messageId: number): View => ({ key: 'my.clarification_photos_over', params: { messageId, max: MAX_PHOTOS, total: PHOTOS_IN_ALL } });

/**
 * A photo or a place sent between flows while a clarification request waits for its reply is the
 * reply (core/messages/clarification.service.ts): the photo joins the message's photos (within its
 * limits; the resident is told once when some were not taken), the place is kept with the reply, and
 * a caption (a VK message's text) is the reply's words. A Telegram album's next photos, or a VK
 * message's, join the same reply. So do photos and a place sent one by one right after a reply (its
 * words, photos or place; replyGoingOn), each told it was added to message №N; with words they are
 * a further reply. Anything else is left to the other features (undefined).
 */
export async function clarificationAttachment(c: StepContext, input: Extract<StepInput, { kind: 'photo' | 'location' }>): Promise<View[] | undefined> {
  const going = underWay(c, input);
  if (going && input.kind === 'photo') {
    // The reply's photos did not fit at all (none stored): the album's next ones do not either.
    if (going.commentId === null) return [];
    const added = await addClarificationPhotos(c.db, { residentId: c.resident.id, commentId: going.commentId, channel: c.from.channel, photos: [photoRef(input)] }, c.now);
    const tell = added.photosNotTaken > 0 && !going.toldOver;
    c.data[REPLY_UNDER_WAY] = { ...going, ...stamp(c), toldOver: going.toldOver || tell } satisfies ReplyUnderWay;
    return tell ? [overLimit(going.messageId)] : [];
  }
  const later = going ? undefined : await replyGoingOn(c);
  if (later && input.caption?.trim()) {
    // Words with the photo or the place (a caption, a VK message's text): a further reply on the
    // message, with them and the photo or place, alerted as a reply is.
    const more = await replyToClarification(
      c.db,
      {
        residentId: c.resident.id,
        messageId: later.messageId,
        channel: c.from.channel,
        text: input.caption,
        ...(input.kind === 'photo' ? { photos: [photoRef(input)] } : { place: { lat: input.lat, lon: input.lon } }),
        continues: later.commentId,
      },
      c.now,
    );
    c.data[REPLY_UNDER_WAY] = {
      commentId: more.commentId,
      messageId: later.messageId,
      ...(input.kind === 'photo' && input.album !== undefined && { album: input.album }),
      ...stamp(c),
      toldOver: more.photosNotTaken > 0,
    } satisfies ReplyUnderWay;
    // The photo not added (past the five, or there already): only the words joined.
    const key = input.kind === 'location' ? 'my.clarification_place_words_added' : more.photosTaken > 0 ? 'my.clarification_photo_words_added' : 'my.clarification_attached';
    return [{ key, params: { messageId: later.messageId } }, ...(more.photosNotTaken > 0 ? [overLimit(later.messageId)] : [])];
  }
  if (later && input.kind === 'location') {
    // A point right after the reply's words or photos: the reply's place, not a new message at it.
    await addClarificationPlace(c.db, { residentId: c.resident.id, commentId: later.commentId, place: { lat: input.lat, lon: input.lon } }, c.now);
    c.data[REPLY_UNDER_WAY] = { commentId: later.commentId, messageId: later.messageId, ...stamp(c) } satisfies ReplyUnderWay;
    return [{ key: 'my.clarification_place_added', params: { messageId: later.messageId } }];
  }
  if (later && input.kind === 'photo') {
    const added = await addClarificationPhotos(c.db, { residentId: c.resident.id, commentId: later.commentId, channel: c.from.channel, photos: [photoRef(input)] }, c.now);
    // The next photos of this one's album (or VK message) join it too; the window runs from the last part.
    c.data[REPLY_UNDER_WAY] = {
      commentId: later.commentId,
      messageId: later.messageId,
      ...(input.album !== undefined && { album: input.album }),
      ...stamp(c),
      toldOver: added.photosNotTaken > 0,
    } satisfies ReplyUnderWay;
    if (added.photosTaken > 0) return [{ key: 'my.clarification_photo_added', params: { messageId: later.messageId } }, ...(added.photosNotTaken > 0 ? [overLimit(later.messageId)] : [])];
    return [added.photosNotTaken > 0 ? overLimit(later.messageId) : { key: 'my.clarification_photo_already', params: { messageId: later.messageId } }];
  }
  delete c.data[REPLY_UNDER_WAY];
  // A VK message's later photo that came with no reply under way (its first part was a command, a video…): not a reply.
  if (input.alongside && input.kind === 'photo' && !input.caption?.trim()) return undefined;
  const messageId = await findAwaitingClarification(c.db, c.resident.id);
  if (messageId === null) return undefined;
  const reply = await replyToClarification(
    c.db,
    {
      residentId: c.resident.id,
      messageId,
      channel: c.from.channel,
      text: input.caption ?? null,
      ...(input.kind === 'photo' ? { photos: [photoRef(input)] } : { place: { lat: input.lat, lon: input.lon } }),
    },
    c.now,
  );
  c.data[REPLY_UNDER_WAY] = {
    commentId: reply.commentId,
    messageId,
    ...(input.kind === 'photo' && input.album !== undefined && { album: input.album }),
    ...stamp(c),
    toldOver: reply.photosNotTaken > 0,
  } satisfies ReplyUnderWay;
  if (input.kind === 'location') return [{ key: 'my.clarification_place_attached', params: { messageId } }];
  if (reply.commentId === null) return [overLimit(messageId)];
  return [{ key: 'my.clarification_photo_attached', params: { messageId } }, ...(reply.photosNotTaken > 0 ? [overLimit(messageId)] : [])];
}
