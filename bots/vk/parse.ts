import { MAX_START_PAYLOAD } from '../../core/inbound/start-payload.repository.ts';
import type { DialogInput, Identity, OtherInput, SentFile } from '../dialogs/input.ts';
import { vkClientOf, type VkClient } from './client.ts';
import { buttonIdOf } from './render.ts';

/**
 * A Callback API / Bots Long Poll event as VK posts it. Only the fields we read are typed; every
 * one is checked before use, since the body comes from the network.
 */
export interface VkEvent {
  type: string;
  group_id?: number;
  event_id?: string;
  v?: string;
  secret?: string;
  object?: unknown;
}

/** What an event means for us. */
export type ParsedEvent =
  /** Inputs of one resident, in order: a message with text and three photos is four inputs. */
  /** `client`: what the resident's app can show, as a message_new's client_info says (bots/vk/client.ts). */
  | { kind: 'dialog'; inputs: DialogInput[]; peerId: string; eventAnswer?: { eventId: string; userId: string }; conversationMessageId?: number; client?: VkClient }
  /** The resident forbade messages from the community (message_deny): stop notifying them. */
  | { kind: 'blocked'; externalId: string }
  /** message_allow: they can be written to again. */
  | { kind: 'allowed'; externalId: string }
  /** /start in a group conversation: answered there with a hint to write privately, nothing stored (as in Telegram). */
  | { kind: 'group_start'; peerId: string; language: 'ru' | 'en' }
  | { kind: 'ignore'; reason: string; eventAnswer?: { eventId: string; userId: string; peerId: string } };

/** Peer ids of group conversations start at 2e9. */
const CHAT_PEER_OFFSET = 2_000_000_000;
/** The id a callback button of an older release is pressed as: not a stamped id, so "out of date" (bots/dialogs/buttons.ts readStamped). */
const OLD_BUTTON = '?';
/** client_info.lang_id: 0 Russian, 3 English (VK's list). */
const LANG_EN = 3;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (v: unknown): string | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v !== 0 ? String(v) : typeof v === 'string' && /^-?\d+$/.test(v) ? v : undefined);

function langIdOf(clientInfo: unknown): unknown {
  return isObject(clientInfo) ? clientInfo.lang_id : undefined;
}

function identityOf(userId: string, peerId: string, clientInfo: unknown): Identity {
  const langId = langIdOf(clientInfo);
  return { channel: 'vk', externalId: userId, chatId: peerId, ...(typeof langId === 'number' && { languageCode: langId === LANG_EN ? 'en' : 'ru' }) };
}

/** The attachment string VK accepts back in messages.send: photo<owner>_<id>[_<access_key>]. */
export function photoAttachment(photo: Json): { fileId: string; fileUniqueId: string } | undefined {
  const owner = idOf(photo.owner_id);
  const id = idOf(photo.id);
  if (!owner || !id) return undefined;
  const key = typeof photo.access_key === 'string' && /^\w+$/.test(photo.access_key) ? `_${photo.access_key}` : '';
  return { fileId: `photo${owner}_${id}${key}`, fileUniqueId: `photo${owner}_${id}` };
}

/** VK sends every size of a photo: the largest by area is the one an official looks at. */
export function largestSize(photo: Json): { url: string; width: number; height: number } | undefined {
  const sizes = Array.isArray(photo.sizes) ? photo.sizes.filter(isObject) : [];
  let best: { url: string; width: number; height: number } | undefined;
  for (const s of sizes) {
    const width = Number(s.width) || 0;
    const height = Number(s.height) || 0;
    if (typeof s.url !== 'string') continue;
    if (!best || width * height > best.width * best.height) best = { url: s.url, width, height };
  }
  return best;
}

function otherKind(type: string): OtherInput {
  if (type === 'sticker') return 'sticker';
  if (type === 'audio_message' || type === 'audio') return 'voice';
  if (type === 'doc') return 'document';
  if (type === 'video') return 'video';
  // Graffiti, a poll, a gift, a link card, a market item, a story…: content, answered as a sticker is.
  return type ? 'attachment' : 'unsupported';
}

