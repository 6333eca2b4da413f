import { createHash, randomInt } from 'node:crypto';
import { inTransaction } from '../db/transaction.ts';
import type { Channel, Db, Language } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import type { StaffRole } from './staff.table.ts';

export const DEFAULT_LINK_CODE_TTL_HOURS = 24;
/** Lower-case letters and digits without look-alikes (0/o, 1/l/i); fits a Telegram /start payload. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
/** 16 symbols of a 31-letter alphabet: about 79 bits, far beyond guessing within a code's lifetime. */
const CODE_LENGTH = 16;
const MS_PER_HOUR = 3_600_000;

export interface LinkedStaff {
  staffId: number;
  role: StaffRole;
  municipalityId: number | null;
  language: Language;
}

export interface MessengerIdentity {
  channel: Channel;
  externalId: string;
  chatId: string;
}

/** The /start payload that carries a link code: t.me/<bot>?start=staff_<code> (Telegram allows [A-Za-z0-9_-], ≤ 64). */
export const STAFF_START_PREFIX = 'staff_';

export function staffStartPayload(code: string): string {
  return `${STAFF_START_PREFIX}${code}`;
}

/** The link code in a /start payload, or null when the payload is something else (a resident's start). */
export function linkCodeFromStartPayload(payload: string | undefined): string | null {
  const value = payload?.trim() ?? '';
  return value.startsWith(STAFF_START_PREFIX) && value.length > STAFF_START_PREFIX.length ? value.slice(STAFF_START_PREFIX.length) : null;
}

function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

/** Codes are typed or tapped: tolerate surrounding spaces and upper case. */
function normalise(code: string): string {
  return code.trim().toLowerCase();
}

function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

async function activeStaff(db: Db, staffId: number, inactive: 'STAFF_NOT_FOUND' | 'STAFF_INACTIVE' = 'STAFF_NOT_FOUND') {
  const row = await db
    .selectFrom('staff')
    .select(['id', 'role', 'municipality_id', 'language', 'active'])
    .where('id', '=', staffId)
    .executeTakeFirst();
  if (!row) throw new DomainError('STAFF_NOT_FOUND', { id: staffId });
  if (!row.active) throw new DomainError(inactive, { id: staffId });
  return row;
}

/**
 * Checks that `actorStaffId` may issue a link code for `staffId`: operators for anyone, curators
 * for staff of their own municipality (never for an operator); everyone else is refused.
 */
async function assertMayIssue(db: Db, actorStaffId: number, target: { id: number; role: StaffRole; municipality_id: number | null }): Promise<void> {
  const actor = await db.selectFrom('staff').select(['role', 'municipality_id', 'active']).where('id', '=', actorStaffId).executeTakeFirst();
  if (!actor?.active) throw new DomainError('FORBIDDEN', { reason: 'actor is not active staff' });
  if (actor.role === 'operator') return;
  if (actor.role === 'curator' && target.role !== 'operator' && target.municipality_id !== null && target.municipality_id === actor.municipality_id) return;
  throw new DomainError('FORBIDDEN', { reason: 'only an operator, or a curator of the same municipality, issues link codes', staffId: target.id });
}

/**
 * Issues a one-time link code for a staff member. The plain code is returned once (to be shown to
 * the official, e.g. as t.me/<bot>?start=staff_<code>) and only its hash is stored. Earlier unused
 * codes of that staff member stop working, so only the latest handed-out code can link.
 */
export function createLinkCode(
  db: Db,
  input: { actorStaffId: number; staffId: number; ttlHours?: number },
  now: Date,
): Promise<{ code: string; staffId: number; expiresAt: Date }> {
  return inTransaction(db, async (trx) => {
    const ttlHours = input.ttlHours ?? DEFAULT_LINK_CODE_TTL_HOURS;
    if (!(ttlHours > 0)) throw new DomainError('VALIDATION', { field: 'ttlHours', problem: 'must be positive' });
    // The console lists a deactivated official: "not found" would contradict it.
    const target = await activeStaff(trx, input.staffId, 'STAFF_INACTIVE');
    await assertMayIssue(trx, input.actorStaffId, target);
    await trx.deleteFrom('staff_link_code').where('staff_id', '=', target.id).where('used_at', 'is', null).execute();
    const code = newCode();
    const expiresAt = new Date(now.getTime() + ttlHours * MS_PER_HOUR);
    await trx
      .insertInto('staff_link_code')
      .values({ code_hash: hashCode(code), staff_id: target.id, created_by: input.actorStaffId, created_at: now, expires_at: expiresAt })
      .execute();
    return { code, staffId: target.id, expiresAt };
  });
}

