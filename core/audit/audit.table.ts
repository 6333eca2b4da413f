import type { Generated, JSONColumnType } from 'kysely';

export interface AuditLogTable {
  id: Generated<number>;
  staff_id: number | null;
  api_key_id: number | null;
  action: string;
  entity: string;
  entity_id: string | null;
  municipality_id: number | null;
  request_id: string | null;
  data: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Date;
}

export interface AuditTables {
  audit_log: AuditLogTable;
}
