import { sql, type Selectable } from 'kysely';
import type { Channel, Db, Language } from '../db/types.ts';
import { recordActivity } from '../activity/activity.ts';
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
  if (!row) throw new DomainError('NOT_FOUND', { entity: 'resident', id });
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

/**
 * The resident behind a messenger identity, created on first contact; touches last_seen_at (it
 * decides which channel notifications go to), clears an old "unreachable" mark, and records the
 * first interaction of the local day (core/activity: no write on later ones).
 */
export async function touchResident(db: Db, contact: Contact, now: Date): Promise<{ resident: Resident; identity: ResidentIdentity }> {
  // A known identity (every update but the first): found, touched and joined to its resident in
  // one round trip; the CTE's snapshot still shows the previous last_seen_at (for the activity day).
  const known = await sql<Selectable<ResidentTable> & { i_id: number; i_chat_id: string; i_last_seen_at: Date }>`
    WITH old AS (
      SELECT id, resident_id, chat_id, last_seen_at FROM resident_identity WHERE channel = ${contact.channel} AND external_id = ${contact.externalId}
    ), touched AS (
      UPDATE resident_identity ri SET last_seen_at = ${now}, unreachable_at = NULL, chat_id = ${contact.chatId}, username = ${contact.username ?? null}
      FROM old WHERE ri.id = old.id RETURNING ri.id
    )
    SELECT r.*, old.id AS i_id, old.chat_id AS i_chat_id, old.last_seen_at AS i_last_seen_at
    FROM old JOIN resident r ON r.id = old.resident_id`.execute(db);
  const row = known.rows[0];
  if (row) {
    const resident = toResident(row);
    await recordActivity(db, { residentId: resident.id, channel: contact.channel, municipalityId: resident.municipalityId, at: now, previousAt: row.i_last_seen_at });
    const identity: ResidentIdentity = { id: row.i_id, residentId: resident.id, channel: contact.channel, externalId: contact.externalId, chatId: contact.chatId, lastSeenAt: now, unreachable: false };
    return { resident, identity };
  }
  // A first contact: the resident and its identity in one statement (one round trip).
  const created = await sql<Selectable<ResidentTable> & { i_id: number }>`
    WITH r AS (
      INSERT INTO resident (display_name, language, created_at) VALUES (${contact.displayName ?? null}, ${contact.language ?? 'ru'}, ${now}) RETURNING *
    ), i AS (
      INSERT INTO resident_identity (resident_id, channel, external_id, chat_id, username, last_seen_at)
      SELECT r.id, ${contact.channel}::text, ${contact.externalId}::text, ${contact.chatId}::text, ${contact.username ?? null}::text, ${now}::timestamptz FROM r RETURNING id
    )
    SELECT r.*, i.id AS i_id FROM r, i`.execute(db);
  const made = created.rows[0];
  if (!made) throw new Error('creating a resident returned no row');
  const resident = toResident(made);
  const identity: ResidentIdentity = { id: made.i_id, residentId: resident.id, channel: contact.channel, externalId: contact.externalId, chatId: contact.chatId, lastSeenAt: now, unreachable: false };
  await recordActivity(db, { residentId: resident.id, channel: contact.channel, municipalityId: null, at: now });
  return { resident, identity };
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