/**
 * A video or a document a resident sent: VK gives a community bot a download URL for documents
 * (`doc.url`) and, for videos, only when the attachment carries its files (`video.files.mp4_*`);
 * a video without one has no URL here (the contest asks for it as a file).
 */
function sentFile(type: string, attachment: Json): SentFile | undefined {
  const body = isObject(attachment[type]) ? (attachment[type] as Json) : undefined;
  if (!body) return undefined;
  const size = typeof body.size === 'number' ? { sizeBytes: body.size } : {};
  if (type === 'doc') {
    const url = typeof body.url === 'string' ? body.url : undefined;
    const ext = typeof body.ext === 'string' ? body.ext.toLowerCase() : '';
    const mime = ext === 'mp4' ? 'video/mp4' : ext === 'jpg' || ext === 'jpeg' ? 'image/jpeg' : ext === 'png' ? 'image/png' : undefined;
    return { kind: 'document', ...(url && { url }), ...(mime && { mime }), ...size };
  }
  if (type === 'video') {
    const files = isObject(body.files) ? body.files : {};
    const best = ['mp4_1080', 'mp4_720', 'mp4_480', 'mp4_360', 'mp4_240'].map((k) => files[k]).find((u): u is string => typeof u === 'string');
    return { kind: 'video', ...(best && { url: best }), mime: 'video/mp4', ...(typeof body.duration === 'number' && { durationSeconds: body.duration }), ...size };
  }
  return undefined;
}

/** `/cmd payload` typed by the resident; VK has no command entities. */
function commandOf(text: string): { command: string; payload?: string } | undefined {
  const match = /^\/([A-Za-z_]{1,32})(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return undefined;
  const payload = match[2]?.trim().slice(0, MAX_START_PAYLOAD);
  return { command: match[1]!.toLowerCase(), ...(payload && { payload }) };
}

/** `/start` in a conversation, possibly after a mention of the community (`[club1|@otklik] /start`), or the Start button. */
function isGroupStart(message: Json): boolean {
  if (typeof message.payload === 'string' && /"command"\s*:\s*"start"/.test(message.payload)) return true;
  const text = typeof message.text === 'string' ? message.text.replace(/^\s*\[(?:club|public)\d+\|[^\]]*\][\s,]*/, '') : '';
  return commandOf(text)?.command === 'start';
}

/** A URL as a resident may type it: without the scheme, "www." or a closing slash, in lower case. */
const bareUrl = (url: string) =>
  url
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/+$/, '');

/** VK attaches a snippet (type link) to a message with a URL in its text: the text's own link, not an attachment. */
function isPreviewOfText(attachment: Json, text: string): boolean {
  if (attachment.type !== 'link' || !isObject(attachment.link) || typeof attachment.link.url !== 'string') return false;
  const url = bareUrl(attachment.link.url);
  return url.length > 0 && text.toLowerCase().includes(url);
}

