import type { Generated } from 'kysely';
import type { Channel } from '../db/types.ts';

/** A one-time code that links a messenger account to a staff member; only its hash is stored. */
export interface StaffLinkCodeTable {
  id: Generated<number>;
  code_hash: string;
  staff_id: number;
  created_by: number | null;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  used_channel: Channel | null;
}

/** A failed link attempt (wrong, used or expired code) from one messenger account. */
export interface StaffLinkAttemptTable {
  id: Generated<number>;
  channel: Channel;
  external_id: string;
  attempted_at: Date;
}

export interface StaffLinkCodeTables {
  staff_link_code: StaffLinkCodeTable;
  staff_link_attempt: StaffLinkAttemptTable;
}
