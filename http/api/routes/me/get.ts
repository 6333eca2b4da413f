import { createRoute, z } from '@hono/zod-openapi';
import { PERMISSIONS, can, type Permission } from '../../../../core/access/permissions.ts';
import { getStaff } from '../../../../core/access/staff.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { jsonContent, problems } from '../../schemas/common.ts';
import { StaffSchema, staffDto } from '../../schemas/directory.ts';

export const route = createRoute({
  method: 'get',
  operationId: 'getMe',
  path: '/me',
  tags: ['staff and keys'],
  summary: 'Who the key belongs to and what it may do',
  ...access('directories.read'),
  request: { query: z.strictObject({}) },
  responses: {
    200: jsonContent(z.object({ staff: StaffSchema, keyId: z.number().int(), permissions: z.array(z.string()) }), 'The caller'),
    ...problems(),
  },
});

export function registerGetMe(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const principal = c.get('principal');
    const permissions = (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(principal, p));
    return c.json({ staff: staffDto(await getStaff(deps.db, principal.staffId)), keyId: principal.keyId, permissions }, 200);
  });
}
