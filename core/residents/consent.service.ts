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

/**
 * Withdrawal stops processing: no new messages, no notifications (pending ones are cancelled).
 * Messages already filed stay with the authority (they are public-interest records) but are
 * no longer linked to a way of contacting the resident; the phone number is erased.
 */
export async function withdrawConsent(db: Db, residentId: number, now: Date): Promise<void> {
  await db.updateTable('consent').set({ withdrawn_at: now }).where('resident_id', '=', residentId).where('withdrawn_at', 'is', null).execute();
  await db.updateTable('resident').set({ phone: null, registered_at: null }).where('id', '=', residentId).execute();
  await db
    .updateTable('outbox')
    .set({ state: 'cancelled', last_error: 'consent withdrawn' })
    .where('resident_id', '=', residentId)
    .where('state', '=', 'pending')
    .execute();
}

export async function requireLiveConsent(db: Db, residentId: number): Promise<void> {
  if (!(await hasLiveConsent(db, residentId))) throw new DomainError('CONSENT_REQUIRED', { residentId });
}
