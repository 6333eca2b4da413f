import { createRoute, z } from '@hono/zod-openapi';
import { createStaff } from '../../../../core/access/staff.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { StaffRole, StaffSchema, staffDto } from '../../schemas/directory.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  fullName: z.string().trim().min(1).max(300),
  role: StaffRole,
  municipalityId: BodyId.nullable().optional().openapi({ description: 'required for every role but operator; null: a regional official whose scope is the whole region' }),
  executorId: BodyId.optional().openapi({ description: 'required for executors: their organisation, in the same municipality' }),
  language: z.enum(['ru', 'en']).optional(),
});

export const route = createRoute({
  method: 'post',
  operationId: 'createStaff',
  path: '/staff',
  tags: ['staff and keys'],
  summary: 'Add a staff member (then issue them a key)',
  ...access('staff.write'),
  request: { body: jsonBody(Body) },
  responses: { 201: jsonContent(StaffSchema, 'The new staff member'), ...problems(400, 404, 422) },
});

export function registerCreateStaff(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const staff = await audited(c, deps, async ({ trx }) => {
      const result = await createStaff(trx, body);
      // Roles and scope only: the audit holds no names.
      return { result, audit: { action: 'staff.create', entity: 'staff', entityId: result.id, municipalityId: result.municipalityId, data: { role: result.role, executorId: result.executorId } } };
    });
    return c.json(staffDto(staff), 201);
  });
}
