/**
 * What a bot shows, independent of the messenger: a locale key with params, an abstract
 * keyboard, optional photos and a place. Dialog steps return Views; outbox payloads carry the
 * same shape; bots/telegram and bots/vk render them within their own limits.
 */
export interface Button {
  /** Short, versioned action id the adapter puts into callback data (≤ 64 bytes in Telegram). */
  id: string;
  /** A locale key for the label, or `text` for a literal label (a category title, a number). */
  label?: string;
  labelParams?: Record<string, unknown>;
  text?: string;
}

export type ReplyButton =
  | { kind: 'text'; label: string }
  | { kind: 'location'; label: string }
  | { kind: 'contact'; label: string };

export type Keyboard =
  | { kind: 'inline'; rows: Button[][] }
  | { kind: 'reply'; rows: ReplyButton[][]; oneTime?: boolean }
  | { kind: 'remove' };

/**
 * A text to translate later, usable as a param value: `{ status: local('my.status_in_work') }`
 * renders the nested key in the reader's language before the outer text is interpolated.
 */
export interface LocalText {
  $key: string;
  $params?: Record<string, unknown>;
}

export function local(key: string, params?: Record<string, unknown>): LocalText {
  return params ? { $key: key, $params: params } : { $key: key };
}

export function isLocalText(value: unknown): value is LocalText {
  return typeof value === 'object' && value !== null && typeof (value as LocalText).$key === 'string';
}

export interface View {
  key: string;
  params?: Record<string, unknown>;
  /** More texts, each rendered on its own line after the main one (a card's history). */
  lines?: { key: string; params?: Record<string, unknown> }[];
  keyboard?: Keyboard;
  /** Messenger file ids of photos to show with the text. */
  photos?: string[];
  /** Stored media (core/media) to show before the text: uploaded once per messenger, then reused. */
  media?: number[];
  location?: { lat: number; lon: number };
  /** Replace the message whose button was pressed (paging) instead of sending a new one. */
  edit?: boolean;
  /**
   * A running line (a count) the next photo of the same batch says again: within one reply (a VK
   * message's photos) a later view of the slot replaces the earlier ones, and across the updates
   * of a Telegram album the line is held back and taken back by the album's next photo
   * (bots/dialogs/engine.ts), so the batch gets the line once, with its final state.
   */
  slot?: string;
  /**
   * The Telegram album (media_group_id) a running line (`slot`) answers, set by the engine. A line
   * of the album that went out already (its photos came further apart than the hold) is edited by
   * the album's later line of the slot instead of followed by another (bots/outbox/telegram-transport.ts).
   */
  album?: string;
  /**
   * Said only to take a reply keyboard away (bots/dialogs/engine.ts KEYBOARD_GONE): an app that
   * takes it away otherwise, or never showed one (VK without inline or bot keyboards,
   * bots/vk/render.ts), leaves the line out.
   */
  keyboardOnly?: true;
  /** Shown by a step whose answer is a written text (Step.textAnswer): VK's numbered options are chosen with «№» («№1»), a bare number being the text. */
  typedText?: true;
}