function messageInputs(message: Json, identity: Identity, ref: string | undefined): DialogInput[] {
  const text = typeof message.text === 'string' ? message.text : '';
  const attachmentList = Array.isArray(message.attachments) ? message.attachments.filter((a) => !(isObject(a) && isPreviewOfText(a, text))) : [];
  // Forwarded messages alone are not the resident's words; with a text of their own (VK forwards with a comment) the text is.
  const forwarded = Array.isArray(message.fwd_messages) && message.fwd_messages.length > 0;
  if (forwarded && text.trim().length === 0) return [{ identity, kind: 'other', what: 'forwarded' }];
  // A deep link vk.me/<group>?ref=<payload> brings `ref` on the first message: a /start with that payload.
  if (ref) return [{ identity, kind: 'command', command: 'start', payload: ref.slice(0, MAX_START_PAYLOAD) }];
  const payload = message.payload;
  // The "Start" button of a new conversation carries {"command":"start"}.
  if (typeof payload === 'string' && /"command"\s*:\s*"start"/.test(payload)) return [{ identity, kind: 'command', command: 'start' }];
  const buttonId = buttonIdOf(payload);
  const geo = isObject(message.geo) && isObject(message.geo.coordinates) ? message.geo : undefined;
  // A text button of a regular keyboard: our id in the payload (the label is only what it shows).
  if (!geo && buttonId && buttonId !== 'location') return [{ identity, kind: 'button', data: buttonId }];
  const inputs: DialogInput[] = [];
  const sentAt = typeof message.date === 'number' && Number.isSafeInteger(message.date) ? message.date : undefined;
  const sent = sentAt !== undefined ? { sentAt } : {};
  if (text.trim().length > 0) {
    const command = commandOf(text);
    const attached = !geo && attachmentList.length > 0;
    const firstAttachment = attached ? attachmentList[0] : undefined;
    const photoFirst = isObject(firstAttachment) && firstAttachment.type === 'photo' && isObject(firstAttachment.photo) && photoAttachment(firstAttachment.photo) !== undefined;
    inputs.push(
      command
        ? { identity, kind: 'command', ...command }
        : {
            identity,
            kind: 'text',
            text,
            ...sent,
            ...(geo && { placeFollows: true as const }),
            ...(attached && { attachmentsFollow: true as const }),
            ...(photoFirst && { photoFollows: true as const }),
          },
    );
  }
  if (geo) {
    // The location button's point, or a point attached to a message (which may have a text too:
    // the description and its place in one message, the text first).
    const coordinates = geo.coordinates as Json;
    const place = isObject(geo.place) ? geo.place : {};
    const address = [place.title, place.city].filter((v): v is string => typeof v === 'string' && v.length > 0).join(', ');
    const alongside = inputs.length > 0 ? { alongside: true as const } : {};
    // The message's text rides along with its point too: filing started at the point keeps it as the description.
    const caption = inputs[0]?.kind === 'text' ? { caption: inputs[0].text } : {};
    inputs.push({ identity, kind: 'location', lat: Number(coordinates.latitude), lon: Number(coordinates.longitude), ...(address && { address }), ...alongside, ...caption, ...sent });
    return inputs;
  }
  const attachments = attachmentList.filter(isObject);
  for (const attachment of attachments) {
    const type = typeof attachment.type === 'string' ? attachment.type : '';
    const photo = type === 'photo' && isObject(attachment.photo) ? photoAttachment(attachment.photo) : undefined;
    // Every part after the message's first (its text or first attachment) comes along with it.
    const alongside = inputs.length > 0 ? { alongside: true as const } : {};
    if (photo) {
      const largest = largestSize(attachment.photo as Json);
      // The message's text rides along with its first attachment when that is a photo (DialogInput photo `caption`).
      const first = inputs.length === 1 && inputs[0]!.kind === 'text' ? inputs[0] : undefined;
      const caption = first?.kind === 'text' && first.photoFollows ? { caption: first.text } : {};
      inputs.push({ identity, kind: 'photo', ...photo, ...(largest && { file: { kind: 'photo', url: largest.url } }), ...alongside, ...caption, ...sent });
    } else if (type === 'wall' || type === 'wall_reply') inputs.push({ identity, kind: 'other', what: 'forwarded', ...alongside });
    else {
      const file = sentFile(type, attachment);
      inputs.push({ identity, kind: 'other', what: otherKind(type), ...(file && { file }), ...alongside });
    }
  }
  if (forwarded) inputs.push({ identity, kind: 'other', what: 'forwarded', alongside: true });
  if (inputs.length === 0) inputs.push({ identity, kind: 'other', what: 'unsupported' });
  return inputs;
}

