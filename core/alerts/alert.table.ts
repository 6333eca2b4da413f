import type { Generated, JSONColumnType } from 'kysely';

/** One alert raised for one official, whether or not a messenger was linked to deliver it. */
export interface StaffAlertTable {
  id: Generated<number>;
  staff_id: number;
  kind: string;
  message_id: number | null;
  key: string;
  params: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  dedupe_key: string;
  created_at: Date;
}

/** Marks the daily digest of a municipality as done for a local date ('YYYY-MM-DD'). */
export interface DigestDayTable {
  municipality_id: number;
  local_date: string;
  created_at: Date;
}

/** Marks the regional curators' daily digest as done for a local date of the region's zone. */
export interface RegionalDigestDayTable {
  local_date: string;
  created_at: Date;
}

export interface AlertTables {
  staff_alert: StaffAlertTable;
  digest_day: DigestDayTable;
  regional_digest_day: RegionalDigestDayTable;
}
