import type { Generated } from 'kysely';

/** A chat's running line as sent (migrations/2026-12-12T0200_running-line.ts). */
export interface RunningLineTable {
  channel: string;
  chat_id: string;
  slot: string;
  album: string;
  /** bigint: read back as a string. */
  message_id: string | number;
  updated_at: Generated<Date>;
}

export interface RunningLineTables {
  running_line: RunningLineTable;
}
