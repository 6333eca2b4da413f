import type { Selectable } from 'kysely';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { idCursor, pageSize, toPage, type Page, type PageRequest } from '../db/pagination.ts';
import { DomainError } from '../errors.ts';
import type { ApiKeyTable } from './api-key.table.ts';
import type { Principal } from './principal.ts';
import { anotherOperatorCanSignIn } from './staff.service.ts';
import { displayPrefix, generateToken, hashToken } from './tokens.ts';

export interface ApiKey {
  id: number;
  staffId: number;
  label: string;
  prefix: string;
  createdBy: number | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function toApiKey(row: Selectable<ApiKeyTable>): ApiKey {
  return {
    id: row.id,
    staffId: row.staff_id,
    label: row.label,
    prefix: row.prefix,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** `last_used_at` is refreshed at most this often, so reads do not turn into a write each. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Issues a key for an active staff member. The token is returned here once and never stored;
 * `token` may be given only by the bootstrap (ADMIN_BOOTSTRAP_TOKEN).
 */
export async function issueKey(
  db: Db,
  input: { staffId: number; label?: string; createdBy: number | null; token?: string },
  now: Date,
): Promise<{ key: ApiKey; token: string }> {
  const staff = await db.selectFrom('staff').select(['id', 'active']).where('id', '=', input.staffId).executeTakeFirst();
  if (!staff) throw new DomainError('STAFF_NOT_FOUND', { id: input.staffId });
  if (!staff.active) throw new DomainError('VALIDATION', { field: 'staffId', problem: 'staff member is inactive' });
  const token = input.token ?? generateToken();
  const row = await db
    .insertInto('api_key')
    .values({ staff_id: staff.id, label: input.label?.trim() ?? '', prefix: displayPrefix(token), token_hash: hashToken(token), created_by: input.createdBy, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { key: toApiKey(row), token };
}

export async function getKey(db: Db, id: number): Promise<ApiKey> {
  const row = await db.selectFrom('api_key').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('API_KEY_NOT_FOUND', { id });
  return toApiKey(row);
}

export async function listKeys(db: Db, filter: { staffId?: number; active?: boolean }, page: PageRequest): Promise<Page<ApiKey>> {
  const limit = pageSize(page.limit);
  const after = idCursor(page.cursor);
  // Console sessions are listed apart (core/console/sessions.ts).
  let query = db.selectFrom('api_key').selectAll().where('kind', '=', 'key').orderBy('id').limit(limit + 1);
  if (filter.staffId !== undefined) query = query.where('staff_id', '=', filter.staffId);
  if (filter.active !== undefined) query = query.where('revoked_at', filter.active ? 'is' : 'is not', null);
  if (after !== undefined) query = query.where('id', '>', after);
  return toPage(await query.execute(), limit, toApiKey, (r) => ({ v: null, id: r.id }));
}

/**
 * Revoking is final and idempotent (`changed` false when the key was already revoked), and ends the
 * console sessions opened with the key; the last operator's last key cannot be revoked.
 */
export function revokeKey(db: Db, id: number, now: Date): Promise<{ key: ApiKey; changed: boolean }> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('api_key')
      .innerJoin('staff', 'staff.id', 'api_key.staff_id')
      .selectAll('api_key')
      .select(['staff.role', 'staff.active as staff_active'])
      .where('api_key.id', '=', id)
      // NO KEY: an audit entry of a request made with this key share-locks it (a foreign key).
      .forNoKeyUpdate('api_key')
      .executeTakeFirst();
    if (!row) throw new DomainError('API_KEY_NOT_FOUND', { id });
    if (row.revoked_at) return { key: toApiKey(row), changed: false };
    if (row.role === 'operator' && row.staff_active && !(await anotherOperatorCanSignIn(trx, { keyId: id }))) {
      throw new DomainError('LAST_OPERATOR', { keyId: id });
    }
    const updated = await trx.updateTable('api_key').set({ revoked_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await trx.updateTable('api_key').set({ revoked_at: now }).where('opened_with', '=', id).where('revoked_at', 'is', null).execute();
    return { key: toApiKey(updated), changed: true };
  });
}

/**
 * The principal behind a bearer token. Unknown, revoked and inactive-staff tokens fail the same
 * way, so a caller learns nothing about which keys exist.
 */
export async function authenticate(db: Db, token: string, now: Date): Promise<Principal> {
  const row = await db
    .selectFrom('api_key')
    .innerJoin('staff', 'staff.id', 'api_key.staff_id')
    .select(['api_key.id as key_id', 'api_key.last_used_at', 'api_key.revoked_at', 'api_key.expires_at', 'staff.id as staff_id', 'staff.role', 'staff.municipality_id', 'staff.executor_id', 'staff.active'])
    .where('api_key.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || !row.active || (row.expires_at && row.expires_at <= now)) throw new DomainError('UNAUTHORIZED');
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_key').set({ last_used_at: now }).where('id', '=', row.key_id).execute();
  }
  return { staffId: row.staff_id, keyId: row.key_id, role: row.role, municipalityId: row.municipality_id, executorId: row.executor_id };
}
