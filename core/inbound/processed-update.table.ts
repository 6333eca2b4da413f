import type { Generated } from 'kysely';

export interface ProcessedUpdateTable {
  channel: string;
  update_id: string;
  processed_at: Generated<Date>;
}

export interface InboundTables {
  processed_update: ProcessedUpdateTable;
}
