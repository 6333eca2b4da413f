import type { Channel } from '../../core/db/types.ts';
import { storableText } from '../../core/text/unsafe-text.ts';

/** Who wrote: a messenger identity. Ids are strings (Telegram ids exceed 2^31). */
export interface Identity {
  channel: Channel;
  externalId: string;
  chatId: string;
  username?: string;
  displayName?: string;
  /** The messenger's UI language, a hint only: the resident chooses the bot's language. */
  languageCode?: string;
}

/** Why an input is of kind `other`; each gets its own clear answer. */
/** `attachment`: another kind of content the bot does not take (VK graffiti, a poll, a gift, a link card…); `unsupported`: nothing it can tell. */
export type OtherInput = 'sticker' | 'voice' | 'document' | 'video' | 'attachment' | 'edited' | 'forwarded' | 'unsupported';

/**
 * A file the resident sent, as the messenger describes it (contest entries copy it into the media
 * store): Telegram gives a file id (getFile), VK a download URL. Size and duration when told.
 */
export interface SentFile {
  kind: 'photo' | 'video' | 'document';
  fileId?: string;
  url?: string;
  mime?: string;
  sizeBytes?: number;
  durationSeconds?: number;
}

/** One thing a resident did, the same for every messenger; adapters build it from their updates. */
export type DialogInput = {
  identity: Identity;
  /**
   * An attachment that came in one message after the message's text or another attachment (a VK
   * message is one input per part): a step that takes no such input says once that it was not
   * taken, instead of its hint and its screen again after the screen the message's first part got.
   */
  alongside?: true;
  /**
   * When the messenger says the message was sent (its `date`, Unix seconds; texts, photos and places).
   * A text over the messenger's limit (4096 characters in Telegram and VK) comes as several messages
   * sent at once: the engine tells their pieces by it (engine.ts, a split text). A clarification
   * reply's later parts are timed by it too (updates re-delivered after an outage are handled late).
   */
  sentAt?: number;
} & (
  | {
      kind: 'text';
      text: string;
      /**
       * The message carries a point too, its next input (a VK message with a place attached): a step
       * that asks for a place takes the point, and the text is no second answer there.
       */
      placeFollows?: true;
      /** The message carries attachments too, its next inputs (a VK text with a photo): a step may keep the text for them quietly. */
      attachmentsFollow?: true;
      /**
       * Its first attachment is a photo, which carries this text as its `caption` (a VK text with a
       * photo): between flows the photo starts filing with the text as the description, and the
       * text is no answer of its own.
       */
      photoFollows?: true;
    }
  | { kind: 'command'; command: string; payload?: string }
  /**
   * `typed`: the text the resident typed for it (a number of VK's numbered options, bots/vk/client.ts):
   * where the step's answer is a written text (Step.textAnswer), a bare number is that text instead.
   */
  | { kind: 'button'; data: string; typed?: string }
  /**
   * `caption`: the text of the message the point came in (a VK message with a text and a place; the
   * text is an input of its own too, before the point): filing started at the point between flows
   * keeps it as the description.
   */
  | { kind: 'location'; lat: number; lon: number; address?: string; caption?: string }
  /**
   * `caption`: the text a Telegram photo carries; VK brings a message's text as an input of its own,
   * before the photo, and the text rides along with the message's first attachment when it is a photo.
   * `album`: the Telegram album (media_group_id) the photo came in: one update per photo, handled in turn.
   */
  | { kind: 'photo'; fileId: string; fileUniqueId?: string; file?: SentFile; caption?: string; album?: string }
  | { kind: 'contact'; phone: string; own: boolean }
  /** `album`: the Telegram album (media_group_id) a video came in, with photos: one update per part, handled in turn. */
  | { kind: 'other'; what: OtherInput; file?: SentFile; album?: string }
);

export type InputKind = DialogInput['kind'];

/** Said once per message for its attachments no step took (DialogInput.alongside). */
export const ATTACHMENTS_NOT_TAKEN = 'dialog.attachments_not_taken';

function storable(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storable);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, storable(v)]));
  return value;
}

/**
 * The input with every string the messenger sent (names, ids, payloads, addresses) made storable
 * for PostgreSQL (NUL dropped, lone surrogates replaced). A text the resident typed is left as it
 * is (a photo's caption too): text steps check it with validText and answer with their usual validation message.
 */
export function storableInput(input: DialogInput): DialogInput {
  const cleaned = storable(input) as DialogInput;
  if (input.kind === 'photo' && input.caption !== undefined) return { ...(cleaned as typeof input), caption: input.caption };
  return input.kind === 'text' ? { ...cleaned, kind: 'text', text: input.text } : cleaned;
}
