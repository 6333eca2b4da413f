import type { Message, Update, User } from 'grammy/types';
import { MAX_START_PAYLOAD } from '../../core/inbound/start-payload.repository.ts';
import type { DialogInput, Identity, OtherInput, SentFile } from '../dialogs/input.ts';

/** What an update means for us; anything outside private chats is mostly ignored on purpose. */
export type ParsedUpdate =
  | { kind: 'dialog'; input: DialogInput; callbackQueryId?: string; originMessageId?: number }
  /** /start in a group: answered there with a hint to write privately, nothing stored. */
  | { kind: 'group_start'; chatId: string; languageCode?: string }
  /** The resident blocked the bot (my_chat_member → kicked): stop notifying them. */
  | { kind: 'blocked'; externalId: string }
  /** The resident unblocked the bot (my_chat_member → member): they can be written to again. */
  | { kind: 'allowed'; externalId: string }
  /** A button press we do not act on still gets its spinner stopped (`callbackQueryId`, in `chatId`). */
  | { kind: 'ignore'; reason: string; callbackQueryId?: string; chatId?: string };

function identityOf(from: User, chatId: number): Identity {
  const displayName = [from.first_name, from.last_name].filter(Boolean).join(' ').trim();
  return {
    channel: 'tg',
    externalId: String(from.id),
    chatId: String(chatId),
    ...(from.username && { username: from.username }),
    ...(displayName && { displayName }),
    ...(from.language_code && { languageCode: from.language_code }),
  };
}

/** `/cmd@bot payload` → command and payload; a command addressed to another bot is not ours. */
function commandOf(message: Message, botUsername: string): { command: string; payload?: string } | 'foreign' | undefined {
  const entity = message.entities?.[0];
  if (!message.text || entity?.type !== 'bot_command' || entity.offset !== 0) return undefined;
  const [name, target] = message.text.slice(1, entity.length).split('@') as [string, string | undefined];
  if (target && target.toLowerCase() !== botUsername.toLowerCase()) return 'foreign';
  const payload = message.text.slice(entity.length).trim().slice(0, MAX_START_PAYLOAD);
  return { command: name.toLowerCase(), ...(payload && { payload }) };
}

function otherKind(message: Message): OtherInput {
  if (message.sticker) return 'sticker';
  if (message.video_note) return 'video';
  if (message.voice || message.audio) return 'voice';
  if (message.document) return 'document';
  if (message.video || message.animation) return 'video';
  // A poll, a dice, a game, a story: content, answered as a sticker is.
  if (message.poll || message.dice || message.game || message.story) return 'attachment';
  return 'unsupported';
}

function messageInput(message: Message, identity: Identity, botUsername: string): DialogInput | 'foreign' {
  if (message.forward_origin) return { identity, kind: 'other', what: 'forwarded' };
  const command = commandOf(message, botUsername);
  if (command === 'foreign') return 'foreign';
  if (command) return { identity, kind: 'command', ...command };
  const sent = Number.isSafeInteger(message.date) ? { sentAt: message.date } : {};
  if (message.text !== undefined) return { identity, kind: 'text', text: message.text, ...sent };
  if (message.venue) {
    const { location, title, address } = message.venue;
    return { identity, kind: 'location', lat: location.latitude, lon: location.longitude, address: [title, address].filter(Boolean).join(', '), ...sent };
  }
  if (message.location) return { identity, kind: 'location', lat: message.location.latitude, lon: message.location.longitude, ...sent };
  if (message.photo && message.photo.length > 0) {
    // Telegram sends every size; keep the largest (the last one, but do not rely on the order).
    const largest = message.photo.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    return {
      identity,
      kind: 'photo',
      fileId: largest.file_id,
      fileUniqueId: largest.file_unique_id,
      file: { kind: 'photo', fileId: largest.file_id, ...(largest.file_size !== undefined && { sizeBytes: largest.file_size }) },
      ...(message.caption && { caption: message.caption }),
      ...(message.media_group_id && { album: message.media_group_id }),
      ...sent,
    };
  }
  if (message.contact) {
    return { identity, kind: 'contact', phone: message.contact.phone_number, own: message.contact.user_id !== undefined && message.contact.user_id === message.from?.id };
  }
  const file = sentFile(message);
  return { identity, kind: 'other', what: otherKind(message), ...(file && { file }), ...(message.media_group_id && { album: message.media_group_id }) };
}

/** A video, a round video note or a document: what a contest entry copies (Telegram getFile serves up to 20 MB). */
function sentFile(message: Message): SentFile | undefined {
  const video = message.video ?? message.video_note;
  if (video) {
    return {
      kind: 'video',
      fileId: video.file_id,
      mime: 'mime_type' in video ? video.mime_type : 'video/mp4',
      ...(video.file_size !== undefined && { sizeBytes: video.file_size }),
      durationSeconds: video.duration,
    };
  }
  const doc = message.document;
  if (doc) return { kind: 'document', fileId: doc.file_id, ...(doc.mime_type && { mime: doc.mime_type }), ...(doc.file_size !== undefined && { sizeBytes: doc.file_size }) };
  return undefined;
}

/** Telegram update → channel-neutral dialog input (or a deliberate non-dialog outcome). */
export function parseUpdate(update: Update, botUsername: string): ParsedUpdate {
  if (update.callback_query) {
    const query = update.callback_query;
    const chat = query.message?.chat;
    if (query.from.is_bot || (chat && chat.type !== 'private') || query.data === undefined)
      return { kind: 'ignore', reason: 'callback outside a private chat', callbackQueryId: query.id, chatId: String(chat?.id ?? query.from.id) };
    return {
      kind: 'dialog',
      input: { identity: identityOf(query.from, chat?.id ?? query.from.id), kind: 'button', data: query.data },
      callbackQueryId: query.id,
      ...(query.message && { originMessageId: query.message.message_id }),
    };
  }
  if (update.my_chat_member) {
    const member = update.my_chat_member;
    if (member.chat.type === 'private' && member.new_chat_member.status === 'kicked') return { kind: 'blocked', externalId: String(member.from.id) };
    if (member.chat.type === 'private' && member.new_chat_member.status === 'member') return { kind: 'allowed', externalId: String(member.from.id) };
    return { kind: 'ignore', reason: 'membership change' };
  }
  const edited = update.edited_message;
  const message = update.message ?? edited;
  if (!message?.from || message.from.is_bot) return { kind: 'ignore', reason: 'not a message from a person' };
  if (message.chat.type !== 'private') {
    const command = commandOf(message, botUsername);
    if (update.message && command !== 'foreign' && command?.command === 'start') return { kind: 'group_start', chatId: String(message.chat.id), languageCode: message.from.language_code };
    return { kind: 'ignore', reason: 'group chat' };
  }
  const identity = identityOf(message.from, message.chat.id);
  if (edited) {
    // A shared live location moves by editing its message: not an edit the resident made.
    if (edited.location) return { kind: 'ignore', reason: 'live location update' };
    return { kind: 'dialog', input: { identity, kind: 'other', what: 'edited' } };
  }
  const input = messageInput(message, identity, botUsername);
  return input === 'foreign' ? { kind: 'ignore', reason: 'command for another bot' } : { kind: 'dialog', input };
}
