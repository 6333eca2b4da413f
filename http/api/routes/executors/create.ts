import { createRoute, z } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { createExecutor } from '../../../../core/staff/executor.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { ExecutorSchema, executorDto } from '../../schemas/directory.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({
  municipalityId: BodyId.nullable().openapi({ description: 'null: a regional body (e.g. a regional ministry) serving every municipality; operators and regional officials only' }),
  name: z.string().trim().min(1).max(300),
  kind: z.enum(['organisation', 'official']),
});

export const route = createRoute({
  method: 'post',
  operationId: 'createExecutor',
  path: '/executors',
  tags: ['directories'],
  summary: 'Add an executor organisation or official to a municipality',
  description: 'An organisation whose name (in any case or spacing) an active organisation of the same directory has is 409 ALREADY_EXISTS naming it; officials may share a name.',
  ...access('municipality.team.write'),
  request: { body: jsonBody(Body) },
  responses: { 201: jsonContent(ExecutorSchema, 'The new executor'), ...problems(400, 404, 409) },
});

export function registerCreateExecutor(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const executor = await audited(c, deps, async ({ trx, scope }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const result = await createExecutor(trx, body);
      return { result, audit: { action: 'executor.create', entity: 'executor', entityId: result.id, municipalityId: result.municipalityId, data: { kind: result.kind } } };
    });
    return c.json(executorDto(executor), 201);
  });
}
