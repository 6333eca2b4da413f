import type { Generated } from 'kysely';
import type { Channel } from '../db/types.ts';

/** A one-time code shown in one messenger (`channel`) to link the resident's other messenger; only its hash is stored. */
export interface ResidentLinkCodeTable {
  id: Generated<number>;
  resident_id: number;
  channel: Channel;
  code_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export interface ResidentLinkCodeTables {
  resident_link_code: ResidentLinkCodeTable;
}
