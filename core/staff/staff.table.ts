import type { Generated } from 'kysely';
import type { Channel, Language } from '../db/types.ts';

/**
 * `integration`: an organisation's system of a municipality (a city app, an aggregator) whose key
 * only posts service requests through Open311 (into the incident triage queue); no admin API route admits it.
 */
export type StaffRole = 'operator' | 'curator' | 'moderator' | 'executor' | 'responsible' | 'integration';
export const STAFF_ROLES: readonly StaffRole[] = ['operator', 'curator', 'moderator', 'executor', 'responsible', 'integration'];

export interface StaffTable {
  id: Generated<number>;
  full_name: string;
  role: StaffRole;
  municipality_id: number | null;
  executor_id: number | null;
  language: Generated<Language>;
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface StaffIdentityTable {
  id: Generated<number>;
  staff_id: number;
  channel: Channel;
  external_id: string;
  chat_id: string;
  linked_at: Generated<Date>;
  unreachable_at: Date | null;
}

export interface ExecutorTable {
  id: Generated<number>;
  municipality_id: number;
  name: string;
  kind: 'organisation' | 'official';
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface RoutingRuleTable {
  id: Generated<number>;
  municipality_id: number;
  category_id: number;
  executor_id: number;
}

export interface StaffTables {
  staff: StaffTable;
  staff_identity: StaffIdentityTable;
  executor: ExecutorTable;
  routing_rule: RoutingRuleTable;
}
