import { createRoute, z } from '@hono/zod-openapi';
import { executorInScope, municipalityInScope } from '../../../../core/access/scope.ts';
import { setRoutingRule } from '../../../../core/staff/executor.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { RoutingRuleSchema, routingRuleDto } from '../../schemas/directory.ts';
import { audited } from '../../write.ts';

const Body = z.strictObject({ municipalityId: BodyId, categoryId: BodyId, executorId: BodyId });

export const route = createRoute({
  method: 'put',
  operationId: 'setRoutingRule',
  path: '/routing-rules',
  tags: ['directories'],
  summary: 'Set the executor for a municipality and category (replaces the previous one)',
  description: "422 EXECUTOR_OUT_OF_SCOPE for another municipality's executor; 422 EXECUTOR_INACTIVE for a switched-off one (it would route nothing).",
  ...access('municipality.team.write'),
  request: { body: jsonBody(Body) },
  responses: { 200: jsonContent(RoutingRuleSchema, 'The rule'), ...problems(400, 404, 422) },
});

export function registerSetRoutingRule(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const rule = await audited(c, deps, async ({ trx, scope }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      await executorInScope(trx, scope, body.executorId);
      const before = await trx
        .selectFrom('routing_rule')
        .select('executor_id')
        .where('municipality_id', '=', body.municipalityId)
        .where('category_id', '=', body.categoryId)
        .executeTakeFirst();
      const result = await setRoutingRule(trx, body);
      // The rule already named this executor: a repeat, which changes nothing and leaves no entry.
      if (before?.executor_id === body.executorId) return { result, audit: null };
      return { result, audit: { action: 'routing_rule.set', entity: 'routing_rule', entityId: result.id, municipalityId: result.municipalityId, data: { categoryId: result.categoryId, executorId: result.executorId } } };
    });
    return c.json(routingRuleDto(rule), 200);
  });
}
