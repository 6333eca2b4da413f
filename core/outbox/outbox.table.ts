import type { Generated, JSONColumnType } from 'kysely';
import type { Channel } from '../db/types.ts';

export type OutboxState = 'pending' | 'sending' | 'sent' | 'dead' | 'unreachable' | 'cancelled';
export type RecipientKind = 'resident' | 'staff' | 'chat';

export interface OutboxTable {
  id: Generated<number>;
  channel: Channel;
  chat_id: string;
  recipient_kind: RecipientKind;
  resident_id: number | null;
  staff_id: number | null;
  kind: string;
  payload: JSONColumnType<OutboxPayload, string, string>;
  priority: Generated<number>;
  state: Generated<OutboxState>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_error: string | null;
  claimed_by: string | null;
  claimed_at: Date | null;
  dedupe_key: string | null;
  created_at: Generated<Date>;
  sent_at: Date | null;
  /** API calls of this row already made (photos before the text); a retry resumes after them. */
  sent_parts: Generated<number>;
  /** The broadcast this row belongs to (bulk lane): its progress is counted and its cancel drops it. */
  broadcast_id: number | null;
}

/**
 * What a row carries: a locale key with its params, rendered at send time in the recipient's
 * language, plus an optional abstract keyboard (see bots/dialogs) and photos.
 */
export interface OutboxPayload {
  key: string;
  params?: Record<string, unknown>;
  language?: string;
  /** An abstract keyboard (bots/dialogs/view.ts); core stores it without interpreting it. */
  keyboard?: unknown;
  photos?: string[];
  /** Stored media (core/media) to show with the text: uploaded once per messenger, then its file id is reused. */
  media?: number[];
  location?: { lat: number; lon: number };
  /**
   * A direct reply (kind `reply`): the dialog's views for this update, rendered at send time in
   * order, back to back, as one row (bots/dialogs/view.ts; core stores them without interpreting).
   */
  views?: unknown[];
  /** A reply to a button press: the message a view marked `edit` replaces (paging). */
  editMessageId?: number;
  /** A reply to a button press: the messenger's id of the press, answered first to stop its spinner. */
  answer?: { queryId: string } | { eventId: string; userId: string; peerId: string };
  /**
   * What the recipient's messenger app can show when the row was queued (VK client_info flags,
   * bots/vk/client.ts): the row is rendered for it. Absent: unknown (a notification: the sender
   * reads the chat's stored client).
   */
  client?: Record<string, unknown>;
  /** A direct reply held back for the next piece of a split text, which may withdraw it (bots/outbox/reply.ts). */
  held?: boolean;
}

export interface OutboxTables {
  outbox: OutboxTable;
}
