import { createRoute } from '@hono/zod-openapi';
import { scopeOf, staffInScope } from '../../../../core/access/scope.ts';
import { getStaff } from '../../../../core/access/staff.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonContent, problems } from '../../schemas/common.ts';
import { StaffSchema, staffDto } from '../../schemas/directory.ts';

export const route = createRoute({
  method: 'get',
  path: '/staff/{id}',
  tags: ['staff and keys'],
  summary: 'One staff member',
  ...access('staff.read'),
  request: { params: IdParams },
  responses: { 200: jsonContent(StaffSchema, 'The staff member'), ...problems(400, 404) },
});

export function registerGetStaff(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    await staffInScope(deps.db, scopeOf(c.get('principal')), id);
    return c.json(staffDto(await getStaff(deps.db, id)), 200);
  });
}
