import type { Generated } from 'kysely';

/** Deep-link payloads (`/start <payload>`), kept for attribution and for handlers added later (staff linking). */
export interface StartPayloadTable {
  id: Generated<number>;
  channel: string;
  external_id: string;
  payload: string;
  received_at: Date;
}

export interface StartPayloadTables {
  start_payload: StartPayloadTable;
}
