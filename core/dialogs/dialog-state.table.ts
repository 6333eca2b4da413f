import type { Generated, JSONColumnType } from 'kysely';

export interface DialogStateTable {
  channel: string;
  external_id: string;
  flow: string;
  step: string;
  data: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  version: Generated<number>;
  updated_at: Generated<Date>;
}

export interface DialogTables {
  dialog_state: DialogStateTable;
}
