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

export interface StaffLinkCodeTables {
  staff_link_code: StaffLinkCodeTable;
}
