import { createRoute, z } from '@hono/zod-openapi';
import { listMunicipality, scopeOf } from '../../../../core/access/scope.ts';
import { listRules } from '../../../../core/incidents/settings.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { Id, jsonContent, problems } from '../../schemas/common.ts';
import { RuleSchema, ruleDto } from '../../schemas/incidents.ts';

const Query = z.strictObject({ municipalityId: Id.optional() });

export const route = createRoute({
  method: 'get',
  operationId: 'listIncidentRules',
  path: '/incident-rules',
  tags: ['incidents'],
  summary: 'Keyword rules per category that pick posts of monitored pages',
  ...access('incidents.configure'),
  request: { query: Query },
  responses: { 200: jsonContent(z.object({ items: z.array(RuleSchema) }), 'The list'), ...problems(400, 404) },
});

export function registerListRulesIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const { municipalityId } = c.req.valid('query');
    const items = await listRules(deps.db, listMunicipality(scopeOf(c.get('principal')), municipalityId));
    return c.json({ items: items.map(ruleDto) }, 200);
  });
}
