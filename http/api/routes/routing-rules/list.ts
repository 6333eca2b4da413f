import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listRoutingRules } from '../../../../core/staff/executor.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems } from '../../schemas/common.ts';
import { RoutingRuleSchema, routingRuleDto } from '../../schemas/directory.ts';

const Query = z.strictObject({ municipalityId: Id.optional(), categoryId: Id.optional() });

export const route = createRoute({
  method: 'get',
  operationId: 'listRoutingRules',
  path: '/routing-rules',
  tags: ['directories'],
  summary: 'Which executor receives which category, per municipality',
  ...access('directories.read'),
  request: { query: Query },
  responses: { 200: jsonContent(z.object({ items: z.array(RoutingRuleSchema) }), 'The rules'), ...problems(400, 404) },
});

export function registerListRoutingRules(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId, categoryId } = c.req.valid('query');
    const scope = scopeOf(c.get('principal'));
    const items = await listRoutingRules(deps.db, { municipalityId: listMunicipality(scope, municipalityId), categoryId });
    return c.json({ items: items.map(routingRuleDto) }, 200);
  });
}
