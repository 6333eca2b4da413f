import type { Generated, JSONColumnType } from 'kysely';

export interface DialogStateTable {
  channel: string;
  external_id: string;
  flow: string;
  step: string;
  data: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  version: Generated<number>;
  /** What the chat's messenger app can show (VK client_info) and the numbered options last shown: bots/vk/client.ts. */
  client: JSONColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  updated_at: Generated<Date>;
}

export interface DialogTables {
  dialog_state: DialogStateTable;
}
