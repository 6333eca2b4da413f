import { createRoute, z } from '@hono/zod-openapi';
import { getStaff, updateStaff } from '../../../../core/access/staff.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { StaffSchema, staffDto } from '../../schemas/directory.ts';
import { audited, editAudit } from '../../write.ts';

const Body = z.strictObject({
  fullName: z.string().trim().min(1).max(300).optional(),
  active: z.boolean().optional().openapi({ description: 'false: their keys stop working at once' }),
  language: z.enum(['ru', 'en']).optional(),
  newMessageAlerts: z.enum(['immediate', 'hourly', 'digest']).optional().openapi({ description: 'moderators: a card per new message at once, hourly in working hours, or only the 09:00 digest' }),
});

export const route = createRoute({
  method: 'patch',
  operationId: 'updateStaff',
  path: '/staff/{id}',
  tags: ['staff and keys'],
  summary: 'Rename, deactivate or reactivate a staff member',
  description: 'The last operator who can sign in cannot be deactivated (422 LAST_OPERATOR).',
  ...access('staff.write'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(StaffSchema, 'The staff member'), ...problems(400, 404, 422) },
});

export function registerUpdateStaff(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    const staff = await audited(c, deps, async ({ trx }) => {
      const before = await getStaff(trx, id);
      const result = await updateStaff(trx, id, patch);
      const audit = editAudit(before, patch, (fields) => ({
        action: 'staff.update',
        entity: 'staff',
        entityId: id,
        municipalityId: result.municipalityId,
        data: { fields, active: fields.includes('active') ? patch.active : undefined },
      }));
      return { result, audit };
    });
    return c.json(staffDto(staff), 200);
  });
}
