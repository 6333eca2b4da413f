import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listExecutors } from '../../../../core/staff/executor.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, QueryBoolean, jsonContent, problems } from '../../schemas/common.ts';
import { ExecutorSchema, executorDto } from '../../schemas/directory.ts';

const Query = z.strictObject({ municipalityId: Id.optional(), active: QueryBoolean.optional() });

export const route = createRoute({
  method: 'get',
  operationId: 'listExecutors',
  path: '/executors',
  tags: ['directories'],
  summary: 'Executors («Исполнители») in the key\'s scope',
  ...access('directories.read'),
  request: { query: Query },
  responses: { 200: jsonContent(z.object({ items: z.array(ExecutorSchema) }), 'The executors'), ...problems(400, 404) },
});

export function registerListExecutors(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, active } = c.req.valid('query');
    const scope = scopeOf(c.get('principal'));
    const items = await listExecutors(deps.db, { municipalityId: listMunicipality(scope, municipalityId), active });
    return c.json({ items: items.map(executorDto) }, 200);
  });
}
