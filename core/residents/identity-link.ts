import { createHash, randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Channel, Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';

/** Typed by hand from one phone screen to another: short, no look-alikes (0/o, 1/l/i), case-insensitive. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
/** 8 symbols of 31: about 40 bits, far beyond guessing in the code's 15 minutes. */
export const RESIDENT_LINK_CODE_LENGTH = 8;
export const RESIDENT_LINK_CODE_TTL_MINUTES = 15;

const hashCode = (code: string) => createHash('sha256').update(`resident-link:${code}`).digest('hex');
const normalise = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, '');

/**
 * Issues a one-time code shown in `channel`, to be entered in the resident's other messenger.
 * Only the hash is stored; earlier unused codes of the resident stop working.
 */
export async function createResidentLinkCode(db: Db, residentId: number, channel: Channel, now: Date): Promise<{ code: string; expiresAt: Date }> {
  let code = '';
  for (let i = 0; i < RESIDENT_LINK_CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  const expiresAt = new Date(now.getTime() + RESIDENT_LINK_CODE_TTL_MINUTES * 60_000);
  await db.updateTable('resident_link_code').set({ used_at: now }).where('resident_id', '=', residentId).where('used_at', 'is', null).execute();
  await db.insertInto('resident_link_code').values({ resident_id: residentId, channel, code_hash: hashCode(code), created_at: now, expires_at: expiresAt }).execute();
  return { code, expiresAt };
}

export interface LinkResult {
  residentId: number;
  /** The messenger the code was shown in: the one now linked to the identity that typed it. */
  linkedChannel: Channel;
  alreadyLinked: boolean;
}

/**
 * The identity (channel, externalId) entered a code shown in the other messenger: it joins the
 * resident who asked for the code. If that identity already had a resident of its own (it wrote
 * to the bot before, maybe filed messages), that resident is merged in: see mergeResidents.
 * Runs inside the caller's transaction.
 */
export async function linkIdentityByCode(db: Db, code: string, identity: { channel: Channel; externalId: string }, now: Date): Promise<LinkResult> {
  const row = await db.selectFrom('resident_link_code').selectAll().where('code_hash', '=', hashCode(normalise(code))).forUpdate().executeTakeFirst();
  if (!row || row.used_at !== null) throw new DomainError('RESIDENT_LINK_CODE_INVALID', {});
  if (row.expires_at.getTime() <= now.getTime()) throw new DomainError('RESIDENT_LINK_CODE_EXPIRED', {});
  if (row.channel === identity.channel) throw new DomainError('RESIDENT_LINK_SAME_CHANNEL', {});
  const source = await db.selectFrom('resident_identity').select(['resident_id']).where('channel', '=', identity.channel).where('external_id', '=', identity.externalId).executeTakeFirst();
  await db.updateTable('resident_link_code').set({ used_at: now }).where('id', '=', row.id).execute();
  if (source?.resident_id === row.resident_id) return { residentId: row.resident_id, linkedChannel: row.channel, alreadyLinked: true };
  const taken = await db.selectFrom('resident_identity').select('id').where('resident_id', '=', row.resident_id).where('channel', '=', identity.channel).executeTakeFirst();
  if (taken) throw new DomainError('RESIDENT_CHANNEL_ALREADY_LINKED', { channel: identity.channel });
  if (source) await mergeResidents(db, source.resident_id, row.resident_id, now);
  return { residentId: row.resident_id, linkedChannel: row.channel, alreadyLinked: false };
}

/**
 * Moves everything of resident `from` to resident `into`, then deletes `from`, in the caller's
 * transaction: identities (dialog states are keyed by identity and follow them), messages,
 * comments, ratings, supports (one per message: a message both supported is kept once), consents
 * (records per channel, kept as given), pending notifications, unused link codes, poll ballots,
 * direct-line questions, contest entries and votes, event reminders, comments on news and polls. Profile fields
 * `into` lacks are taken from `from`. Consent given once covers both messengers: a channel of the
 * merged resident without a live consent gets one recorded, the same text version and hash.
 */
export async function mergeResidents(db: Db, from: number, into: number, now: Date): Promise<void> {
  await db.updateTable('message').set({ author_id: into }).where('author_id', '=', from).execute();
  for (const table of ['resident_identity', 'comment', 'rating', 'consent', 'outbox', 'resident_link_code', 'direct_line_question'] as const) await moveRows(db, table, from, into);
  // One supporter row per message, one ballot per poll: where both had one, `into`'s stays.
  await moveRows(db, 'support', from, into, 'message_id');
  await moveRows(db, 'poll_ballot', from, into, 'poll_id');
  await mergeSubscriptionsAndActivity(db, from, into);
  await mergeContestsEventsComments(db, from, into);

  const [a, b] = await Promise.all([
    db.selectFrom('resident').selectAll().where('id', '=', into).executeTakeFirstOrThrow(),
    db.selectFrom('resident').selectAll().where('id', '=', from).executeTakeFirstOrThrow(),
  ]);
  await db
    .updateTable('resident')
    .set({
      display_name: a.display_name ?? b.display_name,
      phone: a.phone ?? b.phone,
      municipality_id: a.municipality_id ?? b.municipality_id,
      registered_at: a.registered_at ?? b.registered_at,
      notify_channel: a.notify_channel ?? b.notify_channel,
    })
    .where('id', '=', into)
    .execute();
  await db.deleteFrom('resident').where('id', '=', from).execute();
  await extendConsent(db, into, now);
}

/**
 * Contest entries, contest votes, event reminders, comments on news and polls and their reports of
 * `from` become `into`'s (deleting `from` would cascade them away: a vote lost and cast again, an
 * entry gone). One vote per person per contest: where both had voted, `into`'s stays and `from`'s
 * is taken off its entry's count while voting is open (a finished contest's counts stay as
 * published). One reminder per event and one report per comment likewise.
 */
async function mergeContestsEventsComments(db: Db, from: number, into: number): Promise<void> {
  await moveRows(db, 'contest_entry', from, into);
  await sql`
    WITH dropped AS (
      DELETE FROM contest_vote v
      WHERE v.resident_id = ${from}
        AND EXISTS (SELECT 1 FROM contest_vote w WHERE w.contest_id = v.contest_id AND w.resident_id = ${into})
      RETURNING v.contest_id, v.entry_id
    )
    UPDATE contest_entry e SET votes = e.votes - d.n
    FROM (
      SELECT d.entry_id, count(*)::int AS n FROM dropped d
      JOIN contest c ON c.id = d.contest_id AND c.state = 'voting_open'
      GROUP BY d.entry_id
    ) d
    WHERE e.id = d.entry_id
  `.execute(db);
  await moveRows(db, 'contest_vote', from, into);
  await moveRows(db, 'event_reminder', from, into, 'event_id');
  await moveRows(db, 'item_comment', from, into);
  await sql`
    WITH dropped AS (
      DELETE FROM item_comment_report r
      WHERE r.resident_id = ${from}
        AND EXISTS (SELECT 1 FROM item_comment_report o WHERE o.comment_id = r.comment_id AND o.resident_id = ${into})
      RETURNING r.comment_id
    )
    UPDATE item_comment c SET reports = greatest(c.reports - d.n, 0)
    FROM (SELECT comment_id, count(*)::int AS n FROM dropped GROUP BY comment_id) d
    WHERE c.id = d.comment_id
  `.execute(db);
  await moveRows(db, 'item_comment_report', from, into);
}

/** Tables whose rows belong to a resident by `resident_id`. */
type ResidentRows =
  | 'resident_identity'
  | 'comment'
  | 'rating'
  | 'consent'
  | 'outbox'
  | 'resident_link_code'
  | 'direct_line_question'
  | 'support'
  | 'poll_ballot'
  | 'contest_entry'
  | 'contest_vote'
  | 'event_reminder'
  | 'item_comment'
  | 'item_comment_report';

/**
 * `from`'s rows of `table` become `into`'s. With `onePer` (a column unique per resident), a row of
 * `from` whose value `into` has a row for too is dropped first: `into`'s stays.
 */
async function moveRows(db: Db, table: ResidentRows, from: number, into: number, onePer?: string): Promise<void> {
  if (onePer) {
    await sql`DELETE FROM ${sql.table(table)} WHERE resident_id = ${from} AND ${sql.ref(onePer)} IN (SELECT ${sql.ref(onePer)} FROM ${sql.table(table)} WHERE resident_id = ${into})`.execute(db);
  }
  await sql`UPDATE ${sql.table(table)} SET resident_id = ${into} WHERE resident_id = ${from}`.execute(db);
}

/** Records the resident's live consent for each of their channels that has none (one consent, recorded per channel). */
export async function extendConsent(db: Db, residentId: number, now: Date): Promise<void> {
  const live = await db.selectFrom('consent').selectAll().where('resident_id', '=', residentId).where('withdrawn_at', 'is', null).orderBy('given_at', 'desc').execute();
  if (live.length === 0) return;
  const identities = await db.selectFrom('resident_identity').select('channel').where('resident_id', '=', residentId).execute();
  for (const { channel } of identities) {
    if (live.some((c) => c.channel === channel)) continue;
    await db.insertInto('consent').values({ resident_id: residentId, channel, text_version: live[0]!.text_version, text_hash: live[0]!.text_hash, given_at: now }).execute();
    live.push({ ...live[0]!, channel });
  }
}

/** Whether the resident has an identity in each messenger (for the menu: which one can still be linked). */
export async function linkedChannels(db: Db, residentId: number): Promise<Channel[]> {
  const rows = await db.selectFrom('resident_identity').select('channel').where('resident_id', '=', residentId).orderBy(sql`channel`).execute();
  return rows.map((r) => r.channel);
}

/**
 * Subscription choices `into` has not made are taken from `from` (its own choices win); activity
 * days of both are kept (KPI history), one row per day and channel.
 */
async function mergeSubscriptionsAndActivity(db: Db, from: number, into: number): Promise<void> {
  await sql`
    INSERT INTO resident_subscription (resident_id, topic, enabled, updated_at)
    SELECT ${into}, topic, enabled, updated_at FROM resident_subscription WHERE resident_id = ${from}
    ON CONFLICT (resident_id, topic) DO NOTHING
  `.execute(db);
  await sql`
    INSERT INTO resident_activity (resident_id, day, channel, municipality_id, first_at)
    SELECT ${into}, day, channel, municipality_id, first_at FROM resident_activity WHERE resident_id = ${from}
    ON CONFLICT (resident_id, day, channel) DO NOTHING
  `.execute(db);
}
