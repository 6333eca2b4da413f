import { createRoute, z } from '@hono/zod-openapi';
import { staffInScope } from '../../../../core/access/scope.ts';
import { unlinkStaff } from '../../../../core/staff/link-codes.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems } from '../../schemas/common.ts';
import { Channel } from '../../schemas/officials.ts';
import { audited } from '../../write.ts';

const Params = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
  channel: Channel.openapi({ param: { name: 'channel', in: 'path' }, example: 'tg' }),
});

export const route = createRoute({
  method: 'delete',
  operationId: 'unlinkStaffIdentity',
  path: '/staff/{id}/identities/{channel}',
  tags: ['staff and keys'],
  summary: 'Unlink a staff member\'s messenger account (a lost phone, a colleague who left)',
  description: 'Alerts stop going to that messenger at once; a new link code links it again. Idempotent: `removed` says whether a link existed.',
  ...access('staff.link'),
  request: { params: Params },
  responses: { 200: jsonContent(z.object({ removed: z.boolean() }).openapi('Unlinked'), 'Whether a link was removed'), ...problems(400, 404) },
});

export function registerUnlinkStaffIdentity(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id, channel } = c.req.valid('param');
    const removed = await audited(c, deps, async ({ trx, scope }) => {
      const staff = await staffInScope(trx, scope, id);
      const count = await unlinkStaff(trx, id, channel);
      return { result: count > 0, audit: { action: 'staff.unlink', entity: 'staff', entityId: id, municipalityId: staff.municipalityId, data: { channel, removed: count > 0 } } };
    });
    return c.json({ removed }, 200);
  });
}
