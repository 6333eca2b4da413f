import type { Generated, JSONColumnType } from 'kysely';

export type NewsState = 'draft' | 'scheduled' | 'published' | 'archived';

/** A news item of a municipality (or the whole region: null). */
export interface NewsItemTable {
  id: Generated<number>;
  municipality_id: number | null;
  state: Generated<NewsState>;
  title: string;
  body: string;
  category_id: number | null;
  /** Stored media (core/media): up to 10 images or one video. */
  media_ids: JSONColumnType<number[], string | undefined, string>;
  link: string | null;
  /** The poll whose decision it reports (KPI 13); no foreign key (the polls module owns `poll`). */
  poll_id: number | null;
  /** When a scheduled item is published (cron). */
  publish_at: Date | null;
  published_at: Date | null;
  archived_at: Date | null;
  /** Last edit of a published item (each edit is audited). */
  edited_at: Date | null;
  broadcast_id: number | null;
  created_by_staff_id: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type EventKind = 'culture' | 'sport';
export type EventState = 'draft' | 'published' | 'cancelled';

/** An event of «Афиша»: times stored UTC, shown in the municipality's zone. */
export interface AfishaEventTable {
  id: Generated<number>;
  municipality_id: number;
  kind: EventKind;
  state: Generated<EventState>;
  title: string;
  description: Generated<string>;
  starts_at: Date;
  ends_at: Date;
  venue_name: string;
  venue_address: string;
  venue_lat: number;
  venue_lon: number;
  age_limit: number | null;
  /** null: free. */
  price: string | null;
  organiser: string | null;
  photo_media_id: number | null;
  link: string | null;
  published_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  broadcast_id: number | null;
  created_by_staff_id: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A resident's "Remind me": queued into the outbox by cron 3 hours before the start. */
export interface EventReminderTable {
  event_id: number;
  resident_id: number;
  outbox_id: number | null;
  /** When the reminder went to the outbox (null: still waiting). */
  queued_at: Date | null;
  created_at: Generated<Date>;
}

export interface NewsTables {
  news_item: NewsItemTable;
  afisha_event: AfishaEventTable;
  event_reminder: EventReminderTable;
}
