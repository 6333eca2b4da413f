import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { authenticate } from '../access/api-keys.service.ts';
import type { Principal } from '../access/principal.ts';
import { displayPrefix, generateToken, hashToken } from '../access/tokens.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';

/** A sign-in code from the bot is good for this long, once. */
export const LOGIN_CODE_TTL_MS = 10 * 60_000;
/** A console session lasts a working day; signing in again is one /login away. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** Failed sign-ins one client may make per window before every attempt is refused for a while. */
export const MAX_SIGN_IN_FAILURES = 10;
export const SIGN_IN_WINDOW_MS = 15 * 60_000;

/** Digits and capitals without look-alikes: typed from a phone into a browser. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** 10 symbols of 32: 50 bits, hopeless to guess in 10 minutes behind the per-client limit. */
const CODE_LENGTH = 10;

const hashCode = (code: string) => createHash('sha256').update(code.replace(/[\s-]/g, '').toUpperCase()).digest('hex');

/** Issues a one-time sign-in code for an active official (asked for with /login in the bot); earlier unused codes stop working. */
export async function issueLoginCode(db: Db, staffId: number, now: Date): Promise<{ code: string; expiresAt: Date }> {
  return inTransaction(db, async (trx) => {
    const staff = await trx.selectFrom('staff').select(['id', 'active']).where('id', '=', staffId).executeTakeFirst();
    if (!staff?.active) throw new DomainError('STAFF_NOT_FOUND', { id: staffId });
    await trx.deleteFrom('console_login_code').where('staff_id', '=', staffId).execute();
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    const expiresAt = new Date(now.getTime() + LOGIN_CODE_TTL_MS);
    await trx
      .insertInto('console_login_code')
      .values({ staff_id: staffId, code_hash: hashCode(code), created_at: now, expires_at: expiresAt })
      .execute();
    return { code: `${code.slice(0, 5)}-${code.slice(5)}`, expiresAt };
  });
}

export interface ConsoleSession {
  token: string;
  keyId: number;
  expiresAt: Date;
  principal: Principal;
}

/** The CSRF token of a session: derived from its secret, so nothing more is stored and it dies with the session. */
export function csrfToken(sessionToken: string): string {
  return createHash('sha256').update(`csrf:${sessionToken}`).digest('base64url');
}

export function csrfMatches(sessionToken: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfToken(sessionToken));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

async function assertNotThrottled(db: Db, client: string, now: Date): Promise<void> {
  const since = new Date(now.getTime() - SIGN_IN_WINDOW_MS);
  const { count } = await db
    .selectFrom('console_sign_in_failure')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('client', '=', client)
    .where('failed_at', '>', since)
    .executeTakeFirstOrThrow();
  if (Number(count) >= MAX_SIGN_IN_FAILURES) throw new DomainError('SIGN_IN_RATE_LIMITED', { retryInMinutes: Math.ceil(SIGN_IN_WINDOW_MS / 60_000) });
}

async function recordFailure(db: Db, client: string, now: Date): Promise<void> {
  await db
    .deleteFrom('console_sign_in_failure')
    .where('client', '=', client)
    .where('failed_at', '<=', new Date(now.getTime() - SIGN_IN_WINDOW_MS))
    .execute();
  await db.insertInto('console_sign_in_failure').values({ client, failed_at: now }).execute();
}

