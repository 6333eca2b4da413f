import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { authenticate } from '../../../core/access/api-keys.service.ts';
import { csrfMatches } from '../../../core/console/sessions.ts';
import { DomainError } from '../../../core/errors.ts';
import type { ApiDeps, ApiEnv } from '../env.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;
/** The web console's session cookie (HttpOnly, SameSite=Strict; set by http/console). */
export const SESSION_COOKIE = 'otklik_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `Authorization: Bearer <key>` → the staff member behind the key (role, municipality,
 * executor). No key, an unknown, revoked, expired or deactivated one: 401, all alike.
 * The web console sends its session cookie instead; a state change with a cookie must carry the
 * session's CSRF token in `X-CSRF-Token` (403 CSRF otherwise), so another site cannot act with it.
 */
export function requireApiKey(deps: Pick<ApiDeps, 'db' | 'clock'>) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const bearer = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    const cookie = bearer ? undefined : getCookie(c, SESSION_COOKIE);
    const token = bearer ?? cookie;
    if (!token) throw new DomainError('UNAUTHORIZED');
    const principal = await authenticate(deps.db, token, deps.clock());
    if (cookie && !SAFE_METHODS.has(c.req.method) && !csrfMatches(cookie, c.req.header(CSRF_HEADER))) throw new DomainError('CSRF');
    c.set('principal', principal);
    await next();
  });
}
