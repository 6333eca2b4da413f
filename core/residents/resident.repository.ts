import type { CompiledQuery, Selectable } from 'kysely';
import { fixedSql } from '../db/fixed-sql.ts';
import type { Channel, Db, Language } from '../db/types.ts';
import { DEFAULT_TIME_ZONE, localDay, recordActivity } from '../activity/activity.ts';
import { DomainError } from '../errors.ts';
import type { ResidentIdentityTable, ResidentTable } from './resident.table.ts';

export interface Resident {
  id: number;
  displayName: string | null;
  phone: string | null;
  language: Language;
  municipalityId: number | null;
  registeredAt: Date | null;
  notifyChannel: Channel | null;
}

export interface ResidentIdentity {
  id: number;
  residentId: number;
  channel: Channel;
  externalId: string;
  chatId: string;
  lastSeenAt: Date;
  unreachable: boolean;
}

export function toResident(row: Selectable<ResidentTable>): Resident {
  return {
    id: row.id,
    displayName: row.display_name,
    phone: row.phone,
    language: row.language,
    municipalityId: row.municipality_id,
    registeredAt: row.registered_at,
    notifyChannel: row.notify_channel,
  };
}

function toIdentity(row: Selectable<ResidentIdentityTable>): ResidentIdentity {
  return {
    id: row.id,
    residentId: row.resident_id,
    channel: row.channel,
    externalId: row.external_id,
    chatId: row.chat_id,
    lastSeenAt: row.last_seen_at,
    unreachable: row.unreachable_at !== null,
  };
}

export async function getResident(db: Db, id: number): Promise<Resident> {
  const row = await db.selectFrom('resident').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('RESIDENT_NOT_FOUND', { id });
  return toResident(row);
}

export async function findIdentity(db: Db, channel: Channel, externalId: string): Promise<ResidentIdentity | null> {
  const row = await db
    .selectFrom('resident_identity')
    .selectAll()
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  return row ? toIdentity(row) : null;
}

export async function listIdentities(db: Db, residentId: number): Promise<ResidentIdentity[]> {
  const rows = await db.selectFrom('resident_identity').selectAll().where('resident_id', '=', residentId).execute();
  return rows.map(toIdentity);
}

export interface Contact {
  channel: Channel;
  externalId: string;
  chatId: string;
  username?: string | null;
  displayName?: string | null;
  language?: Language;
}

/** What touchResident found: the resident, its identity, and its consent as of the same statement. */
export interface Touched {
  resident: Resident;
  identity: ResidentIdentity;
  /** A live (not withdrawn) consent exists: with `resident.registeredAt`, whether the resident is registered. */
  consented: boolean;
}

/**
 * The resident behind a messenger identity, created on first contact; touches last_seen_at (it
 * decides which channel notifications go to), clears an old "unreachable" mark (the account's
 * staff link's too: an official who blocked the bot and writes again gets alerts again), and
 * records the first interaction of the local day (core/activity: no write on later ones).
 *
 * One round trip either way: a known identity is found, touched and joined to its resident (the
 * CTE's snapshot still shows the previous last_seen_at, for the activity day); an unknown one gets
 * its resident, identity and first activity row in the same statement. Two first contacts of one
 * identity at once must be serialised by the caller (the dialog state lock does it): the second
 * would otherwise fail on the identity's unique key.
 */
export async function touchResident(db: Db, contact: Contact, now: Date, query: TouchQuery = touchQuery(db, contact, now)): Promise<Touched> {
  const { rows } = await db.executeQuery(query);
  const row = rows[0];
  if (!row) throw new Error('touching a resident returned no row');
  const resident = toResident(row);
  const identity: ResidentIdentity = { id: row.i_id, residentId: resident.id, channel: contact.channel, externalId: contact.externalId, chatId: contact.chatId, lastSeenAt: now, unreachable: false };
  // A known identity: its first interaction of the day is recorded here (usually no query at all).
  if (row.i_last_seen_at !== null) await recordActivity(db, { residentId: resident.id, channel: contact.channel, municipalityId: resident.municipalityId, at: now, previousAt: row.i_last_seen_at });
  return { resident, identity, consented: row.consented };
}

