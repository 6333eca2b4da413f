import type { Channel, Db } from '../db/types.ts';
import { isDomainError } from '../errors.ts';
import { consumeLinkCode, type LinkedStaff, type MessengerIdentity } from './link-codes.ts';

/** Wrong codes one messenger account may try per window before it must wait. */
export const MAX_FAILED_LINK_ATTEMPTS = 5;
export const LINK_ATTEMPT_WINDOW_MS = 3_600_000;

const LINK_FAILURES: ReadonlySet<string> = new Set<LinkFailure>(['LINK_CODE_INVALID', 'LINK_CODE_USED', 'LINK_CODE_EXPIRED']);

async function recentFailures(db: Db, channel: Channel, externalId: string, now: Date): Promise<Date[]> {
  const rows = await db
    .selectFrom('staff_link_attempt')
    .select('attempted_at')
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .where('attempted_at', '>', new Date(now.getTime() - LINK_ATTEMPT_WINDOW_MS))
    .orderBy('attempted_at')
    .execute();
  return rows.map((r) => r.attempted_at);
}

async function recordFailure(db: Db, channel: Channel, externalId: string, now: Date): Promise<void> {
  // Older attempts no longer count: drop them so the table stays as small as the window.
  await db
    .deleteFrom('staff_link_attempt')
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .where('attempted_at', '<=', new Date(now.getTime() - LINK_ATTEMPT_WINDOW_MS))
    .execute();
  await db.insertInto('staff_link_attempt').values({ channel, external_id: externalId, attempted_at: now }).execute();
}

export type LinkFailure = 'LINK_CODE_INVALID' | 'LINK_CODE_USED' | 'LINK_CODE_EXPIRED';
export type LinkResult = { ok: true; staff: LinkedStaff } | { ok: false; code: LinkFailure | 'LINK_CODE_RATE_LIMITED'; retryInMinutes?: number };

/**
 * consumeLinkCode behind a per-account limit on wrong codes: after MAX_FAILED_LINK_ATTEMPTS
 * failures within the window every attempt (even a right code) is refused with
 * LINK_CODE_RATE_LIMITED until the oldest failure leaves the window. Codes are long enough that
 * guessing is hopeless anyway; the limit keeps the bot from being an oracle for codes at all.
 * A wrong code is a result, not an exception, so the failure it records is kept by the caller's
 * transaction instead of being rolled back with an error.
 */
export async function linkByCode(db: Db, code: string, identity: MessengerIdentity, now: Date): Promise<LinkResult> {
  const failures = await recentFailures(db, identity.channel, identity.externalId, now);
  if (failures.length >= MAX_FAILED_LINK_ATTEMPTS) {
    const freeAt = failures[failures.length - MAX_FAILED_LINK_ATTEMPTS]!.getTime() + LINK_ATTEMPT_WINDOW_MS;
    return { ok: false, code: 'LINK_CODE_RATE_LIMITED', retryInMinutes: Math.max(1, Math.ceil((freeAt - now.getTime()) / 60_000)) };
  }
  try {
    return { ok: true, staff: await consumeLinkCode(db, code, identity, now) };
  } catch (error) {
    if (!isDomainError(error) || !LINK_FAILURES.has(error.code)) throw error;
    await recordFailure(db, identity.channel, identity.externalId, now);
    return { ok: false, code: error.code as LinkFailure };
  }
}