/** A VK event → what to do; never throws for a malformed object (it is ignored with a reason). */
export function parseEvent(event: VkEvent): ParsedEvent {
  const object = isObject(event.object) ? event.object : undefined;
  if (!object) return { kind: 'ignore', reason: 'event without an object' };
  switch (event.type) {
    case 'message_new': {
      // API versions before 5.103 (a community's Callback API may be set to one) send the message
      // itself as the object, without client_info: answered all the same, capabilities unknown.
      const message = isObject(object.message) ? object.message : object.from_id !== undefined && object.peer_id !== undefined ? object : undefined;
      if (!message) return { kind: 'ignore', reason: 'message_new without a message' };
      const userId = idOf(message.from_id);
      const peerId = idOf(message.peer_id);
      if (!userId || !peerId || Number(userId) < 0) return { kind: 'ignore', reason: 'not a message from a person' };
      if (Number(peerId) >= CHAT_PEER_OFFSET) {
        if (message.out !== 1 && isGroupStart(message)) return { kind: 'group_start', peerId, language: langIdOf(object.client_info) === LANG_EN ? 'en' : 'ru' };
        return { kind: 'ignore', reason: 'group conversation' };
      }
      if (message.out === 1) return { kind: 'ignore', reason: 'our own message' };
      const ref = typeof message.ref === 'string' && message.ref.length > 0 ? message.ref : undefined;
      const client = vkClientOf(object.client_info);
      return { kind: 'dialog', inputs: messageInputs(message, identityOf(userId, peerId, object.client_info), ref), peerId, ...(client && { client }) };
    }
    case 'message_edit': {
      // The object is the edited message itself (VK's private message object), not wrapped in
      // `message` as message_new's is. The community's own edits come back too (a list paged in
      // place by messages.edit): out = 1, from_id = -group id.
      const userId = idOf(object.from_id);
      const peerId = idOf(object.peer_id);
      if (object.out === 1 || !userId || Number(userId) < 0) return { kind: 'ignore', reason: 'our own edit or not a person' };
      if (!peerId || Number(peerId) >= CHAT_PEER_OFFSET) return { kind: 'ignore', reason: 'edit outside a private conversation' };
      // A point that moves is not an edit the resident made (as Telegram's live location).
      if (isObject(object.geo)) return { kind: 'ignore', reason: 'location update' };
      // An edit changes nothing already taken: answered as Telegram's edited_message is.
      return { kind: 'dialog', inputs: [{ identity: identityOf(userId, peerId, undefined), kind: 'other', what: 'edited' }], peerId };
    }
    case 'message_event': {
      const userId = idOf(object.user_id);
      const peerId = idOf(object.peer_id);
      const eventId = typeof object.event_id === 'string' ? object.event_id : undefined;
      if (!userId || !peerId || !eventId) return { kind: 'ignore', reason: 'message_event without user, peer or event id' };
      const eventAnswer = { eventId, userId };
      if (Number(peerId) >= CHAT_PEER_OFFSET) return { kind: 'ignore', reason: 'callback outside a private chat', eventAnswer: { ...eventAnswer, peerId } };
      // Only the community sends callback buttons: a payload not of this release's shape is a
      // button of an older one, answered as a stale button is (as Telegram's unknown callback data).
      const data = buttonIdOf(object.payload) ?? OLD_BUTTON;
      const cmid = Number(object.conversation_message_id);
      return {
        kind: 'dialog',
        inputs: [{ identity: identityOf(userId, peerId, undefined), kind: 'button', data }],
        peerId,
        eventAnswer,
        ...(Number.isSafeInteger(cmid) && cmid > 0 && { conversationMessageId: cmid }),
      };
    }
    case 'message_deny': {
      const userId = idOf(object.user_id);
      return userId ? { kind: 'blocked', externalId: userId } : { kind: 'ignore', reason: 'message_deny without a user' };
    }
    case 'message_allow': {
      const userId = idOf(object.user_id);
      return userId ? { kind: 'allowed', externalId: userId } : { kind: 'ignore', reason: 'message_allow without a user' };
    }
    default:
      return { kind: 'ignore', reason: `event type ${event.type} is not handled` };
  }
}
