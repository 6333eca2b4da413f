import type { Generated } from 'kysely';

/** What a resident may get announcements about (a broadcast's audience is one topic). */
export type Topic = 'polls' | 'contests' | 'news' | 'culture_events' | 'sport_events' | 'direct_line';

/** A resident's explicit choice for one topic; without a row the topic's default holds (subscriptions.ts). */
export interface ResidentSubscriptionTable {
  resident_id: number;
  topic: Topic;
  enabled: boolean;
  updated_at: Generated<Date>;
}

export interface SubscriptionTables {
  resident_subscription: ResidentSubscriptionTable;
}
