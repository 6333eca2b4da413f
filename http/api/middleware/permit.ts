import { createMiddleware } from 'hono/factory';
import { requirePermission, type Permission } from '../../../core/access/permissions.ts';
import type { ApiEnv } from '../env.ts';

/**
 * A route's role check, declared with the route. It runs before the request is validated, so a
 * wrong role gets 403 whatever it sent.
 */
export function permit(permission: Permission) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    requirePermission(c.get('principal'), permission);
    await next();
  });
}
