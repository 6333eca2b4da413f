import { createRoute, z } from '@hono/zod-openapi';
import { municipalityInScope } from '../../../../core/access/scope.ts';
import { createRule } from '../../../../core/incidents/settings.service.ts';
import type { ApiApp, ApiDeps } from '../../env.ts';
import { access } from '../../route-kit.ts';
import { BodyId, jsonBody, jsonContent, problems } from '../../schemas/common.ts';
import { RuleSchema, ruleDto } from '../../schemas/incidents.ts';
import { audited } from '../../write.ts';

export const RuleKeywords = z.array(z.string().max(100)).min(1).max(100).openapi({ description: 'words in any form («ямы», «яма»): stored as stems' });

const Body = z.strictObject({ municipalityId: BodyId, categoryId: BodyId, keywords: RuleKeywords });

export const route = createRoute({
  method: 'post',
  operationId: 'createIncidentRule',
  path: '/incident-rules',
  tags: ['incidents'],
  summary: "A keyword rule: posts of the municipality's monitored pages with these words go to triage under the category",
  description: 'The same keywords (in any form or order) for the same category as a rule the municipality has: 409 ALREADY_EXISTS naming it.',
  ...access('incidents.configure'),
  request: { body: jsonBody(Body) },
  responses: { 201: jsonContent(RuleSchema, 'The rule'), ...problems(400, 404, 409) },
});

export function registerCreateRuleIncident(app: ApiApp, deps: ApiDeps) {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const rule = await audited(c, deps, async ({ trx, now, scope }) => {
      await municipalityInScope(trx, scope, body.municipalityId);
      const result = await createRule(trx, body, now);
      return {
        result,
        audit: { action: 'incident_rule.create', entity: 'incident_rule', entityId: result.id, municipalityId: result.municipalityId, data: { categoryId: result.categoryId, stems: result.stems } },
      };
    });
    return c.json(ruleDto(rule), 201);
  });
}
