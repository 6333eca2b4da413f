import { createRoute } from '@hono/zod-openapi';
import { deleteRule, getRule } from '../../../../core/incidents/settings.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { IdParams, problems } from '../../schemas/common.ts';
import { audited } from '../../write.ts';

export const route = createRoute({
  method: 'delete',
  operationId: 'deleteIncidentRule',
  path: '/incident-rules/{id}',
  tags: ['incidents'],
  summary: 'Remove a keyword rule',
  ...access('incidents.configure'),
  request: { params: IdParams },
  responses: { 204: { description: 'Removed' }, ...problems(400, 404) },
});

export function registerDeleteRuleIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    await audited(c, deps, async ({ trx, scope }) => {
      const item = await getRule(trx, scope, id);
      await deleteRule(trx, id);
      return { result: null, audit: { action: 'incident_rule.delete', entity: 'incident_rule', entityId: id, municipalityId: item.municipalityId } };
    });
    return c.body(null, 204);
  });
}
