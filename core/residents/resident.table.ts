import type { ColumnType, Generated } from 'kysely';
import type { Channel, Language } from '../db/types.ts';

export interface ResidentTable {
  id: Generated<number>;
  display_name: string | null;
  phone: string | null;
  language: Generated<Language>;
  municipality_id: number | null;
  registered_at: Date | null;
  notify_channel: Channel | null;
  created_at: Generated<Date>;
}

export interface ResidentIdentityTable {
  id: Generated<number>;
  resident_id: number;
  channel: Channel;
  external_id: string;
  chat_id: string;
  username: string | null;
  last_seen_at: Generated<Date>;
  unreachable_at: Date | null;
  /** When the resident's name was asked of the messenger (VK users.get), whatever it answered. */
  name_looked_up_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface ConsentTable {
  id: Generated<number>;
  resident_id: number;
  channel: Channel;
  text_version: string;
  text_hash: string;
  given_at: Date;
  withdrawn_at: Date | null;
}

export interface ResidentTables {
  resident: ResidentTable;
  resident_identity: ResidentIdentityTable;
  consent: ConsentTable;
}
