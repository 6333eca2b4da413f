import { createMiddleware } from 'hono/factory';
import { authenticate } from '../../../core/access/api-keys.service.ts';
import { DomainError } from '../../../core/errors.ts';
import type { ApiDeps, ApiEnv } from '../env.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * `Authorization: Bearer <key>` → the staff member behind the key (role, municipality,
 * executor). No key, an unknown, revoked or deactivated one: 401, all alike.
 */
export function requireApiKey(deps: Pick<ApiDeps, 'db' | 'clock'>) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const token = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) throw new DomainError('UNAUTHORIZED');
    c.set('principal', await authenticate(deps.db, token, deps.clock()));
    await next();
  });
}
