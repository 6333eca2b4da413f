import type { Channel } from '../../core/db/types.ts';

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
export type OtherInput = 'sticker' | 'voice' | 'document' | 'video' | 'edited' | 'forwarded' | 'unsupported';

/** One thing a resident did, the same for every messenger; adapters build it from their updates. */
export type DialogInput = { identity: Identity } & (
  | { kind: 'text'; text: string }
  | { kind: 'command'; command: string; payload?: string }
  | { kind: 'button'; data: string }
  | { kind: 'location'; lat: number; lon: number; address?: string }
  | { kind: 'photo'; fileId: string; fileUniqueId?: string }
  | { kind: 'contact'; phone: string; own: boolean }
  | { kind: 'other'; what: OtherInput }
);

export type InputKind = DialogInput['kind'];