/**
 * Links the messenger account that sent the code to the code's staff member. A staff member has
 * one identity per channel (a new link replaces the old one), and one messenger account belongs to
 * one staff member (linking it elsewhere moves it). Unknown, used and expired codes are refused.
 */
export function consumeLinkCode(db: Db, code: string, identity: MessengerIdentity, now: Date): Promise<LinkedStaff> {
  return inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('staff_link_code').selectAll().where('code_hash', '=', hashCode(normalise(code))).forUpdate().executeTakeFirst();
    if (!row) throw new DomainError('LINK_CODE_INVALID');
    if (row.used_at) throw new DomainError('LINK_CODE_USED');
    if (row.expires_at.getTime() <= now.getTime()) throw new DomainError('LINK_CODE_EXPIRED');
    const staff = await activeStaff(trx, row.staff_id);
    await trx
      .deleteFrom('staff_identity')
      .where('channel', '=', identity.channel)
      .where((eb) => eb.or([eb('staff_id', '=', staff.id), eb('external_id', '=', identity.externalId)]))
      .execute();
    await trx
      .insertInto('staff_identity')
      .values({ staff_id: staff.id, channel: identity.channel, external_id: identity.externalId, chat_id: identity.chatId, linked_at: now })
      .execute();
    await trx.updateTable('staff_link_code').set({ used_at: now, used_channel: identity.channel }).where('id', '=', row.id).execute();
    return { staffId: staff.id, role: staff.role, municipalityId: staff.municipality_id, language: staff.language };
  });
}

/** Removes a staff member's messenger link on one channel, or on all; returns how many were removed. */
export async function unlinkStaff(db: Db, staffId: number, channel?: Channel): Promise<number> {
  let query = db.deleteFrom('staff_identity').where('staff_id', '=', staffId);
  if (channel) query = query.where('channel', '=', channel);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The messengers a staff member has linked (never the account ids: the console only says which and since when). */
export async function linkedChannels(db: Db, staffId: number): Promise<{ channel: Channel; linkedAt: Date; unreachable: boolean }[]> {
  const rows = await db.selectFrom('staff_identity').select(['channel', 'linked_at', 'unreachable_at']).where('staff_id', '=', staffId).orderBy('channel').execute();
  return rows.map((r) => ({ channel: r.channel, linkedAt: r.linked_at, unreachable: r.unreachable_at !== null }));
}

/** The official's own "unlink me" from a messenger: returns the staff id that was unlinked, if any. */
export async function unlinkIdentity(db: Db, channel: Channel, externalId: string): Promise<number | null> {
  const row = await db.deleteFrom('staff_identity').where('channel', '=', channel).where('external_id', '=', externalId).returning('staff_id').executeTakeFirst();
  return row?.staff_id ?? null;
}

/** The active staff member a messenger account is linked to, if any (the bot asks this on every staff action). */
export async function staffByIdentity(db: Db, channel: Channel, externalId: string): Promise<LinkedStaff | null> {
  const row = await db
    .selectFrom('staff_identity as si')
    .innerJoin('staff as s', 's.id', 'si.staff_id')
    .select(['s.id', 's.role', 's.municipality_id', 's.language'])
    .where('si.channel', '=', channel)
    .where('si.external_id', '=', externalId)
    .where('s.active', '=', true)
    .executeTakeFirst();
  return row ? { staffId: row.id, role: row.role, municipalityId: row.municipality_id, language: row.language } : null;
}
