import { createRoute, z } from '@hono/zod-openapi';
import { scopeOf, staffInScope } from '../../../../core/access/scope.ts';
import { getStaff } from '../../../../core/access/staff.service.ts';
import { linkedChannels } from '../../../../core/staff/link-codes.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems, Timestamp } from '../../schemas/common.ts';
import { Channel } from '../../schemas/officials.ts';
import { StaffSchema, staffDto } from '../../schemas/directory.ts';

const StaffCardSchema = StaffSchema.extend({
  identities: z
    .array(z.object({ channel: Channel, linkedAt: Timestamp, unreachable: z.boolean().openapi({ description: 'the messenger refused the last alert (blocked bot)' }) }))
    .openapi({ description: 'the messengers linked (DELETE /staff/{id}/identities/{channel} unlinks one); never the account ids' }),
}).openapi('StaffCard');

export const route = createRoute({
  method: 'get',
  operationId: 'getStaff',
  path: '/staff/{id}',
  tags: ['staff and keys'],
  summary: 'One staff member',
  ...access('staff.read'),
  request: { params: IdParams },
  responses: { 200: jsonContent(StaffCardSchema, 'The staff member and the messengers they have linked'), ...problems(400, 404) },
});

export function registerGetStaff(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    await staffInScope(deps.db, scopeOf(c.get('principal')), id);
    const identities = (await linkedChannels(deps.db, id)).map((i) => ({ ...i, linkedAt: i.linkedAt.toISOString() }));
    return c.json({ ...staffDto(await getStaff(deps.db, id)), identities }, 200);
  });
}