async function openSession(db: Db, staffId: number, label: string, now: Date, openedWith: number | null = null): Promise<{ token: string; keyId: number; expiresAt: Date }> {
  const token = generateToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  const row = await db
    .insertInto('api_key')
    .values({
      staff_id: staffId,
      kind: 'session',
      label,
      prefix: displayPrefix(token),
      token_hash: hashToken(token),
      created_by: staffId,
      created_at: now,
      expires_at: expiresAt,
      opened_with: openedWith,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { token, keyId: row.id, expiresAt };
}

/**
 * Exchanges a one-time code from the bot for a console session. A wrong, used or expired code is
 * one failure for `client` (the caller's address); past the limit every attempt is refused with
 * SIGN_IN_RATE_LIMITED, a right code included. Failures are recorded outside the refused attempt,
 * so they count even though the caller gets an error.
 */
export async function signInWithCode(db: Db, input: { code: string; client: string; userAgent?: string }, now: Date): Promise<ConsoleSession> {
  await assertNotThrottled(db, input.client, now);
  const opened = await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('console_login_code').selectAll().where('code_hash', '=', hashCode(input.code)).forUpdate().executeTakeFirst();
    if (!row || row.used_at || row.expires_at <= now) return null;
    await trx.updateTable('console_login_code').set({ used_at: now }).where('id', '=', row.id).execute();
    return openSession(trx, row.staff_id, sessionLabel('bot code', input.userAgent), now);
  });
  if (!opened) {
    await recordFailure(db, input.client, now);
    throw new DomainError('SIGN_IN_CODE_INVALID');
  }
  return { ...opened, principal: await authenticate(db, opened.token, now) };
}

/** An official with an API key (an operator first of all) may open a console session with it. */
export async function signInWithKey(db: Db, input: { apiKey: string; client: string; userAgent?: string }, now: Date): Promise<ConsoleSession> {
  await assertNotThrottled(db, input.client, now);
  const key = await db.selectFrom('api_key').select(['id', 'kind']).where('token_hash', '=', hashToken(input.apiKey)).executeTakeFirst();
  let principal: Principal | null = null;
  if (key?.kind === 'key') principal = await authenticate(db, input.apiKey, now).catch(() => null);
  if (!principal) {
    await recordFailure(db, input.client, now);
    throw new DomainError('UNAUTHORIZED');
  }
  const opened = await openSession(db, principal.staffId, sessionLabel('API key', input.userAgent), now, key!.id);
  return { ...opened, principal: { ...principal, keyId: opened.keyId } };
}

/** "bot code · Firefox on Linux"-like, so an official can tell their sessions apart in the list. */
function sessionLabel(how: string, userAgent: string | undefined): string {
  const agent = (userAgent ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 120);
  return agent ? `console (${how}) · ${agent}` : `console (${how})`;
}

export interface SessionInfo {
  id: number;
  staffId: number;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** Live sessions (not revoked, not expired): the caller's own, or everyone's for an operator. */
export async function listSessions(db: Db, principal: Principal, now: Date): Promise<SessionInfo[]> {
  let query = db
    .selectFrom('api_key')
    .select(['id', 'staff_id', 'label', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'])
    .where('kind', '=', 'session')
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('id', 'desc')
    .limit(200);
  if (principal.role !== 'operator') query = query.where('staff_id', '=', principal.staffId);
  const rows = await query.execute();
  return rows.map((r) => ({ id: r.id, staffId: r.staff_id, label: r.label, createdAt: r.created_at, lastUsedAt: r.last_used_at, expiresAt: r.expires_at!, revokedAt: r.revoked_at }));
}

/** Ends a session: one's own, or anyone's for an operator; someone else's looks like nothing (404). Idempotent. */
export async function revokeSession(db: Db, principal: Principal, id: number, now: Date): Promise<{ staffId: number; municipalityId: number | null; ended: boolean }> {
  const row = await db
    .selectFrom('api_key')
    .innerJoin('staff', 'staff.id', 'api_key.staff_id')
    .select(['api_key.id', 'api_key.staff_id', 'api_key.revoked_at', 'staff.municipality_id'])
    .where('api_key.id', '=', id)
    .where('api_key.kind', '=', 'session')
    .executeTakeFirst();
  if (!row || (principal.role !== 'operator' && row.staff_id !== principal.staffId)) throw new DomainError('SESSION_NOT_FOUND', { id });
  if (!row.revoked_at) await db.updateTable('api_key').set({ revoked_at: now }).where('id', '=', id).execute();
  return { staffId: row.staff_id, municipalityId: row.municipality_id, ended: !row.revoked_at };
}
