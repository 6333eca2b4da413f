import { createHash } from 'node:crypto';
import type { Channel, Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';

/** Bumped whenever the consent text in locales/ changes; stored with every consent given. */
export const CONSENT_VERSION = '2026-11-25';

export function consentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Records consent to processing under 152-FZ: the exact text shown, its version, time and channel. */
export async function giveConsent(db: Db, residentId: number, channel: Channel, shownText: string, now: Date): Promise<void> {
  if (await hasLiveConsent(db, residentId)) return;
  await db
    .insertInto('consent')
    .values({
      resident_id: residentId,
      channel,
      text_version: CONSENT_VERSION,
      text_hash: consentHash(shownText),
      given_at: now,
    })
    .execute();
}

export async function hasLiveConsent(db: Db, residentId: number): Promise<boolean> {
  const row = await db
    .selectFrom('consent')
    .select('id')
    .where('resident_id', '=', residentId)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** What a withdrawal erased and stopped, for the resident's answer and the tests. */
export interface Erasure {
  identities: number;
  messagesAnonymised: number;
  notificationsCancelled: number;
}

/**
 * Withdrawal of consent under 152-FZ (art. 9 §2, art. 21 §5): processing stops and the personal
 * data is destroyed, in one transaction:
 * - the name, phone, municipality, notification choice and registration are erased from `resident`;
 * - every messenger account (ids, chat ids, usernames) is deleted, with the dialog positions,
 *   `/start` payloads and link codes kept under them;
 * - messages already filed stay with the authority for the statistics, anonymised: no author
 *   (`author_id` null) and no resident as the actor of their history; comments, ratings and
 *   supports stay under the emptied resident row, which nothing links to a person any more;
 * - all notifications stop: queued outbox rows are cancelled, subscriptions deleted, and the
 *   chat ids of the resident's outbox rows already sent are erased.
 * The consent rows themselves are kept, withdrawn, as the record of what was agreed and when.
 * The same account writing again later is a new, unregistered resident.
 */
export async function withdrawConsent(db: Db, residentId: number, now: Date): Promise<Erasure> {
  await db.updateTable('consent').set({ withdrawn_at: now }).where('resident_id', '=', residentId).where('withdrawn_at', 'is', null).execute();
  await db
    .updateTable('resident')
    .set({ display_name: null, phone: null, registered_at: null, municipality_id: null, notify_channel: null })
    .where('id', '=', residentId)
    .execute();
  const cancelled = await db
    .updateTable('outbox')
    .set({ state: 'cancelled', last_error: 'consent withdrawn' })
    .where('resident_id', '=', residentId)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  // Rows being sent right now keep their chat until they finish; every other row loses it.
  await db.updateTable('outbox').set({ chat_id: ERASED }).where('resident_id', '=', residentId).where('state', '<>', 'sending').execute();
  await db.deleteFrom('resident_subscription').where('resident_id', '=', residentId).execute();
  await db.deleteFrom('resident_link_code').where('resident_id', '=', residentId).execute();
  const identities = await db.deleteFrom('resident_identity').where('resident_id', '=', residentId).returning(['channel', 'external_id']).execute();
  for (const identity of identities) {
    await db.deleteFrom('dialog_state').where('channel', '=', identity.channel).where('external_id', '=', identity.external_id).execute();
    await db.deleteFrom('start_payload').where('channel', '=', identity.channel).where('external_id', '=', identity.external_id).execute();
  }
  const anonymised = await db.updateTable('message').set({ author_id: null }).where('author_id', '=', residentId).executeTakeFirst();
  await db.updateTable('message_event').set({ actor_id: null }).where('actor_kind', '=', 'resident').where('actor_id', '=', residentId).execute();
  return { identities: identities.length, messagesAnonymised: Number(anonymised.numUpdatedRows), notificationsCancelled: Number(cancelled.numUpdatedRows) };
}

/** What an outbox row's chat id becomes when its resident withdrew consent. */
export const ERASED = 'erased';

export async function requireLiveConsent(db: Db, residentId: number): Promise<void> {
  if (!(await hasLiveConsent(db, residentId))) throw new DomainError('CONSENT_REQUIRED', { residentId });
}