/** touchResident's statement, compiled ahead: an inbound update sends it with its first (core/db/prepared.ts sendWith). */
export type TouchQuery = CompiledQuery<TouchRow>;
type TouchRow = Selectable<ResidentTable> & { i_id: number; i_last_seen_at: Date | null; consented: boolean };

/** The statement touchResident runs for `contact` at `now` (pass it back to touchResident with the same contact and time). */
export function touchQuery(db: Db, contact: Contact, now: Date): TouchQuery {
  const firstDay = localDay(now, DEFAULT_TIME_ZONE);
  return fixedSql<TouchRow>`
    WITH old AS (
      SELECT id, resident_id, last_seen_at FROM resident_identity WHERE channel = ${contact.channel} AND external_id = ${contact.externalId}
    ), touched AS (
      UPDATE resident_identity ri SET last_seen_at = ${now}, unreachable_at = NULL, chat_id = ${contact.chatId}, username = ${contact.username ?? null}
      FROM old WHERE ri.id = old.id RETURNING ri.id
    ), staff AS (
      UPDATE staff_identity SET unreachable_at = NULL
      WHERE channel = ${contact.channel} AND external_id = ${contact.externalId} AND unreachable_at IS NOT NULL RETURNING id
    ), r AS (
      INSERT INTO resident (display_name, language, created_at)
      SELECT ${contact.displayName ?? null}::text, ${contact.language ?? 'ru'}::text, ${now}::timestamptz WHERE NOT EXISTS (SELECT 1 FROM old) RETURNING *
    ), i AS (
      INSERT INTO resident_identity (resident_id, channel, external_id, chat_id, username, last_seen_at)
      SELECT r.id, ${contact.channel}::text, ${contact.externalId}::text, ${contact.chatId}::text, ${contact.username ?? null}::text, ${now}::timestamptz FROM r RETURNING id
    ), a AS (
      INSERT INTO resident_activity (resident_id, day, channel, municipality_id, first_at)
      SELECT r.id, ${firstDay}::date, ${contact.channel}::text, NULL, ${now}::timestamptz FROM r
      ON CONFLICT (resident_id, day, channel) DO NOTHING
    )
    SELECT res.*, old.id AS i_id, old.last_seen_at AS i_last_seen_at,
      EXISTS (SELECT 1 FROM consent c WHERE c.resident_id = res.id AND c.withdrawn_at IS NULL) AS consented
    FROM old JOIN resident res ON res.id = old.resident_id
    UNION ALL
    SELECT r.*, i.id, NULL::timestamptz, false FROM r, i`.compile(db);
}

/**
 * The resident's name as the messenger gives it, looked up after the fact (VK's users.get after the
 * consent): stored only where none is yet and the consent is still live, since the name is personal
 * data kept only from the consent on (a withdrawal meanwhile erased it and must stay so).
 */
export async function storeLookedUpName(db: Db, residentId: number, displayName: string): Promise<boolean> {
  const result = await db
    .updateTable('resident')
    .set({ display_name: displayName.slice(0, 200) })
    .where('id', '=', residentId)
    .where('display_name', 'is', null)
    .where((eb) => eb.exists(eb.selectFrom('consent').select('consent.id').whereRef('consent.resident_id', '=', 'resident.id').where('consent.withdrawn_at', 'is', null)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function updateResident(
  db: Db,
  residentId: number,
  patch: Partial<{ language: Language; phone: string | null; municipalityId: number; registeredAt: Date; notifyChannel: Channel | null; displayName: string | null }>,
): Promise<void> {
  await db
    .updateTable('resident')
    .set({
      ...(patch.language !== undefined && { language: patch.language }),
      ...(patch.phone !== undefined && { phone: patch.phone }),
      ...(patch.municipalityId !== undefined && { municipality_id: patch.municipalityId }),
      ...(patch.registeredAt !== undefined && { registered_at: patch.registeredAt }),
      ...(patch.notifyChannel !== undefined && { notify_channel: patch.notifyChannel }),
      ...(patch.displayName !== undefined && { display_name: patch.displayName }),
    })
    .where('id', '=', residentId)
    .execute();
}
