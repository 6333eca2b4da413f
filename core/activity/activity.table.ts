import type { Channel } from '../db/types.ts';

/** One row per resident, local day (the municipality's zone) and channel: the first interaction that day (KPI 2). */
export interface ResidentActivityTable {
  resident_id: number;
  /** The local calendar day, 'YYYY-MM-DD'. */
  day: string;
  channel: Channel;
  /** The resident's municipality that day (null before registration). */
  municipality_id: number | null;
  first_at: Date;
}

export interface ActivityTables {
  resident_activity: ResidentActivityTable;
}
