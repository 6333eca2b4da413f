import type { Generated, JSONColumnType } from 'kysely';
import type { Language } from '../db/types.ts';
import type { OutboxPayload } from '../outbox/outbox.table.ts';
import type { Topic } from '../subscriptions/subscription.table.ts';

/** `expanding`: outbox rows are being written in batches; `sending`: all written; `cancelled`: stopped. */
export type BroadcastState = 'expanding' | 'sending' | 'cancelled';

export interface BroadcastTable {
  id: Generated<number>;
  /** null: every municipality. */
  municipality_id: number | null;
  topic: Topic;
  /** null: every language (each recipient reads it in their own). */
  language: Language | null;
  /** The outbox `kind` of its rows (e.g. `broadcast.poll`). */
  kind: string;
  payload: JSONColumnType<OutboxPayload, string, string>;
  state: Generated<BroadcastState>;
  /** Residents up to this id are expanded (keyset). */
  cursor_resident_id: Generated<number>;
  recipients: Generated<number>;
  created_by_staff_id: number | null;
  /** What announced itself (e.g. `poll:12`), for the admin list. */
  source: string | null;
  created_at: Generated<Date>;
  expanded_at: Date | null;
  cancelled_at: Date | null;
}

export interface BroadcastTables {
  broadcast: BroadcastTable;
}
