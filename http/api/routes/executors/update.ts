import { createRoute, z } from '@hono/zod-openapi';
import { executorInScope, requireMunicipality } from '../../../../core/access/scope.ts';
import { getExecutor, updateExecutor } from '../../../../core/staff/executor.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { ExecutorSchema, executorDto } from '../../schemas/directory.ts';
import { audited, editAudit } from '../../write.ts';

const Body = z.strictObject({
  name: z.string().trim().min(1).max(300).optional(),
  active: z.boolean().optional().openapi({ description: 'false: no new messages are routed to it' }),
});

export const route = createRoute({
  method: 'patch',
  operationId: 'updateExecutor',
  path: '/executors/{id}',
  tags: ['directories'],
  summary: 'Rename or deactivate an executor',
  description: "Renaming an organisation to another active organisation's name in the same directory is 409 ALREADY_EXISTS naming it.",
  ...access('municipality.team.write'),
  request: { params: IdParams, body: jsonBody(Body) },
  responses: { 200: jsonContent(ExecutorSchema, 'The executor'), ...problems(400, 404, 409) },
});

export function registerUpdateExecutor(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    const executor = await audited(c, deps, async ({ trx, scope }) => {
      const { municipalityId } = await executorInScope(trx, scope, id);
      // A regional executor is managed by regional officials (and operators) only.
      requireMunicipality(scope, municipalityId, 'EXECUTOR_NOT_FOUND', id);
      const before = await getExecutor(trx, id);
      const result = await updateExecutor(trx, id, patch);
      const audit = editAudit(before, patch, (fields) => ({
        action: 'executor.update',
        entity: 'executor',
        entityId: id,
        municipalityId,
        data: { fields, active: fields.includes('active') ? patch.active : undefined },
      }));
      return { result, audit };
    });
    return c.json(executorDto(executor), 200);
  });
}
