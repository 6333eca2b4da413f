import type { Channel } from '../db/types.ts';

/** Whether a messenger's bot runs (its token is set), as the instance that started last found it. */
export interface MessengerTable {
  channel: Channel;
  running: boolean;
  changed_at: Date;
}

export interface MessengerTables {
  messenger: MessengerTable;
}
