import { sql, type RawBuilder } from 'kysely';
import { actionId } from '../dialogs/action-id.ts';
import type { Db } from '../db/types.ts';
import type { Topic } from './subscription.table.ts';

export type { Topic } from './subscription.table.ts';

/** Every topic, in the order the settings screen shows them. */
export const TOPICS: readonly Topic[] = ['polls', 'contests', 'news', 'culture_events', 'sport_events', 'direct_line'];

/**
 * What a resident who never touched the settings gets: polls, contests and news on, events off
 * (many, and local); the head's direct line on (about once a year, and the resident's chance to ask).
 */
export const TOPIC_DEFAULTS: Readonly<Record<Topic, boolean>> = {
  polls: true,
  contests: true,
  news: true,
  culture_events: false,
  sport_events: false,
  direct_line: true,
};

export function isTopic(value: unknown): value is Topic {
  return typeof value === 'string' && (TOPICS as readonly string[]).includes(value);
}

/** The resident's current choice for every topic (defaults where they made none). */
export async function getSubscriptions(db: Db, residentId: number): Promise<Record<Topic, boolean>> {
  const rows = await db.selectFrom('resident_subscription').select(['topic', 'enabled']).where('resident_id', '=', residentId).execute();
  const choices = { ...TOPIC_DEFAULTS };
  for (const row of rows) if (isTopic(row.topic)) choices[row.topic] = row.enabled;
  return choices;
}

/**
 * Turns one topic on or off for the resident (idempotent). Turned off, the broadcasts of the topic
 * already written out for the resident and still waiting in the outbox are not sent either (a
 * paced broadcast may take a while to reach them); rows a sender claimed still go out. Found by the
 * resident's chats (the outbox's per-chat index of unsent rows).
 */
export async function setSubscription(db: Db, residentId: number, topic: Topic, enabled: boolean, now: Date): Promise<void> {
  await db
    .insertInto('resident_subscription')
    .values({ resident_id: residentId, topic, enabled, updated_at: now })
    .onConflict((oc) => oc.columns(['resident_id', 'topic']).doUpdateSet({ enabled, updated_at: now }))
    .execute();
  if (enabled) return;
  await sql`
    UPDATE outbox o SET state = 'cancelled', last_error = 'unsubscribed'
    FROM resident_identity ri, broadcast b
    WHERE ri.resident_id = ${residentId}
      AND o.channel = ri.channel AND o.chat_id = ri.chat_id
      AND o.state = 'pending' AND o.resident_id = ${residentId}
      AND b.id = o.broadcast_id AND b.topic = ${topic}
  `.execute(db);
}

/** SQL: whether the resident `residentId` (a column reference) gets announcements of `topic`. */
export function subscribedSql(residentId: RawBuilder<unknown>, topic: Topic): RawBuilder<boolean> {
  return sql<boolean>`COALESCE((SELECT s.enabled FROM resident_subscription s WHERE s.resident_id = ${residentId} AND s.topic = ${topic}), ${TOPIC_DEFAULTS[topic]})`;
}

/**
 * The button tag of the one-tap switch under every announcement (`!so:<topic>:<1|0>`, answered by
 * the settings feature, bots/features/settings): core writes it into broadcast payloads.
 */
export const SUBSCRIPTION_TAG = 'so';

/** The row put under every announcement of `topic`: "🔕 Unsubscribe: <topic>" (labels rendered in the reader's language). */
export function unsubscribeRow(topic: Topic): { id: string; label: string; labelParams: Record<string, unknown> }[] {
  return [{ id: actionId(SUBSCRIPTION_TAG, topic, 0), label: 'settings.unsubscribe', labelParams: { topic: { $key: `settings.topic_${topic}` } } }];
}
