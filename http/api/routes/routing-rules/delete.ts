import { createRoute } from '@hono/zod-openapi';
import { requireMunicipality } from '../../../../core/access/scope.ts';
import { deleteRoutingRule, getRoutingRule } from '../../../../core/staff/executor.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, problems } from '../../schemas/common.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'delete',
  operationId: 'deleteRoutingRule',
  path: '/routing-rules/{id}',
  tags: ['directories'],
  summary: 'Remove a routing rule (messages of that category then need a chosen executor)',
  ...access('municipality.team.write'),
  request: { params: IdParams },
  responses: { 204: { description: 'Removed' }, ...problems(400, 404) },
});

export function registerDeleteRoutingRule(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    await audited(c, deps, async ({ trx, scope }) => {
      const rule = await getRoutingRule(trx, id);
      requireMunicipality(scope, rule.municipalityId, 'ROUTING_RULE_NOT_FOUND', id);
      await deleteRoutingRule(trx, id);
      return { result: null, audit: { action: 'routing_rule.delete', entity: 'routing_rule', entityId: id, municipalityId: rule.municipalityId, data: { categoryId: rule.categoryId, executorId: rule.executorId } } };
    });
    return c.body(null, 204);
  });
}
