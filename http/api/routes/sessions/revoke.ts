import { createRoute } from '@hono/zod-openapi';
import { revokeSession } from '../../../../core/console/sessions.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, problems } from '../../schemas/common.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'post',
  operationId: 'revokeSession',
  path: '/sessions/{id}/revoke',
  tags: ['staff and keys'],
  summary: "End a web-console session at once (idempotent); someone else's session is 404 unless you are an operator",
  ...access('sessions.manage'),
  request: { params: IdParams },
  responses: { 204: { description: 'Ended' }, ...problems(400, 404) },
});

export function registerRevokeSession(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const principal = c.get('principal');
    await audited(c, deps, async ({ trx, now }) => {
      // The session owner's municipality, so its curator sees an operator ending it; a repeat changed nothing.
      const session = await revokeSession(trx, principal, id, now);
      const audit = { action: 'session.revoke', entity: 'api_key', entityId: id, municipalityId: session.municipalityId, data: { staffId: session.staffId } };
      return { result: undefined, audit: session.ended ? audit : null };
    });
    return c.body(null, 204);
  });
}
